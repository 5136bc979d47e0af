//! Pinned Kubernetes versions against what AKS offers in each region and how it upgrades: a version
//! must be on offer where a cluster is made or moved to it, and an upgrade moves one minor version at
//! a time (more only to leave a version AKS no longer offers) and never back.

use super::{AttributePath, Diagnostic};
use crate::model::{Region, Topology};
use crate::regions::{Catalog, OfferedVersions};

/// The minor number of `1.30` or `1.30.6` (30).
fn minor_number(version: &str) -> Option<u32> {
    version.split('.').nth(1)?.parse().ok()
}

/// `1.30` of `1.30.6`.
fn minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// Each pinned Kubernetes version AKS will not take in its region (where `catalog` says what it
/// offers). An error for a cluster this apply would make, or move to that version: AKS would refuse
/// it, for a version it does not offer there or an upgrade that skips a minor version or goes back.
/// A warning for a cluster that keeps running a version that retired after it was made, or for a cold
/// region (its cluster is made at failover, and would be refused then). `running` gives the version
/// of a region's cluster, where one exists.
pub fn version_findings(
    topology: &Topology,
    catalog: &Catalog,
    running: impl Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for region in &topology.regions {
        let Some(version) = region.cluster.kubernetes_version.as_deref() else {
            continue;
        };
        let Some(offered) = catalog.versions(&region.name) else {
            continue;
        };
        let current = running(&region.name);
        if !offered.offers(version) {
            out.push(not_offered(region, version, offered, current.as_deref()));
        } else if let Some(current) = current.filter(|c| c != version && region.mode.has_cluster())
        {
            out.extend(upgrade_path(region, &current, version, offered));
        }
    }
    out
}

fn path(region: &Region) -> AttributePath {
    AttributePath::region(&region.name, Some("kubernetes_version"))
}

fn not_offered(
    region: &Region,
    version: &str,
    offered: &OfferedVersions,
    current: Option<&str>,
) -> Diagnostic {
    let name = &region.name;
    let mut choices = offered.minors.clone();
    choices.extend(offered.patches.iter().cloned());
    let detail = format!(
        "AKS does not offer {version} in {name} (it offers {}; see `az aks get-versions --location {name}`)",
        choices.join(", ")
    );
    let summary = "Kubernetes version not offered in this region";
    if region.mode.has_cluster() && current != Some(version) {
        Diagnostic::error(
            path(region),
            summary,
            format!("{detail}: AKS would refuse the cluster"),
        )
    } else {
        Diagnostic::warning(
            path(region),
            summary,
            format!(
                "{detail}; a cluster made there (a cold region's at failover, or one replacing a lost cluster) would be refused"
            ),
        )
    }
}

/// An upgrade AKS refuses: one that goes back a minor version, or skips one while the running
/// version is still on offer.
fn upgrade_path(
    region: &Region,
    current: &str,
    version: &str,
    offered: &OfferedVersions,
) -> Option<Diagnostic> {
    let (from, to) = (minor_number(current)?, minor_number(version)?);
    let stranded = !offered.offers(&minor(current));
    let detail = if to < from {
        format!(
            "AKS never downgrades a cluster: {} runs {current}, so {version} cannot be had in place; keep {current} or later",
            region.name
        )
    } else if to > from + 1 && !stranded {
        let next = offered
            .minors
            .iter()
            .find(|m| minor_number(m) == Some(from + 1))
            .cloned()
            .unwrap_or_else(|| format!("the next minor version after {}", minor(current)));
        format!(
            "AKS upgrades one minor version at a time: {} runs {current}, so apply {next} first, then {version}",
            region.name
        )
    } else {
        return None;
    };
    Some(Diagnostic::error(
        path(region),
        "Kubernetes upgrade AKS does not allow",
        detail,
    ))
}
