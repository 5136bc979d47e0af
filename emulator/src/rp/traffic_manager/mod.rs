//! `Microsoft.Network/trafficmanagerprofiles` and their endpoints at api-version 2022-04-01. Every
//! Traffic Manager operation is synchronous. Enforced: location `global`, globally unique DNS names,
//! routing-method rules (unique priorities, weights 1-1000, each geographic code mapped once), Azure
//! endpoints whose public IP has a DNS name. What the types share is here; the profile (`profile`),
//! its endpoints (`endpoint`), the health Traffic Manager computes (`health`) and reports (`monitor`),
//! and what its DNS names answer (`dns`) below.
pub mod dns;
pub mod endpoint;
pub mod health;
pub mod monitor;
pub mod profile;

use crate::contract::error::ArmError;
use crate::contract::store::{Kind, Resource, State};

pub(crate) const PROFILE_TYPE: &str = "Microsoft.Network/trafficManagerProfiles";
pub(crate) const METHODS: &[&str] = &[
    "Performance",
    "Priority",
    "Weighted",
    "Geographic",
    "MultiValue",
    "Subnet",
];

pub(crate) fn bad(message: impl Into<String>) -> ArmError {
    ArmError::bad_request("BadRequest", message)
}

pub(crate) fn canonical<'a>(value: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .copied()
        .find(|a| a.eq_ignore_ascii_case(value))
}

pub(crate) fn endpoints_of(state: &State, profile_id: &str) -> Vec<Resource> {
    state
        .children_of(profile_id)
        .iter()
        .filter_map(|k| state.resources.get(k))
        .filter(|r| r.kind == Kind::TrafficManagerEndpoint)
        .cloned()
        .collect()
}

/// The `DeleteOperationResult` a delete answers at api-versions from 2022-04-01 on (the spec's own
/// example: `{}`), none before (as recorded at 2018-04-01).
pub(crate) fn delete_result(ctx: &crate::contract::request::Ctx<'_>) -> Option<serde_json::Value> {
    ctx.query
        .get("api-version")
        .filter(|v| v.as_str() >= "2022-04-01")
        .map(|_| serde_json::json!({}))
}
