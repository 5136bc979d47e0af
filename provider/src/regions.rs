//! The `bcdr_regions` data source: Azure regions as the subscription reports them, with their paired
//! regions, AKS availability and the Kubernetes versions AKS offers, so modules can choose the regions
//! the guidance recommends and a version all of them run.

use crate::diag::{self, Diagnostics};

use crate::schema::{Block, Mode, Ty, attr};
use crate::value::Value;
use bcdr::TopologyClient;
use std::collections::BTreeMap;

pub const TYPE_NAME: &str = "bcdr_regions";

pub fn schema() -> Block {
    Block {
        description: "Azure regions as the subscription's `locations` API and the AKS provider registration report them: each region's paired regions, whether AKS is offered and the Kubernetes versions it offers, the pairs the BC/DR guidance recommends, and the versions every described region offers.",
        attributes: vec![
            attr(
                "names",
                Ty::List(Box::new(Ty::String)),
                Mode::Optional,
                "The regions to describe (ARM names such as `eastus`); every physical region when unset.",
            ),
            attr(
                "id",
                Ty::String,
                Mode::Computed,
                "The subscription the regions were read for.",
            ),
            attr(
                "display_names",
                Ty::Map(Box::new(Ty::String)),
                Mode::Computed,
                "Display name by region (`eastus` = `East US`).",
            ),
            attr(
                "paired_regions",
                Ty::Map(Box::new(Ty::List(Box::new(Ty::String)))),
                Mode::Computed,
                "Azure's paired regions by region (empty for regions without a pair).",
            ),
            attr(
                "aks_available",
                Ty::Map(Box::new(Ty::Bool)),
                Mode::Computed,
                "Whether AKS is offered to this subscription, by region (an access-restricted region: once Microsoft has granted the subscription access).",
            ),
            attr(
                "access_restricted",
                Ty::Map(Box::new(Ty::Bool)),
                Mode::Computed,
                "Whether the region is access-restricted, by region: a country's second region (Germany North, Switzerland West, ...), the in-country pair for data that must stay in the country, which Azure offers only to subscriptions Microsoft has granted access by a support request.",
            ),
            attr(
                "availability_zones",
                Ty::Map(Box::new(Ty::Bool)),
                Mode::Computed,
                "Whether the region has availability zones, by region: where `availability_zones = [\"1\", \"2\", \"3\"]` spreads a cluster so that a zone's outage is not a failover.",
            ),
            attr(
                "recommended_pairs",
                Ty::List(Box::new(Ty::List(Box::new(Ty::String)))),
                Mode::Computed,
                "Pairs of the described regions that are Azure pairs and both offer AKS, e.g. `[[\"eastus\", \"westus\"]]`.",
            ),
            attr(
                "kubernetes_versions",
                Ty::Map(Box::new(Ty::List(Box::new(Ty::String)))),
                Mode::Computed,
                "The Kubernetes minor versions (`x.y`) AKS offers, oldest first, by region that offers AKS (`az aks get-versions`; one read per region, at once: list `names` to read only the regions you use).",
            ),
            attr(
                "common_kubernetes_versions",
                Ty::List(Box::new(Ty::String)),
                Mode::Computed,
                "The minor versions every described region that offers AKS offers, oldest first: the values a topology of those regions can pin in every region's `kubernetes_version`, so that its clusters run the same Kubernetes after a failover. Empty when they share none.",
            ),
        ],
        blocks: vec![],
    }
}

fn names(config: &Value) -> Option<Vec<String>> {
    match config.get("names") {
        Value::List(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

/// Names the SDK does not know are a warning: ARM may know newer regions than the offline table.
pub fn validate(config: &Value) -> Diagnostics {
    let mut out = Diagnostics::new();
    for (i, name) in names(config).unwrap_or_default().iter().enumerate() {
        if bcdr::regions::lookup(name).is_none() {
            let path = bcdr::validate::AttributePath(vec![
                bcdr::validate::PathStep::Attribute("names".into()),
                bcdr::validate::PathStep::Index(i as i64),
            ]);
            out.push(
                diag::warning(
                    "Unknown region",
                    format!("names[{i}]: \"{name}\" is not a region this provider knows; it is looked up in Azure anyway"),
                )
                .at(path),
            );
        }
    }
    out
}

pub async fn read(client: &TopologyClient, config: &Value) -> (Value, Diagnostics) {
    let discovered = match bcdr::regions::discover(client.arm()).await {
        Ok(d) => d,
        Err(e) => {
            return (
                Value::Null,
                diag::error("Failed to read Azure regions", e.to_string()).into(),
            );
        }
    };
    let wanted = names(config);
    let chosen: Vec<_> = discovered
        .iter()
        .filter(|r| {
            wanted
                .as_ref()
                .is_none_or(|w| w.iter().any(|n| n.eq_ignore_ascii_case(&r.name)))
        })
        .collect();
    let mut diags = Diagnostics::new();
    for (i, name) in wanted.iter().flatten().enumerate() {
        if !discovered.iter().any(|r| r.name.eq_ignore_ascii_case(name)) {
            diags.push(diag::error_at(
                &["names"],
                "Region not found",
                format!("names[{i}]: \"{name}\" is not a region of this subscription"),
            ));
        }
    }
    let mut pairs = Vec::new();
    for (i, a) in chosen.iter().enumerate() {
        for b in &chosen[i + 1..] {
            let paired = a.paired.contains(&b.name) || b.paired.contains(&a.name);
            if paired && a.aks && b.aks {
                pairs.push(Value::List(vec![
                    Value::string(&a.name),
                    Value::string(&b.name),
                ]));
            }
        }
    }
    let aks: Vec<String> = chosen
        .iter()
        .filter(|r| r.aks)
        .map(|r| r.name.clone())
        .collect();
    let versions = match bcdr::regions::offered_versions(client.arm(), &aks).await {
        Ok(v) => v,
        Err(e) => {
            return (
                Value::Null,
                diag::error(
                    "Failed to read the Kubernetes versions AKS offers",
                    e.to_string(),
                )
                .into(),
            );
        }
    };
    let common = bcdr::arm::managed_cluster::common_minors(versions.values());
    let minors = |offered: &bcdr::arm::managed_cluster::OfferedVersions| {
        let mut minors = offered.minors.clone();
        bcdr::arm::managed_cluster::sort_versions(&mut minors);
        Value::List(minors.iter().map(Value::string).collect())
    };
    let map = |f: &dyn Fn(&bcdr::regions::DiscoveredRegion) -> Value| {
        Value::Map(
            chosen
                .iter()
                .map(|r| (r.name.clone(), f(r)))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    let state = Value::Map(BTreeMap::from([
        ("names".into(), config.get("names").clone()),
        ("id".into(), Value::string(client.arm().subscription_id())),
        (
            "display_names".into(),
            map(&|r| Value::string(&r.display_name)),
        ),
        (
            "paired_regions".into(),
            map(&|r| Value::List(r.paired.iter().map(Value::string).collect())),
        ),
        ("aks_available".into(), map(&|r| Value::Bool(r.aks))),
        (
            "access_restricted".into(),
            map(&|r| Value::Bool(bcdr::regions::restricted(&r.name))),
        ),
        ("availability_zones".into(), map(&|r| Value::Bool(r.zones))),
        ("recommended_pairs".into(), Value::List(pairs)),
        (
            "kubernetes_versions".into(),
            Value::Map(
                versions
                    .iter()
                    .map(|(r, o)| (r.clone(), minors(o)))
                    .collect(),
            ),
        ),
        (
            "common_kubernetes_versions".into(),
            Value::List(common.iter().map(Value::string).collect()),
        ),
    ]));
    (state, diags)
}
