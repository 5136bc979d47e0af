//! A Mermaid flowchart of a topology: global routing, the registry, each region with its mode (and
//! role), cluster and ingress IP, and the peerings. Pure and deterministic, so a plan can show it.

use crate::layout;
use crate::model::{RegionMode, Topology};
use crate::names;
use std::fmt::Write;

fn id(region: &str) -> String {
    region.replace('-', "_")
}

/// The topology as a Mermaid `flowchart`.
pub fn mermaid(t: &Topology) -> String {
    let mut out = String::from("flowchart TB\n");
    let priorities = layout::priorities(t);
    if let Some(tm) = &t.traffic_manager {
        let _ = writeln!(
            out,
            "  tm{{{{\"Traffic Manager ({})<br/>{}.trafficmanager.net\"}}}}",
            tm.routing_method.as_str(),
            tm.relative_name(&t.name)
        );
    }
    if let Some(fd) = &t.front_door {
        let tier = if fd.premium { "Premium" } else { "Standard" };
        let waf = fd.waf.as_ref().map_or_else(String::new, |w| {
            format!(
                "<br/>WAF {}: {} custom rules, {} managed rule sets",
                w.mode.as_str(),
                w.custom_rules.len(),
                w.managed_rule_sets.len()
            )
        });
        let _ = writeln!(out, "  afd{{{{\"Front Door ({tier}){waf}\"}}}}");
    }
    let home = layout::global_location(t).unwrap_or_default();
    if t.registry.is_some() {
        let _ = writeln!(
            out,
            "  acr[(\"Container registry (Premium)<br/>home: {home}\")]"
        );
    }
    for r in t.sorted_regions() {
        let n = id(&r.name);
        let primary = if r.role == crate::model::RegionRole::Primary {
            ", primary"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  subgraph {n}[\"{} ({}{primary})\"]",
            r.name,
            r.mode.as_str()
        );
        let _ = writeln!(
            out,
            "    {n}_ip([\"ingress IP {}\"])",
            names::ingress_dns_label(&t.name, &r.name)
        );
        if r.mode.has_cluster() {
            let nodes = match r.cluster.autoscale {
                Some(a) => format!("{}-{}", a.min, a.max),
                None => r.cluster.node_count.to_string(),
            };
            let _ = writeln!(
                out,
                "    {n}_aks[\"AKS {} × {nodes}\"]",
                names::cluster(&t.name, &r.name)
            );
            let _ = writeln!(out, "    {n}_ip --> {n}_aks");
        }
        let _ = writeln!(out, "    {n}_vnet[\"VNet {}\"]", r.vnet_cidr);
        let _ = writeln!(out, "  end");
        if let Some(tm) = &t.traffic_manager {
            let state = if r.mode == RegionMode::Hot {
                "enabled"
            } else {
                "disabled"
            };
            let label = match tm.routing_method {
                crate::model::RoutingMethod::Priority => format!(
                    "priority {}, {state}",
                    priorities.get(&r.name).copied().unwrap_or_default()
                ),
                crate::model::RoutingMethod::Geographic => {
                    format!("{}, {state}", r.endpoint.geo_mappings.join(" "))
                }
                _ => state.to_owned(),
            };
            let arrow = if r.mode == RegionMode::Hot {
                "-->"
            } else {
                "-.->"
            };
            let _ = writeln!(out, "  tm {arrow}|{label}| {n}_ip");
        }
        if t.front_door.is_some() {
            let (arrow, state) = if r.mode == RegionMode::Hot {
                ("-->", "origin enabled")
            } else {
                ("-.->", "origin disabled")
            };
            let _ = writeln!(out, "  afd {arrow}|{state}| {n}_ip");
        }
        if t.registry.is_some() && r.mode.has_cluster() {
            let relation = if r.name == home { "home" } else { "replica" };
            let _ = writeln!(out, "  acr -.->|{relation}, AcrPull| {n}_aks");
        }
    }
    let regions = t.sorted_regions();
    for (i, a) in regions.iter().enumerate() {
        for b in regions[i + 1..]
            .iter()
            .filter(|b| t.peered(&a.name, &b.name))
        {
            let _ = writeln!(
                out,
                "  {}_vnet <-->|peering| {}_vnet",
                id(&a.name),
                id(&b.name)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Region, Registry, RoutingMethod, TrafficManager};

    #[test]
    fn shows_routing_modes_registry_and_peerings() {
        let t = Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16").role(crate::model::RegionRole::Primary))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
            .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
            .registry(Registry::default());
        let d = mermaid(&t);
        for line in [
            "flowchart TB",
            "  subgraph eastus[\"eastus (hot, primary)\"]",
            "  tm{{\"Traffic Manager (Priority)<br/>bcdr-shop.trafficmanager.net\"}}",
            "  subgraph westus[\"westus (warm)\"]",
            "  tm -->|priority 1, enabled| eastus_ip",
            "  tm -.->|priority 2, disabled| westus_ip",
            "  acr -.->|replica, AcrPull| westus_aks",
            "  eastus_vnet <-->|peering| westus_vnet",
        ] {
            assert!(d.lines().any(|l| l == line), "missing {line:?} in\n{d}");
        }
    }

    #[test]
    fn shows_front_door_its_waf_and_origins() {
        use crate::model::{FrontDoor, Waf, WafCustomRule, WafMatchCondition};
        let waf = Waf::default().custom_rule(
            WafCustomRule::new("geo", 1).condition(WafMatchCondition::new(
                "RemoteAddr",
                "GeoMatch",
                ["KP"],
            )),
        );
        let t = Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16"))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Cold))
            .front_door(FrontDoor::default().waf(waf));
        let d = mermaid(&t);
        for line in [
            "  afd{{\"Front Door (Standard)<br/>WAF Prevention: 1 custom rules, 0 managed rule sets\"}}",
            "  afd -->|origin enabled| eastus_ip",
            "  afd -.->|origin disabled| westus_ip",
        ] {
            assert!(d.lines().any(|l| l == line), "missing {line:?} in\n{d}");
        }
    }
}
