//! Whether a cold region's cluster, made at failover, fits what the subscription has there: every
//! VM size on offer in the region, and the vCPUs its pools start with within the region's quotas
//! (each VM family's and the regional total). Warnings, found at plan long before the failover; the
//! guidance asks for recovery capacity to be planned, and Azure refuses a cluster that does not fit.

use super::{AttributePath, Diagnostic};
use crate::model::{RegionMode, Topology};
use crate::regions::Catalog;
use std::collections::BTreeMap;

/// The capacity findings of `topology`'s cold regions whose sizes and quotas `catalog` holds.
pub fn capacity_findings(topology: &Topology, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for region in topology
        .regions
        .iter()
        .filter(|r| r.mode == RegionMode::Cold)
    {
        let Some(capacity) = catalog.capacity(&region.name) else {
            continue;
        };
        let name = region.name.as_str();
        let c = &region.cluster;
        let pools = std::iter::once((c.vm_size.as_str(), c.node_count)).chain(
            c.user_pools
                .iter()
                .map(|p| (p.vm_size.as_str(), p.node_count)),
        );
        let mut need: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
        for (size, count) in pools {
            let Some((family, cpus)) = capacity.size(size) else {
                out.push(Diagnostic::warning(
                    AttributePath::region(name, Some("vm_size")),
                    "VM size not offered in this region",
                    format!("{size} is not offered to this subscription in {name}, so a failover there could not make its cluster; choose a size the region offers (`az vm list-skus --location {name}`)"),
                ));
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
                format!("a failover to {name} makes its cluster ({made_of}) with {}; raise the quota before it is needed (Quotas in the Azure portal)", short.join(", and ")),
            ));
        }
    }
    out
}
