//! A failover the guard pinned ([`crate::failover::guard`]) against the configuration: where the
//! configuration still makes the pinned-out region hot, applying it fails back. That is how a
//! failback is made, on purpose; the warning makes sure it is one.

use super::{AttributePath, Diagnostic};
use crate::failover::guard::pinned_region;
use crate::model::{RegionMode, Topology};

/// A warning when `pinned` (the profile's pin tag, see [`crate::TopologyStatus::pinned`]) names a
/// region `topology` makes hot.
pub fn pin_findings(topology: &Topology, pinned: &str) -> Vec<Diagnostic> {
    let Some(from) = pinned_region(pinned) else {
        return Vec::new();
    };
    let hot = |name: &str| {
        topology
            .regions
            .iter()
            .any(|r| r.name == name && r.mode == RegionMode::Hot)
    };
    if !hot(from) {
        return Vec::new();
    }
    let keep = match pinned.split_once("->").map(|(_, rest)| rest) {
        Some(rest) => {
            let to = rest.split(' ').next().unwrap_or_default();
            if to.is_empty() || to == "none" || hot(to) {
                format!("set mode = \"warm\" in region \"{from}\"")
            } else {
                format!(
                    "set mode = \"warm\" in region \"{from}\" and mode = \"hot\" in region \"{to}\""
                )
            }
        }
        None => format!("set mode = \"warm\" in region \"{from}\""),
    };
    vec![Diagnostic::warning(
        AttributePath::region(from, Some("mode")),
        "Failover pinned by the guard",
        format!(
            "the failover guard took region \"{from}\" out of traffic ({pinned}) after Traffic Manager marked it Degraded, and the configuration still makes it hot: applying it fails back to \"{from}\" (its endpoint enabled again). To keep the failover, {keep}; to fail back, apply once \"{from}\" is healthy"
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Region;

    fn pair(east: RegionMode, west: RegionMode) -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16").mode(east))
            .region(Region::new("westus", "10.2.0.0/16").mode(west))
    }

    #[test]
    fn a_pinned_region_the_configuration_makes_hot_is_a_warning_naming_its_mode() {
        let found = pin_findings(
            &pair(RegionMode::Hot, RegionMode::Cold),
            "eastus->westus at 2026-12-07T17:00:00Z",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path.to_string(), "region[\"eastus\"].mode");
        assert!(
            found[0]
                .detail
                .contains("mode = \"hot\" in region \"westus\""),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn a_configuration_that_keeps_the_failover_or_no_pin_is_quiet() {
        let kept = pair(RegionMode::Warm, RegionMode::Hot);
        assert!(pin_findings(&kept, "eastus->westus at t").is_empty());
        assert!(pin_findings(&pair(RegionMode::Hot, RegionMode::Hot), "").is_empty());
    }
}
