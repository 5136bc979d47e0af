//! The resource providers, one module per resource type (or family of types): each holds only its
//! type's rules on top of the ARM contract in `contract`.

pub mod aks;
pub mod authorization;
pub mod compute;
pub mod data_protection;
pub mod dns;
pub mod front_door;
pub mod front_door_routing;
pub mod health;
pub mod identity;
pub mod kubernetes_configuration;
pub mod log_analytics;
pub mod network;
pub mod private_dns;
pub mod registration;
pub mod registry;
pub mod resources;
pub mod role_definitions;
pub mod storage;
pub mod subscriptions;
pub mod traffic_manager;
pub mod waf;

use crate::contract::store::{Kind, State};
use serde_json::json;
use std::collections::BTreeSet;

/// Finishes every operation due by `now` ([`State::settle`]) and what follows from it for the
/// resource types: a finished peering or a deleted VNet changes the peering states of its pair (a
/// delete may leave any peering without its remote side), a created cluster runs; and reconciles
/// the Flux configurations due. Returns whether anything finished.
pub fn settle(state: &mut State, now: u64) -> bool {
    let reconciled = kubernetes_configuration::flux::reconcile(state, now);
    let finished = state.settle(now);
    if finished.is_empty() {
        return reconciled;
    }
    let mut pairs = BTreeSet::new();
    let mut deleted = false;
    for f in &finished {
        deleted |= f.deleted;
        if f.kind == Kind::Peering
            && let Some(pair) = network::peering::pair_of(
                &f.key,
                f.body["properties"]["remoteVirtualNetwork"]["id"]
                    .as_str()
                    .unwrap_or_default(),
            )
        {
            pairs.insert(pair);
        }
        if f.kind == Kind::ManagedCluster
            && !f.deleted
            && !f.failed
            && let Some(cluster) = state.resources.get_mut(&f.key)
        {
            cluster.body["properties"]["powerState"] = json!({ "code": "Running" });
        }
    }
    if deleted {
        network::peering::recompute_peerings(state);
    } else if !pairs.is_empty() {
        network::peering::recompute_peering_pairs(state, &pairs);
    }
    true
}
