//! The failover guard: automatic failover, manual failback. Traffic Manager alone moves traffic away
//! from a region whose probes fail and back the moment they pass again (architecture-center #3678),
//! so a flapping region keeps taking traffic back. The guard watches the routing profile's endpoint
//! health and, on the first hot region Traffic Manager marks `Degraded`, pins the failover: that
//! region is made warm (its endpoint disabled, its cluster left running and untouched) and, when no
//! other hot region still serves, the standby is made hot (its pair first, warm before cold). Traffic
//! stays away when the probes pass again; failing back is a change of the topology's modes, made on
//! purpose. The profile is tagged with the pin ([`names::TAG_PINNED`]) so that the Terraform
//! provider can say, at plan, that applying the old configuration would fail back.
//!
//! Traffic Manager only: Azure reports no per-origin health in Front Door's resources (it is an Azure
//! Monitor metric), so a Front Door topology is refused.

use super::Switch;
use crate::cancel::CancelSignal;
use crate::error::{Error, Result};
use crate::layout::ResourceKey;
use crate::model::{RegionMode, Topology};
use crate::names;
use crate::regions;
use crate::topology::TopologyClient;
use serde_json::{Value, json};
use std::time::Duration;

/// What one look at the routing profile found, and did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Look {
    /// No hot region is degraded.
    Healthy,
    /// `from` was degraded: it was made warm, and `to` hot when no other hot region served.
    Pinned {
        /// The degraded region, now warm.
        from: String,
        /// The region made hot in its place; `None` when another hot region already served.
        to: Option<String>,
        /// The switch as applied.
        switch: Box<Switch>,
    },
    /// `from` is degraded and no other region can take its traffic: nothing was changed.
    NoStandby {
        /// The degraded region, left as it was.
        from: String,
    },
}

/// The value of the pin tag: which region was pinned out, for which, when.
pub fn pin_tag(from: &str, to: Option<&str>, at: &str) -> String {
    format!("{from}->{} at {at}", to.unwrap_or("none"))
}

/// The region a pin tag names as pinned out.
pub fn pinned_region(tag: &str) -> Option<&str> {
    tag.split_once("->")
        .map(|(from, _)| from)
        .filter(|f| !f.is_empty())
}

/// Watches one topology's Traffic Manager profile and pins failovers.
#[derive(Debug)]
pub struct Guard<'a> {
    client: &'a TopologyClient,
    topology: Topology,
    now: fn() -> String,
}

fn rfc3339_now() -> String {
    azure_core::time::to_rfc3339(&azure_core::time::OffsetDateTime::now_utc())
}

impl<'a> Guard<'a> {
    /// A guard of `topology`, which must route with Traffic Manager.
    pub fn new(client: &'a TopologyClient, topology: Topology) -> Result<Self> {
        if topology.traffic_manager.is_none() {
            return Err(Error::Config(
                "the guard watches Traffic Manager's endpoint health; Front Door reports origin health only as an Azure Monitor metric".into(),
            ));
        }
        Ok(Self {
            client,
            topology,
            now: rfc3339_now,
        })
    }

    /// A guard of the topology named `name` as it exists in Azure (imported, so that a pin changes
    /// nothing but the modes: a topology applied by Terraform is guarded without restating it).
    pub async fn adopt(client: &'a TopologyClient, name: &str) -> Result<Self> {
        let topology = client
            .import(name)
            .await?
            .ok_or_else(|| Error::Config(format!("no topology named \"{name}\" exists")))?;
        Self::new(client, topology)
    }

    /// This guard with its clock for the pin tag's time replaced (tests).
    #[must_use]
    pub fn with_clock(mut self, now: fn() -> String) -> Self {
        self.now = now;
        self
    }

    /// The topology as the guard last left it: after a pin, the one to write back into the
    /// configuration (a failback is the old one, applied on purpose).
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Each endpoint's `(endpointStatus, endpointMonitorStatus)` by name, as Traffic Manager reports.
    async fn health(&self) -> Result<Vec<(String, String, String)>> {
        let key = ResourceKey::TrafficManagerProfile;
        let id = key.id(self.client.arm().subscription_id(), &self.topology.name);
        let profile = self
            .client
            .arm()
            .get(&id, key.api_version())
            .await?
            .ok_or_else(|| Error::Config(format!("no Traffic Manager profile at {id}")))?;
        let text = |e: &Value, k: &str| e["properties"][k].as_str().unwrap_or_default().to_owned();
        Ok(profile["properties"]["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["name"].as_str().unwrap_or_default().to_owned(),
                    text(e, "endpointStatus"),
                    text(e, "endpointMonitorStatus"),
                )
            })
            .collect())
    }

    /// Looks once: pins the failover away from the first degraded hot region, if there is one.
    pub async fn look(&mut self, cancel: CancelSignal) -> Result<Look> {
        let health = self.health().await?;
        let status = |region: &str| {
            health
                .iter()
                .find(|(name, ..)| name == region)
                .map(|(_, enabled, monitor)| (enabled.as_str(), monitor.as_str()))
        };
        let degraded = |region: &str| status(region).is_some_and(|(_, m)| m == "Degraded");
        let hot: Vec<&str> = self
            .topology
            .sorted_regions()
            .iter()
            .filter(|r| r.mode == RegionMode::Hot)
            .map(|r| r.name.as_str())
            .collect();
        let Some(from) = hot.iter().copied().find(|r| degraded(r)) else {
            return Ok(Look::Healthy);
        };
        let still_serving = hot
            .iter()
            .any(|r| *r != from && status(r).is_some_and(|(_, m)| m == "Online"));
        let to = if still_serving {
            None
        } else {
            let mut standby: Vec<_> = self
                .topology
                .regions
                .iter()
                .filter(|r| r.mode != RegionMode::Hot && !degraded(&r.name))
                .collect();
            // Its Azure pair first, then warm before cold, then by name.
            standby.sort_by_key(|r| {
                (
                    !regions::paired(from, &r.name),
                    r.mode == RegionMode::Cold,
                    r.name.clone(),
                )
            });
            match standby.first() {
                Some(r) => Some(r.name.clone()),
                None => {
                    return Ok(Look::NoStandby {
                        from: from.to_owned(),
                    });
                }
            }
        };
        let from = from.to_owned();
        tracing::warn!(region = %from, standby = ?to, "Traffic Manager marks the region Degraded: pinning the failover");
        let switch = self
            .client
            .pin(&self.topology, &from, to.as_deref(), cancel)
            .await
            .map_err(|failure| failure.error)?;
        // The pin, for whoever plans next: the profile's tags say which region was pinned out.
        let key = ResourceKey::TrafficManagerProfile;
        let id = key.id(self.client.arm().subscription_id(), &self.topology.name);
        let mut tags = json!({});
        if let Some(current) = self
            .client
            .arm()
            .get(&id, key.api_version())
            .await?
            .and_then(|p| p.get("tags").cloned())
            .filter(Value::is_object)
        {
            tags = current;
        }
        tags[names::TAG_PINNED] = json!(pin_tag(&from, to.as_deref(), &(self.now)()));
        self.client
            .arm()
            .patch(&id, key.api_version(), &json!({ "tags": tags }))
            .await?;
        self.topology = switch.topology.clone();
        Ok(Look::Pinned {
            from,
            to,
            switch: Box::new(switch),
        })
    }

    /// Looks every `interval` (on the client's clock) until `cancel` fires, reporting each look;
    /// a look that fails (ARM not answering) is reported and the watch goes on.
    pub async fn watch(
        &mut self,
        interval: Duration,
        cancel: CancelSignal,
        on_look: &(dyn Fn(&Result<Look>) + Send + Sync),
    ) {
        while !cancel.is_cancelled() {
            let look = self.look(cancel.clone()).await;
            on_look(&look);
            if self
                .client
                .arm()
                .with_cancel(&cancel)
                .wait(interval)
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_tag_names_the_region_pinned_out() {
        let tag = pin_tag("eastus", Some("westus"), "2026-12-07T17:00:00Z");
        assert_eq!(tag, "eastus->westus at 2026-12-07T17:00:00Z");
        assert_eq!(pinned_region(&tag), Some("eastus"));
        assert_eq!(pinned_region(&pin_tag("eastus", None, "t")), Some("eastus"));
        assert_eq!(pinned_region("garbage"), None);
    }
}
