//! AKS node pools: the rules every pool obeys (in a cluster's `agentPoolProfiles` or as a
//! `managedClusters/{c}/agentPools/{p}` child), and the child resource itself: PUT and DELETE are
//! long-running, need the cluster to exist and to be idle, and the cluster's GET lists the pool.
//! Zones are fixed once a pool exists; autoscaling needs bounds, and the count stays within them.

use super::CLUSTER_TYPE;
use super::pools::{any_busy, check, invalid, rendered, valid_name, with_children};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource};
use axum::http::Method;
use serde_json::{Value, json};

const POOL_TYPE: &str = "Microsoft.ContainerService/managedClusters/agentPools";

#[derive(Debug)]
struct AgentPool;

fn busy() -> ArmError {
    ArmError::conflict(
        "OperationNotAllowed",
        "Operation is not allowed because there's an in progress operation on the managed cluster.",
    )
}

impl ResourceType for AgentPool {
    fn profile(&self) -> &'static Profile {
        &profile::AKS
    }
    fn kind(&self) -> Kind {
        Kind::AgentPool
    }
    fn type_name(&self) -> &'static str {
        POOL_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "agentPool.delete"
    }

    /// A pool inline in the cluster's `agentPoolProfiles` is a pool like any other: readable, and a PUT
    /// on it is its update (ARM's PUT is create-or-update; `az aks nodepool scale` does exactly that).
    fn synthesize(&self, state: &crate::contract::store::State, at: &At) -> Option<Resource> {
        let parent = state.get(&at.parent.as_ref()?.id)?;
        let profile = parent.body["properties"]["agentPoolProfiles"]
            .as_array()?
            .iter()
            .find(|p| p["name"].as_str() == Some(at.name.as_str()))?;
        let mut properties = profile.clone();
        if let Some(p) = properties.as_object_mut() {
            p.remove("name");
        }
        Some(Resource {
            id: at.id.clone(),
            kind: Kind::AgentPool,
            body: json!({ "id": at.id, "name": at.name, "type": POOL_TYPE, "properties": properties }),
            pending: None,
        })
    }

    fn not_found(&self, at: &At) -> ArmError {
        ArmError::not_found(
            "NotFound",
            format!("The agent pool '{}' was not found.", at.name),
        )
    }

    /// A pool write holds its cluster: refused while the cluster or any of its pools is busy.
    fn busy(&self, ctx: &Ctx<'_>, at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        let parent = at.parent.as_ref()?;
        let parent_busy = ctx.state.get(&parent.id).is_some_and(Resource::is_busy);
        let pools_busy = match ctx.method {
            Method::DELETE => existing.is_some_and(Resource::is_busy),
            _ => any_busy(ctx.state, &parent.id),
        };
        (parent_busy || pools_busy).then(busy)
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let name = at.name.as_str();
        let parent = at
            .parent
            .as_ref()
            .ok_or_else(|| ArmError::new(500, "InternalServerError", "pool without its cluster"))?;
        if !valid_name(name) {
            return Err(invalid(
                "agentPoolName",
                format!(
                    "The agent pool name '{name}' is invalid: it must start with a lowercase letter and contain only lowercase letters and numbers, at most 12 characters."
                ),
            ));
        }
        let props = &body["properties"];
        check(
            props,
            "properties.",
            existing.map(|p| &p.body["properties"]),
        )?;
        let mut pools: Vec<Value> =
            with_children(ctx.state, parent)["properties"]["agentPoolProfiles"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["name"].as_str() != Some(name))
                .cloned()
                .collect();
        let mut pool = props.clone();
        pool["name"] = json!(name);
        pools.push(pool);
        crate::rp::aks::cni::check(ctx, &parent.body["properties"]["networkProfile"], &pools)?;
        let version = parent.body["properties"]["kubernetesVersion"]
            .as_str()
            .unwrap_or(crate::rp::aks::versions::DEFAULT)
            .to_owned();
        Ok(Written {
            body: json!({ "id": at.id, "name": name, "type": POOL_TYPE, "properties": rendered(props, &version) }),
            location: parent.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            latency: if existing.is_some() {
                "managedCluster.update"
            } else {
                "agentPool.put"
            },
            completes: None,
            unchanged: false,
        })
    }
}

/// `managedClusters/{cluster}/agentPools/{name}`.
pub fn agent_pool(
    ctx: &mut Ctx<'_>,
    rg: &str,
    cluster: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let cluster_id = format!("{rg_id}/providers/{CLUSTER_TYPE}/{cluster}");
    let Some(parent) = ctx.state.get(&cluster_id).cloned() else {
        return Err(not_found(CLUSTER_TYPE, cluster, rg));
    };
    let id = format!("{}/agentPools/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &AgentPool)
}
