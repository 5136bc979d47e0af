//! `Microsoft.KubernetesConfiguration`: resources that extend a cluster, addressed below it as
//! extension resources (`{clusterId}/providers/Microsoft.KubernetesConfiguration/{kind}/{name}`):
//! cluster extensions (`extension`) and Flux configurations (`flux`). What they share (`cluster`): which clusters they extend (AKS
//! managed clusters; `connectedClusters` and the other Arc types are not served), that the cluster
//! must exist and be running, and the status documents of their operations
//! (`{resource}/operations/{id}`).

pub mod cluster;
pub mod extension;
pub mod flux;

pub use cluster::{NAMESPACE, Request};

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};

/// Serves a request below a cluster's `providers/Microsoft.KubernetesConfiguration`.
pub fn serve(ctx: &mut Ctx<'_>, req: &Request) -> Result<Resp, ArmError> {
    match req.kind.as_str() {
        "extensions" => extension::serve(ctx, req),
        "fluxconfigurations" => flux::serve(ctx, req),
        other => Err(ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The resource type '{other}' could not be found in the namespace '{}'.",
                cluster::NAMESPACE
            ),
        )),
    }
}
