//! The topology client: observe a topology in ARM (all GETs concurrent), plan, apply, import and
//! destroy it, and report what exists (ids, FQDNs, peering states) as a [`TopologyStatus`].

use crate::arm::{
    ArmClient, managed_cluster::ManagedCluster, resource_group, virtual_network::VirtualNetwork,
};
use crate::engine::{self, CancelSignal, Event, Outcome, Report, RetryPolicy};
use crate::error::{Error, Result};
use crate::layout::{self, ResourceKey};
use crate::model::{ClusterSettings, Region, Topology};
use crate::names;
use crate::plan::{self, Observed, ObservedResource, Plan};
use crate::validate;
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What exists of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegionStatus {
    pub resource_group_id: String,
    pub vnet_id: String,
    pub vnet_cidr: String,
    pub subnet_id: String,
    pub cluster_id: String,
    pub cluster_fqdn: String,
    pub kubelet_identity_object_id: String,
    pub node_resource_group: String,
    /// The Kubernetes version the cluster was asked for (AKS's default when none was).
    pub kubernetes_version: String,
    pub provisioning_state: String,
}

/// What exists of a topology.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TopologyStatus {
    pub global_resource_group_id: String,
    pub regions: BTreeMap<String, RegionStatus>,
    /// `"<from>-><to>"` to the peering state (`Initiated`, `Connected`, `Disconnected`).
    pub peerings: BTreeMap<String, String>,
}

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
    retry: RetryPolicy,
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl TopologyClient {
    pub fn new(arm: ArmClient) -> Self {
        Self {
            arm,
            retry: RetryPolicy::default(),
        }
    }

    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
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

    /// What ARM has of `topology`: every desired resource (GETs run concurrently), groups of regions
    /// no longer desired (found by tag), and the peerings each VNet reports.
    pub async fn observe(&self, topology: &Topology) -> Result<Observed> {
        let sub = self.arm.subscription_id();
        let desired: Vec<ResourceKey> = layout::desired(topology, sub)
            .into_iter()
            .map(|d| d.key)
            .filter(|k| !matches!(k, ResourceKey::Peering { .. }))
            .collect();
        let gets = join_all(desired.iter().map(|key| {
            let id = key.id(sub, &topology.name);
            async move {
                self.arm
                    .get(&id, key.api_version())
                    .await
                    .map(|b| b.map(|body| (key.clone(), ObservedResource { id, body })))
            }
        }));
        let (found, groups) = futures::join!(gets, self.tagged_groups(&topology.name));
        let mut observed = Observed::default();
        for item in found {
            if let Some((key, resource)) = item? {
                observed.resources.insert(key, resource);
            }
        }
        for (region, group) in groups? {
            observed
                .resources
                .entry(ResourceKey::ResourceGroup(region))
                .or_insert(group);
        }
        let vnet_prefix = format!("vnet-{}-", topology.name);
        let mut peerings = Vec::new();
        for (key, vnet) in &observed.resources {
            let ResourceKey::VirtualNetwork(from) = key else {
                continue;
            };
            for p in vnet.body["properties"]["virtualNetworkPeerings"]
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
                    let id = str_at(p, &["id"]).to_owned();
                    peerings.push((
                        ResourceKey::Peering {
                            from: from.clone(),
                            to: to.to_owned(),
                        },
                        ObservedResource {
                            id,
                            body: p.clone(),
                        },
                    ));
                }
            }
        }
        observed.resources.extend(peerings);
        Ok(observed)
    }

    /// Validates `topology` (no ARM call when it is invalid), observes it and plans.
    pub async fn plan(&self, topology: &Topology) -> Result<(Plan, Observed)> {
        let errors = validate::errors(topology);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let observed = self.observe(topology).await?;
        Ok((
            plan::plan(
                &layout::desired(topology, self.arm.subscription_id()),
                &observed,
            ),
            observed,
        ))
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
        let report = engine::execute(&self.arm, &plan, self.retry, cancel, on_event).await;
        merge(&plan, &report, &mut observed);
        self.refresh_peerings(topology, &mut observed).await;
        let status = status(topology, &observed);
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

    /// A peering becomes Connected when its reciprocal finishes; re-read the ones not yet reported so.
    async fn refresh_peerings(&self, topology: &Topology, observed: &mut Observed) {
        let stale: Vec<(ResourceKey, String)> = observed
            .resources
            .iter()
            .filter(|(k, r)| {
                matches!(k, ResourceKey::Peering { .. })
                    && str_at(&r.body, &["properties", "peeringState"]) != "Connected"
            })
            .map(|(k, r)| (k.clone(), r.id.clone()))
            .collect();
        let _ = topology;
        let fresh = join_all(
            stale
                .iter()
                .map(|(k, id)| self.arm.get(id, k.api_version())),
        )
        .await;
        for ((key, id), body) in stale.into_iter().zip(fresh) {
            if let Ok(Some(body)) = body {
                observed
                    .resources
                    .insert(key, ObservedResource { id, body });
            }
        }
    }

    /// What exists of `topology`, read fresh.
    pub async fn status(&self, topology: &Topology) -> Result<TopologyStatus> {
        Ok(status(topology, &self.observe(topology).await?))
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
        let sub = self.arm.subscription_id();
        let reads = join_all(regions.iter().map(|region| async move {
            let vnet_key = ResourceKey::VirtualNetwork(region.clone());
            let aks_key = ResourceKey::ManagedCluster(region.clone());
            let (vnet_id, aks_id) = (vnet_key.id(sub, name), aks_key.id(sub, name));
            let (vnet, aks) = futures::join!(
                self.arm.get(&vnet_id, vnet_key.api_version()),
                self.arm.get(&aks_id, aks_key.api_version())
            );
            Ok::<_, Error>((region.clone(), vnet?, aks?))
        }))
        .await;
        let mut topology = Topology::new(name);
        for read in reads {
            let (region, vnet, aks) = read?;
            let vnet: Option<VirtualNetwork> = vnet.and_then(|v| serde_json::from_value(v).ok());
            let cidr = vnet
                .and_then(|v| v.properties.address_space.address_prefixes.first().cloned())
                .unwrap_or_default();
            let mut settings = ClusterSettings::default();
            if let Some(cluster) =
                aks.and_then(|a| serde_json::from_value::<ManagedCluster>(a).ok())
            {
                settings.kubernetes_version = cluster.properties.kubernetes_version;
                if let Some(pool) = cluster
                    .properties
                    .agent_pool_profiles
                    .iter()
                    .find(|p| p.mode.eq_ignore_ascii_case("System"))
                {
                    settings.node_count = pool.count;
                    settings.vm_size = pool.vm_size.clone();
                }
            }
            topology = topology.region(Region::new(region, cidr).with_cluster(settings));
        }
        Ok(Some(topology))
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
            self.retry,
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

/// Folds what the operations returned into the observation.
fn merge(plan: &Plan, report: &Report, observed: &mut Observed) {
    for (op, outcome) in plan.operations.iter().zip(&report.outcomes) {
        match outcome {
            Outcome::Done(Some(body)) => {
                observed.resources.insert(
                    op.key.clone(),
                    ObservedResource {
                        id: op.id.clone(),
                        body: body.clone(),
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

/// The status of `topology` as `observed` shows it.
pub fn status(topology: &Topology, observed: &Observed) -> TopologyStatus {
    let id_of = |key: &ResourceKey| {
        observed
            .resources
            .get(key)
            .map(|r| str_at(&r.body, &["id"]).to_owned())
            .unwrap_or_default()
    };
    let mut out = TopologyStatus {
        global_resource_group_id: id_of(&ResourceKey::ResourceGroup(names::GLOBAL.into())),
        ..Default::default()
    };
    for region in topology.sorted_regions() {
        let r = region.name.clone();
        let vnet = observed.body(&ResourceKey::VirtualNetwork(r.clone()));
        let aks = observed.body(&ResourceKey::ManagedCluster(r.clone()));
        let vnet_id = id_of(&ResourceKey::VirtualNetwork(r.clone()));
        let subnet_id = vnet
            .and_then(|v| v["properties"]["subnets"].as_array())
            .and_then(|s| s.iter().find(|s| s["name"] == names::AKS_SUBNET))
            .map(|s| str_at(s, &["id"]).to_owned())
            .unwrap_or_default();
        let region_status = RegionStatus {
            resource_group_id: id_of(&ResourceKey::ResourceGroup(r.clone())),
            vnet_cidr: vnet
                .and_then(|v| v["properties"]["addressSpace"]["addressPrefixes"][0].as_str())
                .unwrap_or_default()
                .to_owned(),
            vnet_id,
            subnet_id,
            cluster_id: id_of(&ResourceKey::ManagedCluster(r.clone())),
            cluster_fqdn: aks
                .map(|a| str_at(a, &["properties", "fqdn"]).to_owned())
                .unwrap_or_default(),
            kubelet_identity_object_id: aks
                .map(|a| {
                    str_at(
                        a,
                        &[
                            "properties",
                            "identityProfile",
                            "kubeletidentity",
                            "objectId",
                        ],
                    )
                    .to_owned()
                })
                .unwrap_or_default(),
            node_resource_group: aks
                .map(|a| str_at(a, &["properties", "nodeResourceGroup"]).to_owned())
                .unwrap_or_default(),
            kubernetes_version: aks
                .map(|a| str_at(a, &["properties", "kubernetesVersion"]).to_owned())
                .unwrap_or_default(),
            provisioning_state: aks
                .map(|a| str_at(a, &["properties", "provisioningState"]).to_owned())
                .unwrap_or_default(),
        };
        out.regions.insert(r, region_status);
    }
    for (key, resource) in &observed.resources {
        if let ResourceKey::Peering { from, to } = key {
            out.peerings.insert(
                format!("{from}->{to}"),
                str_at(&resource.body, &["properties", "peeringState"]).to_owned(),
            );
        }
    }
    out
}
