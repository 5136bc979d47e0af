//! The `bcdr_topology` resource schema.

use crate::schema::{Attr, Block, Mode, NestedBlock, Nesting, Ty, attr};

/// Bumped when the stored state's shape changes; `UpgradeResourceState` migrates older ones.
pub const VERSION: i64 = 1;

pub const DEFAULT_NODE_COUNT: f64 = 3.0;
pub const DEFAULT_VM_SIZE: &str = "Standard_D4ds_v5";

fn computed(name: &'static str, description: &'static str) -> Attr {
    attr(name, Ty::String, Mode::Computed, description)
}

pub fn region_block() -> Block {
    Block {
        description: "One region of the topology, labelled with its Azure region name (e.g. `region \"eastus\" { ... }`). Regions are keyed by name: reordering blocks changes nothing.",
        attributes: vec![
            attr(
                "vnet_cidr",
                Ty::String,
                Mode::Required,
                "Address space of the region's VNet, `/8` to `/24` (a `/16` is typical). Must not overlap another region's: the VNets are peered. The AKS subnet takes its first half.",
            ),
            attr(
                "kubernetes_version",
                Ty::String,
                Mode::OptionalComputed,
                "Kubernetes version of the cluster (`x.y` or `x.y.z`). When unset, AKS picks its default and the state records it.",
            ),
            attr(
                "node_count",
                Ty::Number,
                Mode::OptionalComputed,
                "Nodes in the cluster's system pool, 1 to 1000. Defaults to 3.",
            ),
            attr(
                "vm_size",
                Ty::String,
                Mode::OptionalComputed,
                "VM size of the system pool. Defaults to `Standard_D4ds_v5`.",
            ),
            computed(
                "resource_group_id",
                "ARM id of the region's resource group (`rg-<name>-<region>`).",
            ),
            computed("vnet_id", "ARM id of the region's VNet."),
            computed("subnet_id", "ARM id of the AKS subnet."),
            computed("cluster_id", "ARM id of the region's AKS cluster."),
            computed("cluster_fqdn", "FQDN of the cluster's API server."),
            computed(
                "kubelet_identity_object_id",
                "Object id of the cluster's kubelet identity (the principal that pulls images).",
            ),
            computed(
                "node_resource_group",
                "The resource group AKS manages for the cluster's nodes.",
            ),
        ],
        blocks: vec![],
    }
}

pub fn resource() -> Block {
    Block {
        description: "A multi-region AKS business-continuity / disaster-recovery topology, as Microsoft's AKS BC/DR guidance describes it: a resource group per region plus a global one, a VNet and an AKS cluster (Standard load balancer) per region, and global VNet peering between every pair of regions. Every Azure resource is named deterministically from `name` and tagged `bcdr-topology = <name>`.",
        attributes: vec![
            computed(
                "id",
                "ARM id of the topology's global resource group (`rg-<name>-global`). Also the import id.",
            ),
            attr(
                "name",
                Ty::String,
                Mode::Required,
                "Name every Azure resource derives from: 2-24 lowercase letters, digits and hyphens, starting with a letter. Changing it replaces the topology.",
            ),
            attr(
                "peerings",
                Ty::Map(Box::new(Ty::String)),
                Mode::Computed,
                "Global VNet peering state (`Initiated`, `Connected`, `Disconnected`) by link, keyed `\"<from>-><to>\"`.",
            ),
            attr(
                "drift",
                Ty::List(Box::new(Ty::String)),
                Mode::Computed,
                "What the last refresh found different in Azure from the topology (one line per resource). Empty after apply; a non-empty list plans a repair.",
            ),
        ],
        blocks: vec![NestedBlock {
            name: "region",
            nesting: Nesting::Map,
            min_items: 0,
            max_items: 0,
            block: region_block(),
        }],
    }
}
