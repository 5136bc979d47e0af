//! What health probes see, as Traffic Manager and Front Door send them: probes go out at a fixed
//! interval on the emulator's clock, and one fails when its target's region was down at that instant
//! (`contract::outage`). Nothing is probed for real and nothing runs in the background: the results
//! a probe would have had are computed from the outage history when a resource is read. Also here:
//! which region a probe's target is in, from a resource id or a host name.

use crate::contract::outage;
use crate::contract::regions;
use crate::contract::store::{Kind, State};

/// When probes go out: the first at `first_ms`, then every `interval_ms`; a failed probe is known
/// `timeout_ms` after it was sent (a probe that gets no answer waits out its timeout), a passed one at
/// once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub first_ms: u64,
    pub interval_ms: u64,
    pub timeout_ms: u64,
}

impl Schedule {
    /// Seconds of Azure's time scaled to the emulator's milliseconds (at least 1).
    pub fn scaled_ms(seconds: f64, scale: f64) -> u64 {
        ((seconds * 1000.0 * scale).round() as u64).max(1)
    }

    /// The index of the last probe whose result is known at `now` (`None` before the first), given
    /// whether the probe sent at an instant fails.
    fn last_known(&self, now: u64, fails: &impl Fn(u64) -> bool) -> Option<u64> {
        if now < self.first_ms {
            return None;
        }
        let last = (now - self.first_ms) / self.interval_ms;
        let sent = self.first_ms + last * self.interval_ms;
        if fails(sent) && sent + self.timeout_ms > now {
            // Still waiting out its timeout: the one before is the last known.
            return last.checked_sub(1);
        }
        Some(last)
    }

    /// The instant probe `k` is sent.
    fn sent(&self, k: u64) -> u64 {
        self.first_ms + k * self.interval_ms
    }

    /// What the probes known at `now` say, looking back at most `window` probes.
    pub fn results(&self, now: u64, window: u64, fails: impl Fn(u64) -> bool) -> Results {
        let Some(last) = self.last_known(now, &fails) else {
            return Results::default();
        };
        let known = last + 1;
        let looked = known.min(window);
        let mut trailing_failures = 0;
        let mut passes = 0;
        let mut run_open = true;
        for back in 0..looked {
            if fails(self.sent(last - back)) {
                if run_open {
                    trailing_failures += 1;
                }
            } else {
                run_open = false;
                passes += 1;
            }
        }
        Results {
            known,
            looked,
            trailing_failures,
            passes,
        }
    }
}

/// The results of the probes known at an instant, over a window of the latest ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Results {
    /// How many probes have a known result (all since the first).
    pub known: u64,
    /// How many of the latest were looked at (the window, or fewer when fewer are known).
    pub looked: u64,
    /// Consecutive failures among them, counting back from the latest.
    pub trailing_failures: u64,
    /// Passed probes among them.
    pub passes: u64,
}

/// The region a probe of the resource `id` reaches, when it is in one (a public IP, a cluster, a
/// storage account); `None` for global resources and what the store does not hold.
pub fn resource_region(state: &State, id: &str) -> Option<&'static str> {
    let resource = state.get(id)?;
    if resource.kind == Kind::ResourceGroup {
        return None;
    }
    resource.body["location"]
        .as_str()
        .and_then(regions::canonical)
}

/// The region a host name (or address) is served from, as far as the emulator can tell: a public
/// IP's or cluster's DNS name or address it holds, or a regional Azure domain
/// (`<label>.<region>.cloudapp.azure.com`, `<prefix>.hcp.<region>.azmk8s.io`).
pub fn host_region(state: &State, host: &str) -> Option<&'static str> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let held = state.resources.values().find(|r| {
        let p = &r.body["properties"];
        match r.kind {
            Kind::PublicIp => {
                p["dnsSettings"]["fqdn"]
                    .as_str()
                    .is_some_and(|f| f.eq_ignore_ascii_case(&host))
                    || p["ipAddress"].as_str() == Some(host.as_str())
            }
            Kind::ManagedCluster => p["fqdn"]
                .as_str()
                .is_some_and(|f| f.eq_ignore_ascii_case(&host)),
            _ => false,
        }
    });
    if let Some(r) = held {
        return r.body["location"].as_str().and_then(regions::canonical);
    }
    let labels: Vec<&str> = host.split('.').collect();
    match labels.as_slice() {
        [.., region, "cloudapp", "azure", "com"] | [.., region, "azmk8s", "io"] => {
            regions::canonical(region)
        }
        _ => None,
    }
}

/// Whether `region` (if any) was down at instant `t`.
pub fn down_at(state: &State, region: Option<&str>, t: u64) -> bool {
    region.is_some_and(|r| outage::down_at(&state.outages, r, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY_10: Schedule = Schedule {
        first_ms: 100,
        interval_ms: 10,
        timeout_ms: 4,
    };

    #[test]
    fn nothing_is_known_before_the_first_probe() {
        assert_eq!(EVERY_10.results(99, 4, |_| false).known, 0);
        assert_eq!(EVERY_10.results(100, 4, |_| false).known, 1);
    }

    #[test]
    fn a_failure_is_known_once_its_timeout_has_passed() {
        let down_from_120 = |t: u64| t >= 120;
        let r = EVERY_10.results(121, 4, down_from_120);
        assert_eq!(
            (r.known, r.trailing_failures),
            (2, 0),
            "probe at 120 still waits"
        );
        let r = EVERY_10.results(124, 4, down_from_120);
        assert_eq!((r.known, r.trailing_failures, r.passes), (3, 1, 2));
        let r = EVERY_10.results(1_000_000, 4, down_from_120);
        assert_eq!((r.looked, r.trailing_failures, r.passes), (4, 4, 0));
    }

    #[test]
    fn a_pass_ends_the_run_of_failures() {
        let down_between = |t: u64| (120..140).contains(&t);
        let r = EVERY_10.results(145, 10, down_between);
        assert_eq!((r.known, r.trailing_failures, r.passes), (5, 0, 3));
    }

    #[test]
    fn regional_domains_name_their_region() {
        let state = State::default();
        assert_eq!(
            host_region(&state, "shop.eastus.cloudapp.azure.com"),
            Some("eastus")
        );
        assert_eq!(
            host_region(&state, "dns-1a2b.hcp.westeurope.azmk8s.io."),
            Some("westeurope")
        );
        assert_eq!(host_region(&state, "www.example.com"), None);
    }
}
