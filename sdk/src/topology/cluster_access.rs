//! What a Kubernetes client needs to reach a cluster: its API server's address and CA (read from the
//! user kubeconfig AKS hands out), kubelogin's `exec` arguments, and, for a credential at apply time
//! that is never stored, a short-lived Entra token for AKS's server application from the SDK's own
//! credential (what `kubelogin get-token --login spn` gets for a service principal).

use super::TopologyClient;
use super::credentials::Kubeconfig;
use crate::arm::auth::{AKS_SCOPE, AccessToken};
use crate::arm::resource_group;
use crate::error::{Error, Result};
use crate::layout::ResourceKey;
use crate::names;
use crate::validate::{AttributePath, Diagnostic, Severity};

/// Where a cluster's API server is and how its certificate is checked; no secret.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterEndpoint {
    /// The API server's URL, `https://<fqdn>:443`.
    pub host: String,
    /// The cluster CA's PEM, base64-encoded (the kubeconfig's `certificate-authority-data`, what
    /// the Kubernetes provider's `cluster_ca_certificate` takes through `base64decode`).
    pub cluster_ca_certificate: String,
    /// kubelogin's arguments (`get-token --server-id ...`), empty for a kubeconfig without `exec`.
    pub exec_args: Vec<String>,
}

impl ClusterEndpoint {
    /// Reads the endpoint from an AKS kubeconfig (its first cluster and first user's `exec`).
    pub fn from_kubeconfig(config: &Kubeconfig) -> Option<Self> {
        let text = config.expose();
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(key))
                .map(|v| v.trim().trim_matches('"').to_owned())
        };
        let host = field("server:")?;
        let cluster_ca_certificate = field("certificate-authority-data:").unwrap_or_default();
        let mut exec_args = Vec::new();
        let mut in_args = false;
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed == "args:" {
                in_args = true;
                continue;
            }
            if in_args {
                match trimmed.strip_prefix("- ") {
                    Some(arg) => exec_args.push(arg.trim_matches('"').to_owned()),
                    None => break,
                }
            }
        }
        Some(Self {
            host,
            cluster_ca_certificate,
            exec_args,
        })
    }
}

/// A credential for one cluster at apply time: its endpoint and a short-lived token. Secret: `Debug`
/// redacts the token and the kubeconfig that embeds it.
#[derive(Debug, Clone)]
pub struct ClusterCredential {
    /// Where the cluster's API server is, and the CA certificate to trust.
    pub endpoint: ClusterEndpoint,
    /// An Entra ID token for the AKS audience ([`crate::arm::auth::AKS_SCOPE`]), from the SDK's own credential.
    pub token: AccessToken,
    /// A kubeconfig carrying the token, for tools that cannot run kubelogin.
    pub kube_config: Kubeconfig,
}

/// A kubeconfig whose one user authenticates with `token`.
fn token_kubeconfig(name: &str, endpoint: &ClusterEndpoint, token: &AccessToken) -> Kubeconfig {
    Kubeconfig::new(format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {host}\n    certificate-authority-data: {ca}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {name}-token\ncurrent-context: {name}\npreferences: {{}}\nusers:\n- name: {name}-token\n  user:\n    token: {token}\n",
        host = endpoint.host,
        ca = endpoint.cluster_ca_certificate,
        token = token.expose(),
    ))
}

fn region_error(region: &str, summary: &str, detail: String) -> Error {
    Error::Invalid(vec![Diagnostic {
        severity: Severity::Error,
        path: AttributePath::attr("region"),
        summary: summary.to_owned(),
        detail: format!("region = {region:?}: {detail}"),
    }])
}

impl TopologyClient {
    /// The API server endpoint of `region`'s cluster in topology `name`; `None` when it has none.
    pub async fn cluster_endpoint(
        &self,
        name: &str,
        region: &str,
    ) -> Result<Option<ClusterEndpoint>> {
        let Some(config) = self.kubeconfig(name, region).await? else {
            return Ok(None);
        };
        let endpoint = ClusterEndpoint::from_kubeconfig(&config).ok_or_else(|| Error::Decode {
            path: ResourceKey::ManagedCluster(region.to_owned())
                .id(self.arm().subscription_id(), name),
            detail: "the kubeconfig names no server".into(),
        })?;
        Ok(Some(endpoint))
    }

    /// A credential for `region`'s cluster in topology `name`, now: the endpoint, and an Entra token
    /// for AKS's server application from this client's credential (which therefore needs an Azure
    /// Kubernetes Service RBAC role on the cluster to do anything with it). Errors name `region`: a
    /// region the topology does not have, or a cold one (no cluster until failover).
    pub async fn cluster_credential(&self, name: &str, region: &str) -> Result<ClusterCredential> {
        let Some(endpoint) = self.cluster_endpoint(name, region).await? else {
            let group = resource_group::id(
                self.arm().subscription_id(),
                &names::resource_group(name, region),
            );
            let exists = self
                .arm()
                .get(&group, resource_group::API_VERSION)
                .await?
                .is_some();
            return Err(if exists {
                region_error(
                    region,
                    "Region has no cluster",
                    format!(
                        "topology {name:?} has no cluster in this region (a cold region gets one at failover); name a hot or warm region"
                    ),
                )
            } else {
                region_error(
                    region,
                    "Region not in the topology",
                    format!(
                        "topology {name:?} has no region {region:?} (no resource group {group}); name one of its regions"
                    ),
                )
            });
        };
        let token = self.arm().token_for(AKS_SCOPE).await?;
        let kube_config = token_kubeconfig(&format!("{name}-{region}"), &endpoint, &token);
        Ok(ClusterCredential {
            endpoint,
            token,
            kube_config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXEC: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://c-1.hcp.eastus.azmk8s.io:443\n    certificate-authority-data: Q0E=\ncontexts: []\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - get-token\n      - --server-id\n      - 6dae42f8-4368-4678-94ff-3960e28e3630\n      command: kubelogin\n";

    #[test]
    fn endpoint_is_read_from_an_exec_kubeconfig() {
        let endpoint = ClusterEndpoint::from_kubeconfig(&Kubeconfig::new(EXEC.into()));
        assert_eq!(
            endpoint,
            Some(ClusterEndpoint {
                host: "https://c-1.hcp.eastus.azmk8s.io:443".into(),
                cluster_ca_certificate: "Q0E=".into(),
                exec_args: vec![
                    "get-token".into(),
                    "--server-id".into(),
                    "6dae42f8-4368-4678-94ff-3960e28e3630".into()
                ],
            })
        );
        assert_eq!(
            ClusterEndpoint::from_kubeconfig(&Kubeconfig::new("kind: Config\n".into())),
            None
        );
    }

    #[test]
    fn token_kubeconfig_embeds_the_token_and_debug_hides_it() {
        let endpoint =
            ClusterEndpoint::from_kubeconfig(&Kubeconfig::new(EXEC.into())).unwrap_or_default();
        let token = AccessToken::new("secret-token", azure_core::time::OffsetDateTime::UNIX_EPOCH);
        let config = token_kubeconfig("shop-eastus", &endpoint, &token);
        assert!(config.expose().contains("    token: secret-token\n"));
        assert!(
            config
                .expose()
                .contains("server: https://c-1.hcp.eastus.azmk8s.io:443")
        );
        let credential = ClusterCredential {
            endpoint,
            token,
            kube_config: config,
        };
        assert!(!format!("{credential:?}").contains("secret-token"));
    }
}
