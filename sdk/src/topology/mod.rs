//! The topology client: observe a topology in ARM (all GETs concurrent; `observe`), plan, apply,
//! import and destroy it, and report what exists (ids, FQDNs, peering states) as a
//! [`TopologyStatus`].

use crate::arm::{ArmClient, compute, managed_cluster, traffic_manager};
use crate::engine::{self, CancelSignal, Event, Options, Outcome, Report, RetryPolicy};
use crate::error::{Error, Result};
use crate::layout::{self, ResourceKey};
use crate::model::{Region, Topology};
use crate::names;
use crate::plan::{self, Observed, ObservedResource, Plan};
use crate::regions::{self, Catalog};
use crate::validate;

mod cluster_access;
mod credentials;
mod database;
mod import;
mod observe;
mod status;
pub use cluster_access::{ClusterCredential, ClusterEndpoint};
pub use credentials::Kubeconfig;
pub use database::{DatabaseServerStatus, DatabaseStatus};
use futures::future::join_all;
use observe::peerings_of;
use status::str_at;
pub use status::{RegionStatus, TopologyStatus, status};

/// The result of an apply that stopped short: the report says what was done.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ApplyFailure {
    /// What stopped the apply.
    pub error: Error,
    /// What the engine did before it stopped; `None` when it stopped before running anything (validation, observation).
    pub report: Option<Report>,
    /// What exists now, so callers can save partial progress.
    pub status: TopologyStatus,
}

/// A successful apply.
#[derive(Debug)]
pub struct Applied {
    /// The plan that was applied.
    pub plan: Plan,
    /// How each operation ended.
    pub report: Report,
    /// What exists now.
    pub status: TopologyStatus,
}

/// Manages topologies in one subscription.
#[derive(Debug, Clone)]
pub struct TopologyClient {
    arm: ArmClient,
    options: Options,
}

impl TopologyClient {
    /// A client for the subscription `arm` works in, with the engine's default retries and no concurrency limit.
    pub fn new(arm: ArmClient) -> Self {
        Self {
            arm,
            options: Options::default(),
        }
    }

    /// Retries failed operations by `retry` instead of the default policy.
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

    /// The ARM client underneath.
    pub fn arm(&self) -> &ArmClient {
        &self.arm
    }

    /// This client, whose every ARM request and wait ends once `signal` fires (see
    /// [`ArmClient::with_cancel`]): reads, checks and kubeconfigs as well as applies.
    #[must_use]
    pub fn with_cancel(&self, signal: &CancelSignal) -> Self {
        Self {
            arm: self.arm.with_cancel(signal),
            options: self.options,
        }
    }

    /// The regions `topology`'s names are judged by: the offline table when it decides them all, else
    /// (a region it lacks, or an access-restricted one, which only some subscriptions may use) the
    /// table plus the subscription's `locations` and where its AKS provider is offered (one read of
    /// each list); for each region that
    /// pins a `kubernetes_version`, the versions AKS offers there (one read each, at once); and for
    /// each cold region, and each warm one with fewer nodes than the hot regions, its VM sizes and
    /// vCPU quotas (two reads each, at once). A topology with no such standby and no pinned version,
    /// in regions the table knows, costs no ARM call.
    pub async fn catalog(&self, topology: &Topology) -> Result<Catalog> {
        let mut catalog =
            if regions::decided_offline(topology.regions.iter().map(|r| r.name.as_str())) {
                Catalog::offline()
            } else {
                Catalog::online(regions::discover(&self.arm).await?)
            };
        let pinned: Vec<String> = topology
            .regions
            .iter()
            .filter(|r| r.cluster.kubernetes_version.is_some())
            .filter_map(|r| catalog.lookup(&r.name))
            .map(|entry| entry.name)
            .collect();
        // A cold region's cluster is made at failover, and a warm one smaller than the hot ones
        // scaled up: whether that fits is asked now.
        let standby: Vec<String> = topology
            .regions
            .iter()
            .filter(|r| {
                r.mode == crate::model::RegionMode::Cold
                    || validate::warm_target(topology, r).is_some()
            })
            .filter_map(|r| catalog.lookup(&r.name))
            .map(|entry| entry.name)
            .collect();
        let (versions, capacities) = futures::join!(
            join_all(
                pinned
                    .iter()
                    .map(|region| managed_cluster::offered_versions(&self.arm, region)),
            ),
            join_all(
                standby
                    .iter()
                    .map(|region| compute::capacity(&self.arm, region))
            ),
        );
        for (region, answer) in pinned.iter().zip(versions) {
            match answer {
                Ok(Some(offered)) => catalog = catalog.with_versions(region, offered),
                Ok(None) => {}
                // The check is a courtesy before AKS's own: a failed read skips it.
                Err(error) => {
                    tracing::warn!(%region, %error, "could not read the Kubernetes versions AKS offers")
                }
            }
        }
        for (region, answer) in standby.iter().zip(capacities) {
            match answer {
                Ok(Some(capacity)) => catalog = catalog.with_capacity(region, capacity),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%region, %error, "could not read the region's VM sizes and quotas")
                }
            }
        }
        Ok(catalog)
    }

    /// The Traffic Manager DNS names `topology`'s profiles would take that Azure says are taken, each
    /// an error at `traffic_manager.dns_name`. `exists(key, relative_name)` says which profiles exist
    /// already (their names are their own); the others are asked about at once. A failed read skips
    /// the check: it only spares a doomed apply, and Traffic Manager refuses a taken name anyway.
    pub async fn taken_dns_names(
        &self,
        topology: &Topology,
        exists: impl Fn(&ResourceKey, &str) -> bool,
    ) -> Vec<validate::Diagnostic> {
        if topology.traffic_manager.is_none() {
            return Vec::new();
        }
        let desired = layout::desired(topology, self.arm.subscription_id());
        self.taken_names_in(&desired, exists).await
    }

    /// [`taken_dns_names`](Self::taken_dns_names) of a layout already made.
    async fn taken_names_in(
        &self,
        desired: &[layout::DesiredResource],
        exists: impl Fn(&ResourceKey, &str) -> bool,
    ) -> Vec<validate::Diagnostic> {
        let names: Vec<(String, &str)> = desired
            .iter()
            .filter(|r| {
                matches!(
                    r.key,
                    ResourceKey::TrafficManagerProfile | ResourceKey::TrafficManagerChild(_)
                )
            })
            .filter_map(|r| {
                let relative = r.body["properties"]["dnsConfig"]["relativeName"].as_str()?;
                (!exists(&r.key, relative)).then(|| (relative.to_owned(), r.id.as_str()))
            })
            .collect();
        let answers = join_all(
            names
                .iter()
                .map(|(n, id)| self.dns_name_free_or_ours(n, id)),
        )
        .await;
        names
            .iter()
            .zip(answers)
            .filter_map(|((name, _), answer)| match answer {
                Ok(Ok(())) => None,
                Ok(Err(message)) => Some(validate::dns_name_taken(name, &message)),
                Err(error) => {
                    tracing::warn!(%name, %error, "could not check a Traffic Manager DNS name");
                    None
                }
            })
            .collect()
    }

    /// Whether `relative` is free, or held by the topology's own profile at `id` (its name is
    /// deterministic, so a profile there with that DNS name is this topology's, left by a create that
    /// failed or a state that was lost: adopted, not refused).
    async fn dns_name_free_or_ours(
        &self,
        relative: &str,
        id: &str,
    ) -> Result<std::result::Result<(), String>> {
        match traffic_manager::dns_name_free(&self.arm, relative).await? {
            Ok(()) => Ok(Ok(())),
            Err(message) => {
                let ours = self
                    .arm
                    .get(id, traffic_manager::API_VERSION)
                    .await?
                    .is_some_and(|profile| {
                        profile["properties"]["dnsConfig"]["relativeName"]
                            .as_str()
                            .is_some_and(|r| r.eq_ignore_ascii_case(relative))
                    });
                Ok(if ours { Ok(()) } else { Err(message) })
            }
        }
    }

    /// Validates `topology` (no ARM call when it is invalid; a region the offline table lacks is
    /// looked up in the subscription's locations), observes it and plans.
    pub async fn plan(&self, topology: &Topology) -> Result<(Plan, Observed)> {
        let errors = validate::errors(topology);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        // The reads the catalog needs (none, usually) go out with the observation's.
        let (catalog, observation) =
            futures::join!(self.catalog(topology), self.observe_with(topology, true));
        let catalog = catalog?;
        let errors = validate::errors_with(topology, &catalog);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let (observed, desired) = observation?;
        // The layout observed with holds unless the global resources already live elsewhere.
        let homed = with_existing_home(topology, &observed);
        let desired = if homed.home_region == topology.home_region
            && homed.global_group_region == topology.global_group_region
        {
            desired
        } else {
            layout::desired(&homed, self.arm.subscription_id())
        };
        let refused: Vec<_> = validate::version_findings(topology, &catalog, |region| {
            observed
                .body(&ResourceKey::ManagedCluster(region.to_owned()))
                .and_then(|b| b["properties"]["kubernetesVersion"].as_str())
                .map(str::to_owned)
        })
        .into_iter()
        .filter(|d| d.severity == validate::Severity::Error)
        .collect();
        if !refused.is_empty() {
            return Err(Error::Invalid(refused));
        }
        let renumbered = validate::renumbering_findings(topology, |region| {
            observed.body(&ResourceKey::ManagedCluster(region.to_owned()))?;
            observed
                .body(&ResourceKey::VirtualNetwork(region.to_owned()))
                .and_then(|vnet| {
                    crate::arm::virtual_network::subnet_prefix(vnet, crate::names::AKS_SUBNET)
                })
        });
        if !renumbered.is_empty() {
            return Err(Error::Invalid(renumbered));
        }
        let taken = self
            .taken_names_in(&desired, |key, _| observed.resources.contains_key(key))
            .await;
        if !taken.is_empty() {
            return Err(Error::Invalid(taken));
        }
        let mut planned = plan::plan(&desired, &observed);
        plan::roll_upgrades(&mut planned, &plan::upgrade_waves(topology));
        Ok((planned, observed))
    }

    /// Makes ARM hold `topology`: validate, observe, plan, execute, report. `cancel` ends it all,
    /// the observation and its token requests included: what finished is reported.
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
        let this = self.with_cancel(&cancel);
        let (plan, mut observed) = this.plan(topology).await.map_err(fail)?;
        // The engine drops its operations when `cancel` fires (reported Interrupted: ARM may still
        // finish them), so they run on the client without it.
        let mut report = engine::execute(&self.arm, &plan, self.options, cancel, on_event).await;
        merge(&plan, &mut report, &mut observed);
        this.refresh_peerings(topology, &mut observed).await;
        database::refresh_after_promotion(&this, topology, &plan, &mut observed).await;
        let status = status(topology, &observed);
        give_back(&plan, &mut report, observed);
        if report.is_success() {
            return Ok(Applied {
                plan,
                report,
                status,
            });
        }
        let error = report
            .first_error()
            .cloned()
            .unwrap_or_else(|| this.arm.interrupted());
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
        let this = self.with_cancel(&cancel);
        let groups = this.tagged_groups(name).await.map_err(fail)?;
        let mut observed = Observed {
            resources: groups
                .into_iter()
                .map(|(r, g)| (ResourceKey::ResourceGroup(r), g))
                .collect(),
            ..Observed::default()
        };
        database::destroy_reads(&this, name, &mut observed).await;
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
            .cloned()
            .unwrap_or_else(|| this.arm.interrupted());
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
    let mut planned = plan::plan(
        &layout::desired(&with_existing_home(topology, observed), subscription),
        observed,
    );
    plan::roll_upgrades(&mut planned, &plan::upgrade_waves(topology));
    planned
}

/// The topology with the locations Azure reports for its global resources and their group, when
/// they exist: a location cannot change, so removing the region they were made in must not move them.
pub(crate) fn with_existing_home(topology: &Topology, observed: &Observed) -> Topology {
    let location = |k: &ResourceKey| {
        observed
            .body(k)
            .and_then(|b| b["location"].as_str())
            .map(str::to_owned)
    };
    let mut t = topology.clone();
    if t.home_region.is_none() {
        t.home_region = [ResourceKey::Registry, ResourceKey::StorageAccount]
            .iter()
            .find_map(location);
    }
    if t.global_group_region.is_none() {
        t.global_group_region = location(&ResourceKey::ResourceGroup(names::GLOBAL.into()));
    }
    t
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
