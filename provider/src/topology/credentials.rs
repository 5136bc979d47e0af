//! The regions' `kube_config` (sensitive) and what the Kubernetes and Helm providers take from it
//! (`host`, `cluster_ca_certificate`, `exec_args`): fetched from AKS after an apply or an import for
//! the regions whose planned value is unknown (a new cluster), carried over otherwise. Nothing is left
//! unknown: a region whose credential cannot be read gets "" and a warning.

use crate::diag::{self, Diagnostics};

use crate::value::Value;
use bcdr::{ClusterEndpoint, TopologyClient};

/// What is read from the cluster's kubeconfig.
const ATTRS: [&str; 4] = ["kube_config", "host", "cluster_ca_certificate", "exec_args"];

pub async fn fill(client: &TopologyClient, state: &mut Value) -> Diagnostics {
    let name = state.get("name").as_str().unwrap_or_default().to_owned();
    let mut diags = Diagnostics::new();
    let Value::Map(top) = state else {
        return diags;
    };
    let Some(Value::Map(regions)) = top.get_mut("region") else {
        return diags;
    };
    for (region, r) in regions.iter_mut() {
        let Value::Map(r) = r else { continue };
        if !ATTRS
            .iter()
            .any(|a| r.get(*a).is_some_and(Value::is_unknown))
        {
            continue;
        }
        // The FQDN is known only once the cluster exists (its id is known from the plan on).
        let has_cluster = r
            .get("cluster_fqdn")
            .and_then(Value::as_str)
            .is_some_and(|id| !id.is_empty());
        let config = if has_cluster {
            match client.kubeconfig(&name, region).await {
                Ok(config) => config,
                Err(e) => {
                    diags.push(diag::warning(
                        "Could not read a cluster's kubeconfig",
                        format!("region[{region:?}].kube_config: {e}; the next apply tries again"),
                    ));
                    None
                }
            }
        } else {
            None
        };
        let endpoint = config
            .as_ref()
            .and_then(ClusterEndpoint::from_kubeconfig)
            .unwrap_or_default();
        let kube_config = config.map(|c| c.expose().to_owned()).unwrap_or_default();
        r.insert("kube_config".into(), Value::String(kube_config));
        r.insert("host".into(), Value::String(endpoint.host));
        r.insert(
            "cluster_ca_certificate".into(),
            Value::String(endpoint.cluster_ca_certificate),
        );
        r.insert(
            "exec_args".into(),
            Value::List(endpoint.exec_args.into_iter().map(Value::String).collect()),
        );
    }
    diags
}
