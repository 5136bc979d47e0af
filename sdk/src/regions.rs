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
