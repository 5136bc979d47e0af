//! What the SDK knows offline about Azure's public regions: paired regions (from Microsoft's
//! region-pairs page, directional where Azure's are) and where AKS is offered. Used by validation,
//! which runs before any ARM call.

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
    let squashed: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
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
            DiscoveredRegion {
                name,
                display_name,
                paired,
                aks,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
