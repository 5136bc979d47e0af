//! Azure's public-cloud regions as the subscription `locations` API reports them: display names,
//! paired regions (directional where Azure's are), whether AKS is offered there, and whether the
//! region has availability zones.

/// (name, display name, paired regions, AKS offered to every subscription). Access-restricted regions
/// ([`RESTRICTED`]) are listed without AKS: it is offered there only where access was granted.
pub const REGIONS: &[(&str, &str, &[&str], bool)] = &[
    ("eastus", "East US", &["westus"], true),
    ("westus", "West US", &["eastus"], true),
    ("eastus2", "East US 2", &["centralus"], true),
    ("centralus", "Central US", &["eastus2"], true),
    (
        "northcentralus",
        "North Central US",
        &["southcentralus"],
        true,
    ),
    (
        "southcentralus",
        "South Central US",
        &["northcentralus"],
        true,
    ),
    ("westus2", "West US 2", &["westcentralus"], true),
    ("westcentralus", "West Central US", &["westus2"], true),
    ("westus3", "West US 3", &["eastus"], true),
    ("canadacentral", "Canada Central", &["canadaeast"], true),
    ("canadaeast", "Canada East", &["canadacentral"], true),
    ("brazilsouth", "Brazil South", &["southcentralus"], true),
    (
        "brazilsoutheast",
        "Brazil Southeast",
        &["brazilsouth"],
        false,
    ),
    ("northeurope", "North Europe", &["westeurope"], true),
    ("westeurope", "West Europe", &["northeurope"], true),
    ("uksouth", "UK South", &["ukwest"], true),
    ("ukwest", "UK West", &["uksouth"], true),
    ("francecentral", "France Central", &["francesouth"], true),
    ("francesouth", "France South", &["francecentral"], false),
    (
        "germanywestcentral",
        "Germany West Central",
        &["germanynorth"],
        true,
    ),
    (
        "germanynorth",
        "Germany North",
        &["germanywestcentral"],
        false,
    ),
    ("norwayeast", "Norway East", &["norwaywest"], true),
    ("norwaywest", "Norway West", &["norwayeast"], false),
    ("swedencentral", "Sweden Central", &["swedensouth"], true),
    ("swedensouth", "Sweden South", &["swedencentral"], false),
    (
        "switzerlandnorth",
        "Switzerland North",
        &["switzerlandwest"],
        true,
    ),
    (
        "switzerlandwest",
        "Switzerland West",
        &["switzerlandnorth"],
        false,
    ),
    ("eastasia", "East Asia", &["southeastasia"], true),
    ("southeastasia", "Southeast Asia", &["eastasia"], true),
    (
        "australiaeast",
        "Australia East",
        &["australiasoutheast"],
        true,
    ),
    (
        "australiasoutheast",
        "Australia Southeast",
        &["australiaeast"],
        true,
    ),
    (
        "australiacentral",
        "Australia Central",
        &["australiacentral2"],
        true,
    ),
    (
        "australiacentral2",
        "Australia Central 2",
        &["australiacentral"],
        false,
    ),
    ("japaneast", "Japan East", &["japanwest"], true),
    ("japanwest", "Japan West", &["japaneast"], true),
    ("koreacentral", "Korea Central", &["koreasouth"], true),
    ("koreasouth", "Korea South", &["koreacentral"], false),
    ("centralindia", "Central India", &["southindia"], true),
    ("southindia", "South India", &["centralindia"], true),
    ("westindia", "West India", &["southindia"], false),
    (
        "southafricanorth",
        "South Africa North",
        &["southafricawest"],
        true,
    ),
    (
        "southafricawest",
        "South Africa West",
        &["southafricanorth"],
        false,
    ),
    ("uaenorth", "UAE North", &["uaecentral"], true),
    ("uaecentral", "UAE Central", &["uaenorth"], false),
    ("israelcentral", "Israel Central", &[], true),
    ("italynorth", "Italy North", &[], true),
    ("mexicocentral", "Mexico Central", &[], true),
    ("newzealandnorth", "New Zealand North", &[], true),
    ("polandcentral", "Poland Central", &[], true),
    ("qatarcentral", "Qatar Central", &[], true),
    ("spaincentral", "Spain Central", &[], true),
    // Opened after the region-pairs page of January 2025 that the SDK's offline table follows (they
    // were "coming soon" there), without a pair: the SDK learns of them only from this API.
    ("chilecentral", "Chile Central", &[], true),
    ("indonesiacentral", "Indonesia Central", &[], true),
    ("malaysiawest", "Malaysia West", &[], true),
];

/// The canonical name of a location given as a name or a display name, in any casing.
pub fn canonical(location: &str) -> Option<&'static str> {
    let squashed: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    REGIONS.iter().find(|r| r.0 == squashed).map(|r| r.0)
}

pub fn display_name(name: &str) -> &'static str {
    REGIONS.iter().find(|r| r.0 == name).map_or("", |r| r.1)
}

/// Regions without availability zones (as of 2025); every other region has three.
const WITHOUT_ZONES: &[&str] = &[
    "westus",
    "northcentralus",
    "westcentralus",
    "canadaeast",
    "ukwest",
    "francesouth",
    "germanynorth",
    "norwaywest",
    "switzerlandwest",
    "uaecentral",
    "southafricawest",
    "brazilsoutheast",
    "southindia",
    "westindia",
    "koreasouth",
    "australiasoutheast",
    "australiacentral",
    "australiacentral2",
];

pub fn has_zones(name: &str) -> bool {
    !WITHOUT_ZONES.contains(&name)
}

/// The regions Azure offers only to subscriptions granted access (the region-pairs page's starred
/// ones), for in-country disaster recovery.
pub const RESTRICTED: &[&str] = &[
    "brazilsoutheast",
    "francesouth",
    "germanynorth",
    "norwaywest",
    "swedensouth",
    "switzerlandwest",
    "australiacentral2",
    "koreasouth",
    "southafricawest",
    "uaecentral",
];

/// Whether AKS is offered in `name` to this subscription: everywhere the table says, and in the
/// access-restricted regions the configuration grants.
pub fn aks_offered(config: &crate::contract::config::Config, name: &str) -> bool {
    REGIONS.iter().any(|r| r.0 == name && r.3)
        || (RESTRICTED.contains(&name)
            && config
                .restricted_access
                .iter()
                .any(|g| g.eq_ignore_ascii_case(name)))
}
