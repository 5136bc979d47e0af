//! The `database` block: replica regions that exist and are not the home, a tier that has replicas
//! when asked for them, a size, version, storage and retention Azure offers, an Entra group, and a
//! topology with somewhere hot for the primary.

use super::{AttributePath, Diagnostic, PathStep};
use crate::model::{DATABASE_VERSIONS, DatabaseTier, RegionMode, Topology};

fn path(attribute: &str) -> AttributePath {
    AttributePath(vec![
        PathStep::Attribute("database".into()),
        PathStep::Attribute(attribute.into()),
    ])
}

/// Every finding for the topology's `database` block (none without one).
pub(super) fn validate(topology: &Topology, out: &mut Vec<Diagnostic>) {
    let Some(db) = &topology.database else {
        return;
    };
    let names: Vec<&str> = topology.regions.iter().map(|r| r.name.as_str()).collect();
    if !topology.regions.iter().any(|r| r.mode == RegionMode::Hot) {
        out.push(Diagnostic::error(
            AttributePath::attr("database"),
            "Database with no hot region",
            "no region is hot, so the database's primary would have nowhere to serve from: make the region the database lives in (its primary-role region) hot, or remove the database block".into(),
        ));
    }
    let home = crate::layout::database_home(topology);
    let mut seen: Vec<&str> = Vec::new();
    for region in &db.replica_regions {
        if !names.contains(&region.as_str()) {
            out.push(Diagnostic::error(
                path("replica_regions"),
                "Replica region not in the topology",
                format!(
                    "\"{region}\" is not one of the topology's regions ({}): a replica lives in a region's VNet; add a region block for it, or list one of the topology's regions",
                    names.join(", ")
                ),
            ));
        } else if home.as_deref() == Some(region.as_str()) {
            out.push(Diagnostic::error(
                path("replica_regions"),
                "Replica in the primary's own region",
                format!(
                    "\"{region}\" is where the database's primary lives (the topology's primary region, else its first hot region): a geo replica must be in another region, which it survives the loss of; remove \"{region}\" from replica_regions"
                ),
            ));
        }
        if seen.contains(&region.as_str()) {
            out.push(Diagnostic::error(
                path("replica_regions"),
                "Replica region listed twice",
                format!("\"{region}\" is listed more than once: each region holds one server; list it once"),
            ));
        }
        seen.push(region);
    }
    if db.tier == DatabaseTier::Burstable && !db.replica_regions.is_empty() {
        out.push(Diagnostic::error(
            path("tier"),
            "No replicas on the Burstable tier",
            "Azure Database for PostgreSQL offers read replicas on the General Purpose and Memory Optimized tiers only: choose tier = \"GeneralPurpose\" (or \"MemoryOptimized\") with a matching sku_name, or remove replica_regions".into(),
        ));
    }
    let sku_ok = db.sku_name.starts_with(db.tier.sku_prefix())
        && db.sku_name.len() > db.tier.sku_prefix().len()
        && db
            .sku_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !sku_ok {
        out.push(Diagnostic::error(
            path("sku_name"),
            "SKU not of the tier",
            format!(
                "\"{}\" is not a {} compute size: {} sizes start with {} (for example {}); choose one, or change tier",
                db.sku_name,
                db.tier.as_str(),
                db.tier.as_str(),
                db.tier.sku_prefix(),
                match db.tier {
                    DatabaseTier::GeneralPurpose => "Standard_D2ds_v5",
                    DatabaseTier::MemoryOptimized => "Standard_E2ds_v5",
                    DatabaseTier::Burstable => "Standard_B1ms",
                }
            ),
        ));
    }
    if !DATABASE_VERSIONS.contains(&db.version.as_str()) {
        out.push(Diagnostic::error(
            path("version"),
            "Unknown PostgreSQL version",
            format!(
                "\"{}\" is not a major version flexible server offers: choose one of {}",
                db.version,
                DATABASE_VERSIONS.join(", ")
            ),
        ));
    }
    if !(32..=32768).contains(&db.storage_gb) {
        out.push(Diagnostic::error(
            path("storage_gb"),
            "Storage out of range",
            format!(
                "{} GiB is outside what flexible server offers: give 32 to 32768",
                db.storage_gb
            ),
        ));
    }
    if !(7..=35).contains(&db.backup_retention_days) {
        out.push(Diagnostic::error(
            path("backup_retention_days"),
            "Backup retention out of range",
            format!(
                "{} days is outside what flexible server keeps: give 7 to 35",
                db.backup_retention_days
            ),
        ));
    }
    let id = &db.admin_group_object_id;
    if uuid::Uuid::parse_str(id).is_err() || id.len() != 36 {
        out.push(Diagnostic::error(
            path("admin_group_object_id"),
            "Not an Entra ID object ID",
            format!(
                "\"{id}\" is not a group's object ID: give the Object ID Entra ID shows for the group administering the database (`az ad group show -g <name> --query id`)"
            ),
        ));
    }
    if db.admin_group_name.trim().is_empty() {
        out.push(Diagnostic::error(
            path("admin_group_name"),
            "Missing group name",
            "give the display name of the Entra group in admin_group_object_id: PostgreSQL names the group's role after it, and it is how members sign in".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Database, DatabaseTier, Region, RegionMode, RegionRole, Topology};

    const GROUP: &str = "11111111-2222-3333-4444-555555555555";

    fn topology(db: Database) -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16").role(RegionRole::Primary))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
            .database(db)
    }

    fn errors(t: &Topology) -> Vec<String> {
        crate::validate::validate(t)
            .into_iter()
            .filter(|d| d.severity == crate::validate::Severity::Error)
            .map(|d| format!("{}: {}", d.path, d.summary))
            .collect()
    }

    #[test]
    fn a_primary_with_a_replica_in_the_warm_region_is_valid() {
        assert_eq!(
            errors(&topology(Database::new(GROUP, "dba").replica("westus"))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn bad_input_names_the_attribute() {
        let e = errors(&topology(Database::new(GROUP, "dba").replica("eastus")));
        assert_eq!(
            e,
            ["database.replica_regions: Replica in the primary's own region"]
        );
        let e = errors(&topology(Database::new(GROUP, "dba").replica("centralus")));
        assert_eq!(
            e,
            ["database.replica_regions: Replica region not in the topology"]
        );
        let e = errors(&topology(
            Database::new(GROUP, "dba")
                .replica("westus")
                .sku(DatabaseTier::Burstable, "Standard_B1ms"),
        ));
        assert_eq!(e, ["database.tier: No replicas on the Burstable tier"]);
        let e = errors(&topology(
            Database::new(GROUP, "dba").sku(DatabaseTier::GeneralPurpose, "Standard_B1ms"),
        ));
        assert_eq!(e, ["database.sku_name: SKU not of the tier"]);
        let mut db = Database::new("not-a-guid", " ");
        db.version = "9.6".into();
        db.storage_gb = 8;
        db.backup_retention_days = 90;
        let e = errors(&topology(db));
        assert_eq!(
            e,
            [
                "database.version: Unknown PostgreSQL version",
                "database.storage_gb: Storage out of range",
                "database.backup_retention_days: Backup retention out of range",
                "database.admin_group_object_id: Not an Entra ID object ID",
                "database.admin_group_name: Missing group name",
            ]
        );
    }

    #[test]
    fn a_cold_only_topology_has_nowhere_for_the_primary() {
        let t = Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16").mode(RegionMode::Cold))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Cold))
            .database(Database::new(GROUP, "dba").replica("westus"));
        assert!(
            errors(&t).contains(&"database: Database with no hot region".to_owned()),
            "{:?}",
            errors(&t)
        );
    }
}
