//! The regions' `kube_config` (sensitive): fetched from AKS after an apply or an import for the
//! regions whose planned value is unknown (a new cluster), carried over otherwise. Nothing is left
//! unknown: a region whose credential cannot be read gets "" and a warning.

use crate::diag;
use crate::proto::tfplugin6 as pb;
use crate::value::Value;
use bcdr::TopologyClient;

pub async fn fill(client: &TopologyClient, state: &mut Value) -> Vec<pb::Diagnostic> {
    let name = state.get("name").as_str().unwrap_or_default().to_owned();
    let mut diags = Vec::new();
    let Value::Map(top) = state else {
        return diags;
    };
    let Some(Value::Map(regions)) = top.get_mut("region") else {
        return diags;
    };
    for (region, r) in regions.iter_mut() {
        let Value::Map(r) = r else { continue };
        if !r.get("kube_config").is_some_and(Value::is_unknown) {
            continue;
        }
        // The FQDN is known only once the cluster exists (its id is known from the plan on).
        let has_cluster = r
            .get("cluster_fqdn")
            .and_then(Value::as_str)
            .is_some_and(|id| !id.is_empty());
        let value = if has_cluster {
            match client.kubeconfig(&name, region).await {
                Ok(Some(config)) => config.expose().to_owned(),
                Ok(None) => String::new(),
                Err(e) => {
                    diags.push(pb::Diagnostic {
                        severity: pb::diagnostic::Severity::Warning as i32,
                        ..diag::error(
                            "Could not read a cluster's kubeconfig",
                            format!(
                                "region[{region:?}].kube_config: {e}; the next apply tries again"
                            ),
                        )
                    });
                    String::new()
                }
            }
        } else {
            String::new()
        };
        r.insert("kube_config".into(), Value::String(value));
    }
    diags
}
