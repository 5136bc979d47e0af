//! A cluster's credentials: its user kubeconfig (`listClusterUserCredential`, in the `exec` format:
//! with Entra ID it holds no secret, `kubelogin` gets each user a token of their own), held as a
//! secret anyway (a cluster with local accounts may still answer with a token) that never prints.

use super::TopologyClient;
use crate::arm::managed_cluster;
use crate::error::{Error, Result};
use crate::layout::ResourceKey;
use base64::Engine as _;
use std::fmt;

/// A kubeconfig: a secret. `Debug` and `Display` show `<redacted>`; [`Kubeconfig::expose`] gives it.
#[derive(Clone, PartialEq, Eq)]
pub struct Kubeconfig(String);

impl Kubeconfig {
    pub(crate) fn new(text: String) -> Self {
        Self(text)
    }

    /// The kubeconfig's YAML, for a file or a Kubernetes client; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Kubeconfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Kubeconfig(<redacted>)")
    }
}

impl fmt::Display for Kubeconfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl TopologyClient {
    /// The user kubeconfig of `region`'s cluster in topology `name`; `None` when it has no cluster.
    pub async fn kubeconfig(&self, name: &str, region: &str) -> Result<Option<Kubeconfig>> {
        let cluster =
            ResourceKey::ManagedCluster(region.to_owned()).id(self.arm().subscription_id(), name);
        let answer = self
            .arm()
            .post_with(
                &format!("{cluster}/listClusterUserCredential"),
                managed_cluster::API_VERSION,
                &[("format", "exec")],
                None,
            )
            .await;
        let body = match answer {
            Ok(body) => body.unwrap_or_default(),
            Err(Error::Arm { status: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let encoded = body["kubeconfigs"][0]["value"].as_str().unwrap_or_default();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| Error::Decode {
                path: cluster.clone(),
                detail: format!("kubeconfig is not base64: {e}"),
            })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Decode {
            path: cluster,
            detail: format!("kubeconfig is not UTF-8: {e}"),
        })?;
        Ok(Some(Kubeconfig(text)))
    }
}
