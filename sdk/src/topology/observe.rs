//! Observing a topology in ARM: the tagged groups (one list), then every resource that can exist
//! (GETs concurrent), what hangs off the global resources, and the peerings each VNet reports.

use super::TopologyClient;
use super::status::str_at;
use crate::arm::resource_group;
use crate::error::Result;
use crate::layout::{self, ResourceKey};
use crate::model::Topology;
use crate::names;
use crate::plan::{Observed, ObservedResource};
use futures::future::join_all;
use std::collections::BTreeMap;

impl TopologyClient {
    /// Resource groups carrying the topology's tag, by region (or `global`).
    pub(super) async fn tagged_groups(
        &self,
        name: &str,
    ) -> Result<BTreeMap<String, ObservedResource>> {
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

    /// GETs every key concurrently; what exists, by key. A read in a region's group that finds the
    /// service unavailable (after the pipeline's retries) marks the region unreachable in `observed`
    /// instead of failing the observation; any other failed read, or one in the global group, does.
    async fn get_all(
        &self,
        topology: &str,
        keys: &[ResourceKey],
        observed: &mut Observed,
    ) -> Result<Vec<(ResourceKey, ObservedResource)>> {
        let sub = self.arm.subscription_id();
        let found = join_all(keys.iter().map(|key| {
            let id = key.id(sub, topology);
            async move {
                let read = self.arm.get(&id, key.api_version()).await;
                (
                    key,
                    read.map(|b| b.map(|body| ObservedResource { id, body })),
                )
            }
        }))
        .await;
        let mut out = Vec::new();
        for (key, read) in found {
            match read {
                Ok(Some(resource)) => out.push((key.clone(), resource)),
                Ok(None) => {}
                Err(error) if error.is_unavailable() && key.group_region() != names::GLOBAL => {
                    // The breaker warned once when it gave up on the region; the rest is detail.
                    tracing::debug!(region = key.group_region(), %error, "region did not answer");
                    observed
                        .unreachable
                        .entry(key.group_region().to_owned())
                        .or_insert_with(|| error.to_string());
                }
                // The registry, the backup storage and what hangs off them live in a region (the
                // home) although their group is global: while it is down they are left as they are.
                Err(error) if error.is_unavailable() && key.lives_in_a_region() => {
                    tracing::debug!(resource = %key, %error, "not answering");
                    observed.unreadable.insert(key.clone(), error.to_string());
                }
                Err(error) => return Err(error),
            }
        }
        Ok(out)
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
    pub(super) async fn observe_with(
        &self,
        topology: &Topology,
        list_first: bool,
    ) -> Result<(Observed, Vec<layout::DesiredResource>)> {
        let sub = self.arm.subscription_id();
        // Requests to a region's group count against that region's breaker.
        for region in &topology.regions {
            self.arm.breaker().learn_group(
                &names::resource_group(&topology.name, &region.name),
                &region.name,
            );
        }
        // The registry and the backup storage live in the home region, each replica in its own.
        let learn = |key: ResourceKey, region: &str| {
            self.arm
                .breaker()
                .learn_resource(&key.id(sub, &topology.name), region);
        };
        if let Some(home) = layout::global_location(topology) {
            learn(ResourceKey::Registry, &home);
            learn(ResourceKey::StorageAccount, &home);
        }
        for region in &topology.regions {
            learn(ResourceKey::Replication(region.name.clone()), &region.name);
        }
        let reads = || {
            let desired = layout::desired(topology, sub);
            let first = first_reads(topology, &desired);
            (desired, first)
        };
        // Nothing can exist in a group that does not: with `list_first`, only resources of existing
        // groups are read (a topology applied from nothing costs one request to observe).
        let mut observed = Observed::default();
        let (groups, found, desired, first) = if list_first {
            let (groups, (desired, first)) =
                futures::join!(self.tagged_groups(&topology.name), async { reads() });
            let groups = groups?;
            let existing: Vec<ResourceKey> = first
                .iter()
                .filter(|k| groups.contains_key(k.group_region()))
                .cloned()
                .collect();
            let found = self
                .get_all(&topology.name, &existing, &mut observed)
                .await?;
            (groups, found, desired, first)
        } else {
            let (desired, first) = reads();
            let (found, groups) = futures::join!(
                self.get_all(&topology.name, &first, &mut observed),
                self.tagged_groups(&topology.name)
            );
            (groups?, found?, desired, first)
        };
        for (region, group) in &groups {
            let Some(name) = group.id.rsplit('/').next() else {
                continue;
            };
            if region != names::GLOBAL {
                self.arm.breaker().learn_group(name, region);
            } else if let Some(location) = group.body["location"].as_str() {
                self.arm.breaker().learn_group_writes(name, location);
            }
        }
        let wanted: Vec<&ResourceKey> = desired.iter().map(|d| &d.key).collect();
        let in_existing_group = |k: &ResourceKey| groups.contains_key(k.group_region());
        observed.resources.extend(found);
        for key in [ResourceKey::Registry, ResourceKey::StorageAccount] {
            if let Some(home) = observed.body(&key).and_then(|b| b["location"].as_str()) {
                learn(key.clone(), home);
            }
        }
        // Phase 2: what hangs off a global resource that exists, for every region of the topology or
        // found by tag (a region that left still has its replica, pull role or origin there).
        let mut regions: Vec<String> = topology.regions.iter().map(|r| r.name.clone()).collect();
        regions.extend(groups.keys().filter(|r| *r != names::GLOBAL).cloned());
        regions.sort();
        regions.dedup();
        let exists = |k: &ResourceKey| observed.resources.contains_key(k) || wanted.contains(&k);
        let mut second: Vec<ResourceKey> = Vec::new();
        // What hangs off a registry or storage account that could not be read is not read either:
        // it lives where they do.
        let mut unread: Vec<(ResourceKey, String)> = Vec::new();
        let mut children =
            |parent: &ResourceKey, keys: Vec<ResourceKey>| match observed.unreadable.get(parent) {
                Some(error) => unread.extend(keys.into_iter().map(|k| (k, error.clone()))),
                None if exists(parent) => second.extend(keys),
                None => {}
            };
        for r in &regions {
            children(
                &ResourceKey::Registry,
                vec![
                    ResourceKey::Replication(r.clone()),
                    ResourceKey::RegistryPull(r.clone()),
                ],
            );
            children(
                &ResourceKey::StorageAccount,
                vec![ResourceKey::BackupContainer(r.clone())],
            );
        }
        observed.unreadable.extend(unread);
        // A registry or backup storage no longer wanted still has its endpoints, zones and links in
        // the regions that stay: read them, so that the plan deletes them before it.
        for service in layout::PrivateService::ALL {
            let target = service.target();
            if observed.resources.contains_key(&target) && !wanted.contains(&&target) {
                for r in &topology.regions {
                    let region = r.name.clone();
                    second.extend([
                        ResourceKey::PrivateEndpoint {
                            region: region.clone(),
                            service,
                        },
                        ResourceKey::PrivateDnsZone {
                            region: region.clone(),
                            service,
                        },
                        ResourceKey::PrivateDnsLink { region, service },
                    ]);
                }
            }
        }
        second.extend(super::database::second_reads(
            topology,
            groups.get(names::GLOBAL),
            &observed,
            &regions,
        ));
        // A backup block removed: every part of AKS Backup in the regions whose vault exists, so
        // that the plan deletes them in order (`plan/backup_deletes.rs`).
        if topology.backup.is_none() {
            second.extend(layout::backup_parts_to_read(topology, |r| {
                observed.resources.contains_key(&ResourceKey::AksBackup {
                    region: r.to_owned(),
                    part: layout::BackupPart::Vault,
                })
            }));
        }
        for r in &regions {
            if exists(&ResourceKey::FrontDoorProfile) {
                second.push(ResourceKey::FrontDoorOrigin(r.clone()));
            }
        }
        // User node pools of the clusters that exist (some may no longer be wanted), and the admin
        // role of each group the cluster names (a group no longer wanted keeps its name there until
        // its role is gone: the cluster's update waits for that delete).
        for (key, cluster) in &observed.resources {
            let ResourceKey::ManagedCluster(region) = key else {
                continue;
            };
            let groups = cluster.body["properties"]["aadProfile"]["adminGroupObjectIDs"].as_array();
            for group in groups.into_iter().flatten().filter_map(|g| g.as_str()) {
                second.push(ResourceKey::ClusterAdmin {
                    region: region.clone(),
                    group: group.to_ascii_lowercase(),
                });
            }
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
        second.sort();
        second.dedup();
        second.retain(|k| {
            !first.contains(k)
                && in_existing_group(k)
                && !observed.unreachable.contains_key(k.group_region())
        });
        let more = self.get_all(&topology.name, &second, &mut observed).await?;
        observed.resources.extend(more);
        self.backup_policies(&mut observed).await?;
        self.adopt_granted_admins(&desired, &mut observed).await?;
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
}

impl TopologyClient {
    /// The AKS backup policies of every Backup vault found (one list per vault), observed under
    /// their names: a policy of earlier settings, wanted no more, is deleted once the instances
    /// have moved to the new one (`plan/backup_deletes.rs`).
    async fn backup_policies(&self, observed: &mut Observed) -> Result<()> {
        let vaults: Vec<(String, String)> = observed
            .resources
            .iter()
            .filter_map(|(k, v)| match k {
                ResourceKey::AksBackup {
                    region,
                    part: layout::BackupPart::Vault,
                } => Some((region.clone(), v.id.clone())),
                _ => None,
            })
            .collect();
        for (region, vault) in vaults {
            let listed = self
                .arm
                .list(
                    &format!("{vault}/backupPolicies"),
                    crate::arm::data_protection::API_VERSION,
                    &[],
                )
                .await;
            let policies = match listed {
                Ok(list) => list,
                Err(error) if error.is_unavailable() => continue,
                Err(error) => return Err(error),
            };
            for p in policies {
                let name = str_at(&p, &["name"]).to_owned();
                if !names::is_aks_backup_policy(&name) {
                    continue;
                }
                observed.resources.insert(
                    ResourceKey::AksBackup {
                        region: region.clone(),
                        part: layout::BackupPart::Policy(name),
                    },
                    ObservedResource {
                        id: str_at(&p, &["id"]).to_owned(),
                        body: p,
                    },
                );
            }
        }
        Ok(())
    }

    /// An admin group's Cluster Admin role that someone granted by hand at the cluster (under another
    /// assignment name) stands for the one the layout wants: ARM refuses a second assignment of one
    /// role to one principal at one scope (409 `RoleAssignmentExists`). Each cluster that exists and
    /// lacks one of the wanted assignments is listed once (`atScope()`); a match is observed under the
    /// wanted key with its own id, so the plan leaves it, and, not being bcdr's by name, a later
    /// removal of the group never deletes it.
    async fn adopt_granted_admins(
        &self,
        desired: &[layout::DesiredResource],
        observed: &mut Observed,
    ) -> Result<()> {
        let mut missing: BTreeMap<String, Vec<(ResourceKey, String)>> = BTreeMap::new();
        for d in desired {
            if let ResourceKey::ClusterAdmin { region, group } = &d.key
                && !observed.resources.contains_key(&d.key)
                && let Some(cluster) = observed
                    .resources
                    .get(&ResourceKey::ManagedCluster(region.clone()))
            {
                missing
                    .entry(cluster.id.clone())
                    .or_default()
                    .push((d.key.clone(), group.clone()));
            }
        }
        for (cluster, wanted) in missing {
            let listed = self
                .arm
                .list(
                    &format!("{cluster}/providers/Microsoft.Authorization/roleAssignments"),
                    crate::arm::role_assignment::API_VERSION,
                    &[("$filter", "atScope()")],
                )
                .await;
            let assignments = match listed {
                Ok(list) => list,
                Err(error) if error.is_unavailable() => continue,
                Err(error) => return Err(error),
            };
            for (key, group) in wanted {
                let granted = assignments.iter().find(|a| {
                    let p = &a["properties"];
                    p["scope"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(&cluster))
                        && p["principalId"]
                            .as_str()
                            .is_some_and(|g| g.eq_ignore_ascii_case(&group))
                        && p["roleDefinitionId"].as_str().is_some_and(|r| {
                            r.to_ascii_lowercase()
                                .ends_with(crate::arm::role_assignment::AKS_RBAC_CLUSTER_ADMIN)
                        })
                });
                if let Some(a) = granted {
                    tracing::info!(group = %group, id = str_at(a, &["id"]), "admin role granted by hand: kept as it is");
                    observed.resources.insert(
                        key,
                        ObservedResource {
                            id: str_at(a, &["id"]).to_owned(),
                            body: a.clone(),
                        },
                    );
                }
            }
        }
        Ok(())
    }
}

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
        // A region's Backup vault and policy (by its name before settings were in it), wanted or
        // not: import reads the settings from them; the vault's other policies are listed.
        for part in [
            layout::BackupPart::Vault,
            layout::BackupPart::Policy(names::AKS_BACKUP_POLICY.to_owned()),
        ] {
            first.push(ResourceKey::AksBackup {
                region: r.name.clone(),
                part,
            });
        }
    }
    if topology.database.is_some() {
        first.extend(super::database::first_reads(topology));
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

/// The topology's peerings a VNet reports (its `virtualNetworkPeerings`, named as the layout names them).
pub(super) fn peerings_of(
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
