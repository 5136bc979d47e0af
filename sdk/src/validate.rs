//! Validation of a [`Topology`], pure and before any ARM call. Every finding names the attribute by
//! its HCL path (`region["eastus"].vnet_cidr`) and says what would be valid.

use crate::model::Topology;

mod addresses;
mod backup;
mod capacity;
mod database;
mod pins;
mod pools;
mod renumbering;
mod routing;
mod versions;
mod waf;
use crate::regions::Catalog;
pub use backup::vault_tier_offered;
pub use capacity::capacity_findings;
pub(crate) use capacity::warm_target;
use ipnet::Ipv4Net;
pub use pins::pin_findings;
pub(crate) use pools::has_zones;
pub use renumbering::{private_cluster_findings, renumbering_findings};
use serde::{Deserialize, Serialize};
use std::fmt;
pub use versions::version_findings;

/// How serious a validation finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// The topology cannot be applied as it is; nothing is sent to ARM.
    Error,
    /// The topology can be applied, but something is likely wrong or risky.
    Warning,
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PathStep {
    /// An attribute or block name (`region`, `vnet_cidr`).
    Attribute(String),
    /// A block's key (the `"eastus"` of `region["eastus"]`).
    Key(String),
    /// A position in a list.
    Index(i64),
}

/// Where in the configuration a finding is, e.g. `region["eastus"].vnet_cidr`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    /// The path of the top-level attribute `name`.
    pub fn attr(name: &str) -> Self {
        Self(vec![PathStep::Attribute(name.to_owned())])
    }

    /// `region["<name>"]`, optionally followed by an attribute of that region.
    pub fn region(name: &str, attribute: Option<&str>) -> Self {
        let mut steps = vec![
            PathStep::Attribute("region".to_owned()),
            PathStep::Key(name.to_owned()),
        ];
        if let Some(a) = attribute {
            steps.push(PathStep::Attribute(a.to_owned()));
        }
        Self(steps)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attribute(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A validation finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Whether the finding blocks the apply.
    pub severity: Severity,
    /// The attribute the finding is about.
    pub path: AttributePath,
    /// A short title (`Invalid CIDR`, `Missing rule set version`, ...).
    pub summary: String,
    /// What is wrong and what would be valid.
    pub detail: String,
}

impl Diagnostic {
    fn error(path: AttributePath, summary: &str, detail: String) -> Self {
        Self {
            severity: Severity::Error,
            path,
            summary: summary.to_owned(),
            detail,
        }
    }

    fn warning(path: AttributePath, summary: &str, detail: String) -> Self {
        Self {
            severity: Severity::Warning,
            path,
            summary: summary.to_owned(),
            detail,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.summary, self.detail)
    }
}

/// The fewest regions a topology may have.
pub const MIN_REGIONS: usize = 2;
/// The most regions a topology may have.
pub const MAX_REGIONS: usize = 16;

/// Every finding for `topology`, judging region names by the offline table alone (a name it lacks is
/// a warning: [`TopologyClient::plan`](crate::TopologyClient::plan) asks ARM about it); it may be
/// applied when none is an error.
pub fn validate(topology: &Topology) -> Vec<Diagnostic> {
    validate_with(topology, &Catalog::offline())
}

/// Every finding for `topology`, judging region names by `catalog`.
pub fn validate_with(topology: &Topology, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    validate_name(&topology.name, &mut out);
    let count = topology.regions.len();
    if !(MIN_REGIONS..=MAX_REGIONS).contains(&count) {
        out.push(Diagnostic::error(
            AttributePath::attr("region"),
            "Wrong number of regions",
            if count < MIN_REGIONS {
                format!("a BC/DR topology needs {MIN_REGIONS} to {MAX_REGIONS} regions, {count} given; add a region block for the paired region (for example eastus with westus)")
            } else {
                format!("a BC/DR topology needs {MIN_REGIONS} to {MAX_REGIONS} regions, {count} given; remove {} region block{}, or split the regions into more than one topology", count - MAX_REGIONS, if count - MAX_REGIONS == 1 { "" } else { "s" })
            },
        ));
    }
    let mut seen: Vec<(String, String, Option<Ipv4Net>)> = Vec::new();
    for region in &topology.regions {
        let name = region.name.as_str();
        let canonical = region_name(name, catalog, &mut out);
        if seen.iter().any(|(n, _, _)| *n == canonical) {
            out.push(Diagnostic::error(
                AttributePath::region(name, None),
                "Duplicate region",
                format!(
                    "region \"{canonical}\" is listed more than once; each region may appear once"
                ),
            ));
        }
        let net = validate_cidr(name, &region.vnet_cidr, &mut out);
        if let Some(net) = net
            && let Some((other, cidr, _)) = seen.iter().find(|(_, _, o)| {
                o.is_some_and(|o| o.contains(&net.network()) || net.contains(&o.network()))
            })
        {
            out.push(Diagnostic::error(
                    AttributePath::region(name, Some("vnet_cidr")),
                    "Overlapping address spaces",
                    format!("{} overlaps region \"{other}\" ({cidr}); peered VNets need disjoint address spaces, for example 10.1.0.0/16 and 10.2.0.0/16", region.vnet_cidr),
                ));
        }
        validate_cluster(region, &mut out);
        if let Some(net) = net {
            addresses::check(topology, region, net, &mut out);
        }
        seen.push((canonical, region.vnet_cidr.clone(), net));
    }
    for (i, id) in topology.access.admin_group_object_ids.iter().enumerate() {
        if uuid::Uuid::parse_str(id).is_err() || id.len() != 36 {
            out.push(Diagnostic::error(
                AttributePath(vec![
                    PathStep::Attribute("admin_group_object_ids".into()),
                    PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)),
                ]),
                "Not an Entra ID object ID",
                format!(
                    "\"{id}\" is not a group's object ID: give each admin group's Object ID as Entra ID shows it (a GUID such as 00000000-0000-0000-0000-000000000000; `az ad group show -g <name> --query id`)"
                ),
            ));
        }
    }
    for (i, range) in topology.access.authorized_ip_ranges.iter().enumerate() {
        let valid = range.parse::<Ipv4Net>().is_ok() || range.parse::<std::net::Ipv4Addr>().is_ok();
        if !valid {
            out.push(Diagnostic::error(
                AttributePath(vec![
                    PathStep::Attribute("api_server_authorized_ip_ranges".into()),
                    PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)),
                ]),
                "Not an IPv4 range",
                format!(
                    "\"{range}\" is not an IPv4 address or CIDR range: give the addresses allowed to reach the API servers as CIDRs, such as 203.0.113.0/24 (the API server takes IPv4 ranges only)"
                ),
            ));
        }
    }
    // The global resources' region need not be a cluster region: a group's location never changes,
    // so when the region they live in leaves the topology they stay there; it must be an Azure region.
    if let Some(home) = &topology.home_region
        && !topology.regions.iter().any(|r| &r.name == home)
        && catalog.lookup(home).is_none()
    {
        let names: Vec<&str> = topology.regions.iter().map(|r| r.name.as_str()).collect();
        out.push(Diagnostic::error(
            AttributePath::attr("home_region"),
            "Unknown home region",
            format!(
                "\"{home}\" is neither one of the topology's regions ({}) nor an Azure region: name the region the global resources live in, or leave home_region unset",
                names.join(", ")
            ),
        ));
    }
    if let Some(group) = &topology.global_group_region {
        let names: Vec<&str> = topology.regions.iter().map(|r| r.name.as_str()).collect();
        if !names.contains(&group.as_str()) && catalog.lookup(group).is_none() {
            out.push(Diagnostic::error(
                AttributePath::attr("global_group_region"),
                "Unknown region for the global resource group",
                format!(
                    "\"{group}\" is not an Azure region: name a region outside the topology's regions ({}), or leave global_group_region unset to have one chosen",
                    names.join(", ")
                ),
            ));
        } else if names.contains(&group.as_str()) {
            out.push(Diagnostic::warning(
                AttributePath::attr("global_group_region"),
                "A region's loss would block its own failover",
                format!(
                    "the global resource group would live in \"{group}\", one of the topology's regions: while {group} is down, Azure refuses writes to the group's resources, the routing profile a failover away from {group} must change included; name a region outside the topology's regions, or leave global_group_region unset to have one chosen"
                ),
            ));
        }
    }
    if let Some(hub) = &topology.peering_hub
        && !topology.regions.iter().any(|r| &r.name == hub)
    {
        let names: Vec<&str> = topology.regions.iter().map(|r| r.name.as_str()).collect();
        out.push(Diagnostic::error(
            AttributePath::attr("peering_hub"),
            "Unknown peering hub",
            format!(
                "\"{hub}\" is not one of the topology's regions ({}): the hub must be one of them",
                names.join(", ")
            ),
        ));
    }
    backup::validate(topology, &mut out);
    roles(topology, &mut out);
    pairing_warnings(topology, catalog, &mut out);
    routing::validate(topology, catalog, &mut out);
    database::validate(topology, &mut out);
    out
}

/// The error for a Traffic Manager DNS name Azure says is taken (`message`, Azure's words).
pub fn dns_name_taken(relative: &str, message: &str) -> Diagnostic {
    Diagnostic::error(
        AttributePath(vec![
            PathStep::Attribute("traffic_manager".into()),
            PathStep::Attribute("dns_name".into()),
        ]),
        "Traffic Manager DNS name taken",
        format!(
            "{relative}.trafficmanager.net is taken ({message}): Traffic Manager DNS names are global, and a profile outside this topology, in this subscription or another, answers there; set traffic_manager.dns_name to a name of your own"
        ),
    )
}

/// Checks one region's name against `catalog`; returns its ARM name (or the name as given).
fn region_name(name: &str, catalog: &Catalog, out: &mut Vec<Diagnostic>) -> String {
    let path = || AttributePath::region(name, None);
    let guess = || {
        catalog
            .suggestion(name)
            .map(|s| format!(" (did you mean \"{s}\"?)"))
            .unwrap_or_default()
    };
    match catalog.lookup(name) {
        Some(info) if info.name != name => {
            out.push(Diagnostic::error(
                path(),
                "Region name is not canonical",
                format!(
                    "use the ARM region name \"{}\" instead of \"{name}\"",
                    info.name
                ),
            ));
            info.name
        }
        Some(info) if info.restricted && !info.aks && !catalog.is_online() => {
            out.push(Diagnostic::warning(
                path(),
                "Access-restricted region",
                format!(
                    "\"{name}\" is an access-restricted region{}: Azure offers it, AKS included, only to subscriptions Microsoft has granted access, so the subscription's resource providers are asked before anything is written",
                    restricted_pair(&info)
                ),
            ));
            info.name
        }
        Some(info) if info.restricted && !info.aks => {
            out.push(Diagnostic::error(
                path(),
                "AKS is not offered to this subscription in this region",
                format!(
                    "\"{name}\" is an access-restricted region{}, and this subscription has not been granted it (Microsoft.ContainerService does not list it for managedClusters); request access to the region with an Azure support request, or choose one of: {}",
                    restricted_pair(&info),
                    catalog.names(true).join(", ")
                ),
            ));
            info.name
        }
        Some(info) if !info.aks => {
            out.push(Diagnostic::error(path(), "AKS is not offered in this region", format!("\"{name}\" does not offer Azure Kubernetes Service to all subscriptions; choose one of: {}", catalog.names(true).join(", "))));
            info.name
        }
        Some(info) => info.name,
        None if catalog.is_online() => {
            out.push(Diagnostic::error(
                path(),
                "Unknown region",
                format!(
                    "\"{name}\" is not a region of this subscription{}; regions offering AKS are: {}",
                    guess(),
                    catalog.names(true).join(", ")
                ),
            ));
            name.to_owned()
        }
        None => {
            out.push(Diagnostic::warning(
                path(),
                "Region not in the offline table",
                format!(
                    "\"{name}\" is not in bcdr's table of Azure regions{}; Azure may have opened it since, so it is looked up in the subscription's locations before anything is written",
                    guess()
                ),
            ));
            name.to_owned()
        }
    }
}

/// ` (the in-country pair of X)`, for an access-restricted region's messages.
fn restricted_pair(info: &crate::regions::Entry) -> String {
    if info.paired.is_empty() {
        String::new()
    } else {
        format!(" (the in-country pair of {})", info.paired.join(", "))
    }
}

/// Only the errors of [`validate`].
pub fn errors(topology: &Topology) -> Vec<Diagnostic> {
    errors_with(topology, &Catalog::offline())
}

/// Only the errors of [`validate_with`].
pub fn errors_with(topology: &Topology, catalog: &Catalog) -> Vec<Diagnostic> {
    validate_with(topology, catalog)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn validate_name(name: &str, out: &mut Vec<Diagnostic>) {
    let bytes = name.as_bytes();
    let ok = (2..=24).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    if !ok {
        out.push(Diagnostic::error(AttributePath::attr("name"), "Invalid topology name", format!("\"{name}\" must be 2-24 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit (for example \"shop-prod\")")));
    }
}

fn validate_cidr(region: &str, cidr: &str, out: &mut Vec<Diagnostic>) -> Option<Ipv4Net> {
    let path = AttributePath::region(region, Some("vnet_cidr"));
    let Ok(net) = cidr.parse::<Ipv4Net>() else {
        out.push(Diagnostic::error(
            path,
            "Invalid CIDR",
            format!("\"{cidr}\" is not an IPv4 CIDR block; write it like 10.1.0.0/16"),
        ));
        return None;
    };
    if net.trunc() != net {
        out.push(Diagnostic::error(
            path,
            "Invalid CIDR",
            format!(
                "\"{cidr}\" has host bits set; did you mean {}?",
                net.trunc()
            ),
        ));
        return None;
    }
    if !(8..=24).contains(&net.prefix_len()) {
        out.push(Diagnostic::error(path, "Address space too small or too large", format!("\"{cidr}\" is a /{}; a cluster VNet needs a prefix from /8 to /24 (a /16 is typical): the AKS subnet takes its first half, the private endpoints' subnet its last /26", net.prefix_len())));
        return None;
    }
    Some(net)
}

fn validate_cluster(region: &crate::model::Region, out: &mut Vec<Diagnostic>) {
    pools::validate(region, out);
    let c = &region.cluster;
    if !(1..=1000).contains(&c.node_count) {
        out.push(Diagnostic::error(
            AttributePath::region(&region.name, Some("node_count")),
            "Invalid node count",
            format!(
                "{} nodes requested; the system pool needs 1 to 1000",
                c.node_count
            ),
        ));
    }
    if c.vm_size.trim().is_empty() {
        out.push(Diagnostic::error(
            AttributePath::region(&region.name, Some("vm_size")),
            "Invalid VM size",
            "the VM size must not be empty, for example Standard_D4ds_v5".to_owned(),
        ));
    }
    if let Some(v) = &c.kubernetes_version {
        let parts: Vec<&str> = v.split('.').collect();
        let ok = (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            out.push(Diagnostic::error(
                AttributePath::region(&region.name, Some("kubernetes_version")),
                "Invalid Kubernetes version",
                format!("\"{v}\" must be x.y or x.y.z, for example 1.30 or 1.30.6"),
            ));
        }
    }
}

/// At most one primary region; global resources placed elsewhere are allowed, with a warning.
fn roles(topology: &Topology, out: &mut Vec<Diagnostic>) {
    let primaries: Vec<&str> = topology
        .sorted_regions()
        .into_iter()
        .filter(|r| r.role == crate::model::RegionRole::Primary)
        .map(|r| r.name.as_str())
        .collect();
    for extra in primaries.iter().skip(1) {
        out.push(Diagnostic::error(
            AttributePath::region(extra, Some("role")),
            "More than one primary region",
            format!(
                "\"{}\" is already the primary region; a topology has one primary, every other region is \"secondary\"",
                primaries[0]
            ),
        ));
    }
    if let (Some(primary), Some(home)) = (primaries.first(), &topology.home_region)
        && primary != home
    {
        out.push(Diagnostic::warning(
            AttributePath::attr("home_region"),
            "Registry and backups away from the primary region",
            format!("the registry's home and the backup storage live in \"{home}\", not in the primary region \"{primary}\", where the clusters push images and write backups in normal times; leave home_region unset to keep them with the primary"),
        ));
    }
}

/// The guidance recommends Azure paired regions; other choices are allowed with a warning.
fn pairing_warnings(topology: &Topology, catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    let names: Vec<&str> = topology.regions.iter().map(|r| r.name.as_str()).collect();
    for region in &topology.regions {
        let Some(info) = catalog.lookup(&region.name) else {
            continue;
        };
        if names
            .iter()
            .any(|other| *other != region.name && catalog.paired(&region.name, other))
        {
            continue;
        }
        let advice = if info.paired.is_empty() {
            format!(
                "\"{}\" has no Azure paired region; platform updates and recovery are not sequenced with another region",
                region.name
            )
        } else {
            let restricted = crate::regions::restricted_pairs(&region.name);
            let access = if restricted.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} access-restricted: a subscription uses it once Microsoft grants access)",
                    if restricted.len() == 1 {
                        format!("{} is", restricted[0])
                    } else {
                        format!("{} are", restricted.join(", "))
                    }
                )
            };
            format!(
                "\"{}\" is paired with {}, which is not in this topology{access}; the guidance recommends deploying to paired regions",
                region.name,
                info.paired.join(", ")
            )
        };
        out.push(Diagnostic::warning(
            AttributePath::region(&region.name, None),
            "Region not paired within the topology",
            advice,
        ));
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod restricted_tests;
