//! Azure's public-cloud regions: names and display names (as `GET /subscriptions/{s}/locations`
//! reports them), paired regions (Microsoft's "Azure region pairs and nonpaired regions" page,
//! dated 2025-01-13, directional where Azure's are), availability zones, and whether AKS is offered.

/// Whether AKS is offered in a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aks {
    /// To every subscription.
    Offered,
    /// An access-restricted region (the region-pairs page stars it: a country's second region, kept
    /// for in-country disaster recovery): Azure offers it, AKS included, only to subscriptions
    /// Microsoft granted access (by a support request).
    Restricted,
    NotOffered,
}

use Aks::{NotOffered, Offered, Restricted};

/// One region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The ARM name, e.g. `eastus`.
    pub name: &'static str,
    /// The display name, e.g. `East US`.
    pub display_name: &'static str,
    /// Azure's paired regions (directional: East US is the pair of both West US and West US 3).
    pub paired: &'static [&'static str],
    pub aks: Aks,
    /// Whether the region has availability zones (every region but those Microsoft's "Azure regions
    /// with availability zones" list leaves out, as of 2025; regions gain zones over time).
    pub zones: bool,
}

const fn r(
    name: &'static str,
    display_name: &'static str,
    paired: &'static [&'static str],
    aks: Aks,
    zones: bool,
) -> Region {
    Region {
        name,
        display_name,
        paired,
        aks,
        zones,
    }
}

/// The regions of the region-pairs page of 2025-01-13 (its "coming soon" ones left out), each
/// geography's regions together (an order the SDK relies on to find a near region).
pub const PAIRS_PAGE: &[Region] = &[
    r("eastus", "East US", &["westus"], Offered, true),
    r("westus", "West US", &["eastus"], Offered, false),
    r("eastus2", "East US 2", &["centralus"], Offered, true),
    r("centralus", "Central US", &["eastus2"], Offered, true),
    r(
        "northcentralus",
        "North Central US",
        &["southcentralus"],
        Offered,
        false,
    ),
    r(
        "southcentralus",
        "South Central US",
        &["northcentralus"],
        Offered,
        true,
    ),
    r("westus2", "West US 2", &["westcentralus"], Offered, true),
    r(
        "westcentralus",
        "West Central US",
        &["westus2"],
        Offered,
        false,
    ),
    r("westus3", "West US 3", &["eastus"], Offered, true),
    r(
        "canadacentral",
        "Canada Central",
        &["canadaeast"],
        Offered,
        true,
    ),
    r(
        "canadaeast",
        "Canada East",
        &["canadacentral"],
        Offered,
        false,
    ),
    r(
        "brazilsouth",
        "Brazil South",
        &["southcentralus"],
        Offered,
        true,
    ),
    r(
        "brazilsoutheast",
        "Brazil Southeast",
        &["brazilsouth"],
        Restricted,
        false,
    ),
    r(
        "northeurope",
        "North Europe",
        &["westeurope"],
        Offered,
        true,
    ),
    r("westeurope", "West Europe", &["northeurope"], Offered, true),
    r("uksouth", "UK South", &["ukwest"], Offered, true),
    r("ukwest", "UK West", &["uksouth"], Offered, false),
    r(
        "francecentral",
        "France Central",
        &["francesouth"],
        Offered,
        true,
    ),
    r(
        "francesouth",
        "France South",
        &["francecentral"],
        Restricted,
        false,
    ),
    r(
        "germanywestcentral",
        "Germany West Central",
        &["germanynorth"],
        Offered,
        true,
    ),
    r(
        "germanynorth",
        "Germany North",
        &["germanywestcentral"],
        Restricted,
        false,
    ),
    r("norwayeast", "Norway East", &["norwaywest"], Offered, true),
    r(
        "norwaywest",
        "Norway West",
        &["norwayeast"],
        Restricted,
        false,
    ),
    r(
        "swedencentral",
        "Sweden Central",
        &["swedensouth"],
        Offered,
        true,
    ),
    r(
        "swedensouth",
        "Sweden South",
        &["swedencentral"],
        Restricted,
        true,
    ),
    r(
        "switzerlandnorth",
        "Switzerland North",
        &["switzerlandwest"],
        Offered,
        true,
    ),
    r(
        "switzerlandwest",
        "Switzerland West",
        &["switzerlandnorth"],
        Restricted,
        false,
    ),
    r("eastasia", "East Asia", &["southeastasia"], Offered, true),
    r(
        "southeastasia",
        "Southeast Asia",
        &["eastasia"],
        Offered,
        true,
    ),
    r(
        "australiaeast",
        "Australia East",
        &["australiasoutheast"],
        Offered,
        true,
    ),
    r(
        "australiasoutheast",
        "Australia Southeast",
        &["australiaeast"],
        Offered,
        false,
    ),
    r(
        "australiacentral",
        "Australia Central",
        &["australiacentral2"],
        Offered,
        false,
    ),
    r(
        "australiacentral2",
        "Australia Central 2",
        &["australiacentral"],
        Restricted,
        false,
    ),
    r("japaneast", "Japan East", &["japanwest"], Offered, true),
    r("japanwest", "Japan West", &["japaneast"], Offered, true),
    r(
        "koreacentral",
        "Korea Central",
        &["koreasouth"],
        Offered,
        true,
    ),
    r(
        "koreasouth",
        "Korea South",
        &["koreacentral"],
        Restricted,
        false,
    ),
    r(
        "centralindia",
        "Central India",
        &["southindia"],
        Offered,
        true,
    ),
    r(
        "southindia",
        "South India",
        &["centralindia"],
        Offered,
        false,
    ),
    r(
        "westindia",
        "West India",
        &["southindia"],
        NotOffered,
        false,
    ),
    r(
        "southafricanorth",
        "South Africa North",
        &["southafricawest"],
        Offered,
        true,
    ),
    r(
        "southafricawest",
        "South Africa West",
        &["southafricanorth"],
        Restricted,
        false,
    ),
    r("uaenorth", "UAE North", &["uaecentral"], Offered, true),
    r(
        "uaecentral",
        "UAE Central",
        &["uaenorth"],
        Restricted,
        false,
    ),
    r("israelcentral", "Israel Central", &[], Offered, true),
    r("italynorth", "Italy North", &[], Offered, true),
    r("mexicocentral", "Mexico Central", &[], Offered, true),
    r("newzealandnorth", "New Zealand North", &[], Offered, true),
    r("polandcentral", "Poland Central", &[], Offered, true),
    r("qatarcentral", "Qatar Central", &[], Offered, true),
    r("spaincentral", "Spain Central", &[], Offered, true),
];

/// Regions opened after that page (they were "coming soon" there), without a pair. The SDK's
/// offline table stops at [`PAIRS_PAGE`] and learns of these from the `locations` API, as it
/// would of any region newer than a release; the emulator lists them so that path is exercised.
pub const OPENED_LATER: &[Region] = &[
    r("chilecentral", "Chile Central", &[], Offered, true),
    r("indonesiacentral", "Indonesia Central", &[], Offered, true),
    r("malaysiawest", "Malaysia West", &[], Offered, true),
];

/// Every region above: [`PAIRS_PAGE`], then [`OPENED_LATER`].
pub fn all() -> impl Iterator<Item = &'static Region> {
    PAIRS_PAGE.iter().chain(OPENED_LATER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_pair_is_a_region_of_the_page() {
        let names: Vec<&str> = all().map(|r| r.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a region listed twice");
        for region in all() {
            for pair in region.paired {
                assert!(
                    PAIRS_PAGE.iter().any(|r| r.name == *pair),
                    "{}'s pair {pair} is no region of the page",
                    region.name
                );
            }
            let squashed = region.display_name.replace(' ', "").to_ascii_lowercase();
            assert_eq!(squashed, region.name, "display name of {}", region.name);
        }
    }

    #[test]
    fn restricted_regions_pair_with_an_open_region_of_their_country() {
        for region in all().filter(|r| r.aks == Restricted) {
            assert!(
                region
                    .paired
                    .iter()
                    .any(|p| { PAIRS_PAGE.iter().any(|r| r.name == *p && r.aks == Offered) }),
                "{}",
                region.name
            );
        }
        assert!(
            all().any(|r| r.aks == NotOffered),
            "West India offers no AKS"
        );
    }
}
