//! What every resource below a cluster's `providers/Microsoft.KubernetesConfiguration` shares:
//! the request's shape, the cluster it extends (it must exist, and be running to be written to), and
//! the status documents of its operations (`{resource}/operations/{id}`).

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::Resource;
use crate::rp::aks::CLUSTER_TYPE;

/// The namespace as requests and ids spell it.
pub const NAMESPACE: &str = "Microsoft.KubernetesConfiguration";

/// A request below a cluster's `providers/Microsoft.KubernetesConfiguration`.
#[derive(Debug, Clone)]
pub struct Request {
    pub rg: String,
    /// `{clusterRp}/{clusterResourceName}` as the path spells it (`Microsoft.ContainerService/managedClusters`).
    pub cluster_type: String,
    pub cluster: String,
    /// The collection (`extensions`), lower-cased.
    pub kind: String,
    pub name: Option<String>,
    /// An operation's id (`…/{name}/operations/{id}`).
    pub operation: Option<String>,
}

/// The cluster a request names, as stored: 404 when it does not exist. Only AKS managed clusters are
/// served (the spec's `clusterRp` also takes Arc's `Microsoft.Kubernetes/connectedClusters` and
/// others, which the emulator does not host).
pub fn cluster(ctx: &Ctx<'_>, req: &Request) -> Result<Resource, ArmError> {
    if !req.cluster_type.eq_ignore_ascii_case(CLUSTER_TYPE) {
        return Err(ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The cluster type '{}' is not served: only '{CLUSTER_TYPE}' clusters are.",
                req.cluster_type
            ),
        ));
    }
    let rg_id = require_group(ctx, &req.rg)?;
    let id = format!("{rg_id}/providers/{CLUSTER_TYPE}/{}", req.cluster);
    ctx.state
        .get(&id)
        .cloned()
        .ok_or_else(|| not_found(CLUSTER_TYPE, &req.cluster, &req.rg))
}

/// Refuses a write to what extends `cluster` unless the cluster runs: created (not still being
/// created, not being deleted) and not stopped. Guess: Azure's refusal is not documented
/// (docs/emulator-fidelity.md); the agent that installs an extension runs in the cluster.
pub fn require_running(cluster: &Resource) -> Result<(), ArmError> {
    let pending = cluster.pending.as_ref().map(|p| p.state.as_str());
    let power = cluster.body["properties"]["powerState"]["code"]
        .as_str()
        .unwrap_or("Running");
    let name = cluster.body["name"].as_str().unwrap_or_default();
    match (pending, power) {
        (Some(state @ ("Creating" | "Deleting")), _) => Err(ArmError::bad_request(
            "ClusterNotRunning",
            format!(
                "The managed cluster '{name}' is {}: extensions can only be written to a running cluster. Retry once it is running.",
                state.to_ascii_lowercase()
            ),
        )),
        (_, "Running") => Ok(()),
        (_, power) => Err(ArmError::bad_request(
            "ClusterNotRunning",
            format!(
                "The managed cluster '{name}' is in power state '{power}': extensions can only be written to a running cluster. Start it first."
            ),
        )),
    }
}

/// `GET {resource}/operations/{id}`: the operation's status document, when it ran on `resource_id`.
pub fn operation(ctx: &mut Ctx<'_>, resource_id: &str, op: &str) -> Result<Resp, ArmError> {
    let ran_here = ctx
        .state
        .operations
        .get(op)
        .is_some_and(|o| o.resource.eq_ignore_ascii_case(resource_id));
    if !ran_here {
        return Err(ArmError::not_found(
            "OperationNotFound",
            format!("The operation '{op}' could not be found."),
        ));
    }
    crate::contract::lro::status(ctx, op)
}
