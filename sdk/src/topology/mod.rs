//! The topology client: observe a topology in ARM (all GETs concurrent), plan, apply, import and
//! destroy it, and report what exists (ids, FQDNs, peering states) as a [`TopologyStatus`].

use crate::arm::{ArmClient, resource_group};
use crate::engine::{self, CancelSignal, Event, Options, Outcome, Report, RetryPolicy};
use crate::error::{Error, Result};
use crate::layout::{self, ResourceKey};
use crate::model::{Region, Topology};
use crate::names;
use crate::plan::{self, Observed, ObservedResource, Plan};
use crate::validate;

mod credentials;
mod import;
mod status;
pub use credentials::Kubeconfig;
use futures::future::join_all;
use status::str_at;
pub use status::{RegionStatus, TopologyStatus, status};

use std::collections::BTreeMap;

/// The result of an apply that stopped short: the report says what was done.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ApplyFailure {
    pub error: Error,
    pub report: Option<Report>,
    /// What exists now, so callers can save partial progress.
    pub status: TopologyStatus,
}

/// A successful apply.
#[derive(Debug)]
pub struct Applied {
    pub plan: Plan,
    pub report: Report,
    pub status: TopologyStatus,
}

/// Manages topologies in one subscription.
#[derive(Debug, Clone)]
pub struct TopologyClient {
    arm: ArmClient,
    options: Options,
}

impl TopologyClient {
    pub fn new(arm: ArmClient) -> Self {
        Self {
            arm,
            options: Options::default(),
        }
    }

    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.options.retry = retry;
        self
    }

    /// Runs at most `n` ARM operations at once (0: no limit).
    #[must_use]
    pub fn with_max_concurrency(mut self, n: usize) -> Self {
        self.options.max_concurrency = n;
        self
    }

    pub fn arm(&self) -> &ArmClient {
        &self.arm
    }

    /// Resource groups carrying the topology's tag, by region (or `global`).
    async fn tagged_groups(&self, name: &str) -> Result<BTreeMap<String, ObservedResource>> {
        let filter = format!(
            "tagName eq '{}' and tagValue eq '{name}'",
            names::TAG_TOPOLOGY
        );
        let groups = self
            .arm
            .list(
                &resource_group::list_path(self.arm.subscription_id()),
                resource_group::API_VERSION,
                &[("$filter", &filter)],
            )
            .await?;
        Ok(groups
            .into_iter()
            .filter_map(|g| {
                let region = g.get("tags")?.get(names::TAG_REGION)?.as_str()?.to_owned();
                let id = g.get("id")?.as_str()?.to_owned();
                Some((region, ObservedResource { id, body: g }))
            })
            .collect())
    }

    /// GETs every key concurrently; what exists, by key.
    async fn get_all(
        &self,
        topology: &str,
        keys: &[ResourceKey],
    ) -> Result<Vec<(ResourceKey, ObservedResource)>> {
        let sub = self.arm.subscription_id();
        let found = join_all(keys.iter().map(|key| {
            let id = key.id(sub, topology);
            async move {
                self.arm
                    .get(&id, key.api_version())
                    .await
                    .map(|b| b.map(|body| (key.clone(), ObservedResource { id, body })))
            }
        }))
        .await;
        found.into_iter().filter_map(Result::transpose).collect()
    }

    /// What ARM has of `topology`: its groups (one tag-filtered list), then every desired resource
    /// in a group that exists (GETs run concurrently), groups of regions no longer desired, and the
    /// peerings each VNet reports.
    pub async fn observe(&self, topology: &Topology) -> Result<Observed> {
        Ok(self.observe_with(topology, true).await?.0)
    }

    /// [`TopologyClient::observe`] for a topology believed to exist (a refresh): the list of groups
    /// and the reads go out at once, one round trip instead of two.
    pub async fn refresh(&self, topology: &Topology) -> Result<Observed> {
        Ok(self.observe_with(topology, false).await?.0)
    }

    /// The observation, and the desired layout of `topology` as it stands (computed while the list of
    /// groups is on its way; a plan reuses it).
    async fn observe_with(
        &self,
        topology: &Topology,
        list_first: bool,
    ) -> Result<(Observed, Vec<layout::DesiredResource>)> {
        let sub = self.arm.subscription_id();
        let reads = || {
            let desired = layout::desired(topology, sub);
            let first = first_reads(topology, &desired);
            (desired, first)
        };
        // Nothing can exist in a group that does not: with `list_first`, only resources of existing
        // groups are read (a topology applied from nothing costs one request to observe).
        let (groups, found, desired, first) = if list_first {
            let (groups, (desired, first)) =
                futures::join!(self.tagged_groups(&topology.name), async { reads() });
            let groups = groups?;
            let existing: Vec<ResourceKey> = first
                .iter()
                .filter(|k| groups.contains_key(k.group_region()))
                .cloned()
                .collect();
            let found = self.get_all(&topology.name, &existing).await?;
            (groups, found, desired, first)
        } else {
            let (desired, first) = reads();
            let (found, groups) = futures::join!(
                self.get_all(&topology.name, &first),
                self.tagged_groups(&topology.name)
            );
            (groups?, found?, desired, first)
        };
        let wanted: Vec<&ResourceKey> = desired.iter().map(|d| &d.key).collect();
        let in_existing_group = |k: &ResourceKey| groups.contains_key(k.group_region());
        let mut observed = Observed::default();
        observed.resources.extend(found);
        // Phase 2: what hangs off a global resource that exists, for every region of the topology or
        // found by tag (a region that left still has its replica, pull role or origin there).
        let mut regions: Vec<String> = topology.regions.iter().map(|r| r.name.clone()).collect();
        regions.extend(groups.keys().filter(|r| *r != names::GLOBAL).cloned());
        regions.sort();
        regions.dedup();
        let exists = |k: &ResourceKey| observed.resources.contains_key(k) || wanted.contains(&k);
        let mut second: Vec<ResourceKey> = Vec::new();
        for r in &regions {
            if exists(&ResourceKey::Registry) {
                second.extend([
                    ResourceKey::Replication(r.clone()),
                    ResourceKey::RegistryPull(r.clone()),
                ]);
            }
            if exists(&ResourceKey::StorageAccount) {
                second.push(ResourceKey::BackupContainer(r.clone()));
            }
            if exists(&ResourceKey::FrontDoorProfile) {
                second.push(ResourceKey::FrontDoorOrigin(r.clone()));
            }
        }
        // User node pools of the clusters that exist (some may no longer be wanted).
        for (key, cluster) in &observed.resources {
            let ResourceKey::ManagedCluster(region) = key else {
                continue;
            };
            let pools = cluster.body["properties"]["agentPoolProfiles"].as_array();
            for p in pools.into_iter().flatten() {
                if p["mode"]
                    .as_str()
                    .is_some_and(|m| m.eq_ignore_ascii_case("User"))
                    && let Some(pool) = p["name"].as_str()
                {
                    second.push(ResourceKey::NodePool {
                        region: region.clone(),
                        pool: pool.to_owned(),
                    });
                }
            }
        }
        // The area profiles the Geographic parent points at (some may no longer be wanted).
        if let Some(parent) = observed.body(&ResourceKey::TrafficManagerProfile) {
            let prefix = format!("{}-", names::traffic_manager(&topology.name));
            for e in parent["properties"]["endpoints"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let child = e["properties"]["targetResourceId"]
                    .as_str()
                    .filter(|_| {
                        e["type"]
                            .as_str()
                            .is_some_and(|t| t.ends_with("/nestedEndpoints"))
                    })
                    .and_then(|id| id.rsplit('/').next())
                    .and_then(|n| n.strip_prefix(&prefix));
                if let Some(area) = child {
                    second.push(ResourceKey::TrafficManagerChild(area.to_owned()));
                }
            }
        }
        if exists(&ResourceKey::FrontDoorProfile) {
            second.extend([
                ResourceKey::FrontDoorEndpoint,
                ResourceKey::FrontDoorOriginGroup,
                ResourceKey::FrontDoorRoute,
                ResourceKey::FrontDoorSecurityPolicy,
            ]);
        }
        second.retain(|k| !first.contains(k) && in_existing_group(k));
        observed
            .resources
            .extend(self.get_all(&topology.name, &second).await?);
        for (region, group) in groups {
            observed
                .resources
                .entry(ResourceKey::ResourceGroup(region))
                .or_insert(group);
        }
        let peerings: Vec<_> = observed
            .resources
            .iter()
            .filter_map(|(key, vnet)| match key {
                ResourceKey::VirtualNetwork(from) => {
                    Some(peerings_of(&topology.name, from, &vnet.body))
                }
                _ => None,
            })
            .flatten()
            .collect();
        observed.resources.extend(peerings);
        Ok((observed, desired))
    }

    /// Validates `topology` (no ARM call when it is invalid), observes it and plans.
    pub async fn plan(&self, topology: &Topology) -> Result<(Plan, Observed)> {
        let errors = validate::errors(topology);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let (observed, desired) = self.observe_with(topology, true).await?;
        // The layout observed with holds unless the global resources already live elsewhere.
        let homed = with_existing_home(topology, &observed);
        let desired = if homed.home_region == topology.home_region {
            desired
        } else {
            layout::desired(&homed, self.arm.subscription_id())
        };
        Ok((plan::plan(&desired, &observed), observed))
    }

    /// Makes ARM hold `topology`: validate, observe, plan, execute, report.
    pub async fn apply(
        &self,
        topology: &Topology,
        cancel: CancelSignal,
        on_event: &(dyn Fn(Event<'_>) + Send + Sync),
    ) -> Result<Applied, ApplyFailure> {
        let fail = |error: Error| ApplyFailure {
            error,
            report: None,
            status: TopologyStatus::default(),
        };
        let (plan, mut observed) = self.plan(topology).await.map_err(fail)?;
        let mut report = engine::execute(&self.arm, &plan, self.options, cancel, on_event).await;
        merge(&plan, &mut report, &mut observed);
        self.refresh_peerings(topology, &mut observed).await;
        let status = status(topology, &observed);
        give_back(&plan, &mut report, observed);
        if report.is_success() {
            return Ok(Applied {
                plan,
                report,
                status,
            });
        }
        let error = match report.first_error() {
            Some(Error::Arm {
                method,
                path,
                status,
                code,
                message,
            }) => Error::Arm {
                method: method.clone(),
                path: path.clone(),
                status: *status,
                code: code.clone(),
                message: message.clone(),
            },
            Some(Error::OperationFailed {
                resource,
                status,
                code,
                message,
            }) => Error::OperationFailed {
                resource: resource.clone(),
                status: status.clone(),
                code: code.clone(),
                message: message.clone(),
            },
            Some(other) => Error::Transport(other.to_string()),
            None => Error::Cancelled,
        };
        Err(ApplyFailure {
            error,
            report: Some(report),
            status,
        })
    }

    /// A peering becomes Connected when its reciprocal finishes. The side written second reads
    /// Connected when its write ends, and that proves the first side (read Initiated when its own write
    /// ended) Connected too: Azure links the two sides together. Only what is still not Connected then
    /// is read again.
    async fn refresh_peerings(&self, topology: &Topology, observed: &mut Observed) {
        let state = |o: &Observed, k: &ResourceKey| {
            o.body(k)
                .map(|b| str_at(b, &["properties", "peeringState"]).to_owned())
                .unwrap_or_default()
        };
        let linked: Vec<ResourceKey> = observed
            .resources
            .keys()
            .filter(|k| {
                let ResourceKey::Peering { from, to } = k else {
                    return false;
                };
                let reciprocal = ResourceKey::Peering {
                    from: to.clone(),
                    to: from.clone(),
                };
                state(observed, k) == "Initiated" && state(observed, &reciprocal) == "Connected"
            })
            .cloned()
            .collect();
        for key in linked {
            if let Some(r) = observed.resources.get_mut(&key) {
                r.body["properties"]["peeringState"] = "Connected".into();
            }
        }
        // One GET per VNet reports all its peerings: cheaper than one per peering.
        let mut vnets: Vec<String> = observed
            .resources
            .iter()
            .filter(|(k, r)| {
                matches!(k, ResourceKey::Peering { .. })
                    && str_at(&r.body, &["properties", "peeringState"]) != "Connected"
            })
            .map(|(k, _)| k.region().to_owned())
            .collect();
        vnets.dedup();
        let sub = self.arm.subscription_id();
        let fresh = join_all(vnets.iter().map(|r| {
            let key = ResourceKey::VirtualNetwork(r.clone());
            let id = key.id(sub, &topology.name);
            async move { self.arm.get(&id, key.api_version()).await }
        }))
        .await;
        for (region, body) in vnets.iter().zip(fresh) {
            if let Ok(Some(body)) = body {
                observed
                    .resources
                    .extend(peerings_of(&topology.name, region, &body));
            }
        }
    }

    /// What exists of `topology`, read fresh.
    pub async fn status(&self, topology: &Topology) -> Result<TopologyStatus> {
        Ok(status(topology, &self.refresh(topology).await?))
    }

    /// Rebuilds a topology from what ARM has under its tags; `None` when nothing carries them.
    pub async fn import(&self, name: &str) -> Result<Option<Topology>> {
        let groups = self.tagged_groups(name).await?;
        let regions: Vec<String> = groups
            .keys()
            .filter(|r| *r != names::GLOBAL)
            .cloned()
            .collect();
        if regions.is_empty() {
            return Ok(None);
        }
        // Observe the topology as if every region were hot: what exists then says what it is.
        let skeleton = regions.iter().fold(Topology::new(name), |t, r| {
            t.region(Region::new(r.clone(), String::new()))
        });
        let observed = self.observe(&skeleton).await?;
        Ok(Some(import::rebuild(name, &regions, &observed)))
    }

    /// Deletes every resource group tagged with the topology `name` (each delete cascades).
    pub async fn destroy(
        &self,
        name: &str,
        cancel: CancelSignal,
        on_event: &(dyn Fn(Event<'_>) + Send + Sync),
    ) -> Result<Report, ApplyFailure> {
        let fail = |error: Error| ApplyFailure {
            error,
            report: None,
            status: TopologyStatus::default(),
        };
        let groups = self.tagged_groups(name).await.map_err(fail)?;
        let observed = Observed {
            resources: groups
                .into_iter()
                .map(|(r, g)| (ResourceKey::ResourceGroup(r), g))
                .collect(),
        };
        let report = engine::execute(
            &self.arm,
            &plan::destroy(&observed),
            self.options,
            cancel,
            on_event,
        )
        .await;
        if report.is_success() {
            return Ok(report);
        }
        let error = report
            .first_error()
            .map_or(Error::Cancelled, |e| Error::Transport(e.to_string()));
        Err(ApplyFailure {
            error,
            report: Some(report),
            status: TopologyStatus::default(),
        })
    }
}

/// The plan that makes `observed` hold `topology` (pure): the layout, with the global resources kept in
/// the region Azure reports for them.
pub fn plan_against(topology: &Topology, observed: &Observed, subscription: &str) -> Plan {
    plan::plan(
        &layout::desired(&with_existing_home(topology, observed), subscription),
        observed,
    )
}

/// The topology with the home Azure reports for its global resources, when they exist: their location
/// cannot change, so removing the region they were made in must not move them.
/// Phase 1 of an observation: the desired resources of the topology's regions (peerings come with
/// their VNets, groups with the list), and the global resources whether wanted or not (to see one that
/// is no longer wanted).
fn first_reads(topology: &Topology, desired: &[layout::DesiredResource]) -> Vec<ResourceKey> {
    let mut first: Vec<ResourceKey> = desired
        .iter()
        .map(|d| &d.key)
        .filter(|k| {
            !matches!(
                k,
                ResourceKey::Peering { .. } | ResourceKey::ResourceGroup(_)
            )
        })
        .cloned()
        .collect();
    for r in &topology.regions {
        first.push(ResourceKey::ManagedCluster(r.name.clone()));
        first.push(ResourceKey::RoleAssignment(r.name.clone()));
    }
    first.extend([
        ResourceKey::TrafficManagerProfile,
        ResourceKey::Registry,
        ResourceKey::StorageAccount,
        ResourceKey::FrontDoorProfile,
        ResourceKey::WafPolicy,
    ]);
    first.sort();
    first.dedup();
    first
}

fn with_existing_home(topology: &Topology, observed: &Observed) -> Topology {
    let mut t = topology.clone();
    if t.home_region.is_none() {
        let reported = [
            ResourceKey::Registry,
            ResourceKey::ResourceGroup(names::GLOBAL.into()),
        ]
        .iter()
        .find_map(|k| {
            observed
                .body(k)
                .and_then(|b| b["location"].as_str())
                .map(str::to_owned)
        });
        t.home_region = reported;
    }
    t
}

/// The topology's peerings a VNet reports (its `virtualNetworkPeerings`, named as the layout names them).
fn peerings_of(
    topology: &str,
    from: &str,
    vnet: &serde_json::Value,
) -> Vec<(ResourceKey, ObservedResource)> {
    let vnet_prefix = format!("vnet-{topology}-");
    let mut out = Vec::new();
    for p in vnet["properties"]["virtualNetworkPeerings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let remote = str_at(p, &["properties", "remoteVirtualNetwork", "id"]);
        let Some(to) = remote
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_prefix(&vnet_prefix))
        else {
            continue;
        };
        if str_at(p, &["name"]) == names::peering(from, to) {
            let key = ResourceKey::Peering {
                from: from.to_owned(),
                to: to.to_owned(),
            };
            out.push((
                key,
                ObservedResource {
                    id: str_at(p, &["id"]).to_owned(),
                    body: p.clone(),
                },
            ));
        }
    }
    out
}

/// Folds what the operations returned into the observation, moving each body out of the report (an
/// apply of 16 regions would otherwise copy 322 of them on its way to the status); [`give_back`]
/// returns them.
fn merge(plan: &Plan, report: &mut Report, observed: &mut Observed) {
    for (op, outcome) in plan.operations.iter().zip(&mut report.outcomes) {
        match outcome {
            Outcome::Done(Some(body)) => {
                observed.resources.insert(
                    op.key.clone(),
                    ObservedResource {
                        id: op.id.clone(),
                        body: std::mem::take(body),
                    },
                );
            }
            Outcome::Done(None) if op.action == plan::Action::Delete => {
                observed.resources.remove(&op.key);
            }
            _ => {}
        }
    }
}

/// Puts the bodies [`merge`] moved back into the report, as the observation now holds them (a
/// peering's then says Connected when the apply proved it so).
fn give_back(plan: &Plan, report: &mut Report, mut observed: Observed) {
    for (op, outcome) in plan.operations.iter().zip(&mut report.outcomes) {
        if let Outcome::Done(Some(body)) = outcome
            && let Some(resource) = observed.resources.remove(&op.key)
        {
            *body = resource.body;
        }
    }
}
