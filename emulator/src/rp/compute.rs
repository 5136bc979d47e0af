//! `Microsoft.Compute` as far as cluster capacity goes: the VM sizes node pools use (resource SKUs,
//! each with its family and vCPUs) and the subscription's vCPU quota per region (usages: the
//! regional total and each family), counting the nodes of the clusters the emulator holds. AKS
//! refuses a cluster whose nodes would not fit: 400 `QuotaExceeded`.

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::Kind;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// (size, family, vCPUs): the sizes AKS node pools commonly use.
const SIZES: &[(&str, &str, u64)] = &[
    ("Standard_D2s_v5", "standardDSv5Family", 2),
    ("Standard_D4s_v5", "standardDSv5Family", 4),
    ("Standard_D8s_v5", "standardDSv5Family", 8),
    ("Standard_D2ds_v5", "standardDDSv5Family", 2),
    ("Standard_D4ds_v5", "standardDDSv5Family", 4),
    ("Standard_D8ds_v5", "standardDDSv5Family", 8),
    ("Standard_D16ds_v5", "standardDDSv5Family", 16),
    ("Standard_E4ds_v5", "standardEDSv5Family", 4),
    ("Standard_E8ds_v5", "standardEDSv5Family", 8),
];

/// The vCPU quota of a region (its total and each family's) unless the configuration says otherwise.
pub const DEFAULT_LIMIT: u64 = 350;

/// The regional total's quota name, as the usages API reports it.
const TOTAL: &str = "cores";

fn size(name: &str) -> Option<(&'static str, u64)> {
    SIZES
        .iter()
        .find(|(s, _, _)| s.eq_ignore_ascii_case(name))
        .map(|(_, family, cpus)| (*family, *cpus))
}

fn limit(ctx: &Ctx<'_>, location: &str) -> u64 {
    ctx.config
        .core_quotas
        .iter()
        .find(|(region, _)| region.eq_ignore_ascii_case(location))
        .map_or(DEFAULT_LIMIT, |(_, limit)| *limit)
}

/// vCPUs by quota name (`cores` and each family) that `pools` take.
fn demand(pools: &[Value]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for pool in pools {
        let count = pool["count"].as_u64().unwrap_or(0);
        if let Some((family, cpus)) = size(pool["vmSize"].as_str().unwrap_or_default()) {
            *out.entry(family.to_owned()).or_default() += count * cpus;
            *out.entry(TOTAL.to_owned()).or_default() += count * cpus;
        }
    }
    out
}

/// vCPUs in use in `location` by every cluster but `except`.
fn in_use(ctx: &Ctx<'_>, location: &str, except: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for cluster in ctx.state.resources.values().filter(|r| {
        r.kind == Kind::ManagedCluster
            && !r.id.eq_ignore_ascii_case(except)
            && r.body["location"].as_str() == Some(location)
    }) {
        let body = crate::rp::aks::pools::with_children(ctx.state, cluster);
        let pools = body["properties"]["agentPoolProfiles"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (name, cpus) in demand(&pools) {
            *out.entry(name).or_default() += cpus;
        }
    }
    out
}

/// Refuses cluster `id` in `location` when its `pools` would exceed a vCPU quota there.
pub fn check(ctx: &Ctx<'_>, id: &str, location: &str, pools: &[Value]) -> Result<(), ArmError> {
    let (used, limit) = (in_use(ctx, location, id), limit(ctx, location));
    for (name, need) in demand(pools) {
        let current = used.get(&name).copied().unwrap_or(0);
        if current + need > limit {
            let quota = if name == TOTAL {
                "Total Regional Cores".to_owned()
            } else {
                format!("{name} Cores")
            };
            return Err(ArmError::bad_request(
                "QuotaExceeded",
                format!(
                    "Operation could not be completed as it results in exceeding approved {quota} quota. Additional details - Deployment Model: Resource Manager, Location: {location}, Current Limit: {limit}, Current Usage: {current}, Additional Required: {need}, (Minimum) New Limit Required: {}.",
                    current + need
                ),
            ));
        }
    }
    Ok(())
}

/// `GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{location}/usages`.
pub fn usages(ctx: &mut Ctx<'_>, location: &str) -> Result<Resp, ArmError> {
    let location = crate::contract::regions::canonical(location).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidLocation",
            format!("The location '{location}' is not a valid location."),
        )
    })?;
    let (used, limit) = (in_use(ctx, location, ""), limit(ctx, location));
    let mut names: Vec<(&str, String)> = vec![(TOTAL, "Total Regional vCPUs".to_owned())];
    let mut families: Vec<&str> = SIZES.iter().map(|(_, f, _)| *f).collect();
    families.dedup();
    names.extend(families.iter().map(|f| (*f, format!("{f} vCPUs"))));
    let value: Vec<Value> = names
        .into_iter()
        .map(|(name, localized)| {
            json!({
                "unit": "Count",
                "currentValue": used.get(name).copied().unwrap_or(0),
                "limit": limit,
                "name": { "value": name, "localizedValue": localized },
            })
        })
        .collect();
    Ok(Resp::json(200, json!({ "value": value })))
}

/// `GET /subscriptions/{s}/providers/Microsoft.Compute/skus[?$filter=location eq '<location>']`.
pub fn skus(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    let filter = ctx.query.get("$filter").cloned().unwrap_or_default();
    let wanted = filter
        .split('\'')
        .nth(1)
        .and_then(crate::contract::regions::canonical);
    let locations: Vec<&str> = match wanted {
        Some(one) => vec![one],
        None => crate::contract::regions::all().map(|r| r.name).collect(),
    };
    let mut value = Vec::new();
    for location in locations {
        for (name, family, cpus) in SIZES {
            value.push(json!({
                "resourceType": "virtualMachines",
                "name": name,
                "tier": "Standard",
                "size": name.trim_start_matches("Standard_"),
                "family": family,
                "locations": [location],
                "capabilities": [{ "name": "vCPUs", "value": cpus.to_string() }],
                "restrictions": [],
            }));
        }
    }
    Ok(Resp::json(200, json!({ "value": value })))
}
