//! What the SDK knows about Azure's public regions: offline, paired regions (from Microsoft's
//! region-pairs page, dated January 2025, directional where Azure's are) and where AKS is offered;
//! online, what the subscription's `locations` API reports ([`discover`]). Validation judges region
//! names by a [`Catalog`] of the two: Azure opens regions faster than a release ships, so a name the
//! table lacks is looked up in ARM before it is refused.

use azure_facts::regions::Aks::{Offered, Restricted};
// The offline table: the regions of Microsoft's region-pairs page (`azure_facts`, shared with the
// emulator), each geography's together.
use azure_facts::regions::PAIRS_PAGE as REGIONS;

/// Facts about one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegionInfo {
    /// The ARM name, e.g. `eastus`.
    pub name: &'static str,
    /// The region's Azure pairs (most regions have one; a few none).
    pub paired: &'static [&'static str],
    /// Whether AKS is offered there to every subscription (false for an access-restricted region).
    pub aks: bool,
    /// An access-restricted region: offered, AKS included, only to subscriptions Microsoft granted
    /// access (by a support request), for in-country disaster recovery beside its pair.
    pub restricted: bool,
    /// Whether the region has availability zones.
    pub zones: bool,
}

/// A region of the table outside `taken` (the topology's regions) to hold what must outlive the loss
/// of any one of them, chosen near `home` so that it stays in the same geography where the table
/// allows: `home`'s Azure pair, else the pair of another region of `taken` (in their order), else the
/// nearest region in the table (which lists each geography's regions together), the later one on a
/// tie. Access-restricted regions are skipped (they need a grant). `None` when `home` is not in the
/// table.
pub fn outside(home: &str, taken: &[&str]) -> Option<&'static str> {
    let free = |name: &str| {
        !taken.iter().any(|t| t.eq_ignore_ascii_case(name))
            && REGIONS
                .iter()
                .any(|r| r.name == name && r.aks != Restricted)
    };
    let index = REGIONS.iter().position(|r| r.name == squash(home))?;
    let pairs = std::iter::once(home)
        .chain(taken.iter().copied())
        .filter_map(lookup)
        .flat_map(|r| r.paired.iter().copied());
    for pair in pairs {
        if free(pair) {
            return Some(pair);
        }
    }
    (1..REGIONS.len())
        .flat_map(|d| [index.checked_add(d), index.checked_sub(d)])
        .flatten()
        .filter_map(|i| REGIONS.get(i))
        .map(|r| r.name)
        .find(|name| free(name))
}

/// Looks a region up by its ARM name (case-insensitive; spaces ignored, so `East US` works too).
pub fn lookup(name: &str) -> Option<RegionInfo> {
    let squashed = squash(name);
    REGIONS
        .iter()
        .find(|r| r.name == squashed)
        .map(|r| RegionInfo {
            name: r.name,
            paired: r.paired,
            aks: r.aks == Offered,
            restricted: r.aks == Restricted,
            zones: r.zones,
        })
}

/// Every region name the SDK knows, for error messages.
pub fn known() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|r| r.name)
}

/// Regions where AKS is offered to every subscription.
pub fn with_aks() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().filter(|r| r.aks == Offered).map(|r| r.name)
}

/// Whether `name` is an access-restricted region (see [`RegionInfo::restricted`]).
pub fn restricted(name: &str) -> bool {
    lookup(name).is_some_and(|i| i.restricted)
}

/// The access-restricted regions among `name`'s Azure pairs (its in-country pair, where it has one).
pub fn restricted_pairs(name: &str) -> Vec<&'static str> {
    lookup(name)
        .map(|i| i.paired.iter().copied().filter(|p| restricted(p)).collect())
        .unwrap_or_default()
}

/// Whether `a` and `b` are an Azure pair (in either direction).
pub fn paired(a: &str, b: &str) -> bool {
    let pairs = |x: &str, y: &str| lookup(x).is_some_and(|i| i.paired.contains(&y));
    pairs(a, b) || pairs(b, a)
}

pub use crate::arm::compute::RegionCapacity;
pub use crate::arm::managed_cluster::OfferedVersions;

/// Whether the offline table holds every one of `names`.
pub fn all_known<'a>(names: impl IntoIterator<Item = &'a str>) -> bool {
    names.into_iter().all(|n| lookup(n).is_some())
}

/// Whether the offline table alone decides every one of `names`, so validating them needs no ARM
/// call: each is in it, and none is access-restricted (whether AKS is offered there depends on
/// the subscription, which only ARM knows).
pub fn decided_offline<'a>(names: impl IntoIterator<Item = &'a str>) -> bool {
    names
        .into_iter()
        .all(|n| lookup(n).is_some_and(|i| !i.restricted))
}

/// One region as validation sees it, from the offline table or from ARM.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The ARM name, e.g. `eastus`.
    pub name: String,
    /// Azure's paired regions.
    pub paired: Vec<String>,
    /// Whether AKS is offered there: to every subscription, or (an access-restricted region, with
    /// ARM asked) to this one.
    pub aks: bool,
    /// An access-restricted region (see [`RegionInfo::restricted`]).
    pub restricted: bool,
}

/// The regions a topology's names are judged by.
///
/// [`Catalog::offline`] is the table alone: a name it lacks may be a region newer than the table, so
/// validation only warns. [`Catalog::online`] adds what ARM reported for the subscription
/// ([`discover`]) for the names the table lacks; a name neither knows is then an error.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    discovered: Option<Vec<DiscoveredRegion>>,
    /// The Kubernetes versions AKS offers, by region, where they were asked for.
    versions: std::collections::BTreeMap<String, OfferedVersions>,
    /// VM sizes and vCPU quotas, by region, where they were asked for.
    capacity: std::collections::BTreeMap<String, RegionCapacity>,
}

impl Catalog {
    /// The offline table alone: a name it lacks is only a warning.
    pub fn offline() -> Self {
        Self::default()
    }

    /// The offline table plus the regions ARM reported for the subscription (`discovered`): a name neither knows is an error.
    pub fn online(discovered: Vec<DiscoveredRegion>) -> Self {
        Self {
            discovered: Some(discovered),
            ..Self::default()
        }
    }

    /// Adds what AKS offers in `region`, so validation can check a pinned `kubernetes_version`.
    #[must_use]
    pub fn with_versions(mut self, region: &str, offered: OfferedVersions) -> Self {
        self.versions.insert(squash(region), offered);
        self
    }

    /// What AKS offers in `region`, when it was asked.
    pub fn versions(&self, region: &str) -> Option<&OfferedVersions> {
        self.versions.get(&squash(region))
    }

    /// Adds `region`'s VM sizes and vCPU quotas, so validation can check that a cluster fits.
    #[must_use]
    pub fn with_capacity(mut self, region: &str, capacity: RegionCapacity) -> Self {
        self.capacity.insert(squash(region), capacity);
        self
    }

    /// `region`'s VM sizes and vCPU quotas, when they were asked.
    pub fn capacity(&self, region: &str) -> Option<&RegionCapacity> {
        self.capacity.get(&squash(region))
    }

    /// Whether ARM was asked, so that a name nobody knows is not a region.
    pub fn is_online(&self) -> bool {
        self.discovered.is_some()
    }

    /// `name` (case and spaces ignored), from the table, else from what ARM reported. For an
    /// access-restricted region the table knows, whether AKS is offered is ARM's answer for this
    /// subscription when ARM was asked (offline: not offered).
    pub fn lookup(&self, name: &str) -> Option<Entry> {
        let squashed = squash(name);
        let discovered = || {
            self.discovered
                .iter()
                .flatten()
                .find(|d| d.name == squashed || squash(&d.display_name) == squashed)
        };
        if let Some(info) = lookup(name) {
            let aks = info.aks || (info.restricted && discovered().is_some_and(|d| d.aks));
            return Some(Entry {
                name: info.name.to_owned(),
                paired: info.paired.iter().map(|p| (*p).to_owned()).collect(),
                aks,
                restricted: info.restricted,
            });
        }
        discovered().map(|d| Entry {
            name: d.name.clone(),
            paired: d.paired.clone(),
            aks: d.aks,
            restricted: false,
        })
    }

    /// Whether `a` and `b` are an Azure pair (in either direction).
    pub fn paired(&self, a: &str, b: &str) -> bool {
        let pairs = |x: &str, y: &str| {
            self.lookup(x)
                .is_some_and(|e| e.paired.iter().any(|p| p == y))
        };
        pairs(a, b) || pairs(b, a)
    }

    /// Every region name known, or only those offering AKS: the table's, then ARM's additions.
    pub fn names(&self, aks_only: bool) -> Vec<String> {
        let granted = |name: &str| {
            self.discovered
                .iter()
                .flatten()
                .any(|d| d.name == name && d.aks)
        };
        let table = REGIONS
            .iter()
            .filter(|r| !aks_only || r.aks == Offered || (r.aks == Restricted && granted(r.name)))
            .map(|r| r.name.to_owned());
        let added = self
            .discovered
            .iter()
            .flatten()
            .filter(|d| (!aks_only || d.aks) && lookup(&d.name).is_none())
            .map(|d| d.name.clone());
        table.chain(added).collect()
    }

    /// The known region `name` is most likely a misspelling of (at most two edits away).
    pub fn suggestion(&self, name: &str) -> Option<String> {
        let squashed = squash(name);
        self.names(false)
            .into_iter()
            .map(|n| (edit_distance(&squashed, &n), n))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    }
}

fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Levenshtein distance, over bytes (region names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A region as the subscription's `locations` API and the AKS provider registration report it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct DiscoveredRegion {
    /// The ARM name, e.g. `eastus`.
    pub name: String,
    /// The name the portal shows, e.g. `East US`.
    pub display_name: String,
    /// Azure's paired regions (directional: a region may be the pair of one that is not its pair).
    pub paired: Vec<String>,
    /// Whether `Microsoft.ContainerService/managedClusters` is offered there.
    pub aks: bool,
    /// Whether the region has availability zones (ARM maps the subscription's zones to them).
    #[serde(default)]
    pub zones: bool,
}

/// Asks ARM (not the offline table) which regions exist, their pairs, and where AKS is offered:
/// `GET /subscriptions/{s}/locations` (2022-12-01) and the `Microsoft.ContainerService` provider (2024-03-01).
pub async fn discover(arm: &crate::ArmClient) -> crate::Result<Vec<DiscoveredRegion>> {
    let sub = arm.subscription_id();
    let locations_path = format!("/subscriptions/{sub}/locations");
    let provider_path = format!("/subscriptions/{sub}/providers/Microsoft.ContainerService");
    let (locations, provider) = futures::join!(
        arm.list(&locations_path, "2022-12-01", &[]),
        arm.get(&provider_path, "2024-03-01")
    );
    let provider = provider?.unwrap_or_default();
    let aks_locations: Vec<String> = provider["resourceTypes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t["resourceType"]
                .as_str()
                .is_some_and(|r| r.eq_ignore_ascii_case("managedClusters"))
        })
        .flat_map(|t| t["locations"].as_array().cloned().unwrap_or_default())
        .filter_map(|l| l.as_str().map(|s| s.replace(' ', "").to_ascii_lowercase()))
        .collect();
    let mut out: Vec<DiscoveredRegion> = locations?
        .into_iter()
        .filter(|l| {
            l["metadata"]["regionType"]
                .as_str()
                .is_none_or(|t| t == "Physical")
        })
        .map(|l| {
            let name = l["name"].as_str().unwrap_or_default().to_owned();
            let display_name = l["displayName"].as_str().unwrap_or_default().to_owned();
            let paired = l["metadata"]["pairedRegion"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            let squashed = display_name.replace(' ', "").to_ascii_lowercase();
            let aks = aks_locations.iter().any(|a| *a == squashed || *a == name);
            let zones = l["availabilityZoneMappings"]
                .as_array()
                .is_some_and(|m| !m.is_empty());
            DiscoveredRegion {
                name,
                display_name,
                paired,
                aks,
                zones,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The Kubernetes versions AKS offers in each of `regions`, read at once (one GET each). A region
/// ARM says nothing about (AKS not registered, say) is left out; the first failed read is the error.
pub async fn offered_versions(
    arm: &crate::ArmClient,
    regions: &[String],
) -> crate::Result<std::collections::BTreeMap<String, OfferedVersions>> {
    let answers = futures::future::join_all(
        regions
            .iter()
            .map(|region| crate::arm::managed_cluster::offered_versions(arm, region)),
    )
    .await;
    let mut out = std::collections::BTreeMap::new();
    for (region, answer) in regions.iter().zip(answers) {
        if let Some(offered) = answer? {
            out.insert(region.clone(), offered);
        }
    }
    Ok(out)
}
