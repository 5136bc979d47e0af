//! A region outage as ARM's callers meet it (`Emulator::take_region_down`, `--region-down`).
//!
//! Resource providers serve each region from an endpoint of its own, isolated from the other
//! regions, and ARM proxies a request "to the appropriate region based on the resource's location"
//! (Azure/azure-resource-manager-rpc, v1.0/Addendum.md, Regional Endpoints). So while a region is
//! down, every request for a resource located there (its children, and the status documents of the
//! operations run there: `…/providers/{ns}/locations/{region}/…`) fails: at once with 503
//! `ServiceUnavailable` (the RPC's example of a server failure a client retries), or, in `Hang`
//! mode, not at all until the client gives up.
//!
//! A resource group's metadata lives in the group's region: "When the resource group's region is
//! unavailable, Azure Resource Manager is unable to update your resource's metadata and blocks your
//! write calls", which "may also apply to global resources like ... Azure Traffic Manager, and Azure
//! Front Door" (learn.microsoft.com, Azure Resource Manager overview, "Which location should I use
//! for my resource group?", 2024 text). So every write (PUT, PATCH, DELETE, POST) under a group
//! located in a region that is down is refused, wherever the resource itself is; reads go on, the
//! resources being "effectively read-only" (Azure Proactive Resiliency Library, RG-1). No error code
//! is documented for the refusal: 503 `ServiceUnavailable` is a guess.

use crate::contract::config::Config;
use crate::contract::error::ArmError;
use crate::contract::outage::{self, RegionDown};
use crate::contract::regions;
use crate::contract::request::Resp;
use crate::contract::store::{State, rfc3339};
use crate::server::routes::Route;
use axum::http::Method;
use serde_json::{Value, json};

/// What a request meets in a region that is down.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Answered at once with this error.
    Fail(ArmError),
    /// Held open while this region stays down in `Hang` mode.
    Hang(String),
}

/// The region a name stands for (`East US` → `eastus`); an unknown name as given, lower-cased.
pub(crate) fn region_name(region: &str) -> String {
    regions::canonical(region).map_or_else(|| region.trim().to_ascii_lowercase(), str::to_owned)
}

/// What the request meets, if a region it needs is down at `now`.
pub(crate) fn verdict(
    state: &State,
    route: &Route,
    segs: &[&str],
    method: &Method,
    body: Option<&Value>,
    now: u64,
) -> Option<Verdict> {
    if state.outages.iter().all(|o| o.until_ms.is_some()) {
        return None;
    }
    let meets = |region: &str, refusal: ArmError| {
        outage::down_now(&state.outages, region, now).map(|mode| match mode {
            RegionDown::Fail => Verdict::Fail(refusal),
            RegionDown::Hang => Verdict::Hang(region.to_owned()),
        })
    };
    if let Some(region) = request_region(state, route, segs, method, body)
        && let Some(verdict) = meets(
            region,
            ArmError::new(
                503,
                "ServiceUnavailable",
                format!(
                    "The service is unavailable in region '{region}'. Retry the request later."
                ),
            ),
        )
    {
        return Some(verdict);
    }
    let writes = matches!(
        *method,
        Method::PUT | Method::PATCH | Method::DELETE | Method::POST
    );
    if !writes {
        return None;
    }
    let (rg, region) = group_region(state, route, segs, method, body)?;
    meets(
        region,
        ArmError::new(
            503,
            "ServiceUnavailable",
            format!(
                "The resource group '{rg}' is located in region '{region}', which is unavailable: the group's resources cannot be updated until the region is back. Reads still work."
            ),
        ),
    )
}

/// The region the request's resource is in: the region its path names
/// (`…/providers/{ns}/locations/{region}/…`), that of the nearest resource on its path that has a
/// location (the resource itself, or the parent of a child), of the resource an operation runs on,
/// or, for a create, the location its body asks for. `None` for global resources and groups.
fn request_region(
    state: &State,
    route: &Route,
    segs: &[&str],
    method: &Method,
    body: Option<&Value>,
) -> Option<&'static str> {
    let named = segs.windows(4).find_map(|w| {
        (w[0].eq_ignore_ascii_case("providers") && w[2].eq_ignore_ascii_case("locations"))
            .then(|| regions::canonical(w[3]))
            .flatten()
    });
    if named.is_some() {
        return named;
    }
    let in_group = |rg: &str, namespace: &str, path: &[(String, String)]| {
        let mut ids = Vec::with_capacity(path.len());
        let mut id = format!(
            "/{}/{}/resourcegroups/{rg}/providers/{namespace}",
            segs[0], segs[1]
        );
        for (t, n) in path {
            id = format!("{id}/{t}/{n}");
            ids.push(id.clone());
        }
        ids
    };
    let ids = match route {
        Route::Typed {
            rg,
            namespace,
            path,
        } => in_group(rg, namespace, path),
        Route::Collection {
            rg: Some(rg),
            namespace,
            path,
            ..
        } => in_group(rg, namespace, path),
        Route::ClusterCredential { rg, cluster, .. } => in_group(
            rg,
            "microsoft.containerservice",
            &[("managedclusters".to_owned(), cluster.clone())],
        ),
        // What extends a cluster is where its cluster is.
        Route::ClusterConfiguration(req) => in_group(
            &req.rg,
            "microsoft.containerservice",
            &[("managedclusters".to_owned(), req.cluster.clone())],
        ),
        Route::OperationStatus(op) | Route::OperationResult(op) => {
            let resource = &state.operations.get(op.as_str())?.resource;
            let parts: Vec<&str> = resource.split('/').collect();
            // Every prefix that ends with a name, below the provider (`…/providers/{ns}/{t}/{n}…`).
            let from = parts.iter().position(|p| *p == "providers")? + 4;
            (from..=parts.len())
                .step_by(2)
                .map(|n| parts[..n].join("/"))
                .collect()
        }
        _ => return None,
    };
    for id in ids.iter().rev() {
        if let Some(location) = state.get(id).and_then(|r| r.body.get("location")) {
            return location.as_str().and_then(regions::canonical);
        }
    }
    // A create: where it asks to be.
    (matches!(route, Route::Typed { .. }) && *method == Method::PUT)
        .then(|| body?.get("location")?.as_str().and_then(regions::canonical))
        .flatten()
}

/// The resource group a request is under and the group's region (for a group being created, the
/// location its body asks for).
fn group_region<'s>(
    state: &State,
    route: &Route,
    segs: &[&'s str],
    method: &Method,
    body: Option<&Value>,
) -> Option<(&'s str, &'static str)> {
    if segs.len() < 4
        || !segs[0].eq_ignore_ascii_case("subscriptions")
        || !segs[2].eq_ignore_ascii_case("resourcegroups")
    {
        return None;
    }
    let rg = segs[3];
    let id = format!("/subscriptions/{}/resourcegroups/{rg}", segs[1]);
    let location = match state.get(&id) {
        Some(group) => group.body["location"].as_str(),
        None if matches!(route, Route::ResourceGroup(_)) && *method == Method::PUT => {
            body.and_then(|b| b["location"].as_str())
        }
        None => None,
    }?;
    Some((rg, regions::canonical(location)?))
}

/// Whether `region` holds requests at `now` (down in `Hang` mode).
pub(crate) fn holds(state: &State, region: &str, now: u64) -> bool {
    outage::down_now(&state.outages, region, now) == Some(RegionDown::Hang)
}

/// The outages the command line asks for at start: those a saved state left open and the command
/// line does not name end now; those it names begin (or go on).
pub(crate) fn at_start(state: &mut State, config: &Config, now: u64) {
    let named: Vec<String> = config
        .regions_down
        .iter()
        .map(|(r, _)| region_name(r))
        .collect();
    let open: Vec<String> = state
        .outages
        .iter()
        .filter(|o| o.until_ms.is_none() && !named.contains(&o.region))
        .map(|o| o.region.clone())
        .collect();
    for region in open {
        outage::end(&mut state.outages, &region, now);
    }
    for (region, mode) in named
        .iter()
        .zip(config.regions_down.iter().map(|(_, m)| *m))
    {
        outage::begin(&mut state.outages, region, mode, now);
    }
}

/// `GET /_emulator/regions`: the regions down now, and every outage the store remembers.
pub(crate) fn report(state: &State, now: u64) -> Resp {
    let down: Vec<Value> = state
        .outages
        .iter()
        .filter(|o| o.covers(now))
        .map(|o| json!({ "region": o.region, "mode": o.mode.name(), "since": rfc3339(o.from_ms) }))
        .collect();
    let outages: Vec<Value> = state
        .outages
        .iter()
        .map(|o| {
            let mut v =
                json!({ "region": o.region, "mode": o.mode.name(), "from": rfc3339(o.from_ms) });
            if let Some(until) = o.until_ms {
                v["until"] = json!(rfc3339(until));
            }
            v
        })
        .collect();
    Resp::json(200, json!({ "down": down, "outages": outages }))
}

/// Wakes the requests held by regions that hang, when a region changes or the emulator stops.
#[derive(Debug)]
pub(crate) struct Signal {
    /// (changes so far, whether the emulator stopped).
    tx: tokio::sync::watch::Sender<(u64, bool)>,
}

impl Default for Signal {
    fn default() -> Self {
        Self {
            tx: tokio::sync::watch::channel((0, false)).0,
        }
    }
}

impl Signal {
    /// A region went down or came back.
    pub(crate) fn changed(&self) {
        self.tx.send_modify(|(changes, _)| *changes += 1);
    }

    /// The emulator stops: nothing is held any longer.
    pub(crate) fn stop(&self) {
        self.tx.send_modify(|(_, stopped)| *stopped = true);
    }

    /// Waits while `held` says the request is still held; `false` when the emulator stopped first.
    /// Costs nothing while waiting, and is dropped with the request when its client gives up.
    pub(crate) async fn wait(&self, held: impl Fn() -> bool) -> bool {
        let mut rx = self.tx.subscribe();
        loop {
            if rx.borrow_and_update().1 {
                return false;
            }
            if !held() {
                return true;
            }
            if rx.changed().await.is_err() {
                return false;
            }
        }
    }
}
