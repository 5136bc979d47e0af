//! The database as ARM reports it: what to read (every region's server and the endpoint seen
//! through it, the zone, the links, the admin group each server's tag names), what to report (the
//! write host, each server's role and replication state), and the `database` block rebuilt on import.

use super::status::str_at;
use crate::layout::ResourceKey;
use crate::model::{Database, DatabaseTier, Topology};
use crate::names;
use crate::plan::{Observed, is_replica};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One database server as ARM reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatabaseServerStatus {
    /// The server's ARM ID.
    pub id: String,
    /// Its host name (`<name>.postgres.database.azure.com`).
    pub fqdn: String,
    /// `Primary`, or a replica's role (`AsyncReplica`, `GeoAsyncReplica`).
    pub role: String,
    /// A replica's `replicationState` (`Active`, `Catchup`, `Broken`, ...); empty on the primary.
    /// ARM reports no replication lag (a metric only), so this is what the plan can say of the
    /// data a forced promotion would lose.
    pub replication_state: String,
    /// The server's `state` (`Ready`, `Updating`, ...).
    pub state: String,
}

/// What exists of the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatabaseStatus {
    /// The host applications connect to: the read-write virtual endpoint, which follows the
    /// primary; the primary's own host name while there is no replica.
    pub write_host: String,
    /// The region whose server is primary now.
    pub primary_region: String,
    /// The private DNS zone's ARM ID.
    pub zone_id: String,
    /// Each database region's server, by region.
    pub servers: BTreeMap<String, DatabaseServerStatus>,
}

/// Phase 1 reads: every region's server and the endpoint seen through it, and the zone.
pub(super) fn first_reads(topology: &Topology) -> Vec<ResourceKey> {
    let mut out = vec![ResourceKey::DatabaseZone];
    for r in &topology.regions {
        out.push(ResourceKey::DatabaseServer(r.name.clone()));
        out.push(ResourceKey::DatabaseEndpoint(r.name.clone()));
    }
    out
}

/// Whether the global group says the topology has a database ([`names::TAG_DATABASE`]).
pub(super) fn tagged(global: Option<&crate::plan::ObservedResource>) -> bool {
    global.is_some_and(|g| {
        g.body["tags"][names::TAG_DATABASE]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    })
}

/// Phase 2 reads: for a topology without a database whose global group says it has one (the block
/// removed, or an import), everything phase 1 would have read; the zone's links for every region
/// when the zone exists or may; the admin group each existing server's tag names.
pub(super) fn second_reads(
    topology: &Topology,
    global: Option<&crate::plan::ObservedResource>,
    observed: &Observed,
    regions: &[String],
) -> Vec<ResourceKey> {
    let mut out = Vec::new();
    let by_tag = topology.database.is_none() && tagged(global);
    if by_tag {
        out.push(ResourceKey::DatabaseZone);
        for r in regions {
            out.push(ResourceKey::DatabaseServer(r.clone()));
            out.push(ResourceKey::DatabaseEndpoint(r.clone()));
        }
    }
    if by_tag || observed.resources.contains_key(&ResourceKey::DatabaseZone) {
        out.extend(regions.iter().cloned().map(ResourceKey::DatabaseZoneLink));
    }
    for (key, server) in &observed.resources {
        if let ResourceKey::DatabaseServer(region) = key
            && let Some((group, _)) = admin_tag(&server.body)
        {
            out.push(ResourceKey::DatabaseAdmin {
                region: region.clone(),
                group,
            });
        }
    }
    out
}

fn admin_tag(server: &serde_json::Value) -> Option<(String, String)> {
    let tag = server["tags"][names::TAG_DATABASE_ADMIN].as_str()?;
    let (id, name) = tag.split_once('=')?;
    Some((id.to_ascii_lowercase(), name.to_owned()))
}

fn servers(observed: &Observed) -> impl Iterator<Item = (&String, &serde_json::Value)> {
    observed.resources.iter().filter_map(|(k, r)| match k {
        ResourceKey::DatabaseServer(region) => Some((region, &r.body)),
        _ => None,
    })
}

/// The database's status; `None` when no server exists.
pub(super) fn status(observed: &Observed) -> Option<DatabaseStatus> {
    let mut out = DatabaseStatus {
        zone_id: observed
            .resources
            .get(&ResourceKey::DatabaseZone)
            .map(|z| z.id.clone())
            .unwrap_or_default(),
        ..DatabaseStatus::default()
    };
    for (region, body) in servers(observed) {
        let replica = is_replica(body);
        let role = body["properties"]["replicationRole"]
            .as_str()
            .or_else(|| body["properties"]["replica"]["role"].as_str())
            .unwrap_or(if replica { "AsyncReplica" } else { "Primary" });
        if !replica {
            out.primary_region = region.clone();
        }
        out.servers.insert(
            region.clone(),
            DatabaseServerStatus {
                id: str_at(body, &["id"]).to_owned(),
                fqdn: str_at(body, &["properties", "fullyQualifiedDomainName"]).to_owned(),
                role: role.to_owned(),
                replication_state: if replica {
                    str_at(body, &["properties", "replica", "replicationState"]).to_owned()
                } else {
                    String::new()
                },
                state: str_at(body, &["properties", "state"]).to_owned(),
            },
        );
    }
    if out.servers.is_empty() {
        return None;
    }
    let endpoint = observed.resources.iter().find_map(|(k, r)| match k {
        ResourceKey::DatabaseEndpoint(_) => Some(&r.body),
        _ => None,
    });
    let hosts: Vec<&str> = endpoint
        .and_then(|e| e["properties"]["virtualEndpoints"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|h| h.as_str())
        .collect();
    out.write_host = hosts
        .iter()
        .find(|h| h.contains(".writer."))
        .or(hosts.first())
        .map(|h| (*h).to_owned())
        .or_else(|| out.servers.get(&out.primary_region).map(|s| s.fqdn.clone()))
        .unwrap_or_default();
    Some(out)
}

/// The `database` block of an imported topology (its regions and roles already rebuilt): the home
/// is the primary-role region when it holds a server, else the server that is primary now.
pub(super) fn rebuild(topology: &Topology, observed: &Observed) -> Option<Database> {
    let found: Vec<(&String, &serde_json::Value)> = servers(observed).collect();
    if found.is_empty() {
        return None;
    }
    let home = topology
        .primary()
        .map(|r| r.name.clone())
        .filter(|p| found.iter().any(|(r, _)| *r == p))
        .or_else(|| {
            found
                .iter()
                .find(|(_, b)| !is_replica(b))
                .map(|(r, _)| (*r).clone())
        })
        .unwrap_or_else(|| found[0].0.clone());
    let acting = found
        .iter()
        .find(|(_, b)| !is_replica(b))
        .map_or(found[0].1, |(_, b)| *b);
    let (group, name) = admin_tag(acting).unwrap_or_default();
    let mut db = Database::new(group, name);
    db.replica_regions = found
        .iter()
        .map(|(r, _)| (*r).clone())
        .filter(|r| *r != home)
        .collect();
    if let Some(tier) = acting["sku"]["tier"].as_str().and_then(DatabaseTier::parse) {
        db.tier = tier;
    }
    if let Some(sku) = acting["sku"]["name"].as_str() {
        db.sku_name = sku.to_owned();
    }
    if let Some(v) = acting["properties"]["version"].as_str() {
        db.version = v.to_owned();
    }
    let number = |p: &str| {
        acting
            .pointer(p)
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    if let Some(gb) = number("/properties/storage/storageSizeGB") {
        db.storage_gb = gb;
    }
    if let Some(days) = number("/properties/backup/backupRetentionDays") {
        db.backup_retention_days = days;
    }
    Some(db)
}

/// The database servers and the endpoint of a topology being destroyed, read region by region (by
/// the groups that exist), so that the destroy deletes them in order before their groups.
pub(super) async fn destroy_reads(
    client: &super::TopologyClient,
    name: &str,
    observed: &mut Observed,
) {
    if !tagged(
        observed
            .resources
            .get(&ResourceKey::ResourceGroup(names::GLOBAL.into())),
    ) {
        return;
    }
    let regions: Vec<String> = observed
        .resources
        .keys()
        .filter_map(|k| match k {
            ResourceKey::ResourceGroup(r) if r != names::GLOBAL => Some(r.clone()),
            _ => None,
        })
        .collect();
    let sub = client.arm.subscription_id().to_owned();
    let keys: Vec<ResourceKey> = regions
        .iter()
        .flat_map(|r| {
            [
                ResourceKey::DatabaseServer(r.clone()),
                ResourceKey::DatabaseEndpoint(r.clone()),
            ]
        })
        .collect();
    let reads = futures::future::join_all(keys.iter().map(|k| {
        let id = k.id(&sub, name);
        async move { (id.clone(), client.arm.get(&id, k.api_version()).await) }
    }))
    .await;
    for (key, (id, read)) in keys.into_iter().zip(reads) {
        // What cannot be read goes with its group.
        if let Ok(Some(body)) = read {
            observed
                .resources
                .insert(key, crate::plan::ObservedResource { id, body });
        }
    }
}

/// After a promotion, the servers as ARM has them now: the promoted one primary, the old primary
/// its replica (their bodies from before the apply say otherwise). Regions that did not answer are
/// not asked again.
pub(super) async fn refresh_after_promotion(
    client: &super::TopologyClient,
    topology: &Topology,
    plan: &crate::plan::Plan,
    observed: &mut Observed,
) {
    let promoted = plan
        .operations
        .iter()
        .any(|o| matches!(o.key, ResourceKey::DatabasePromotion(_)));
    if !promoted {
        return;
    }
    let sub = client.arm.subscription_id().to_owned();
    let keys: Vec<ResourceKey> = topology
        .regions
        .iter()
        .filter(|r| !observed.unreachable.contains_key(&r.name))
        .map(|r| ResourceKey::DatabaseServer(r.name.clone()))
        .collect();
    let reads = futures::future::join_all(keys.iter().map(|k| {
        let id = k.id(&sub, &topology.name);
        async move { (id.clone(), client.arm.get(&id, k.api_version()).await) }
    }))
    .await;
    for (key, (id, read)) in keys.into_iter().zip(reads) {
        if let Ok(Some(body)) = read {
            observed
                .resources
                .insert(key, crate::plan::ObservedResource { id, body });
        }
    }
}
