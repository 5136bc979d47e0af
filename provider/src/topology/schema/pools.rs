//! Node pool attributes of a region: the system pool's autoscaling and zones, and `node_pool` blocks.

use crate::schema::{Attr, Block, Mode, Ty, attr};

pub fn min_count(floor: u32) -> Attr {
    attr(
        "min_count",
        Ty::Number,
        Mode::Optional,
        if floor == 1 {
            "Turns on the cluster autoscaler for the system pool: the fewest nodes (1 or more). Set with `max_count`; the autoscaler then owns `node_count`."
        } else {
            "Turns on the cluster autoscaler for this pool: the fewest nodes (0 or more). Set with `max_count`; the autoscaler then owns `node_count`."
        },
    )
}

pub fn max_count() -> Attr {
    attr(
        "max_count",
        Ty::Number,
        Mode::Optional,
        "The cluster autoscaler's most nodes, up to 1000; set with `min_count`.",
    )
}

pub fn zones() -> Attr {
    attr(
        "availability_zones",
        Ty::List(Box::new(Ty::String)),
        Mode::Optional,
        "Availability zones to spread the nodes over, e.g. `[\"1\", \"2\", \"3\"]`. Fixed once the pool exists: a change is refused at plan.",
    )
}

pub fn node_pool_block() -> Block {
    Block {
        description: "A user node pool for workloads beside the system pool, labelled with its name (1-12 lowercase letters and digits, a letter first), e.g. `node_pool \"apps\" { vm_size = \"Standard_D8ds_v5\" }`. Pools are written after their cluster, one at a time; a removed pool is deleted, and a region going cold takes them with its cluster.",
        attributes: vec![
            attr(
                "vm_size",
                Ty::String,
                Mode::Required,
                "VM size of the pool's nodes.",
            ),
            attr(
                "node_count",
                Ty::Number,
                Mode::OptionalComputed,
                "Nodes, 0 to 1000 (default 1). Under the autoscaler, where it starts; the state then shows what it was last.",
            ),
            min_count(0),
            max_count(),
            zones(),
        ],
        blocks: vec![],
    }
}
