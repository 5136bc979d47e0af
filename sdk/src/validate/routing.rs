//! Rules for modes and global routing: at least one hot region; Traffic Manager's DNS name and probe;
//! per-method endpoint settings (unique priorities, weights 1-1000, each geographic code mapped by one
//! area of regions that map exactly the same codes, each area with a hot region) and settings the
//! chosen method ignores.

use super::{AttributePath, Diagnostic};
use crate::model::{RegionMode, RoutingMethod, Topology};
// The regional groupings that together cover the whole world, as Traffic Manager's geographic
// hierarchy has them under `WORLD`.
use azure_facts::traffic_manager::{REGIONAL_GROUPINGS as CONTINENTS, WORLD};

fn path(parts: &[&str]) -> AttributePath {
    AttributePath(
        parts
            .iter()
            .map(|p| super::PathStep::Attribute((*p).to_owned()))
            .collect(),
    )
}

fn valid_geo_code(code: &str) -> bool {
    let country = |c: &str| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase());
    code == WORLD
        || CONTINENTS.contains(&code)
        || country(code)
        || code.split_once('-').is_some_and(|(c, s)| {
            country(c) && (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

fn sorted_codes(codes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = codes
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn theirs_of(seen: &[(&str, &str, Vec<String>)], region: &str) -> String {
    seen.iter()
        .find(|(_, r, _)| *r == region)
        .map(|(_, _, codes)| codes.join(", "))
        .unwrap_or_default()
}

pub(super) fn validate(
    topology: &Topology,
    catalog: &crate::regions::Catalog,
    out: &mut Vec<Diagnostic>,
) {
    if let (Some(_), Some(home)) = (&topology.backup, crate::layout::global_location(topology))
        && catalog.lookup(&home).is_some_and(|i| i.paired.is_empty())
    {
        out.push(Diagnostic::warning(path(&["backup"]), "Backup storage without a paired region", format!("geo-redundant storage replicates to the home region's Azure pair, and \"{home}\" has none: choose a paired home_region")));
    }
    if !topology.regions.is_empty() && !topology.regions.iter().any(|r| r.mode == RegionMode::Hot) {
        out.push(Diagnostic::error(
            AttributePath::attr("region"),
            "No hot region",
            "at least one region must be hot (serving traffic); set mode = \"hot\" on one of them"
                .to_owned(),
        ));
    }
    if let Some(fd) = &topology.front_door {
        super::waf::validate(fd, out);
        if topology.traffic_manager.is_some() {
            out.push(Diagnostic::error(path(&["front_door"]), "Two global routers", "a topology routes with Traffic Manager or Front Door, not both: remove one of the blocks".to_owned()));
        }
        if !fd.probe_path.starts_with('/') {
            out.push(Diagnostic::error(
                path(&["front_door", "probe_path"]),
                "Invalid probe path",
                format!(
                    "\"{}\" must start with '/', for example /healthz",
                    fd.probe_path
                ),
            ));
        }
        if !["Http", "Https"]
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&fd.probe_protocol))
        {
            out.push(Diagnostic::error(
                path(&["front_door", "probe_protocol"]),
                "Invalid probe protocol",
                format!("\"{}\" must be Http or Https", fd.probe_protocol),
            ));
        }
        if let Some(host) = &fd.origin_host_header {
            let valid = !host.is_empty()
                && host.len() <= 253
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                });
            if !valid {
                out.push(Diagnostic::error(
                    path(&["front_door", "origin_host_header"]),
                    "Invalid origin host header",
                    format!("\"{host}\" must be a host name such as shop.example.com (no scheme, port or path)"),
                ));
            }
        }
        if !(1..=255).contains(&fd.probe_interval) {
            out.push(Diagnostic::error(
                path(&["front_door", "probe_interval"]),
                "Invalid probe interval",
                format!("{} must be 1 to 255 seconds", fd.probe_interval),
            ));
        }
    }
    let Some(tm) = &topology.traffic_manager else {
        for r in topology
            .regions
            .iter()
            .filter(|r| r.endpoint != Default::default())
        {
            out.push(Diagnostic::warning(AttributePath::region(&r.name, None), "Endpoint settings without routing", "priority, weight and geo_mappings only matter with a traffic_manager block; they are ignored".to_owned()));
        }
        return;
    };
    let name = tm.relative_name(&topology.name);
    let label_ok = (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !label_ok {
        out.push(Diagnostic::error(path(&["traffic_manager", "dns_name"]), "Invalid DNS name", format!("\"{name}\" must be 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen; it becomes {name}.trafficmanager.net")));
    }
    if !["HTTP", "HTTPS", "TCP"]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(&tm.probe_protocol))
    {
        out.push(Diagnostic::error(
            path(&["traffic_manager", "probe_protocol"]),
            "Invalid probe protocol",
            format!("\"{}\" must be HTTP, HTTPS or TCP", tm.probe_protocol),
        ));
    }
    if tm.probe_port == 0 {
        out.push(Diagnostic::error(
            path(&["traffic_manager", "probe_port"]),
            "Invalid probe port",
            "the probe port must be 1 to 65535".to_owned(),
        ));
    }
    if !tm.probe_protocol.eq_ignore_ascii_case("TCP") && !tm.probe_path.starts_with('/') {
        out.push(Diagnostic::error(
            path(&["traffic_manager", "probe_path"]),
            "Invalid probe path",
            format!(
                "\"{}\" must start with '/', for example /healthz",
                tm.probe_path
            ),
        ));
    }
    probing(tm, out);
    let mut seen_priorities: Vec<(u32, &str)> = Vec::new();
    let areas = crate::layout::areas(topology);
    for area in areas.iter().filter(|a| a.nested()) {
        let child = crate::names::traffic_manager_area_dns(&name, &area.name);
        if child.len() > 63 {
            out.push(Diagnostic::error(path(&["traffic_manager", "dns_name"]), "DNS name too long for nested profiles", format!("the area profile for {} is named {child}.trafficmanager.net, over 63 characters: choose a shorter dns_name", area.codes.join(", "))));
        }
        if !area.regions.iter().any(|r| r.mode == RegionMode::Hot) {
            let first = area.regions[0];
            out.push(Diagnostic::error(AttributePath::region(&first.name, Some("geo_mappings")), "No hot region for these codes", format!("no region serving {} is hot, so Traffic Manager would answer nothing for them: make one of {} hot", area.codes.join(", "), area.regions.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "))));
        }
    }
    let mut seen_codes: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for r in &topology.regions {
        let e = &r.endpoint;
        let at = |attr: &str| AttributePath::region(&r.name, Some(attr));
        let ignored = |attr: &str| {
            Diagnostic::warning(
                at(attr),
                "Ignored by the routing method",
                format!(
                    "{attr} is not used by {} routing",
                    tm.routing_method.as_str()
                ),
            )
        };
        match tm.routing_method {
            RoutingMethod::Priority => {
                if let Some(p) = e.priority {
                    if !(1..=1000).contains(&p) {
                        out.push(Diagnostic::error(
                            at("priority"),
                            "Invalid priority",
                            format!("{p} must be 1 (first) to 1000"),
                        ));
                    } else if let Some((_, other)) = seen_priorities.iter().find(|(q, _)| *q == p) {
                        out.push(Diagnostic::error(at("priority"), "Duplicate priority", format!("priority {p} is also region \"{other}\"'s; each region needs its own")));
                    }
                    seen_priorities.push((p, &r.name));
                }
            }
            RoutingMethod::Weighted => {
                if let Some(w) = e.weight.filter(|w| !(1..=1000).contains(w)) {
                    out.push(Diagnostic::error(
                        at("weight"),
                        "Invalid weight",
                        format!("{w} must be 1 to 1000"),
                    ));
                }
            }
            RoutingMethod::Geographic => {
                if e.geo_mappings.is_empty() {
                    out.push(Diagnostic::error(at("geo_mappings"), "Missing geographic mapping", "with Geographic routing every region maps codes, warm and cold ones too, for example [\"GEO-EU\"] or [\"WORLD\"]; a standby maps the same codes as the region it stands in for".to_owned()));
                }
                let mine = sorted_codes(&e.geo_mappings);
                for code in &e.geo_mappings {
                    if !valid_geo_code(code) {
                        out.push(Diagnostic::error(at("geo_mappings"), "Invalid geographic code", format!("\"{code}\" is not a Traffic Manager code: use WORLD, a group such as GEO-EU, a country such as US, or a state such as US-CA")));
                    } else if let Some((_, other, _)) = seen_codes
                        .iter()
                        .find(|(c, _, theirs)| c.eq_ignore_ascii_case(code) && *theirs != mine)
                    {
                        out.push(Diagnostic::error(at("geo_mappings"), "Geographic code mapped twice", format!("\"{code}\" is also mapped by region \"{other}\" with other codes; Traffic Manager maps each code to one endpoint: a standby for region \"{other}\" maps exactly its codes ({}), any other region none of them", theirs_of(&seen_codes, other))));
                    }
                    seen_codes.push((code, &r.name, mine.clone()));
                }
            }
            RoutingMethod::Performance => {}
        }
        let in_area = crate::layout::nested_area_of(&areas, &r.name).is_some();
        if e.priority.is_some() && tm.routing_method != RoutingMethod::Priority && !in_area {
            out.push(ignored("priority"));
        }
        if e.weight.is_some() && tm.routing_method != RoutingMethod::Weighted {
            out.push(ignored("weight"));
        }
        if !e.geo_mappings.is_empty() && tm.routing_method != RoutingMethod::Geographic {
            out.push(ignored("geo_mappings"));
        }
    }
    if tm.routing_method == RoutingMethod::Geographic {
        unmapped_places(topology, out);
    }
}

/// A warning when some place maps to no region: Traffic Manager answers a query from there with
/// NODATA (no address at all), failover or not. `WORLD` (or every regional grouping) covers them.
fn unmapped_places(topology: &Topology, out: &mut Vec<Diagnostic>) {
    let mut mapped: Vec<String> = topology
        .regions
        .iter()
        .flat_map(|r| sorted_codes(&r.endpoint.geo_mappings))
        .collect();
    mapped.sort();
    mapped.dedup();
    let everywhere = mapped.iter().any(|c| c == "WORLD")
        || CONTINENTS.iter().all(|c| mapped.iter().any(|m| m == c));
    if everywhere || mapped.is_empty() {
        return;
    }
    out.push(Diagnostic::warning(
        path(&["traffic_manager", "routing_method"]),
        "Some clients get no answer",
        format!(
            "no region maps WORLD, so a client from a place none of {} covers gets no address from Traffic Manager (NODATA), whatever the regions' health; map WORLD in one region (and its standby) as the catch-all: a more specific code still wins where it applies",
            mapped.join(", ")
        ),
    ));
}

/// Traffic Manager's endpoint monitoring: an interval of 30 s or 10 s, a timeout of 5-10 s (5-9 s
/// under a 10 s interval), 0-9 tolerated failures.
fn probing(tm: &crate::model::TrafficManager, out: &mut Vec<Diagnostic>) {
    if tm.probe_interval != 10 && tm.probe_interval != 30 {
        out.push(Diagnostic::error(
            path(&["traffic_manager", "probe_interval"]),
            "Invalid probe interval",
            format!(
                "{} must be 30 (seconds, normal probing) or 10 (fast probing)",
                tm.probe_interval
            ),
        ));
    }
    let longest = if tm.probe_interval == 10 { 9 } else { 10 };
    if !(5..=longest).contains(&tm.probe_timeout) {
        out.push(Diagnostic::error(
            path(&["traffic_manager", "probe_timeout"]),
            "Invalid probe timeout",
            format!(
                "{} must be 5 to {longest} seconds (below the probe interval of {})",
                tm.probe_timeout, tm.probe_interval
            ),
        ));
    }
    if tm.tolerated_failures > 9 {
        out.push(Diagnostic::error(
            path(&["traffic_manager", "tolerated_failures"]),
            "Invalid tolerated failures",
            format!("{} must be 0 to 9", tm.tolerated_failures),
        ));
    }
    let tcp = tm.probe_protocol.eq_ignore_ascii_case("TCP");
    let headers = path(&["traffic_manager", "probe_headers"]);
    if tcp && !tm.probe_headers.is_empty() {
        out.push(Diagnostic::error(headers.clone(), "Probe headers need HTTP", "a TCP probe sends no headers: use probe_protocol HTTP or HTTPS, or remove probe_headers".to_owned()));
    }
    if tm.probe_headers.len() > 8 {
        out.push(Diagnostic::error(
            headers.clone(),
            "Too many probe headers",
            format!("{} headers: at most 8", tm.probe_headers.len()),
        ));
    }
    for (name, value) in &tm.probe_headers {
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !token || value.trim().is_empty() {
            out.push(Diagnostic::error(
                headers.clone(),
                "Invalid probe header",
                format!("\"{name}\" = \"{value}\": a header name is letters, digits, '-' and '_', and its value is not empty"),
            ));
        }
    }
    let codes = path(&["traffic_manager", "expected_status_codes"]);
    if tcp && !tm.expected_status_codes.is_empty() {
        out.push(Diagnostic::error(codes.clone(), "Status codes need HTTP", "a TCP probe has no status code: use probe_protocol HTTP or HTTPS, or remove expected_status_codes".to_owned()));
    }
    if tm.expected_status_codes.len() > 8 {
        out.push(Diagnostic::error(
            codes.clone(),
            "Too many status code ranges",
            format!("{} ranges: at most 8", tm.expected_status_codes.len()),
        ));
    }
    for (range, parsed) in tm.expected_status_codes.iter().zip(tm.status_code_ranges()) {
        if !parsed.is_some_and(|(min, max)| (100..=999).contains(&min) && min <= max && max <= 999)
        {
            out.push(Diagnostic::error(
                codes.clone(),
                "Invalid status code range",
                format!("\"{range}\" must be a status code (200) or a range of them (200-299), 100 to 999"),
            ));
        }
    }
}
