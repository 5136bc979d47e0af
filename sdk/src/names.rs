//! Deterministic Azure names and tags derived from the topology name and region, so a re-run adopts
//! what exists instead of duplicating it, and every resource can be found by its topology tag.

use std::collections::BTreeMap;

/// Tag carrying the topology name on every resource.
pub const TAG_TOPOLOGY: &str = "bcdr-topology";
/// Tag carrying the region (or `global`) a resource belongs to.
pub const TAG_REGION: &str = "bcdr-region";
/// Tag marking what manages the resource.
pub const TAG_MANAGED_BY: &str = "bcdr-managed-by";
/// Tag on the global resource group recording the stateful services the topology declares (they
/// are no Azure resource), so an import can rebuild them: `name=kind;...`, kind `in-cluster`,
/// `managed` or `managed-geo`, names with `%`, `;` and `=` percent-encoded.
pub const TAG_STATEFUL: &str = "bcdr-stateful-services";
/// On the global resource group: the primary region ("" when the regions are peers), for import.
pub const TAG_PRIMARY: &str = "bcdr-primary-region";
/// On the Traffic Manager profile: the failover the guard pinned since the last apply
/// (`from->to at time`, see `failover::guard::pin_tag`). An apply that rewrites the profile clears it.
pub const TAG_PINNED: &str = "bcdr-pinned";
/// On a cold region's resource group: the cluster settings the region will run with once it is
/// made hot or warm, which Azure holds nowhere else (there is no cluster), for import. Chunked across
/// `bcdr-cold-cluster`, `bcdr-cold-cluster-2`, ... when longer than a tag value may be.
pub const TAG_COLD_CLUSTER: &str = "bcdr-cold-cluster";

/// The longest tag value ARM takes.
const TAG_VALUE_MAX: usize = 256;

/// The pseudo-region of the global resource group.
pub const GLOBAL: &str = "global";
/// The subnet the cluster's nodes use.
pub const AKS_SUBNET: &str = "aks";

/// The subnet the region's private endpoints take their addresses from.
pub const PRIVATE_ENDPOINT_SUBNET: &str = "private-endpoints";
/// The name of every private endpoint's DNS zone group (Azure's own convention).
pub const PRIVATE_DNS_ZONE_GROUP: &str = "default";

/// A region's private endpoint to a global service (`registry` or `blob`).
pub fn private_endpoint(topology: &str, region: &str, service: &str) -> String {
    format!("pe-{topology}-{region}-{service}")
}

/// The link of a region's private DNS zone to the region's VNet: named after the VNet.
pub fn private_dns_link(topology: &str, region: &str) -> String {
    virtual_network(topology, region)
}

/// Tag on the global group: `postgres` while the topology has a database (so that an observation
/// of a topology without one reads its servers only when some exist), empty otherwise.
pub const TAG_DATABASE: &str = "bcdr-database";

/// Tag on each database server: its Entra admin group, `<object id>=<display name>` (for import,
/// and to find an admin group no longer wanted).
pub const TAG_DATABASE_ADMIN: &str = "bcdr-database-admin";

/// The subnet of a database region's VNet delegated to `Microsoft.DBforPostgreSQL/flexibleServers`.
pub const DATABASE_SUBNET: &str = "postgres";

/// A region's PostgreSQL flexible server: globally unique (it becomes
/// `<name>.postgres.database.azure.com`), so the subscription goes into it; 3-63 lowercase letters,
/// digits and hyphens.
pub fn database_server(subscription: &str, topology: &str, region: &str) -> String {
    let key = format!("psql|{}|{topology}", subscription.to_ascii_lowercase());
    format!("psql-{topology}-{region}-{}", &digest(&key)[..6])
}

/// The database's read-write virtual endpoint: globally unique too (its host is
/// `<name>.writer.postgres.database.azure.com`), 3-63 letters, digits and hyphens.
pub fn database_endpoint(subscription: &str, topology: &str) -> String {
    let key = format!(
        "psql-endpoint|{}|{topology}",
        subscription.to_ascii_lowercase()
    );
    format!("{topology}-{}", &digest(&key)[..6])
}

/// The private DNS zone every database server registers in, linked to every region's VNet.
pub fn database_zone(topology: &str) -> String {
    format!("{topology}.private.postgres.database.azure.com")
}

/// The resource group of a region (or of the global resources, with `region` = `global`).
pub fn resource_group(topology: &str, region: &str) -> String {
    format!("rg-{topology}-{region}")
}

/// The topology whose resource group in `region` is `group`: the inverse of [`resource_group`].
fn topology_of_group<'a>(group: &'a str, region: &str) -> Option<&'a str> {
    group
        .strip_prefix("rg-")?
        .strip_suffix(region)?
        .strip_suffix('-')
        .filter(|name| !name.is_empty())
}

/// An import id that names no topology.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{id}\" is neither a topology's global resource group id (/subscriptions/<subscription>/resourceGroups/rg-<name>-global) nor a topology name"
)]
pub struct ImportIdError {
    /// The id as given.
    pub id: String,
}

/// The topology an import id names: the id of its global resource group
/// (`/subscriptions/<s>/resourceGroups/rg-<name>-global`, the [`resource_group`] of [`GLOBAL`]),
/// that group's name, or the bare topology name.
///
/// ```
/// use bcdr::names::parse_import_id;
/// assert_eq!(parse_import_id("/subscriptions/s/resourceGroups/rg-shop-global").as_deref(), Ok("shop"));
/// assert_eq!(parse_import_id("shop").as_deref(), Ok("shop"));
/// assert!(parse_import_id("/subscriptions/s/resourceGroups/someone-elses").is_err());
/// ```
pub fn parse_import_id(id: &str) -> Result<String, ImportIdError> {
    let refused = || ImportIdError { id: id.to_owned() };
    let last = id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let name = match topology_of_group(last, GLOBAL) {
        Some(name) => name,
        None if !id.contains('/') => last,
        None => return Err(refused()),
    };
    if name.is_empty() {
        return Err(refused());
    }
    Ok(name.to_owned())
}

/// The region's VNet.
pub fn virtual_network(topology: &str, region: &str) -> String {
    format!("vnet-{topology}-{region}")
}

/// The region's AKS cluster.
pub fn cluster(topology: &str, region: &str) -> String {
    format!("aks-{topology}-{region}")
}

/// The region's Log Analytics workspace (4-63 letters, digits and hyphens).
pub fn log_workspace(topology: &str, region: &str) -> String {
    format!("log-{topology}-{region}")
}

/// The cluster's DNS prefix, which its API server's FQDN starts with (`<prefix>-<hash>.hcp.<region>.azmk8s.io`).
pub fn dns_prefix(topology: &str, region: &str) -> String {
    format!("{topology}-{region}")
}

/// The static public IP a region's ingress uses.
pub fn ingress_ip(topology: &str, region: &str) -> String {
    format!("pip-{topology}-{region}-ingress")
}

/// The IP's DNS label: `<label>.<region>.cloudapp.azure.com`.
pub fn ingress_dns_label(topology: &str, region: &str) -> String {
    format!("{topology}-{region}")
}

/// 32 hex digits that depend only on `key` (a name-based UUID): the stable part of a globally unique
/// name, so a re-run derives the same name and adopts what exists.
fn digest(key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes())
        .simple()
        .to_string()
}

/// The registry's name: globally unique in Azure, so the subscription goes into it (5-50 alphanumerics).
pub fn registry(subscription: &str, topology: &str) -> String {
    let key = format!("{}|{topology}", subscription.to_ascii_lowercase());
    let hash = digest(&key);
    let base: String = topology
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("bcdr{base}{}", &hash[..8])
}

/// The backup storage account's name: globally unique, 3-24 lowercase alphanumerics.
pub fn backup_account(subscription: &str, topology: &str) -> String {
    let key = format!("backup|{}|{topology}", subscription.to_ascii_lowercase());
    let hash = digest(&key);
    let base: String = topology
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    format!("bk{base}{}", &hash[..10])
}

/// A region's storage account for AKS Backup's extension: globally unique, 3-24 lowercase
/// alphanumerics.
pub fn cluster_backup_account(subscription: &str, topology: &str, region: &str) -> String {
    let key = format!(
        "aksbackup|{}|{topology}|{region}",
        subscription.to_ascii_lowercase()
    );
    let hash = digest(&key);
    let base: String = topology
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect();
    format!("ab{base}{}", &hash[..12])
}

/// A region's Backup vault (2-50 letters, digits and hyphens).
pub fn backup_vault(topology: &str, region: &str) -> String {
    format!("bv-{topology}-{region}")
}

/// The AKS backup policy in each vault, the extension on each cluster, and the extension's blob
/// container (AKS Backup's own names in Microsoft's walkthrough for the extension).
pub const AKS_BACKUP_POLICY: &str = "aks-backup";
/// The name of the AKS backup policy for these settings: [`AKS_BACKUP_POLICY`] and a short digest
/// of them, so that new settings make a new policy (Azure refuses to change or delete a policy
/// that backup instances use, hashicorp/terraform-provider-azurerm#20774: the instances move to
/// the new one, then the old one goes).
pub fn aks_backup_policy(
    frequency_hours: u32,
    retention_days: u32,
    vault_retention_days: u32,
) -> String {
    let key =
        format!("aks-backup-policy|{frequency_hours}|{retention_days}|{vault_retention_days}");
    format!("{AKS_BACKUP_POLICY}-{}", &digest(&key)[..8])
}

/// Whether `name` is one of the AKS backup policies bcdr names ([`AKS_BACKUP_POLICY`], or it and
/// a settings digest).
pub fn is_aks_backup_policy(name: &str) -> bool {
    name.eq_ignore_ascii_case(AKS_BACKUP_POLICY)
        || name
            .to_ascii_lowercase()
            .strip_prefix(&format!("{AKS_BACKUP_POLICY}-"))
            .is_some_and(|d| d.len() == 8 && d.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The backup extension's name on every cluster.
pub const AKS_BACKUP_EXTENSION: &str = "azure-aks-backup";
/// The extension's blob container in the region's account.
pub const AKS_BACKUP_CONTAINER: &str = "aks-backup";

/// The trusted access binding from a cluster to the vault of region `vault_region` (at most 24
/// letters, digits and hyphens).
pub fn backup_binding(vault_region: &str) -> String {
    format!("bv-{vault_region}")
}

/// The blob container a region's cluster backs up into (for Velero or the like).
pub fn backup_container(region: &str) -> String {
    format!("backup-{region}")
}

/// The Front Door profile.
pub fn front_door(topology: &str) -> String {
    format!("fd-{topology}")
}

/// The Front Door endpoint's name: globally unique (it becomes `<name>-<hash>.z01.azurefd.net`).
pub fn front_door_endpoint(subscription: &str, topology: &str) -> String {
    let key = format!("afd|{}|{topology}", subscription.to_ascii_lowercase());
    let hash = digest(&key);
    format!("{topology}-{}", &hash[..8])
}

/// The WAF policy's name: letters and digits only, starting with a letter (Azure's naming rule).
pub fn waf_policy(topology: &str) -> String {
    format!("bcdr{}waf", topology.replace('-', ""))
}

/// The Traffic Manager profile.
pub fn traffic_manager(topology: &str) -> String {
    format!("tm-{topology}")
}

/// A nested area's child profile (Geographic routing with standbys).
pub fn traffic_manager_area(topology: &str, area: &str) -> String {
    format!("tm-{topology}-{area}")
}

/// A child profile's relative DNS name: the parent's with the area appended.
pub fn traffic_manager_area_dns(parent_dns: &str, area: &str) -> String {
    format!("{parent_dns}-{area}")
}

/// The peering from one region's VNet to another's, in the `from` VNet.
pub fn peering(from: &str, to: &str) -> String {
    format!("peer-{from}-to-{to}")
}

/// The tags every resource of a topology carries.
pub fn tags(topology: &str, region: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (TAG_TOPOLOGY.to_owned(), topology.to_owned()),
        (TAG_REGION.to_owned(), region.to_owned()),
        (TAG_MANAGED_BY.to_owned(), "bcdr".to_owned()),
    ])
}

fn escape(name: &str) -> String {
    name.replace('%', "%25")
        .replace(';', "%3B")
        .replace('=', "%3D")
}

fn unescape(name: &str) -> String {
    name.replace("%3D", "=")
        .replace("%3B", ";")
        .replace("%25", "%")
}

/// The [`TAG_COLD_CLUSTER`] tags recording `settings` (compact JSON, split into tag-sized chunks).
pub fn cold_cluster_tags(settings: &crate::model::ClusterSettings) -> BTreeMap<String, String> {
    let json = serde_json::to_string(settings).unwrap_or_default();
    let chars: Vec<char> = json.chars().collect();
    chars
        .chunks(TAG_VALUE_MAX)
        .enumerate()
        .map(|(i, chunk)| {
            let name = if i == 0 {
                TAG_COLD_CLUSTER.to_owned()
            } else {
                format!("{TAG_COLD_CLUSTER}-{}", i + 1)
            };
            (name, chunk.iter().collect())
        })
        .collect()
}

/// The cluster settings [`cold_cluster_tags`] recorded in `tags`, if they are there and readable.
pub fn parse_cold_cluster_tags(tags: &serde_json::Value) -> Option<crate::model::ClusterSettings> {
    let mut json = tags[TAG_COLD_CLUSTER].as_str()?.to_owned();
    for i in 2.. {
        match tags[format!("{TAG_COLD_CLUSTER}-{i}")].as_str() {
            Some(chunk) => json.push_str(chunk),
            None => break,
        }
    }
    serde_json::from_str(&json).ok()
}

/// The [`TAG_STATEFUL`] value for `services` (empty when there are none), sorted by name.
pub fn stateful_tag(services: &[crate::model::StatefulService]) -> String {
    use crate::model::StateLocation;
    let mut parts: Vec<String> = services
        .iter()
        .map(|s| {
            let kind = match s.location {
                StateLocation::InCluster => "in-cluster",
                StateLocation::Managed {
                    geo_replicated: false,
                } => "managed",
                StateLocation::Managed {
                    geo_replicated: true,
                } => "managed-geo",
            };
            format!("{}={kind}", escape(&s.name))
        })
        .collect();
    parts.sort();
    parts.join(";")
}

/// The services a [`TAG_STATEFUL`] value records (what it cannot read, it leaves out).
pub fn parse_stateful_tag(value: &str) -> Vec<crate::model::StatefulService> {
    use crate::model::{StateLocation, StatefulService};
    value
        .split(';')
        .filter_map(|part| {
            let (name, kind) = part.split_once('=')?;
            let location = match kind {
                "in-cluster" => StateLocation::InCluster,
                "managed" => StateLocation::Managed {
                    geo_replicated: false,
                },
                "managed-geo" => StateLocation::Managed {
                    geo_replicated: true,
                },
                _ => return None,
            };
            Some(StatefulService::new(unescape(name), location))
        })
        .collect()
}

#[cfg(test)]
mod cold_cluster_tests {
    use super::*;
    use crate::model::{Autoscale, ClusterSettings, ClusterTier, NodePool};

    #[test]
    fn a_cold_regions_cluster_settings_round_trip_through_tags_of_legal_length() {
        let mut settings = ClusterSettings {
            node_count: 7,
            tier: ClusterTier::Free,
            kubernetes_version: Some("1.31".into()),
            autoscale: Some(Autoscale { min: 2, max: 9 }),
            zones: vec!["1".into(), "2".into()],
            ..ClusterSettings::default()
        };
        for i in 0..6 {
            settings.user_pools.push(NodePool::new(
                format!("pool{i}"),
                "Standard_D8ds_v5".to_owned(),
                i,
            ));
        }
        let tags = cold_cluster_tags(&settings);
        assert!(tags.len() > 1, "long settings take more than one tag");
        assert!(tags.values().all(|v| v.chars().count() <= TAG_VALUE_MAX));
        let json = serde_json::to_value(&tags).unwrap_or_default();
        assert_eq!(parse_cold_cluster_tags(&json), Some(settings));
        assert_eq!(parse_cold_cluster_tags(&serde_json::json!({})), None);
    }
}

#[cfg(test)]
mod stateful_tests {
    use super::*;
    use crate::model::{StateLocation, StatefulService};

    #[test]
    fn stateful_services_round_trip_through_their_tag() {
        let services = vec![
            StatefulService::new("uploads", StateLocation::InCluster),
            StatefulService::new(
                "odd;name=1%",
                StateLocation::Managed {
                    geo_replicated: true,
                },
            ),
        ];
        let tag = stateful_tag(&services);
        assert_eq!(tag, "odd%3Bname%3D1%25=managed-geo;uploads=in-cluster");
        let mut back = parse_stateful_tag(&tag);
        back.sort_by(|a, b| b.name.cmp(&a.name));
        assert_eq!(back, services);
        assert!(parse_stateful_tag("").is_empty());
    }
}

#[cfg(test)]
mod stability_tests {
    use super::*;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    /// Existing topologies are found by these names: a release that changed them would create a
    /// second registry, storage account and Front Door endpoint beside the first. The expected
    /// values come from Python's `uuid.uuid5(uuid.NAMESPACE_OID, key)`, not from this code.
    #[test]
    fn globally_unique_names_never_change() {
        assert_eq!(registry(SUB, "shop"), "bcdrshop13c5945c");
        assert_eq!(registry(SUB, "my-shop"), "bcdrmyshopb80ce3fc");
        assert_eq!(backup_account(SUB, "shop"), "bkshopd4dd2ef265");
        assert_eq!(front_door_endpoint(SUB, "shop"), "shop-b805fd76");
        // An AKS backup policy's name is found again while its settings stay.
        assert_eq!(aks_backup_policy(4, 7, 30), "aks-backup-a156bf5d");
        assert_eq!(aks_backup_policy(8, 7, 30), "aks-backup-42e3be58");
        assert!(is_aks_backup_policy("aks-backup"));
        assert!(is_aks_backup_policy("AKS-Backup-A156BF5D"));
        assert!(!is_aks_backup_policy("aks-backup-mine"));
        assert!(!is_aks_backup_policy("other"));
        // The subscription id is compared without case, as ARM compares it.
        let sub = "a1b2c3d4-0000-4000-8000-00000000abcd";
        assert_eq!(
            registry(&sub.to_ascii_uppercase(), "shop"),
            registry(sub, "shop")
        );
    }
}

#[cfg(test)]
mod import_id_tests {
    use super::*;

    #[test]
    fn the_global_groups_id_and_name_give_back_the_topology() {
        for name in ["shop", "shop-prod", "a"] {
            let group = resource_group(name, GLOBAL);
            let id = crate::arm::resource_group::id("00000000-0000-0000-0000-000000000001", &group);
            assert_eq!(parse_import_id(&id).as_deref(), Ok(name), "{id}");
            assert_eq!(parse_import_id(&format!("{id}/")).as_deref(), Ok(name));
            assert_eq!(parse_import_id(&group).as_deref(), Ok(name), "{group}");
        }
        assert_eq!(parse_import_id("shop").as_deref(), Ok("shop"));
    }

    #[test]
    fn ids_of_other_groups_name_no_topology_and_say_what_is_expected() {
        for id in [
            "/subscriptions/x/resourceGroups/other",
            "/subscriptions/x/resourceGroups/rg-shop-eastus",
            "/subscriptions/x/resourceGroups/rg--global",
            "/subscriptions/x/resourceGroups/rg-global",
            "",
            "/",
        ] {
            let refused = parse_import_id(id).err();
            assert_eq!(refused, Some(ImportIdError { id: id.to_owned() }), "{id}");
        }
        let message = parse_import_id("/x/y").err().map(|e| e.to_string());
        assert!(message.is_some_and(|m| m.contains("rg-<name>-global") && m.contains("\"/x/y\"")),);
    }
}
