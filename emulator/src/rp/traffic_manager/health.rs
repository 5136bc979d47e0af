//! The health Traffic Manager computes (learn.microsoft.com traffic-manager-monitoring): each
//! endpoint is probed every `monitorConfig.intervalInSeconds` (on the emulator's clock, scaled by
//! `--latency-scale`) from one interval after it was written; it reads `CheckingEndpoint` until a
//! first result is in, `Degraded` once more probes than `toleratedNumberOfFailures` failed in a row
//! ("If the number of consecutive failures is higher than the Tolerated Number of Failures setting,
//! then that endpoint is marked as unhealthy"), and `Online` again after one passing probe. A probe
//! fails when its target's region is down (`rp::health`). A nested endpoint is not probed: its
//! status follows its child profile's endpoints and `minChildEndpoints` (traffic-manager-nested-profiles).

use super::endpoints_of;
use crate::contract::regions;
use crate::contract::store::{Kind, Resource, State};
use crate::rp::health::{self, Schedule};

/// How deep profiles nest at most (traffic-manager-nested-profiles: 10 levels).
const MAX_DEPTH: usize = 10;

/// The profile an endpoint belongs to (its id without the last two segments).
pub(crate) fn profile_of<'s>(state: &'s State, endpoint: &Resource) -> Option<&'s Resource> {
    let mut parts = endpoint.id.rsplitn(3, '/');
    let (_, _, profile) = (parts.next(), parts.next(), parts.next()?);
    state.get(profile)
}

/// The child profile a nested endpoint points at, by id or by DNS name.
pub(crate) fn child_of<'s>(state: &'s State, endpoint: &Resource) -> Option<&'s Resource> {
    let props = &endpoint.body["properties"];
    if let Some(child) = props["targetResourceId"]
        .as_str()
        .and_then(|id| state.get(id))
        .filter(|r| r.kind == Kind::TrafficManagerProfile)
    {
        return Some(child);
    }
    let fqdn = props["target"].as_str()?;
    state.resources.values().find(|r| {
        r.kind == Kind::TrafficManagerProfile
            && r.body["properties"]["dnsConfig"]["fqdn"]
                .as_str()
                .is_some_and(|f| f.eq_ignore_ascii_case(fqdn))
    })
}

/// Whether an endpoint is a nested one (`…/nestedEndpoints/{name}`).
pub(crate) fn is_nested(endpoint: &Resource) -> bool {
    endpoint
        .id
        .rsplit('/')
        .nth(1)
        .is_some_and(|t| t.eq_ignore_ascii_case("nestedEndpoints"))
}

/// The region a probe of an Azure or external endpoint reaches: its target resource's, its target
/// host's, or the `endpointLocation` it was given.
pub(crate) fn target_region(state: &State, endpoint: &Resource) -> Option<&'static str> {
    let props = &endpoint.body["properties"];
    props["targetResourceId"]
        .as_str()
        .and_then(|id| health::resource_region(state, id))
        .or_else(|| {
            props["target"]
                .as_str()
                .and_then(|t| health::host_region(state, t))
        })
        .or_else(|| {
            props["endpointLocation"]
                .as_str()
                .and_then(regions::canonical)
        })
}

/// An endpoint's monitor status at `now`: `Disabled` when disabled; `Inactive` in a disabled
/// profile; a nested endpoint's from its child profile; else from its probes.
pub(crate) fn endpoint_status(state: &State, endpoint: &Resource, now: u64) -> &'static str {
    status_at_depth(state, endpoint, now, 0)
}

fn status_at_depth(state: &State, endpoint: &Resource, now: u64, depth: usize) -> &'static str {
    if endpoint.body["properties"]["endpointStatus"] == "Disabled" {
        return "Disabled";
    }
    let profile = profile_of(state, endpoint);
    if profile.is_some_and(|p| p.body["properties"]["profileStatus"] == "Disabled") {
        return "Inactive";
    }
    if is_nested(endpoint)
        && let Some(child) = child_of(state, endpoint)
    {
        return nested_status(state, endpoint, child, now, depth);
    }
    let config = profile.map(|p| &p.body["properties"]["monitorConfig"]);
    let seconds = |key: &str, default: f64| config.and_then(|c| c[key].as_f64()).unwrap_or(default);
    let interval_ms = Schedule::scaled_ms(seconds("intervalInSeconds", 30.0), state.latency_scale);
    let schedule = Schedule {
        // Without a recorded first probe (an endpoint written before the schedule was kept), probes
        // run on the interval's grid.
        first_ms: state
            .monitors
            .get(&endpoint.id.to_ascii_lowercase())
            .copied()
            .unwrap_or(0),
        interval_ms,
        timeout_ms: Schedule::scaled_ms(seconds("timeoutInSeconds", 10.0), state.latency_scale)
            .min(interval_ms.saturating_sub(1)),
    };
    let tolerated = seconds("toleratedNumberOfFailures", 3.0) as u64;
    let region = target_region(state, endpoint);
    let results = schedule.results(now, tolerated + 1, |t| health::down_at(state, region, t));
    if results.known == 0 {
        "CheckingEndpoint"
    } else if results.trailing_failures == 0 {
        "Online"
    } else if results.trailing_failures > tolerated {
        "Degraded"
    } else if results.trailing_failures == results.known {
        // Failures tolerated so far, and never a pass: still being checked (a model).
        "CheckingEndpoint"
    } else {
        "Online"
    }
}

/// A nested endpoint's status from its child profile (traffic-manager-nested-profiles, FAQ): `Stopped`
/// when the child is disabled or inactive; else `Online` when at least `minChildEndpoints` of the
/// child's endpoints are online, `CheckingEndpoint` when that many are online or being checked,
/// `Degraded` otherwise.
fn nested_status(
    state: &State,
    endpoint: &Resource,
    child: &Resource,
    now: u64,
    depth: usize,
) -> &'static str {
    if depth >= MAX_DEPTH || child.id.eq_ignore_ascii_case(&endpoint.id) {
        return "Stopped";
    }
    let (status, endpoints) = profile_status_at_depth(state, child, now, depth + 1);
    if status == "Disabled" || status == "Inactive" {
        return "Stopped";
    }
    let min = endpoint.body["properties"]["minChildEndpoints"]
        .as_u64()
        .unwrap_or(1);
    let count =
        |wanted: &[&str]| endpoints.iter().filter(|(_, s)| wanted.contains(s)).count() as u64;
    if count(&["Online"]) >= min {
        "Online"
    } else if count(&["Online", "CheckingEndpoint"]) >= min {
        "CheckingEndpoint"
    } else {
        "Degraded"
    }
}

/// A profile's monitor status at `now` and each of its endpoints' (traffic-manager-monitoring,
/// "Profile monitor status"): `Disabled` for a disabled profile; `Inactive` when every endpoint is
/// disabled or stopped (or there is none); `Degraded` when one is degraded; `Online` when one is
/// online; `CheckingEndpoints` while they are being checked.
pub(crate) fn profile_status(
    state: &State,
    profile: &Resource,
    now: u64,
) -> (&'static str, Vec<(Resource, &'static str)>) {
    profile_status_at_depth(state, profile, now, 0)
}

fn profile_status_at_depth(
    state: &State,
    profile: &Resource,
    now: u64,
    depth: usize,
) -> (&'static str, Vec<(Resource, &'static str)>) {
    let endpoints: Vec<(Resource, &'static str)> = endpoints_of(state, &profile.id)
        .into_iter()
        .map(|e| {
            let status = status_at_depth(state, &e, now, depth);
            (e, status)
        })
        .collect();
    let has = |wanted: &str| endpoints.iter().any(|(_, s)| *s == wanted);
    let status = if profile.body["properties"]["profileStatus"] == "Disabled" {
        "Disabled"
    } else if endpoints
        .iter()
        .all(|(_, s)| *s == "Disabled" || *s == "Stopped")
    {
        "Inactive"
    } else if has("Degraded") {
        "Degraded"
    } else if has("Online") {
        "Online"
    } else {
        "CheckingEndpoints"
    };
    (status, endpoints)
}
