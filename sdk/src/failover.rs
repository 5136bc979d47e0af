//! Failover and failback as operations, as the guidance's runbooks describe them: move traffic to a
//! region (creating its cluster first if it was cold), keep it off the other, and report every step with
//! its time, so a drill measures time-to-switch. Traffic Manager on its own would fail back as soon as
//! the old region's probe passes; here failback happens only when asked for.

use crate::engine::{CancelSignal, Event};
use crate::error::{Error, Result};
use crate::model::{RegionMode, Topology};
use crate::topology::{ApplyFailure, TopologyClient, TopologyStatus};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub mod guard;
mod restore;
pub use restore::{Restore, check as restore_check};

/// One operation of a switch, as it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The operation, as `<action> <resource>` (`create AKS cluster (westus)`, say).
    pub what: String,
    /// Since the switch began.
    pub started: Duration,
    /// How long it took.
    pub took: Duration,
}

/// A completed failover or failback.
#[derive(Debug, Clone)]
pub struct Switch {
    /// The topology as it now is (the one to keep applying).
    pub topology: Topology,
    /// Every operation of the switch that finished, in the order they started.
    pub steps: Vec<Step>,
    /// Until traffic was moved (the Traffic Manager write finished).
    pub time_to_switch: Duration,
    /// From the start of the switch until its apply ended (reading and planning included).
    pub total: Duration,
    /// What exists after the switch.
    pub status: TopologyStatus,
}

/// A drill: a failover, the restore of the old region's latest backup into the new one (when the
/// topology backs its clusters up), then the failback.
#[derive(Debug, Clone)]
pub struct Drill {
    /// Traffic moved away from the region.
    pub failover: Switch,
    /// The old region's latest backup restored into the new one's cluster, timed.
    pub restore: Option<Restore>,
    /// Traffic moved back.
    pub failback: Switch,
}

/// `topology` with traffic moved from `from` to `to`: `to` becomes hot (its cluster created if it was
/// cold), `from` warm (its cluster left running, untouched, so a region in an outage needs no write).
pub fn switched(topology: &Topology, from: &str, to: &str) -> Result<Topology> {
    moved(topology, from, Some(to))
}

/// `topology` with `from` made warm and, if given, `to` hot.
fn moved(topology: &Topology, from: &str, to: Option<&str>) -> Result<Topology> {
    let known = |r: &str| topology.regions.iter().any(|x| x.name == r);
    for r in std::iter::once(from).chain(to) {
        if !known(r) {
            return Err(Error::Config(format!(
                "region \"{r}\" is not in topology \"{}\"",
                topology.name
            )));
        }
    }
    if topology.traffic_manager.is_none() && topology.front_door.is_none() {
        return Err(Error::Config(
            "failover moves traffic: the topology needs Traffic Manager or Front Door".into(),
        ));
    }
    let mut t = topology.clone();
    for r in &mut t.regions {
        if Some(r.name.as_str()) == to {
            r.mode = RegionMode::Hot;
        } else if r.name == from && r.mode == RegionMode::Hot {
            r.mode = RegionMode::Warm;
        }
    }
    Ok(t)
}

impl TopologyClient {
    /// Moves traffic from `from` to `to` and keeps it there.
    pub async fn failover(
        &self,
        topology: &Topology,
        from: &str,
        to: &str,
        cancel: CancelSignal,
    ) -> Result<Switch, ApplyFailure> {
        self.pin(topology, from, Some(to), cancel).await
    }

    /// Takes traffic away from `from` (made warm, its cluster untouched) and, if given, gives it
    /// to `to` (made hot); with no `to` the other hot regions keep serving.
    pub async fn pin(
        &self,
        topology: &Topology,
        from: &str,
        to: Option<&str>,
        cancel: CancelSignal,
    ) -> Result<Switch, ApplyFailure> {
        let target = moved(topology, from, to).map_err(|error| ApplyFailure {
            error,
            report: None,
            status: TopologyStatus::default(),
        })?;
        let began = Instant::now();
        let started: Mutex<Vec<(usize, String, Duration)>> = Mutex::new(Vec::new());
        let steps: Mutex<Vec<Step>> = Mutex::new(Vec::new());
        let switched_at: Mutex<Option<Duration>> = Mutex::new(None);
        let on_event = |e: Event<'_>| match e {
            Event::Started { index, op } => {
                if let Ok(mut s) = started.lock() {
                    s.push((index, format!("{} {}", op.action, op.key), began.elapsed()));
                }
            }
            Event::Finished { index, op, elapsed } => {
                let start = started
                    .lock()
                    .ok()
                    .and_then(|s| s.iter().find(|(i, _, _)| *i == index).map(|(_, _, t)| *t))
                    .unwrap_or_default();
                if let Ok(mut s) = steps.lock() {
                    s.push(Step {
                        what: format!("{} {}", op.action, op.key),
                        started: start,
                        took: elapsed,
                    });
                }
                if matches!(
                    op.key,
                    crate::layout::ResourceKey::TrafficManagerProfile
                        | crate::layout::ResourceKey::TrafficManagerChild(_)
                        | crate::layout::ResourceKey::FrontDoorOrigin(_)
                ) && let Ok(mut at) = switched_at.lock()
                {
                    *at = Some(began.elapsed());
                }
            }
            _ => {}
        };
        let applied = self.apply(&target, cancel, &on_event).await?;
        let total = began.elapsed();
        let mut steps = steps.into_inner().unwrap_or_default();
        steps.sort_by_key(|s| s.started);
        let time_to_switch = switched_at.into_inner().ok().flatten().unwrap_or(total);
        Ok(Switch {
            topology: target,
            steps,
            time_to_switch,
            total,
            status: applied.status,
        })
    }

    /// Fails over from `from` to `to`, restores `from`'s latest backup into `to`'s cluster (with a
    /// backup block), then fails back: how long each takes, step by step.
    pub async fn drill(
        &self,
        topology: &Topology,
        from: &str,
        to: &str,
    ) -> Result<Drill, ApplyFailure> {
        let failover = self
            .failover(topology, from, to, CancelSignal::never())
            .await?;
        let restore = match &topology.backup {
            Some(_) => Some(
                self.restore(&failover.topology, from, to, CancelSignal::never())
                    .await
                    .map_err(|error| ApplyFailure {
                        error,
                        report: None,
                        status: failover.status.clone(),
                    })?,
            ),
            None => None,
        };
        // A cold standby comes back warm (its cluster now exists): apply the original topology to
        // return it to cold.
        let failback = self
            .failover(&failover.topology, to, from, CancelSignal::never())
            .await?;
        Ok(Drill {
            failover,
            restore,
            failback,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Region, RoutingMethod, TrafficManager};

    fn pair() -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16"))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Cold))
            .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
    }

    #[test]
    fn failover_makes_the_target_hot_and_the_source_warm() {
        let t = switched(&pair(), "eastus", "westus").expect("switch");
        let modes: Vec<(&str, RegionMode)> = t
            .regions
            .iter()
            .map(|r| (r.name.as_str(), r.mode))
            .collect();
        assert_eq!(
            modes,
            [("eastus", RegionMode::Warm), ("westus", RegionMode::Hot)]
        );
    }

    #[test]
    fn failover_needs_known_regions_and_routing() {
        assert!(switched(&pair(), "eastus", "moon").is_err());
        let mut t = pair();
        t.traffic_manager = None;
        assert!(switched(&t, "eastus", "westus").is_err());
    }
}
