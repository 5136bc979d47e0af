//! Where regions are, for the latency models of Traffic Manager's Performance routing and Front
//! Door's latency sensitivity, and which geographic grouping a country belongs to, for Traffic
//! Manager's Geographic routing. Both are models, not Azure's data: Azure measures latency in its
//! Internet Latency Table and resolves a query's source address to a region of its geographic
//! hierarchy, neither of which is published.

/// (region, latitude, longitude). The first 43 are the coordinates `GET /subscriptions/{s}/locations`
/// reports in `metadata.latitude`/`longitude` (as `az account list-locations` printed them); the
/// regions opened later carry their host city's coordinates (a model).
const COORDINATES: &[(&str, f64, f64)] = &[
    ("eastasia", 22.267, 114.188),
    ("southeastasia", 1.283, 103.833),
    ("centralus", 41.5908, -93.6208),
    ("eastus", 37.3719, -79.8164),
    ("eastus2", 36.6681, -78.3889),
    ("westus", 37.783, -122.417),
    ("northcentralus", 41.8819, -87.6278),
    ("southcentralus", 29.4167, -98.5),
    ("northeurope", 53.3478, -6.2597),
    ("westeurope", 52.3667, 4.9),
    ("japanwest", 34.6939, 135.5022),
    ("japaneast", 35.68, 139.77),
    ("brazilsouth", -23.55, -46.633),
    ("australiaeast", -33.86, 151.2094),
    ("australiasoutheast", -37.8136, 144.9631),
    ("southindia", 12.9822, 80.1636),
    ("centralindia", 18.5822, 73.9197),
    ("westindia", 19.088, 72.868),
    ("canadacentral", 43.653, -79.383),
    ("canadaeast", 46.817, -71.217),
    ("uksouth", 50.941, -0.799),
    ("ukwest", 53.427, -3.084),
    ("westcentralus", 40.890, -110.234),
    ("westus2", 47.233, -119.852),
    ("koreacentral", 37.5665, 126.978),
    ("koreasouth", 35.1796, 129.0756),
    ("francecentral", 46.3772, 2.373),
    ("francesouth", 43.8345, 2.1972),
    ("australiacentral", -35.3075, 149.1244),
    ("australiacentral2", -35.3075, 149.1244),
    ("uaecentral", 24.466667, 54.366669),
    ("uaenorth", 25.266666, 55.316666),
    ("southafricanorth", -25.73134, 28.21837),
    ("southafricawest", -34.075691, 18.843266),
    ("switzerlandnorth", 47.451542, 8.564572),
    ("switzerlandwest", 46.204391, 6.143158),
    ("germanynorth", 53.073635, 8.806422),
    ("germanywestcentral", 50.110924, 8.682127),
    ("norwaywest", 58.969975, 5.733107),
    ("norwayeast", 59.913868, 10.752245),
    // Host cities (model).
    ("westus3", 33.448, -112.074),
    ("swedencentral", 60.675, 17.141),
    ("swedensouth", 55.606, 13.001),
    ("brazilsoutheast", -22.903, -43.208),
    ("israelcentral", 32.085, 34.782),
    ("italynorth", 45.464, 9.19),
    ("mexicocentral", 20.588, -100.39),
    ("newzealandnorth", -36.849, 174.763),
    ("polandcentral", 52.23, 21.012),
    ("qatarcentral", 25.286, 51.533),
    ("spaincentral", 40.417, -3.704),
    ("chilecentral", -33.449, -70.669),
    ("indonesiacentral", -6.208, 106.846),
    ("malaysiawest", 3.139, 101.687),
];

fn coordinates(region: &str) -> Option<(f64, f64)> {
    COORDINATES
        .iter()
        .find(|(r, _, _)| r.eq_ignore_ascii_case(region))
        .map(|(_, lat, lon)| (*lat, *lon))
}

/// The great-circle distance between two regions in kilometres, `None` when either is unknown.
pub fn distance_km(a: &str, b: &str) -> Option<f64> {
    let ((lat1, lon1), (lat2, lon2)) = (coordinates(a)?, coordinates(b)?);
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    Some(2.0 * 6_371.0 * h.sqrt().min(1.0).asin())
}

/// A round trip between two regions in milliseconds, modelled from their distance: light in fibre
/// covers about 100 km per millisecond there and back (a model; Azure measures).
pub fn latency_ms(a: &str, b: &str) -> Option<f64> {
    distance_km(a, b).map(|km| km / 100.0)
}

/// The countries of each of Traffic Manager's regional groupings
/// (`azure_facts::traffic_manager::REGIONAL_GROUPINGS`, in that order).
const GROUPS: &[(&str, &[&str])] = &[
    (
        "GEO-NA",
        &[
            "US", "CA", "MX", "GT", "CR", "PA", "CU", "DO", "JM", "PR", "HN", "SV", "NI", "BS",
        ],
    ),
    (
        "GEO-SA",
        &["BR", "AR", "CL", "CO", "PE", "VE", "EC", "UY", "PY", "BO"],
    ),
    (
        "GEO-EU",
        &[
            "GB", "IE", "FR", "DE", "NL", "BE", "LU", "CH", "AT", "IT", "ES", "PT", "PL", "CZ",
            "SK", "HU", "RO", "BG", "GR", "DK", "NO", "SE", "FI", "IS", "EE", "LV", "LT", "UA",
            "HR", "SI", "RS", "RU", "MT", "CY",
        ],
    ),
    (
        "GEO-ME",
        &[
            "AE", "QA", "SA", "IL", "JO", "KW", "BH", "OM", "TR", "IQ", "IR", "LB",
        ],
    ),
    (
        "GEO-AF",
        &[
            "ZA", "EG", "NG", "KE", "MA", "TN", "GH", "ET", "DZ", "NA", "BW",
        ],
    ),
    (
        "GEO-AS",
        &[
            "CN", "HK", "TW", "JP", "KR", "IN", "SG", "MY", "ID", "TH", "VN", "PH", "PK", "BD",
            "LK",
        ],
    ),
    ("GEO-AP", &["AU", "NZ", "CK", "FJ", "PG"]),
    ("GEO-AN", &["AQ"]),
];

/// The regional grouping (`GEO-EU`, ...) of a country code (ISO 3166-1 alpha-2), as Traffic
/// Manager's geographic hierarchy files it (`GET …/trafficManagerGeographicHierarchies/default`; the
/// spec's example shows AE under GEO-ME and AU under GEO-AP). Covers the countries Azure has regions
/// in and their neighbours, not every country: a model.
pub fn grouping(country: &str) -> Option<&'static str> {
    GROUPS
        .iter()
        .find(|(_, countries)| countries.iter().any(|c| c.eq_ignore_ascii_case(country)))
        .map(|(group, _)| *group)
}

/// The codes a query from `code` matches, most specific first, up to `WORLD`: a state (`US-CA`), its
/// country, the country's grouping, `WORLD` (Traffic Manager's lookup order, learn.microsoft.com
/// traffic-manager-routing-methods, Geographic).
pub fn lookup_chain(code: &str) -> Vec<String> {
    let code = code.trim().to_ascii_uppercase();
    let mut chain = Vec::new();
    if code == "WORLD" {
        return vec![code];
    }
    if code.starts_with("GEO-") {
        return vec![code, "WORLD".to_owned()];
    }
    let country = code.split_once('-').map_or(code.as_str(), |(c, _)| c);
    if country != code {
        chain.push(code.clone());
    }
    chain.push(country.to_owned());
    if let Some(group) = grouping(country) {
        chain.push(group.to_owned());
    }
    chain.push("WORLD".to_owned());
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_groupings_are_traffic_managers() {
        let names: Vec<&str> = GROUPS.iter().map(|g| g.0).collect();
        assert_eq!(names, azure_facts::traffic_manager::REGIONAL_GROUPINGS);
    }

    #[test]
    fn distances_order_regions_as_a_map_does() {
        let east_west = distance_km("eastus", "westus").unwrap_or_default();
        let east_east2 = distance_km("eastus", "eastus2").unwrap_or_default();
        assert!(
            east_east2 < 300.0 && east_west > 3_000.0,
            "{east_east2} {east_west}"
        );
        assert_eq!(distance_km("eastus", "nowhere"), None);
        assert!(latency_ms("westeurope", "northeurope").is_some_and(|ms| ms < 10.0));
    }

    #[test]
    fn a_state_walks_up_to_the_world() {
        assert_eq!(lookup_chain("us-ca"), ["US-CA", "US", "GEO-NA", "WORLD"]);
        assert_eq!(lookup_chain("IE"), ["IE", "GEO-EU", "WORLD"]);
        assert_eq!(lookup_chain("GEO-AS"), ["GEO-AS", "WORLD"]);
        assert_eq!(lookup_chain("ZZ"), ["ZZ", "WORLD"]);
    }
}
