//! Which origin Front Door would send a request for an endpoint's host name to now
//! (learn.microsoft.com frontdoor/routing-methods, "Overall decision flow"; frontdoor/health-probes):
//! the route that serves the endpoint's own domain and the request's path, its origin group, the
//! enabled origins that are healthy, the top priority among them, those within the group's latency
//! sensitivity of the nearest (when the client's region is given), shared by weight. An origin is
//! healthy while at least `successfulSamplesRequired` of its last `sampleSize` probes passed;
//! probes go out every `probeIntervalInSeconds` (scaled, on the emulator's clock) and fail while the
//! origin's region is down (`rp::health`). When every enabled origin is unhealthy, Front Door
//! "considers all origins unhealthy and routes traffic in a round robin distribution across all of
//! them".

use crate::contract::geo;
use crate::contract::regions;
use crate::contract::store::{Kind, Resource, State};
use crate::rp::health::{self, Schedule};
use serde_json::{Value, json};

/// Where a request comes from and what it asks for.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Request<'q> {
    /// The Azure region nearest the client, for the latency sensitivity (optional).
    pub client_region: Option<&'q str>,
    /// The request's path, to pick the route (default `/`).
    pub path: Option<&'q str>,
}

/// The children of `parent` of type `kind` (`routes`, `origins`), in id order.
fn children<'s>(state: &'s State, parent: &str, kind: &str) -> Vec<&'s Resource> {
    let prefix = format!("{}/{kind}/", parent.to_ascii_lowercase());
    state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, r)| !k[prefix.len()..].contains('/') && r.kind == Kind::FrontDoorChild)
        .map(|(_, r)| r)
        .collect()
}

/// Whether a route pattern (`/*`, `/api/*`, `/exact`) matches `path`.
fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

/// Whether an origin passes its group's health probes at `now` (a group without probe settings does
/// not probe: its origins count as healthy). Probes before the first one count as passed (a model:
/// a new origin starts healthy).
pub(crate) fn healthy(state: &State, group: &Resource, origin: &Resource, now: u64) -> bool {
    let props = &group.body["properties"];
    let probe = &props["healthProbeSettings"];
    if !probe.is_object() {
        return true;
    }
    let lb = &props["loadBalancingSettings"];
    let sample_size = lb["sampleSize"].as_u64().unwrap_or(4).clamp(1, 1_000);
    let required = lb["successfulSamplesRequired"].as_u64().unwrap_or(3);
    let schedule = Schedule {
        // Probes run on the interval's grid (a model: no record of when probing began).
        first_ms: 0,
        interval_ms: Schedule::scaled_ms(
            probe["probeIntervalInSeconds"].as_f64().unwrap_or(100.0),
            state.latency_scale,
        ),
        timeout_ms: 0,
    };
    let region = origin.body["properties"]["hostName"]
        .as_str()
        .and_then(|h| health::host_region(state, h));
    let results = schedule.results(now, sample_size, |t| health::down_at(state, region, t));
    results.passes + (sample_size - results.looked) >= required
}

/// The answer for Front Door endpoint `endpoint` (its host name queried) at `now`.
pub(crate) fn resolve(state: &State, endpoint: &Resource, request: Request<'_>, now: u64) -> Value {
    let mut out = json!({ "answers": [] });
    if endpoint.body["properties"]["enabledState"] == "Disabled" {
        out["enabledState"] = json!("Disabled");
        return out;
    }
    let path = request.path.unwrap_or("/");
    // The routes that serve the endpoint's own domain, the most specific pattern first.
    let route = children(state, &endpoint.id, "routes")
        .into_iter()
        .filter(|r| {
            let p = &r.body["properties"];
            p["enabledState"] != "Disabled" && p["linkToDefaultDomain"] == "Enabled"
        })
        .filter_map(|r| {
            let longest = r.body["properties"]["patternsToMatch"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .filter(|p| matches(p, path))
                .map(str::len)
                .max()?;
            Some((longest, r))
        })
        .max_by_key(|(longest, _)| *longest)
        .map(|(_, r)| r);
    let Some(route) = route else {
        return out;
    };
    out["route"] = json!(route.id);
    let Some(group) = route.body["properties"]["originGroup"]["id"]
        .as_str()
        .and_then(|g| state.get(g))
    else {
        return out;
    };
    out["originGroup"] = json!(group.id);
    let enabled: Vec<&Resource> = children(state, &group.id, "origins")
        .into_iter()
        .filter(|o| o.body["properties"]["enabledState"] != "Disabled")
        .collect();
    let available: Vec<&Resource> = enabled
        .iter()
        .copied()
        .filter(|o| healthy(state, group, o, now))
        .collect();
    let prop = |o: &Resource, key: &str, default: i64| {
        o.body["properties"][key].as_i64().unwrap_or(default)
    };
    let chosen: Vec<(&Resource, f64)> = if available.is_empty() {
        // Every origin unhealthy: round robin across all of them.
        out["allOriginsUnhealthy"] = json!(!enabled.is_empty());
        let part = 1.0 / enabled.len().max(1) as f64;
        enabled.iter().map(|o| (*o, part)).collect()
    } else {
        let top = available
            .iter()
            .map(|o| prop(o, "priority", 1))
            .min()
            .unwrap_or(1);
        let mut set: Vec<&Resource> = available
            .into_iter()
            .filter(|o| prop(o, "priority", 1) == top)
            .collect();
        if let Some(client) = request.client_region.and_then(regions::canonical) {
            let latency = |o: &Resource| {
                o.body["properties"]["hostName"]
                    .as_str()
                    .and_then(|h| health::host_region(state, h))
                    .and_then(|r| geo::latency_ms(client, r))
            };
            let sensitivity = group.body["properties"]["loadBalancingSettings"]
                ["additionalLatencyInMilliseconds"]
                .as_f64()
                .unwrap_or(50.0);
            if let Some(nearest) = set.iter().filter_map(|o| latency(o)).min_by(f64::total_cmp) {
                set.retain(|o| latency(o).is_none_or(|ms| ms <= nearest + sensitivity));
            }
        }
        let total: f64 = set.iter().map(|o| prop(o, "weight", 1000) as f64).sum();
        set.into_iter()
            .map(|o| (o, prop(o, "weight", 1000) as f64 / total))
            .collect()
    };
    out["answers"] = json!(
        chosen
            .into_iter()
            .map(|(o, part)| json!({
                "origin": o.id,
                "hostName": o.body["properties"]["hostName"],
                "priority": prop(o, "priority", 1),
                "weight": part,
            }))
            .collect::<Vec<_>>()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn route_patterns_match_prefixes_and_exact_paths() {
        assert!(matches("/*", "/"));
        assert!(matches("/api/*", "/api/orders"));
        assert!(!matches("/api/*", "/web"));
        assert!(matches("/health", "/health"));
        assert!(!matches("/health", "/healthz"));
    }
}
