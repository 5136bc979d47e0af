//! Whether a standby region can take over, within what the subscription has there: a cold region's
//! cluster, made at failover, and a warm region's system pool, scaled at failover to the hot regions'
//! node count. Checked against every VM size on offer in the region, and the vCPUs added within the
//! region's quotas (each VM family's and the regional total). Warnings, found at plan long before the
//! failover; the guidance asks for recovery capacity to be planned, and Azure refuses a cluster that
//! does not fit.

use super::{AttributePath, Diagnostic};
use crate::model::{Region, RegionMode, Topology};
use crate::regions::Catalog;
use std::collections::BTreeMap;

/// The node count a warm region's system pool is scaled to at failover (the largest hot region's),
/// when that is more than it has and no autoscaler owns its count.
pub(crate) fn warm_target(topology: &Topology, region: &Region) -> Option<u32> {
    let hot = topology.largest_hot_node_count();
    (region.mode == RegionMode::Warm
        && region.cluster.autoscale.is_none()
        && region.cluster.node_count < hot)
        .then_some(hot)
}

/// The capacity findings of `topology`'s standby regions whose sizes and quotas `catalog` holds.
pub fn capacity_findings(topology: &Topology, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for region in &topology.regions {
        let Some(capacity) = catalog.capacity(&region.name) else {
            continue;
        };
        let name = region.name.as_str();
        let c = &region.cluster;
        // What a failover adds there, and how to say so.
        let (pools, what): (Vec<(&str, u32)>, String) = match region.mode {
            RegionMode::Cold => (
                std::iter::once((c.vm_size.as_str(), c.node_count))
                    .chain(
                        c.user_pools
                            .iter()
                            .map(|p| (p.vm_size.as_str(), p.node_count)),
                    )
                    .collect(),
                format!("a failover to {name} makes its cluster"),
            ),
            RegionMode::Warm => match warm_target(topology, region) {
                Some(target) => (
                    vec![(c.vm_size.as_str(), target - c.node_count)],
                    format!(
                        "a failover to {name} that scales its system pool from {} to the hot regions' {target} nodes adds",
                        c.node_count
                    ),
                ),
                None => continue,
            },
            _ => continue,
        };
        let mut need: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
        for (size, count) in pools {
            let Some((family, cpus)) = capacity.size(size) else {
                // A warm cluster runs on its size already; a cold one's is made at failover.
                if region.mode == RegionMode::Cold {
                    out.push(Diagnostic::warning(
                        AttributePath::region(name, Some("vm_size")),
                        "VM size not offered in this region",
                        format!("{size} is not offered to this subscription in {name}, so a failover there could not make its cluster; choose a size the region offers (`az vm list-skus --location {name}`)"),
                    ));
                }
                continue;
            };
            let cpus = u64::from(count) * cpus;
            for quota in [family.as_str(), crate::arm::compute::TOTAL] {
                let entry = need.entry(quota.to_owned()).or_default();
                entry.0 += cpus;
                entry.1.push(format!("{count} × {size}"));
            }
        }
        let mut short = Vec::new();
        let mut made_of = String::new();
        for (quota, (cpus, pools)) in &need {
            let Some((used, limit)) = capacity.quotas.get(quota) else {
                continue;
            };
            let left = limit.saturating_sub(*used);
            if *cpus > left {
                let what = if quota == crate::arm::compute::TOTAL {
                    "the regional total".to_owned()
                } else {
                    quota.clone()
                };
                short.push(format!(
                    "{cpus} vCPUs of {what}, which has {left} of {limit} left"
                ));
                made_of = pools.join(" + ");
            }
        }
        if !short.is_empty() {
            out.push(Diagnostic::warning(
                AttributePath::region(name, None),
                "Not enough vCPU quota to fail over",
                format!("{what} ({made_of}) with {}; raise the quota before it is needed (Quotas in the Azure portal)", short.join(", and ")),
            ));
        }
    }
    out
}
