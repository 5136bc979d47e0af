//! Pacing on ARM's budget headers. Every answer may carry `x-ms-ratelimit-remaining-<budget>`
//! headers, one per token bucket the request drew on; Azure keeps the buckets apart: `subscription-writes`
//! (Network, ACR, AKS, Storage, group and role writes), `subscription-deletes`, `subscription-reads`,
//! `subscription-resource-requests` (Traffic Manager and Cdn, reads and writes alike),
//! `subscription-global-writes` (newer ARM, 15 times the writes bucket), and their `tenant-` kin.
//!
//! The pacer keeps one mirror per budget (by header name): the level ARM last reported, refilled at
//! the bucket's rate since, less the requests let through and not answered yet (an answer's report
//! counts its own request). It learns which budgets a class of
//! requests draws on (method kind, resource provider and resource type: `write microsoft.cdn/profiles/
//! afdendpoints`) from the headers the last answer of that class carried (before any answer, a guess by
//! method kind and provider). Before a request, when a budget its class draws on is below that budget's
//! floor, it waits for as long as the refill takes to lift it there, rather than be answered 429 (which
//! the pipeline would then retry after `Retry-After` anyway). Requests that arrive together queue: each
//! one let through counts against the mirror until answered, so the next waits one refill interval
//! longer.

use azure_core::http::Method;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The header prefix of every budget.
pub const HEADER_PREFIX: &str = "x-ms-ratelimit-remaining-";

/// Below this many writes left, each new write first waits for the refill (the writes floor).
pub const PACING_LOW_WATER: u64 = 20;

/// A token bucket as ARM runs it, and the level below which requests wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketRule {
    /// Tokens the bucket holds when full (the most a report may be believed to refill to; a higher
    /// report, from ARM's older hourly limits, raises it).
    pub burst: f64,
    /// Tokens added per second.
    pub per_sec: f64,
    /// Requests wait while fewer tokens than this are left.
    pub floor: f64,
}

/// ARM's buckets by budget name (the header without [`HEADER_PREFIX`]). Source: learn.microsoft.com,
/// Azure Resource Manager "Understand how Azure Resource Manager throttles requests" (token bucket,
/// per subscription, principal and operation type, per region): reads 250 refilled at 25/s, writes
/// and deletes 200 at 10/s; tenant-level the same; a global per-subscription limit 15 times those.
/// Floors are a tenth of a bucket: room for the requests already in flight when the report was made.
const RULES: &[(&str, BucketRule)] = &[
    ("subscription-reads", rule(250.0, 25.0)),
    ("subscription-writes", rule(200.0, 10.0)),
    ("subscription-deletes", rule(200.0, 10.0)),
    ("subscription-global-reads", rule(3750.0, 375.0)),
    ("subscription-global-writes", rule(3000.0, 150.0)),
    ("subscription-global-deletes", rule(3000.0, 150.0)),
    ("tenant-reads", rule(250.0, 25.0)),
    ("tenant-writes", rule(200.0, 10.0)),
    ("tenant-deletes", rule(200.0, 10.0)),
];

/// Any other budget, `subscription-resource-requests` above all (Traffic Manager and Cdn): its bucket
/// is not documented (recordings show 98, 499, 999 and 10799 left), so the guess is conservative: a
/// slow refill of one a second, and a floor of 10.
const UNKNOWN: BucketRule = BucketRule {
    burst: 100.0,
    per_sec: 1.0,
    floor: 10.0,
};

const fn rule(burst: f64, per_sec: f64) -> BucketRule {
    BucketRule {
        burst,
        per_sec,
        floor: burst / 10.0,
    }
}

/// The bucket behind budget `name` (e.g. `subscription-writes`).
pub fn bucket_rule(name: &str) -> BucketRule {
    RULES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map_or(UNKNOWN, |(_, r)| *r)
}

/// What a client knows of one budget.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Budget {
    /// The budget's name: its header without `x-ms-ratelimit-remaining-` (`subscription-writes`).
    pub name: String,
    /// What ARM last reported left.
    pub remaining: u64,
    /// The least ARM reported left so far.
    pub lowest: u64,
}

#[derive(Debug)]
struct Mirror {
    /// When ARM last reported this budget.
    at: Instant,
    /// The most tokens the bucket may hold.
    cap: f64,
    /// What ARM last reported left.
    remaining: u64,
    lowest: u64,
    /// Requests let through on this budget and not answered yet.
    in_flight: u32,
}

impl Mirror {
    /// Tokens believed left at `now`: the report, refilled since, less the requests in flight
    /// (negative while requests queue for the refill).
    fn level(&self, rule: &BucketRule, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        (self.remaining as f64 + elapsed * rule.per_sec).min(self.cap) - f64::from(self.in_flight)
    }
}

/// A request let through: it counts against the budgets it drew on until its answer is read
/// ([`Pacer::observe`]) or it is given up (dropped: no answer, or cancelled).
#[derive(Debug)]
pub(crate) struct Ticket<'a> {
    pacer: &'a Pacer,
    budgets: Vec<String>,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.budgets.is_empty() {
            self.pacer.release(&std::mem::take(&mut self.budgets));
        }
    }
}

#[derive(Debug, Default)]
struct State {
    mirrors: HashMap<String, Mirror>,
    /// The budgets each class of requests drew on, as its last answer said.
    classes: HashMap<String, Vec<String>>,
    waits: u64,
    waited: Duration,
}

/// How much pacing a client has done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PacingStats {
    /// Requests that waited for a budget.
    pub waits: u64,
    /// Their waits added up.
    pub waited: Duration,
}

/// The budget mirrors of one client.
#[derive(Debug, Default)]
pub(crate) struct Pacer(Mutex<State>);

fn kind(method: &Method) -> &'static str {
    match method {
        Method::Get | Method::Head => "read",
        Method::Delete => "delete",
        _ => "write",
    }
}

/// The class of a request: its method kind, then the provider namespace and resource type chain of
/// its path (lower-cased; `microsoft.resources` for groups): `read microsoft.network/locations/operations`.
pub(crate) fn class(method: &Method, path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = path
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(path);
    let (namespace, rest) = match path.rsplit_once("/providers/") {
        Some((_, rest)) => match rest.split_once('/') {
            Some((ns, rest)) => (ns, rest),
            None => (rest, ""),
        },
        None => ("microsoft.resources", path),
    };
    let mut kinds = vec![namespace.to_ascii_lowercase()];
    // Types sit at the even positions of `type/name/type/name...` (after the provider);
    // without a provider, `subscriptions/{s}/resourcegroups/{g}` gives `subscriptions/resourcegroups`.
    kinds.extend(
        rest.split('/')
            .filter(|s| !s.is_empty())
            .step_by(2)
            .map(str::to_ascii_lowercase),
    );
    format!("{} {}", kind(method), kinds.join("/"))
}

/// The budgets a class is guessed to draw on before any answer of it: Traffic Manager and Cdn on
/// `subscription-resource-requests` (shared/azure-recordings FACTS.md), others by method kind.
fn guess(class: &str) -> Vec<String> {
    let (kind, kinds) = class.split_once(' ').unwrap_or((class, ""));
    if kinds.starts_with("microsoft.cdn")
        || kinds.starts_with("microsoft.network/trafficmanagerprofiles")
    {
        return vec!["subscription-resource-requests".to_owned()];
    }
    let budget = match kind {
        "read" => "subscription-reads",
        "delete" => "subscription-deletes",
        _ => "subscription-writes",
    };
    vec![budget.to_owned()]
}

impl Pacer {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lets a request of `class` through at `now`: how long it must wait first (zero when every
    /// budget it draws on is above its floor, or unknown), and its ticket, which counts against
    /// those budgets from now until its answer is read.
    pub(crate) fn admit(&self, class: &str, now: Instant) -> (Duration, Ticket<'_>) {
        let mut state = self.state();
        let budgets = state
            .classes
            .get(class)
            .cloned()
            .unwrap_or_else(|| guess(class));
        let mut wait = Duration::ZERO;
        let mut counted = Vec::new();
        for name in budgets {
            let Some(mirror) = state.mirrors.get_mut(&name) else {
                continue;
            };
            let rule = bucket_rule(&name);
            let level = mirror.level(&rule, now);
            if level < rule.floor + 1.0 && rule.per_sec > 0.0 {
                // Whole milliseconds, rounded up: the refill has surely come by then.
                let ms = ((rule.floor + 1.0 - level) * 1000.0 / rule.per_sec).ceil();
                let need = Duration::from_millis(ms as u64);
                wait = wait.max(need);
            }
            mirror.in_flight += 1;
            counted.push(name);
        }
        if !wait.is_zero() {
            state.waits += 1;
            state.waited += wait;
            tracing::debug!(
                class,
                wait_ms = wait.as_millis() as u64,
                "pacing on ARM's remaining budget"
            );
        }
        drop(state);
        (
            wait,
            Ticket {
                pacer: self,
                budgets: counted,
            },
        )
    }

    /// A request given up without an answer no longer counts against its budgets.
    fn release(&self, budgets: &[String]) {
        let mut state = self.state();
        for name in budgets {
            if let Some(mirror) = state.mirrors.get_mut(name) {
                mirror.in_flight = mirror.in_flight.saturating_sub(1);
            }
        }
    }

    /// Reads the budgets the answer to `ticket`'s request (of `class`) reports, at `now`; the
    /// request no longer counts as in flight (a report counts its own request).
    pub(crate) fn observe(
        &self,
        mut ticket: Ticket<'_>,
        class: &str,
        headers: &[(String, String)],
        now: Instant,
    ) {
        self.release(&std::mem::take(&mut ticket.budgets));
        let reported: Vec<(String, u64)> = headers
            .iter()
            .filter_map(|(n, v)| {
                let name = n
                    .get(..HEADER_PREFIX.len())
                    .filter(|p| p.eq_ignore_ascii_case(HEADER_PREFIX))
                    .map(|_| n[HEADER_PREFIX.len()..].to_ascii_lowercase())?;
                Some((name, v.trim().parse::<u64>().ok()?))
            })
            .collect();
        if reported.is_empty() {
            return;
        }
        let mut state = self.state();
        state.classes.insert(
            class.to_owned(),
            reported.iter().map(|(n, _)| n.clone()).collect(),
        );
        for (name, left) in reported {
            let rule = bucket_rule(&name);
            let mirror = state.mirrors.entry(name).or_insert(Mirror {
                at: now,
                cap: rule.burst,
                remaining: left,
                lowest: left,
                in_flight: 0,
            });
            mirror.cap = mirror.cap.max(left as f64);
            mirror.at = now;
            mirror.remaining = left;
            mirror.lowest = mirror.lowest.min(left);
        }
    }

    /// Budget `name` (`subscription-writes`, or the whole header name), as last reported.
    pub(crate) fn budget(&self, name: &str) -> Option<Budget> {
        let name = name.to_ascii_lowercase();
        let name = name.strip_prefix(HEADER_PREFIX).unwrap_or(&name);
        self.state().mirrors.get(name).map(|m| Budget {
            name: name.to_owned(),
            remaining: m.remaining,
            lowest: m.lowest,
        })
    }

    /// Every budget reported so far, by name.
    pub(crate) fn budgets(&self) -> Vec<Budget> {
        let mut all: Vec<Budget> = self
            .state()
            .mirrors
            .iter()
            .map(|(name, m)| Budget {
                name: name.clone(),
                remaining: m.remaining,
                lowest: m.lowest,
            })
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// The budgets a request of `class` is paced on now.
    pub(crate) fn budgets_of(&self, class: &str) -> Vec<String> {
        self.state()
            .classes
            .get(class)
            .cloned()
            .unwrap_or_else(|| guess(class))
    }

    pub(crate) fn stats(&self) -> PacingStats {
        let state = self.state();
        PacingStats {
            waits: state.waits,
            waited: state.waited,
        }
    }
}

#[cfg(test)]
mod tests;
