//! Regions taken down, as the store remembers them: each outage of a region from when it began to
//! when it was restored. What a request to a region that is down meets (the server's concern) and
//! what probes of its endpoints see (Traffic Manager's and Front Door's health models) are both
//! read from this history, at any instant: nothing runs in the background.

use serde::{Deserialize, Serialize};

/// How a region that is down answers requests for its resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegionDown {
    /// At once, 503 `ServiceUnavailable` in ARM's envelope.
    Fail,
    /// Never: the request is held open until the client gives up, the region is restored (it is
    /// then answered as usual) or the emulator stops (the connection is dropped).
    Hang,
}

impl RegionDown {
    pub fn name(self) -> &'static str {
        match self {
            Self::Fail => "Fail",
            Self::Hang => "Hang",
        }
    }
}

/// One outage of a region: down from `from_ms`, up again at `until_ms` (still down while `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    /// The region's name (`eastus`).
    pub region: String,
    pub mode: RegionDown,
    pub from_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_ms: Option<u64>,
}

impl Outage {
    /// Whether this outage covers the instant `t`.
    pub fn covers(&self, t: u64) -> bool {
        self.from_ms <= t && self.until_ms.is_none_or(|until| t < until)
    }
}

/// How `region` answers now, if it is down now (`now` inside one of its outages).
pub fn down_now(outages: &[Outage], region: &str, now: u64) -> Option<RegionDown> {
    outages
        .iter()
        .rev()
        .find(|o| o.region.eq_ignore_ascii_case(region) && o.covers(now))
        .map(|o| o.mode)
}

/// Whether `region` was down at instant `t`.
pub fn down_at(outages: &[Outage], region: &str, t: u64) -> bool {
    outages
        .iter()
        .any(|o| o.region.eq_ignore_ascii_case(region) && o.covers(t))
}

/// Takes `region` down from `now` in `mode` (an outage already going on in another mode ends and
/// the new one begins; one in the same mode goes on).
pub fn begin(outages: &mut Vec<Outage>, region: &str, mode: RegionDown, now: u64) {
    if down_now(outages, region, now) == Some(mode) {
        return;
    }
    end(outages, region, now);
    outages.push(Outage {
        region: region.to_ascii_lowercase(),
        mode,
        from_ms: now,
        until_ms: None,
    });
}

/// Ends every outage of `region` still going on at `now`; whether one was.
pub fn end(outages: &mut [Outage], region: &str, now: u64) -> bool {
    let mut ended = false;
    for o in outages
        .iter_mut()
        .filter(|o| o.region.eq_ignore_ascii_case(region) && o.until_ms.is_none())
    {
        o.until_ms = Some(now.max(o.from_ms));
        ended = true;
    }
    ended
}

/// Forgets outages that ended more than `keep_ms` before `now` (no probe looks back that far).
pub fn prune(outages: &mut Vec<Outage>, now: u64, keep_ms: u64) {
    outages.retain(|o| o.until_ms.is_none_or(|until| until + keep_ms > now));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_covers_its_span_and_restoring_ends_it() {
        let mut outages = Vec::new();
        begin(&mut outages, "EastUS", RegionDown::Fail, 100);
        assert_eq!(down_now(&outages, "eastus", 100), Some(RegionDown::Fail));
        assert!(!down_at(&outages, "eastus", 99));
        begin(&mut outages, "eastus", RegionDown::Fail, 150);
        assert_eq!(outages.len(), 1, "the same outage goes on");
        begin(&mut outages, "eastus", RegionDown::Hang, 200);
        assert_eq!(outages.len(), 2);
        assert_eq!(down_now(&outages, "eastus", 250), Some(RegionDown::Hang));
        assert!(end(&mut outages, "eastus", 300));
        assert!(!end(&mut outages, "eastus", 310), "nothing left to end");
        assert_eq!(down_now(&outages, "eastus", 300), None);
        assert!(down_at(&outages, "eastus", 299));
        assert!(!down_at(&outages, "westus", 250));
        prune(&mut outages, 10_000, 1_000);
        assert!(outages.is_empty());
    }
}
