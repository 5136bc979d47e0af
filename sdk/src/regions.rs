//! What the SDK knows about Azure's public regions: offline, paired regions (from Microsoft's
//! region-pairs page, dated January 2025, directional where Azure's are) and where AKS is offered;
//! online, what the subscription's `locations` API reports ([`discover`]). Validation judges region
//! names by a [`Catalog`] of the two: Azure opens regions faster than a release ships, so a name the
//! table lacks is looked up in ARM before it is refused.

/// (name, paired regions, AKS offered). Access-restricted regions are marked without AKS.
const REGIONS: &[(&str, &[&str], bool)] = &[
    ("eastus", &["westus"], true),
    ("westus", &["eastus"], true),
    ("eastus2", &["centralus"], true),
    ("centralus", &["eastus2"], true),
    ("northcentralus", &["southcentralus"], true),
    ("southcentralus", &["northcentralus"], true),
    ("westus2", &["westcentralus"], true),
    ("westcentralus", &["westus2"], true),
    ("westus3", &["eastus"], true),
    ("canadacentral", &["canadaeast"], true),
    ("canadaeast", &["canadacentral"], true),
    ("brazilsouth", &["southcentralus"], true),
    ("brazilsoutheast", &["brazilsouth"], false),
    ("northeurope", &["westeurope"], true),
    ("westeurope", &["northeurope"], true),
    ("uksouth", &["ukwest"], true),
    ("ukwest", &["uksouth"], true),
    ("francecentral", &["francesouth"], true),
    ("francesouth", &["francecentral"], false),
    ("germanywestcentral", &["germanynorth"], true),
    ("germanynorth", &["germanywestcentral"], false),
    ("norwayeast", &["norwaywest"], true),
    ("norwaywest", &["norwayeast"], false),
    ("swedencentral", &["swedensouth"], true),
    ("swedensouth", &["swedencentral"], false),
    ("switzerlandnorth", &["switzerlandwest"], true),
    ("switzerlandwest", &["switzerlandnorth"], false),
    ("eastasia", &["southeastasia"], true),
    ("southeastasia", &["eastasia"], true),
    ("australiaeast", &["australiasoutheast"], true),
    ("australiasoutheast", &["australiaeast"], true),
    ("australiacentral", &["australiacentral2"], true),
    ("australiacentral2", &["australiacentral"], false),
    ("japaneast", &["japanwest"], true),
    ("japanwest", &["japaneast"], true),
    ("koreacentral", &["koreasouth"], true),
    ("koreasouth", &["koreacentral"], false),
    ("centralindia", &["southindia"], true),
    ("southindia", &["centralindia"], true),
    ("westindia", &["southindia"], false),
    ("southafricanorth", &["southafricawest"], true),
    ("southafricawest", &["southafricanorth"], false),
    ("uaenorth", &["uaecentral"], true),
    ("uaecentral", &["uaenorth"], false),
    ("israelcentral", &[], true),
    ("italynorth", &[], true),
    ("mexicocentral", &[], true),
    ("newzealandnorth", &[], true),
    ("polandcentral", &[], true),
    ("qatarcentral", &[], true),
    ("spaincentral", &[], true),
];

/// Facts about one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegionInfo {
    pub name: &'static str,
    pub paired: &'static [&'static str],
    pub aks: bool,
}

/// Looks a region up by its ARM name (case-insensitive; spaces ignored, so `East US` works too).
pub fn lookup(name: &str) -> Option<RegionInfo> {
    let squashed = squash(name);
    REGIONS
        .iter()
        .find(|r| r.0 == squashed)
        .map(|r| RegionInfo {
            name: r.0,
            paired: r.1,
            aks: r.2,
        })
}

/// Every region name the SDK knows, for error messages.
pub fn known() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|r| r.0)
}

/// Regions where AKS is offered.
pub fn with_aks() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().filter(|r| r.2).map(|r| r.0)
}

/// Whether `a` and `b` are an Azure pair (in either direction).
pub fn paired(a: &str, b: &str) -> bool {
    let pairs = |x: &str, y: &str| lookup(x).is_some_and(|i| i.paired.contains(&y));
    pairs(a, b) || pairs(b, a)
}

pub use crate::arm::compute::RegionCapacity;
pub use crate::arm::managed_cluster::OfferedVersions;

/// Whether the offline table holds every one of `names`, so validating them needs no ARM call.
pub fn all_known<'a>(names: impl IntoIterator<Item = &'a str>) -> bool {
    names.into_iter().all(|n| lookup(n).is_some())
}

/// One region as validation sees it, from the offline table or from ARM.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The ARM name, e.g. `eastus`.
    pub name: String,
    pub paired: Vec<String>,
    pub aks: bool,
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
    pub fn offline() -> Self {
        Self::default()
    }

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

    /// `name` (case and spaces ignored), from the table, else from what ARM reported.
    pub fn lookup(&self, name: &str) -> Option<Entry> {
        if let Some(info) = lookup(name) {
            return Some(Entry {
                name: info.name.to_owned(),
                paired: info.paired.iter().map(|p| (*p).to_owned()).collect(),
                aks: info.aks,
            });
        }
        let squashed = squash(name);
        self.discovered
            .iter()
            .flatten()
            .find(|d| d.name == squashed || squash(&d.display_name) == squashed)
            .map(|d| Entry {
                name: d.name.clone(),
                paired: d.paired.clone(),
                aks: d.aks,
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
        let table = REGIONS
            .iter()
            .filter(|r| !aks_only || r.2)
            .map(|r| r.0.to_owned());
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
    pub name: String,
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
