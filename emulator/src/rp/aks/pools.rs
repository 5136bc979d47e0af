//! The rules every AKS node pool obeys, in a cluster's `agentPoolProfiles` or as a
//! `managedClusters/{c}/agentPools/{p}` child: names, counts, autoscaling bounds, zones (fixed once a
//! pool exists); a pool as AKS reports it; a cluster's pools with its child pools folded in.

use crate::contract::error::ArmError;
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

pub(crate) fn invalid(target: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

pub(crate) fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=12).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn is_system(pool: &Value) -> bool {
    pool["mode"]
        .as_str()
        .is_none_or(|m| m.eq_ignore_ascii_case("System"))
}

/// Checks one pool's settings (`props` holds them; `at` prefixes targets); `old` is the pool as it
/// exists, whose zones cannot change.
pub(crate) fn check(props: &Value, at: &str, old: Option<&Value>) -> Result<(), ArmError> {
    let system = is_system(props);
    let count = props["count"].as_i64();
    if let Some(c) = count
        && (!(0..=1000).contains(&c) || (c == 0 && system))
    {
        return Err(invalid(
            &format!("{at}count"),
            format!(
                "The agent pool count {c} is invalid: System pools need 1-1000 nodes, User pools 0-1000."
            ),
        ));
    }
    if props["enableAutoScaling"].as_bool() == Some(true) {
        let (min, max) = (props["minCount"].as_i64(), props["maxCount"].as_i64());
        let floor = i64::from(system);
        // The count may lie outside the bounds (the spec's own AgentPools_Update example does): the
        // autoscaler brings it in.
        let ok =
            matches!((min, max), (Some(lo), Some(hi)) if floor <= lo && lo <= hi && hi <= 1000);
        if !ok {
            return Err(invalid(
                &format!("{at}minCount"),
                format!(
                    "With enableAutoScaling, minCount and maxCount are required, {floor} <= minCount <= maxCount <= 1000."
                ),
            ));
        }
    } else if props["minCount"].is_number() || props["maxCount"].is_number() {
        return Err(invalid(
            &format!("{at}enableAutoScaling"),
            "minCount and maxCount are only allowed with enableAutoScaling.".into(),
        ));
    }
    let zones: Vec<&str> = props["availabilityZones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (i, z) in zones.iter().enumerate() {
        if !["1", "2", "3"].contains(z) || zones[..i].contains(z) {
            return Err(invalid(
                &format!("{at}availabilityZones"),
                format!(
                    "The availability zone '{z}' is invalid: use each of 1, 2 and 3 at most once."
                ),
            ));
        }
    }
    if let Some(old) = old {
        let before = &old["availabilityZones"];
        let after = &props["availabilityZones"];
        let empty = |v: &Value| v.as_array().is_none_or(Vec::is_empty);
        if before != after && !(empty(before) && empty(after)) {
            return Err(ArmError::bad_request(
                "PropertyChangeNotAllowed",
                "Changing property 'availabilityZones' is not allowed: create a new pool.",
            )
            .with_target(format!("{at}availabilityZones")));
        }
    }
    Ok(())
}

/// A pool's settings as AKS reports them: defaults filled, count within the autoscaler's bounds.
pub(crate) fn rendered(props: &Value, version: &str) -> Value {
    let mut p = props.clone();
    if p["mode"].is_null() {
        p["mode"] = json!("System");
    }
    if p["enableAutoScaling"].is_null() {
        p["enableAutoScaling"] = json!(false);
    }
    if p["count"].is_null() {
        p["count"] = p["minCount"].as_i64().map_or(json!(1), |m| json!(m.max(1)));
    }
    if p["availabilityZones"].is_null() {
        p["availabilityZones"] = json!([]);
    }
    p["provisioningState"] = json!("Succeeded");
    p["orchestratorVersion"] = json!(version);
    p["currentOrchestratorVersion"] = json!(version);
    p["powerState"] = json!({ "code": "Running" });
    p
}

/// The cluster's `agentPoolProfiles` with its child pools (by name) included, as AKS lists them.
pub(crate) fn with_children(state: &State, cluster: &Resource) -> Value {
    let mut body = cluster.body.clone();
    let mut profiles: Vec<Value> = body["properties"]["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for child in state.children_of(&cluster.id) {
        let Some(pool) = state
            .resources
            .get(&child)
            .filter(|r| r.kind == Kind::AgentPool)
        else {
            continue;
        };
        let name = pool.body["name"].as_str().unwrap_or_default();
        profiles.retain(|p| p["name"].as_str() != Some(name));
        let mut profile = pool.body["properties"].clone();
        profile["name"] = json!(name);
        profiles.push(profile);
    }
    body["properties"]["agentPoolProfiles"] = json!(profiles);
    body
}

/// Whether any child pool of the cluster `id` is busy.
pub(crate) fn any_busy(state: &State, cluster_id: &str) -> bool {
    state
        .children_of(cluster_id)
        .iter()
        .filter_map(|c| state.resources.get(c))
        .any(|r| r.kind == Kind::AgentPool && r.is_busy())
}
