//! The cases: one configuration per validation rule, with the summary and the path-led detail
//! its diagnostic must show.

/// A topology "shop" with regions eastus and westus (extra attributes for each) and more blocks.
pub fn pair(east: &str, west: &str, rest: &str) -> String {
    regions(
        &[
            ("eastus", "10.1.0.0/16", east),
            ("westus", "10.2.0.0/16", west),
        ],
        rest,
    )
}

pub fn regions(list: &[(&str, &str, &str)], rest: &str) -> String {
    let mut out = String::from("resource \"bcdr_topology\" \"dr\" {\n  name = \"shop\"\n");
    for (name, cidr, extra) in list {
        out.push_str(&format!(
            "  region \"{name}\" {{\n    vnet_cidr = \"{cidr}\"\n{extra}\n  }}\n"
        ));
    }
    out.push_str(rest);
    out.push_str("\n}\n");
    out
}

pub fn tm(method: &str, extra: &str) -> String {
    format!("  traffic_manager {{\n    routing_method = \"{method}\"\n{extra}\n  }}")
}

pub fn waf(tier: &str, body: &str) -> String {
    format!("  front_door {{\n    tier = \"{tier}\"\n    waf {{\n{body}\n    }}\n  }}")
}

pub fn rule(name: &str, priority: &str, extra: &str, condition: &str) -> String {
    format!(
        "      custom_rule \"{name}\" {{\n        priority = {priority}\n{extra}\n        match_condition {{\n{condition}\n        }}\n      }}"
    )
}

pub const GEO_KP: &str = "          variable = \"RemoteAddr\"\n          operator = \"GeoMatch\"\n          values = [\"KP\"]";

pub fn cond(variable: &str, operator: &str, values: &str) -> String {
    format!(
        "          variable = \"{variable}\"\n          operator = \"{operator}\"\n          values = {values}"
    )
}

pub fn geo(codes: &str) -> String {
    format!("    geo_mappings = {codes}")
}

/// (configuration, summary, the path and text the detail starts with).
/// The SDK's rules of topology, network, cluster and routing.
pub fn errors() -> Vec<(String, &'static str, &'static str)> {
    let one_region = regions(&[("eastus", "10.1.0.0/16", "")], "");
    vec![
        (
            pair("", "", "").replace("\"shop\"", "\"Shop_Prod\""),
            "Invalid topology name",
            "name:",
        ),
        (
            one_region,
            "Wrong number of regions",
            "region: a BC/DR topology needs 2 to 16 regions",
        ),
        (
            regions(
                &[("EastUS", "10.1.0.0/16", ""), ("westus", "10.2.0.0/16", "")],
                "",
            ),
            "Region name is not canonical",
            "region[\"EastUS\"]: use the ARM region name \"eastus\"",
        ),
        (
            regions(
                &[
                    ("eastus", "10.1.0.0/16", ""),
                    ("EastUS", "10.3.0.0/16", ""),
                    ("westus", "10.2.0.0/16", ""),
                ],
                "",
            ),
            "Duplicate region",
            "region[\"eastus\"]: region \"eastus\" is listed more than once",
        ),
        (
            regions(
                &[
                    ("eastus", "10.1.0.0/16", ""),
                    ("westindia", "10.2.0.0/16", ""),
                ],
                "",
            ),
            "AKS is not offered in this region",
            "region[\"westindia\"]:",
        ),
        (
            pair("", "", "").replace("10.2.0.0/16", "10.1.128.0/17"),
            "Overlapping address spaces",
            "region[\"westus\"].vnet_cidr: 10.1.128.0/17 overlaps region \"eastus\"",
        ),
        (
            pair("", "", "").replace("10.2.0.0/16", "172.16.0.0/16"),
            "Address space overlaps the Kubernetes service range",
            "region[\"westus\"].vnet_cidr: the VNet's address space 172.16.0.0/16 is the Kubernetes service range 172.16.0.0/16",
        ),
        (
            pair("", "    min_count = 1\n    max_count = 20", "")
                .replace("10.2.0.0/16", "10.2.0.0/23"),
            "AKS subnet too small for the cluster",
            "region[\"westus\"].vnet_cidr: the AKS subnet 10.2.0.0/24 (the first half of 10.2.0.0/23) has 251 usable addresses, but the cluster's pools may reach 20 nodes",
        ),
        (
            pair("", "", "  peering_hub = \"centralus\""),
            "Unknown peering hub",
            "peering_hub: \"centralus\" is not one of the topology's regions",
        ),
        (
            pair("", "", "  home_region = \"moon\""),
            "Unknown home region",
            "home_region: \"moon\" is neither one of the topology's regions (eastus, westus) nor an Azure region",
        ),
        (
            pair("", "", "  global_group_region = \"moon\""),
            "Unknown region for the global resource group",
            "global_group_region: \"moon\" is not an Azure region: name a region outside the topology's regions (eastus, westus)",
        ),
        (
            pair("", "", "").replace("10.2.0.0/16", "10.2.0.0"),
            "Invalid CIDR",
            "region[\"westus\"].vnet_cidr:",
        ),
        (
            pair("", "", "").replace("10.2.0.0/16", "10.2.0.1/16"),
            "Invalid CIDR",
            "region[\"westus\"].vnet_cidr:",
        ),
        (
            pair("", "", "").replace("10.2.0.0/16", "10.2.0.0/26"),
            "Address space too small or too large",
            "region[\"westus\"].vnet_cidr:",
        ),
        (
            pair("    node_count = 0", "", ""),
            "Invalid node count",
            "region[\"eastus\"].node_count: 0 nodes requested",
        ),
        (
            pair("    vm_size = \" \"", "", ""),
            "Invalid VM size",
            "region[\"eastus\"].vm_size:",
        ),
        (
            pair("    kubernetes_version = \"1.x\"", "", ""),
            "Invalid Kubernetes version",
            "region[\"eastus\"].kubernetes_version: \"1.x\" must be x.y or x.y.z",
        ),
        (
            pair("    min_count = 5\n    max_count = 2", "", ""),
            "Invalid autoscaler bounds",
            "region[\"eastus\"].min_count: min_count 5",
        ),
        (
            pair("    min_count = 1\n    max_count = 2000", "", ""),
            "Invalid autoscaler bounds",
            "region[\"eastus\"].max_count: max_count 2000",
        ),
        (
            pair("    availability_zones = [\"4\"]", "", ""),
            "Invalid availability zone",
            "region[\"eastus\"].availability_zones: \"4\"",
        ),
        (
            pair(
                "    node_pool \"Apps\" {\n      vm_size = \"Standard_D8ds_v5\"\n    }",
                "",
                "",
            ),
            "Invalid node pool name",
            "region[\"eastus\"].node_pool[\"Apps\"]: \"Apps\" must be 1-12 lowercase",
        ),
        (
            pair(
                "    node_pool \"apps\" {\n      vm_size = \"\"\n    }",
                "",
                "",
            ),
            "Invalid VM size",
            "region[\"eastus\"].node_pool[\"apps\"].vm_size:",
        ),
        (
            pair(
                "    node_pool \"apps\" {\n      vm_size = \"s\"\n      node_count = 1001\n    }",
                "",
                "",
            ),
            "Invalid node count",
            "region[\"eastus\"].node_pool[\"apps\"].node_count: 1001 nodes",
        ),
        (
            pair("    mode = \"warm\"", "    mode = \"cold\"", ""),
            "No hot region",
            "region: at least one region must be hot",
        ),
        (
            pair(
                "",
                "",
                &format!("{}\n  front_door {{}}", tm("Priority", "")),
            ),
            "Two global routers",
            "front_door: a topology routes with Traffic Manager or Front Door, not both",
        ),
        (
            pair("", "", "  front_door {\n    probe_path = \"healthz\"\n  }"),
            "Invalid probe path",
            "front_door.probe_path: \"healthz\" must start with '/'",
        ),
        (
            pair("", "", "  front_door {\n    probe_protocol = \"Ftp\"\n  }"),
            "Invalid probe protocol",
            "front_door.probe_protocol: \"Ftp\" must be Http or Https",
        ),
        (
            pair(
                "",
                "",
                "  front_door {\n    origin_host_header = \"https://shop.example.com/\"\n  }",
            ),
            "Invalid origin host header",
            "front_door.origin_host_header: \"https://shop.example.com/\" must be a host name",
        ),
        (
            pair("", "", "  front_door {\n    probe_interval = 300\n  }"),
            "Invalid probe interval",
            "front_door.probe_interval: 300 must be 1 to 255 seconds",
        ),
        (
            pair("", "", &tm("Priority", "    dns_name = \"Bad_Name\"")),
            "Invalid DNS name",
            "traffic_manager.dns_name: \"Bad_Name\"",
        ),
        (
            pair("", "", &tm("Priority", "    probe_protocol = \"UDP\"")),
            "Invalid probe protocol",
            "traffic_manager.probe_protocol: \"UDP\" must be HTTP, HTTPS or TCP",
        ),
        (
            pair("", "", &tm("Priority", "    probe_port = 0")),
            "Invalid probe port",
            "traffic_manager.probe_port: the probe port must be 1 to 65535",
        ),
        (
            pair("", "", &tm("Priority", "    probe_path = \"x\"")),
            "Invalid probe path",
            "traffic_manager.probe_path: \"x\" must start with '/'",
        ),
        (
            pair("", "", &tm("Priority", "    probe_interval = 5")),
            "Invalid probe interval",
            "traffic_manager.probe_interval: 5 must be 30 (seconds, normal probing) or 10 (fast probing)",
        ),
        (
            pair(
                "",
                "",
                &tm(
                    "Priority",
                    "    probe_interval = 10\n    probe_timeout  = 10",
                ),
            ),
            "Invalid probe timeout",
            "traffic_manager.probe_timeout: 10 must be 5 to 9 seconds (below the probe interval of 10)",
        ),
        (
            pair("", "", &tm("Priority", "    tolerated_failures = 12")),
            "Invalid tolerated failures",
            "traffic_manager.tolerated_failures: 12 must be 0 to 9",
        ),
        (
            pair(
                "",
                "",
                &tm("Priority", "    expected_status_codes = [\"299-200\"]"),
            ),
            "Invalid status code range",
            "traffic_manager.expected_status_codes: \"299-200\" must be a status code (200) or a range of them (200-299), 100 to 999",
        ),
        (
            pair(
                "",
                "",
                &tm(
                    "Priority",
                    "    probe_protocol = \"TCP\"\n    probe_headers  = { Host = \"shop.example.com\" }",
                ),
            ),
            "Probe headers need HTTP",
            "traffic_manager.probe_headers: a TCP probe sends no headers",
        ),
        (
            pair(
                &geo("[\"WORLD\"]"),
                &format!("{}\n    mode = \"warm\"", geo("[\"WORLD\"]")),
                &tm(
                    "Geographic",
                    &format!("    dns_name = \"{}\"", "a".repeat(60)),
                ),
            ),
            "DNS name too long for nested profiles",
            "traffic_manager.dns_name: the area profile for WORLD",
        ),
        (
            regions(
                &[
                    ("eastus", "10.1.0.0/16", &geo("[\"WORLD\"]")),
                    (
                        "westus",
                        "10.2.0.0/16",
                        &format!("{}\n    mode = \"warm\"", geo("[\"GEO-EU\"]")),
                    ),
                    (
                        "centralus",
                        "10.3.0.0/16",
                        &format!("{}\n    mode = \"warm\"", geo("[\"GEO-EU\"]")),
                    ),
                ],
                &tm("Geographic", ""),
            ),
            "No hot region for these codes",
            "region[\"centralus\"].geo_mappings: no region serving GEO-EU is hot",
        ),
        (
            pair("    priority = 1001", "", &tm("Priority", "")),
            "Invalid priority",
            "region[\"eastus\"].priority: 1001 must be 1 (first) to 1000",
        ),
        (
            pair("    priority = 1", "    priority = 1", &tm("Priority", "")),
            "Duplicate priority",
            "region[\"westus\"].priority: priority 1 is also region \"eastus\"'s",
        ),
        (
            pair("    weight = 0", "", &tm("Weighted", "")),
            "Invalid weight",
            "region[\"eastus\"].weight: 0 must be 1 to 1000",
        ),
        (
            pair(&geo("[\"WORLD\"]"), "", &tm("Geographic", "")),
            "Missing geographic mapping",
            "region[\"westus\"].geo_mappings:",
        ),
        (
            pair(
                &geo("[\"WORLD\"]"),
                &geo("[\"Atlantis\"]"),
                &tm("Geographic", ""),
            ),
            "Invalid geographic code",
            "region[\"westus\"].geo_mappings: \"Atlantis\" is not a Traffic Manager code",
        ),
        (
            pair(
                &geo("[\"WORLD\", \"GEO-EU\"]"),
                &geo("[\"WORLD\"]"),
                &tm("Geographic", ""),
            ),
            "Geographic code mapped twice",
            "region[\"westus\"].geo_mappings: \"WORLD\" is also mapped by region \"eastus\"",
        ),
    ]
}

/// (configuration, summary, the path and text the detail starts with) of warnings.
pub fn warnings() -> Vec<(String, &'static str, &'static str)> {
    vec![
        (
            pair(
                "    geo_mappings = [\"GEO-NA\"]",
                "    geo_mappings = [\"GEO-EU\"]",
                &tm("Geographic", ""),
            ),
            "Some clients get no answer",
            "traffic_manager.routing_method: no region maps WORLD, so a client from a place none of GEO-EU, GEO-NA covers gets no address",
        ),
        (
            pair("", "", "").replace("10.2.0.0/16", "10.2.0.0/24"),
            "No room to upgrade the cluster",
            "region[\"westus\"].vnet_cidr: the AKS subnet 10.2.0.0/25 has 123 usable addresses",
        ),
        (
            pair("", "", "").replace("\"westus\"", "\"germanynorth\""),
            "Access-restricted region",
            "region[\"germanynorth\"]: \"germanynorth\" is an access-restricted region (the in-country pair of germanywestcentral)",
        ),
        (
            pair("", "", "").replace("\"westus\"", "\"japaneest\""),
            "Region not in the offline table",
            "region[\"japaneest\"]: \"japaneest\" is not in bcdr's table of Azure regions (did you mean \"japaneast\"?); Azure may have opened it since",
        ),
        (
            regions(
                &[
                    ("eastus", "10.1.0.0/16", ""),
                    ("northeurope", "10.2.0.0/16", ""),
                ],
                "",
            ),
            "Region not paired within the topology",
            "region[\"eastus\"]:",
        ),
        (
            pair("", "    availability_zones = [\"1\"]", ""),
            "No availability zones in this region",
            "region[\"westus\"].availability_zones: westus has no availability zones",
        ),
        (
            regions(
                &[
                    ("israelcentral", "10.1.0.0/16", ""),
                    ("italynorth", "10.2.0.0/16", ""),
                ],
                // Neither region offers AKS Backup's Vault tier: operational backups only.
                "  backup {\n    cross_region_restore = false\n    vault_retention_days = 0\n  }",
            ),
            "Backup storage without a paired region",
            "backup: geo-redundant storage replicates to the home region's Azure pair",
        ),
        (
            pair("    role = \"primary\"", "", "  home_region = \"westus\""),
            "Registry and backups away from the primary region",
            "home_region: the registry's home and the backup storage live in \"westus\", not in the primary region \"eastus\"",
        ),
        (
            pair("", "", "  global_group_region = \"eastus\""),
            "A region's loss would block its own failover",
            "global_group_region: the global resource group would live in \"eastus\", one of the topology's regions: while eastus is down, Azure refuses writes",
        ),
        (
            pair("    priority = 1", "", ""),
            "Endpoint settings without routing",
            "region[\"eastus\"]: priority, weight and geo_mappings only matter with a traffic_manager block",
        ),
        (
            pair("    weight = 5", "", &tm("Performance", "")),
            "Ignored by the routing method",
            "region[\"eastus\"].weight: weight is not used by Performance routing",
        ),
    ]
}
