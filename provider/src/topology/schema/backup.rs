//! The `backup` block's AKS Backup attributes and its `restore` block.

use crate::schema::{Attr, Block, Mode, NestedBlock, Nesting, Ty, attr};

pub fn attributes() -> Vec<Attr> {
    vec![
        attr(
            "frequency_hours",
            Ty::Number,
            Mode::OptionalComputed,
            "Hours between scheduled AKS backups: 4 (default), 6, 8, 12 or 24.",
        ),
        attr(
            "retention_days",
            Ty::Number,
            Mode::OptionalComputed,
            "Days each backup is kept in the operational tier (volume snapshots and the extension's blobs in the cluster's region), 1 to 360 (7 by default). A region's loss takes these with it.",
        ),
        attr(
            "vault_retention_days",
            Ty::Number,
            Mode::OptionalComputed,
            "Days the first backup of each day is kept in the Vault tier, the geo-redundant copy a restore into another region reads (30 by default); 0 for none. Azure offers the Vault tier for AKS in some regions only: a cluster region without it is refused at plan.",
        ),
        attr(
            "cross_region_restore",
            Ty::Bool,
            Mode::OptionalComputed,
            "Cross Region Restore on each region's Backup vault (default `true`): the Vault-tier copy can be restored in the region's Azure pair while the region is down. Needs `vault_retention_days` above 0 and a region where Azure offers it (checked at plan).",
        ),
        attr(
            "vault_ids",
            Ty::Map(Box::new(Ty::String)),
            Mode::Computed,
            "The Backup vault of each region with a running cluster, by region.",
        ),
    ]
}

pub fn restore() -> NestedBlock {
    NestedBlock {
        name: "restore",
        nesting: Nesting::Single,
        min_items: 0,
        max_items: 0,
        block: Block {
            description: "Restores `from_region`'s latest cluster backup into `into_region`'s cluster, once per value of `request`: an apply whose `request` differs from the last one restores (after the rest of the topology is applied), a plan with the same `request` does nothing. Into `from_region` itself, its vault restores the operational tier; into its Azure pair, Cross Region Restore reads the Vault-tier copy held there, which needs nothing of `from_region` and so works while it is down. Into any other region it is refused: `into_region` must be `from_region` or its pair.",
            attributes: vec![
                attr(
                    "from_region",
                    Ty::String,
                    Mode::Required,
                    "The region whose cluster's backups are restored.",
                ),
                attr(
                    "into_region",
                    Ty::String,
                    Mode::Required,
                    "The region whose cluster they are restored into (hot or warm).",
                ),
                attr(
                    "request",
                    Ty::String,
                    Mode::Required,
                    "Any string; change it to restore again (a date, a ticket number).",
                ),
                attr(
                    "recovery_point",
                    Ty::String,
                    Mode::Computed,
                    "The recovery point the last restore restored.",
                ),
                attr(
                    "recovery_point_time",
                    Ty::String,
                    Mode::Computed,
                    "When that recovery point was taken (RFC 3339).",
                ),
                attr(
                    "restored_at",
                    Ty::String,
                    Mode::Computed,
                    "When the last restore was requested (RFC 3339).",
                ),
                attr(
                    "cross_region",
                    Ty::Bool,
                    Mode::Computed,
                    "Whether the last restore was a Cross Region Restore from the paired region's copy.",
                ),
            ],
            blocks: vec![],
        },
    }
}
