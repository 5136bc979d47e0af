//! `OpenEphemeralResource`: the SDK's credential for the named cluster, as Terraform's values.

use super::schema;
use crate::diag::{self, Diagnostics};

use crate::value::Value;
use bcdr::TopologyClient;
use std::collections::BTreeMap;

const RESULTS: [&str; 5] = [
    "host",
    "cluster_ca_certificate",
    "token",
    "expires_at",
    "kube_config",
];

/// The result for `config`, or the diagnostics naming what is wrong. With an argument not yet known
/// the results are unknown too (Terraform opens it again once they are).
pub async fn open(client: &TopologyClient, config: &Value) -> (Value, Diagnostics) {
    let (Some(topology), Some(region)) = (
        config.get("topology").as_str(),
        config.get("region").as_str(),
    ) else {
        let mut out = match config {
            Value::Map(m) => m.clone(),
            _ => BTreeMap::new(),
        };
        for r in RESULTS {
            out.insert(r.into(), Value::Unknown);
        }
        return (
            schema::block().complete(&Value::Map(out)),
            Diagnostics::new(),
        );
    };
    match client.cluster_credential(topology, region).await {
        Ok(credential) => {
            let expires_at = credential
                .token
                .expires_on
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let out = BTreeMap::from([
                ("topology".into(), Value::string(topology)),
                ("region".into(), Value::string(region)),
                ("host".into(), Value::string(&credential.endpoint.host)),
                (
                    "cluster_ca_certificate".into(),
                    Value::string(&credential.endpoint.cluster_ca_certificate),
                ),
                ("token".into(), Value::string(credential.token.expose())),
                ("expires_at".into(), Value::string(&expires_at)),
                (
                    "kube_config".into(),
                    Value::string(credential.kube_config.expose()),
                ),
            ]);
            tracing::info!(topology, region, %expires_at, "cluster credential opened");
            (Value::Map(out), Diagnostics::new())
        }
        Err(bcdr::Error::Invalid(found)) => {
            (Value::Null, found.iter().map(diag::from_sdk).collect())
        }
        Err(e) => (
            Value::Null,
            diag::error(
                "Could not open a cluster credential",
                format!("topology {topology:?}, region {region:?}: {e}"),
            )
            .into(),
        ),
    }
}
