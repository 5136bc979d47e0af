//! AKS node pools: the rules every pool obeys (in a cluster's `agentPoolProfiles` or as a
//! `managedClusters/{c}/agentPools/{p}` child), and the child resource itself: PUT and DELETE are
//! long-running, need the cluster to exist and to be idle, and the cluster's GET lists the pool.
//! Zones are fixed once a pool exists; autoscaling needs bounds, and the count stays within them.

use super::pools::{any_busy, check, invalid, rendered, valid_name, with_children};
use crate::contract::error::ArmError;
use crate::contract::lro::{self, OpSite};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, not_found, require_group};
use crate::contract::store::{Kind, Resource};
use axum::http::Method;
use serde_json::{Value, json};

fn site(location: &str) -> OpSite<'_> {
    OpSite {
        namespace: "Microsoft.ContainerService",
        location,
        api_version: crate::contract::versions::API_AKS,
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
    let cluster_id = format!(
        "{rg_id}/providers/{}/{cluster}",
        crate::rp::aks::CLUSTER_TYPE
    );
    let Some(parent) = ctx.state.get(&cluster_id).cloned() else {
        return Err(not_found(crate::rp::aks::CLUSTER_TYPE, cluster, rg));
    };
    let id = format!("{}/agentPools/{name}", parent.id);
    let existing = ctx.state.get(&id).cloned();
    let location = parent.body["location"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let busy = || {
        ArmError::conflict(
            "OperationNotAllowed",
            "Operation is not allowed because there's an in progress operation on the managed cluster.",
        )
    };
    match ctx.method {
        Method::GET => existing.map(|p| Resp::json(200, p.body)).ok_or_else(|| {
            ArmError::not_found(
                "NotFound",
                format!("The agent pool '{name}' was not found."),
            )
        }),
        Method::PUT => {
            let body = ctx.json_body()?.clone();
            if parent.is_busy() || any_busy(ctx, &parent.id) {
                return Err(busy());
            }
            if !valid_name(name) {
                return Err(invalid(
                    "agentPoolName",
                    format!(
                        "The agent pool name '{name}' is invalid: it must start with a lowercase letter and contain only lowercase letters and numbers, at most 12 characters."
                    ),
                ));
            }
            let in_profiles = parent.body["properties"]["agentPoolProfiles"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"].as_str() == Some(name)));
            if in_profiles && existing.is_none() {
                return Err(ArmError::conflict(
                    "AgentPoolAlreadyExists",
                    format!("The agent pool '{name}' already exists in the managed cluster."),
                ));
            }
            let props = &body["properties"];
            check(
                props,
                "properties.",
                existing.as_ref().map(|p| &p.body["properties"]),
            )?;
            let mut pools: Vec<Value> =
                with_children(ctx, &parent)["properties"]["agentPoolProfiles"]
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
            let rendered = json!({ "id": id, "name": name, "type": "Microsoft.ContainerService/managedClusters/agentPools", "properties": rendered(props, &version) });
            ctx.state.insert(Resource {
                id: id.clone(),
                kind: Kind::AgentPool,
                body: rendered,
                pending: None,
            });
            let (state, key) = if existing.is_some() {
                ("Updating", "managedCluster.update")
            } else {
                ("Creating", "agentPool.put")
            };
            let duration = ctx.latency(key);
            let op = lro::start(ctx, &id, state, duration);
            let mut resp = Resp::json(
                if existing.is_some() { 200 } else { 201 },
                ctx.state
                    .get(&id)
                    .map(|p| p.body.clone())
                    .unwrap_or_default(),
            );
            lro::accepted_put(ctx, &mut resp, site(&location), &op, duration);
            Ok(resp)
        }
        Method::DELETE => {
            let Some(old) = existing else {
                return Ok(Resp::empty(204));
            };
            if parent.is_busy() || old.is_busy() {
                return Err(busy());
            }
            let duration = ctx.latency("agentPool.delete");
            let op = lro::start(ctx, &old.id, "Deleting", duration);
            let mut resp = Resp::empty(202);
            lro::accepted_delete(ctx, &mut resp, site(&location), &op, duration);
            Ok(resp)
        }
        _ => Err(method_not_allowed(&ctx.method)),
    }
}
