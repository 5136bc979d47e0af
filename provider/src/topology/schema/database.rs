//! The `database` block: Azure Database for PostgreSQL flexible server, failing over with the traffic.

use crate::schema::{Block, Mode, Ty, attr};

pub fn database_block() -> Block {
    let map = || Ty::Map(Box::new(Ty::String));
    Block {
        description: "Azure Database for PostgreSQL flexible server, failing over with the traffic: the primary in the home region (the `primary` region, else the first hot region by priority) and a geo read replica in each of `replica_regions`, one server per region. Private access only: a subnet of each database region's VNet delegated to PostgreSQL, and one private DNS zone (`<name>.private.postgres.database.azure.com`) in the global group linked to every region's VNet, so pods in any region resolve the servers across the peering. Microsoft Entra ID authentication only: no password exists anywhere. Geo-redundant backups on the primary. Applications connect to `write_host`, a read-write virtual endpoint that follows the primary. Which server is primary follows the traffic: a failover (the modes swapped) promotes the new hot region's replica (a planned switchover when the old primary's region answers, forced when it does not) before the traffic moves; the old primary becomes its replica. Failback is the reverse, on request.",
        attributes: vec![
            attr(
                "replica_regions",
                Ty::List(Box::new(Ty::String)),
                Mode::OptionalComputed,
                "The regions holding a geo read replica: each one of the topology's regions, not the home (default none). Give one to every region that can become hot, or `readiness` warns.",
            ),
            attr(
                "tier",
                Ty::String,
                Mode::OptionalComputed,
                "`GeneralPurpose` (default), `MemoryOptimized` or `Burstable` (no read replicas on Burstable).",
            ),
            attr(
                "sku_name",
                Ty::String,
                Mode::OptionalComputed,
                "The compute size, of the tier (default `Standard_D2ds_v5`).",
            ),
            attr(
                "version",
                Ty::String,
                Mode::OptionalComputed,
                "The PostgreSQL major version: `16` (default), `15`, `14`, `13`, `12` or `11`.",
            ),
            attr(
                "storage_gb",
                Ty::Number,
                Mode::OptionalComputed,
                "Storage per server in GiB, 32 to 32768 (default 128).",
            ),
            attr(
                "backup_retention_days",
                Ty::Number,
                Mode::OptionalComputed,
                "Days of backups kept, 7 to 35 (default 7); the backups are geo-redundant.",
            ),
            attr(
                "admin_group_object_id",
                Ty::String,
                Mode::Required,
                "The object ID of the Entra ID group administering the database (`az ad group show -g <name> --query id`).",
            ),
            attr(
                "admin_group_name",
                Ty::String,
                Mode::Required,
                "The group's display name: PostgreSQL names the group's role after it, and members sign in with it as the user name.",
            ),
            attr(
                "write_host",
                Ty::String,
                Mode::Computed,
                "The host applications connect to: the read-write virtual endpoint (`<name>.writer.postgres.database.azure.com`), which follows the primary across failovers; the primary's own host name while there is no replica.",
            ),
            attr(
                "primary_region",
                Ty::String,
                Mode::Computed,
                "The region whose server is primary: the hot one among the database regions.",
            ),
            attr(
                "server_ids",
                map(),
                Mode::Computed,
                "ARM id of each database region's server, by region.",
            ),
            attr(
                "server_fqdns",
                map(),
                Mode::Computed,
                "Each server's host name (`<name>.postgres.database.azure.com`), by region.",
            ),
            attr(
                "roles",
                map(),
                Mode::Computed,
                "Each server's replication role, by region: `Primary`, or `GeoAsyncReplica` for a replica in another region.",
            ),
            attr(
                "replication_states",
                map(),
                Mode::Computed,
                "Each replica's replication state, by region (`Active`, `Catchup`, `Broken`, ...; empty for the primary). Azure reports no replication lag in the resource (only as a metric), so the data a forced promotion would lose is not known from here: a replica not `Active` is behind.",
            ),
        ],
        blocks: vec![],
    }
}
