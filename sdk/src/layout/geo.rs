//! Geographic routing with standbys, as the AKS BC/DR guidance draws it: regions that map the same
//! geographic codes form an area; an area of two or more regions gets a Priority child profile (its
//! hot region enabled, its standbys disabled) nested under the Geographic parent, so a geography
//! fails over inside its area without touching the others.

use crate::model::{Region, RoutingMethod, Topology};

/// Regions that serve the same geographic codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area<'a> {
    /// The area's name in Azure names: its first code, lowercase (`geo-eu`, `world`, `us-ca`).
    pub name: String,
    /// The codes, as its first region (by name) lists them.
    pub codes: Vec<String>,
    /// The area's regions, by name.
    pub regions: Vec<&'a Region>,
}

impl Area<'_> {
    /// Whether the area gets its own nested profile (more than one region).
    pub fn nested(&self) -> bool {
        self.regions.len() > 1
    }
}

fn key(region: &Region) -> Vec<String> {
    let mut codes: Vec<String> = region
        .endpoint
        .geo_mappings
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// The areas of a Geographic topology (none for other routing methods), by name.
pub fn areas(topology: &Topology) -> Vec<Area<'_>> {
    if topology
        .traffic_manager
        .as_ref()
        .is_none_or(|tm| tm.routing_method != RoutingMethod::Geographic)
    {
        return Vec::new();
    }
    let mut out: Vec<(Vec<String>, Area<'_>)> = Vec::new();
    for region in topology.sorted_regions() {
        let set = key(region);
        let Some(first) = set.first() else { continue };
        match out.iter_mut().find(|(s, _)| *s == set) {
            Some((_, area)) => area.regions.push(region),
            None => out.push((
                set.clone(),
                Area {
                    name: first.to_ascii_lowercase(),
                    codes: region.endpoint.geo_mappings.clone(),
                    regions: vec![region],
                },
            )),
        }
    }
    let mut out: Vec<Area<'_>> = out.into_iter().map(|(_, a)| a).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The area a region belongs to, when it shares its area with another region.
pub fn nested_area_of<'a>(areas: &'a [Area<'a>], region: &str) -> Option<&'a Area<'a>> {
    areas
        .iter()
        .find(|a| a.nested() && a.regions.iter().any(|r| r.name == region))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EndpointSettings, RegionMode, TrafficManager};

    fn region(name: &str, cidr: &str, codes: &[&str]) -> Region {
        Region::new(name, cidr)
            .endpoint(EndpointSettings::default().geo_mappings(codes.iter().copied()))
    }

    #[test]
    fn regions_with_the_same_codes_share_an_area() {
        let t = Topology::new("geo")
            .region(
                region("westeurope", "10.2.0.0/16", &["GEO-ME", "GEO-EU"]).mode(RegionMode::Warm),
            )
            .region(region("northeurope", "10.1.0.0/16", &["GEO-EU", "geo-me"]))
            .region(region("eastus", "10.3.0.0/16", &["WORLD"]))
            .traffic_manager(TrafficManager::new(RoutingMethod::Geographic));
        let areas = areas(&t);
        assert_eq!(areas.len(), 2);
        assert_eq!(areas[0].name, "geo-eu");
        assert_eq!(
            areas[0].codes,
            ["GEO-EU", "geo-me"],
            "as the first region lists them"
        );
        let names: Vec<&str> = areas[0].regions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["northeurope", "westeurope"]);
        assert!(areas[0].nested() && !areas[1].nested());
        assert_eq!(
            nested_area_of(&areas, "westeurope").map(|a| a.name.as_str()),
            Some("geo-eu")
        );
        assert!(nested_area_of(&areas, "eastus").is_none());
    }
}
