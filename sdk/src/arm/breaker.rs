//! A region that does not answer is learnt once, not once per request: a circuit breaker per region
//! shared by every request of a client (and so by the reads of one plan, refresh or apply, and of the
//! commands after it while the breaker stays open).
//!
//! A request belongs to a region when its path is in one of the region's resource groups (the
//! topology client says which groups those are, [`Breaker::learn_group`]) or names the region's
//! operations (`…/locations/{region}/…`, where AKS, Network and Storage keep their operation status).
//! Requests to the global group or the subscription belong to no region and are never cut short.
//!
//! Each try of a request reports how it went: a server error (408, 500, 502, 503, 504), a dropped or
//! refused connection, or no answer to a read within [`READ_TRY_TIMEOUT`] is a failure; any other
//! answer a success. [`FAILURES_TO_OPEN`] failures in a row open the region's breaker: from then
//! until [`COOLDOWN`] has passed, its requests fail at once with [`Error::Unreachable`], including
//! those already waiting between retries, and one warning names the region. After the cooldown one
//! more failure opens it again; a success closes it.

use crate::clock::Sleeper;
use crate::error::Error;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Method, Request, StatusCode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Failed tries in a row, across a region's requests, that open its breaker: more than one, so that
/// a single blip (one 503 among answers) does not take a healthy region out of a plan.
pub const FAILURES_TO_OPEN: u32 = 3;

/// How long one try of a read may go unanswered before it counts as a failure and is tried again.
/// ARM answers reads in well under a second; a region whose front end hangs would otherwise hold
/// every read until the apply's deadline.
pub const READ_TRY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long an open breaker answers for the region without asking it.
pub const COOLDOWN: Duration = Duration::from_secs(60);

/// A region whose breaker is open, as one client learnt it, for another to take on: the Terraform
/// provider's plan and its apply run in different processes, and the apply need not learn again
/// what the plan learnt seconds before.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpenRegion {
    /// The region whose breaker is open (`eastus`, say).
    pub region: String,
    /// The failure that opened it.
    pub detail: String,
    /// How much longer it stays open.
    pub remaining_ms: u64,
}

#[derive(Debug, Default)]
struct Region {
    failures: u32,
    /// Until when the breaker is open, and the first failure's words.
    open: Option<(Instant, String)>,
    last_failure: String,
}

#[derive(Debug, Default)]
struct State {
    /// Resource group (lowercase) → region.
    groups: HashMap<String, String>,
    /// Resource group (lowercase) → the region its metadata lives in, for a group whose resources
    /// live elsewhere (the global group): only writes to it depend on that region.
    write_groups: HashMap<String, String>,
    /// Resource id (lowercase) → the region it lives in, for resources of a global group that live
    /// in a region (a registry, a storage account); the longest that prefixes a path wins.
    resources: Vec<(String, String)>,
    regions: HashMap<String, Region>,
}

/// The breakers of one client's regions.
#[derive(Debug)]
pub struct Breaker {
    state: Mutex<State>,
    /// Bumped whenever a breaker opens, so that requests in flight look again.
    opened: watch::Sender<u64>,
    sleeper: Arc<dyn Sleeper>,
}

impl Breaker {
    pub(crate) fn new(sleeper: Arc<dyn Sleeper>) -> Self {
        Self {
            state: Mutex::default(),
            opened: watch::Sender::new(0),
            sleeper,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Requests to resource group `group` belong to `region`.
    pub fn learn_group(&self, group: &str, region: &str) {
        self.state()
            .groups
            .insert(group.to_ascii_lowercase(), region.to_ascii_lowercase());
    }

    /// Writes to resource group `group`'s resources belong to `region`, where Azure keeps the
    /// group's metadata and refuses writes while it is down; reads do not.
    pub fn learn_group_writes(&self, group: &str, region: &str) {
        self.state()
            .write_groups
            .insert(group.to_ascii_lowercase(), region.to_ascii_lowercase());
    }

    /// The group of `path` when writes to it depend on the region of its metadata (see
    /// [`Breaker::learn_group_writes`]).
    pub(crate) fn metadata_group(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let group = segments
            .windows(2)
            .find(|w| w[0].eq_ignore_ascii_case("resourceGroups"))
            .map(|w| w[1].to_ascii_lowercase())?;
        let state = self.state();
        (state.write_groups.contains_key(&group) && !state.groups.contains_key(&group))
            .then_some(group)
    }

    /// Requests to resource `id` (and below it) belong to `region`, whatever its group's region.
    pub fn learn_resource(&self, id: &str, region: &str) {
        let id = id.trim_end_matches('/').to_ascii_lowercase();
        let mut state = self.state();
        state.resources.retain(|(known, _)| *known != id);
        state.resources.push((id, region.to_ascii_lowercase()));
    }

    /// The region a request to `path` belongs to (a `write` or a read), if any.
    pub(crate) fn region_of(&self, path: &str, write: bool) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let state = self.state();
        let lower = path.to_ascii_lowercase();
        if let Some((_, region)) = state
            .resources
            .iter()
            .filter(|(id, _)| {
                lower.starts_with(id.as_str())
                    && lower[id.len()..].chars().next().is_none_or(|c| c == '/')
            })
            .max_by_key(|(id, _)| id.len())
        {
            return Some(region.clone());
        }
        let after = |name: &str| {
            segments
                .windows(2)
                .find(|w| w[0].eq_ignore_ascii_case(name))
                .map(|w| w[1].to_ascii_lowercase())
        };
        if let Some(group) = after("resourceGroups") {
            let writes = write.then(|| state.write_groups.get(&group)).flatten();
            return state.groups.get(&group).or(writes).cloned();
        }
        // An operation's status or a catalog read (`/subscriptions/{s}/providers/{ns}/locations/
        // {region}/…`) belongs to the region when one of the topology's groups is there, or when
        // the region is known not to answer (taken on before any group was learnt).
        after("locations").filter(|region| {
            state.groups.values().any(|r| r == region)
                || state.regions.get(region).is_some_and(|e| e.open.is_some())
        })
    }

    /// The regions whose breaker is open now.
    pub fn open_regions(&self) -> Vec<OpenRegion> {
        let now = self.sleeper.now();
        let mut open: Vec<OpenRegion> = self
            .state()
            .regions
            .iter()
            .filter_map(|(region, entry)| {
                let (until, detail) = entry.open.as_ref()?;
                let remaining = until.checked_duration_since(now)?;
                Some(OpenRegion {
                    region: region.clone(),
                    detail: detail.clone(),
                    remaining_ms: u64::try_from(remaining.as_millis()).unwrap_or(u64::MAX),
                })
            })
            .collect();
        open.sort_by(|a, b| a.region.cmp(&b.region));
        open
    }

    /// Opens a region's breaker as another client learnt it, for what remains of its cooldown (at
    /// most [`COOLDOWN`]); its requests fail at once with [`Error::Unreachable`] until then.
    pub fn assume_open(&self, open: &OpenRegion) {
        let remaining = Duration::from_millis(open.remaining_ms).min(COOLDOWN);
        if remaining.is_zero() {
            return;
        }
        let until = self.sleeper.now() + remaining;
        {
            let mut state = self.state();
            let entry = state
                .regions
                .entry(open.region.to_ascii_lowercase())
                .or_default();
            entry.failures = FAILURES_TO_OPEN;
            entry.last_failure = open.detail.clone();
            entry.open = Some((until, open.detail.clone()));
        }
        tracing::warn!(
            region = %open.region,
            error = %open.detail,
            "region did not answer the plan: it is not asked again until the cooldown has passed"
        );
        self.opened.send_modify(|n| *n += 1);
    }

    /// Why `region`'s breaker is open, if it is.
    pub(crate) fn open(&self, region: &str) -> Option<Error> {
        let now = self.sleeper.now();
        let mut state = self.state();
        let entry = state.regions.get_mut(region)?;
        match &entry.open {
            Some((until, detail)) if now < *until => Some(Error::Unreachable {
                region: region.to_owned(),
                detail: detail.clone(),
            }),
            Some(_) => {
                // Half open: the next failure opens it again.
                entry.open = None;
                entry.failures = FAILURES_TO_OPEN - 1;
                None
            }
            None => None,
        }
    }

    fn failure(&self, region: &str, detail: String) {
        let now = self.sleeper.now();
        let opened = {
            let mut state = self.state();
            let entry = state.regions.entry(region.to_owned()).or_default();
            entry.failures += 1;
            if entry.failures == 1 || entry.last_failure.is_empty() {
                entry.last_failure = detail;
            }
            if entry.open.is_none() && entry.failures >= FAILURES_TO_OPEN {
                entry.open = Some((now + COOLDOWN, entry.last_failure.clone()));
                Some(entry.last_failure.clone())
            } else {
                None
            }
        };
        if let Some(detail) = opened {
            tracing::warn!(
                region,
                error = %detail,
                cooldown_secs = COOLDOWN.as_secs(),
                "region is not answering: its resources are left as last read, and it is not asked again until the cooldown has passed"
            );
            self.opened.send_modify(|n| *n += 1);
        }
    }

    fn success(&self, region: &str) {
        if let Some(entry) = self.state().regions.get_mut(region) {
            entry.failures = 0;
            entry.last_failure.clear();
            entry.open = None;
        }
    }

    /// Waits until `region`'s breaker is open; never returns otherwise.
    pub(crate) async fn until_open(&self, region: &str) -> Error {
        let mut opened = self.opened.subscribe();
        loop {
            if let Some(error) = self.open(region) {
                return error;
            }
            if opened.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// The policy that reports each try of a request and refuses tries to an open region.
    pub(crate) fn policy(self: &Arc<Self>) -> Arc<dyn Policy> {
        Arc::new(Tries(self.clone()))
    }
}

/// A try that did not count: refused because the region's breaker is open.
const REFUSED: &str = "bcdr: the region's circuit breaker is open";

#[derive(Debug)]
struct Tries(Arc<Breaker>);

#[async_trait::async_trait]
impl Policy for Tries {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let Some((first, rest)) = next.split_first() else {
            return Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Other,
                "no transport after the circuit breaker",
            ));
        };
        let breaker = &self.0;
        let region = breaker.region_of(request.url().path(), request.method() != Method::Get);
        if let Some(region) = &region
            && breaker.open(region).is_some()
        {
            // Not a transport error: the retry policy gives up at once.
            return Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Other,
                REFUSED,
            ));
        }
        let read = request.method() == Method::Get;
        let result = if read {
            // On the wall clock, not the client's sleeper: it bounds real I/O, which a test's
            // virtual clock does not pace.
            tokio::select! {
                result = first.send(ctx, request, rest) => result,
                () = futures_timer::Delay::new(READ_TRY_TIMEOUT) => Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Io,
                    format!("no answer within {} s", READ_TRY_TIMEOUT.as_secs()),
                )),
            }
        } else {
            first.send(ctx, request, rest).await
        };
        if let Some(region) = region {
            match &result {
                Ok(response) if unavailable(response.status()) => {
                    let status = response.status();
                    breaker.failure(
                        &region,
                        format!(
                            "{} {} answered {} {}",
                            request.method(),
                            request.url().path(),
                            u16::from(status),
                            status.canonical_reason()
                        ),
                    );
                }
                Ok(_) => breaker.success(&region),
                Err(e)
                    if matches!(
                        e.kind(),
                        azure_core::error::ErrorKind::Io | azure_core::error::ErrorKind::Connection
                    ) =>
                {
                    breaker.failure(
                        &region,
                        format!(
                            "{} {}: {}",
                            request.method(),
                            request.url().path(),
                            super::with_causes(e)
                        ),
                    );
                }
                Err(_) => {}
            }
        }
        result
    }
}

fn unavailable(status: StatusCode) -> bool {
    matches!(u16::from(status), 408 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Manual(Mutex<Instant>);

    #[async_trait::async_trait]
    impl Sleeper for Manual {
        async fn sleep(&self, duration: Duration) {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) += duration;
        }
        fn now(&self) -> Instant {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    fn breaker() -> (Arc<Manual>, Breaker) {
        let clock = Arc::new(Manual(Mutex::new(Instant::now())));
        let breaker = Breaker::new(clock.clone());
        breaker.learn_group("rg-shop-eastus", "eastus");
        breaker.learn_group("rg-shop-westus", "westus");
        (clock, breaker)
    }

    #[test]
    fn requests_belong_to_the_region_of_their_group_or_operation() {
        let (_, b) = breaker();
        let sub = "/subscriptions/s";
        assert_eq!(
            b.region_of(&format!(
                "{sub}/resourceGroups/RG-shop-eastus/providers/Microsoft.Network/virtualNetworks/v"
            ), false),
            Some("eastus".into())
        );
        assert_eq!(
            b.region_of(
                &format!(
                    "{sub}/providers/Microsoft.ContainerService/locations/westus/operations/1"
                ),
                false
            ),
            Some("westus".into())
        );
        assert_eq!(
            b.region_of(&format!("{sub}/resourceGroups/rg-shop-global"), false),
            None
        );
        assert_eq!(
            b.region_of(
                &format!("{sub}/providers/Microsoft.Network/locations/northeurope/operations/1"),
                false
            ),
            None,
            "no group of the topology is there"
        );
        assert_eq!(b.region_of(&format!("{sub}/resourcegroups"), false), None);
        let registry = format!(
            "{sub}/resourceGroups/rg-shop-global/providers/Microsoft.ContainerRegistry/registries/acr"
        );
        b.learn_resource(&registry, "eastus");
        b.learn_resource(&format!("{registry}/replications/westus"), "westus");
        assert_eq!(b.region_of(&registry, false), Some("eastus".into()));
        assert_eq!(
            b.region_of(&format!("{registry}/replications/westus"), false),
            Some("westus".into()),
            "the longest prefix"
        );
        assert_eq!(
            b.region_of(
                &format!("{registry}/providers/Microsoft.Authorization/roleAssignments/1"),
                false
            ),
            Some("eastus".into())
        );
        assert_eq!(
            b.region_of(&format!("{registry}2"), false),
            None,
            "a whole segment"
        );
        b.learn_group_writes("rg-shop-global", "eastus");
        let profile = format!(
            "{sub}/resourceGroups/rg-shop-global/providers/Microsoft.Network/trafficmanagerprofiles/tm"
        );
        assert_eq!(
            b.region_of(&profile, true),
            Some("eastus".into()),
            "a write needs the group's region"
        );
        assert_eq!(b.region_of(&profile, false), None, "a read does not");
    }

    #[test]
    fn an_open_region_is_handed_to_another_client_for_what_remains_of_its_cooldown() {
        let (clock, b) = breaker();
        for _ in 0..FAILURES_TO_OPEN {
            b.failure("eastus", "503".into());
        }
        let clock_now = clock.now();
        *clock.0.lock().unwrap_or_else(PoisonError::into_inner) =
            clock_now + Duration::from_secs(20);
        let open = b.open_regions();
        assert_eq!(
            open,
            vec![OpenRegion {
                region: "eastus".into(),
                detail: "503".into(),
                remaining_ms: 40_000
            }]
        );
        let (other_clock, other) = breaker();
        other.assume_open(&open[0]);
        assert!(other.open("eastus").is_some(), "open at once");
        assert!(other.open("westus").is_none());
        assert_eq!(
            other.region_of(
                "/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/kubernetesVersions",
                false
            ),
            Some("eastus".into()),
            "its catalog reads too, before any group is learnt"
        );
        let now = other_clock.now();
        *other_clock.0.lock().unwrap_or_else(PoisonError::into_inner) =
            now + Duration::from_secs(41);
        assert!(
            other.open("eastus").is_none(),
            "for the rest of the cooldown only"
        );
        assert!(other.open_regions().is_empty());
        let (_, third) = breaker();
        third.assume_open(&OpenRegion {
            remaining_ms: 0,
            ..open[0].clone()
        });
        assert!(
            third.open("eastus").is_none(),
            "an expired one is not taken on"
        );
    }

    #[test]
    fn failures_in_a_row_open_it_a_success_closes_it_and_the_cooldown_half_opens_it() {
        let (clock, b) = breaker();
        b.failure("eastus", "503".into());
        b.success("eastus");
        b.failure("eastus", "503".into());
        b.failure("eastus", "503".into());
        assert!(
            b.open("eastus").is_none(),
            "a blip in between resets the count"
        );
        b.failure("eastus", "503".into());
        let Some(Error::Unreachable { region, detail }) = b.open("eastus") else {
            panic!("open after three in a row");
        };
        assert_eq!((region.as_str(), detail.as_str()), ("eastus", "503"));
        assert!(b.open("westus").is_none(), "each region apart");
        *clock.0.lock().unwrap_or_else(PoisonError::into_inner) += COOLDOWN;
        assert!(b.open("eastus").is_none(), "half open after the cooldown");
        b.failure("eastus", "503".into());
        assert!(
            b.open("eastus").is_some(),
            "one more failure opens it again"
        );
    }
}
