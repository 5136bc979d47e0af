//! Traffic Manager's geographic hierarchy (`GET …/providers/Microsoft.Network/
//! trafficManagerGeographicHierarchies/default`, 2022-04-01): `WORLD` at the root, the regional
//! groupings under it, countries and their states or provinces under those.

/// The root of the hierarchy: every place.
pub const WORLD: &str = "WORLD";

/// The regional groupings directly under `WORLD`, which together cover it (learn.microsoft.com
/// traffic-manager-geographic-regions).
pub const REGIONAL_GROUPINGS: &[&str] = &[
    "GEO-NA", "GEO-SA", "GEO-EU", "GEO-ME", "GEO-AF", "GEO-AS", "GEO-AP", "GEO-AN",
];
