//! Rules for a region's node pools: autoscaler bounds, availability zones, and user pools (AKS's name
//! rules, unique names, sizes and counts).

use super::{AttributePath, Diagnostic, PathStep};
use crate::model::{Autoscale, Region};

/// Whether `region` has availability zones as far as bcdr knows (a region the table lacks: unknown,
/// so no). Zones where there are none are refused by AKS; a warning, not an error: regions gain
/// zones over time.
pub(crate) fn has_zones(region: &str) -> bool {
    crate::regions::lookup(region).is_some_and(|r| r.zones)
}

fn at(region: &str, steps: &[&str]) -> AttributePath {
    let mut path = AttributePath::region(region, None);
    path.0
        .extend(steps.iter().map(|s| PathStep::Attribute((*s).to_owned())));
    path
}

fn pool_at(region: &str, pool: &str, attr: Option<&str>) -> AttributePath {
    let mut path = AttributePath::region(region, Some("node_pool"));
    path.0.push(PathStep::Key(pool.to_owned()));
    if let Some(a) = attr {
        path.0.push(PathStep::Attribute(a.to_owned()));
    }
    path
}

fn bounds(
    a: Autoscale,
    floor: u32,
    path: impl Fn(&str) -> AttributePath,
    out: &mut Vec<Diagnostic>,
) {
    if a.min < floor || a.min > a.max {
        out.push(Diagnostic::error(
            path("min_count"),
            "Invalid autoscaler bounds",
            format!(
                "min_count {} must be at least {floor} and at most max_count {}",
                a.min, a.max
            ),
        ));
    }
    if !(1..=1000).contains(&a.max) {
        out.push(Diagnostic::error(
            path("max_count"),
            "Invalid autoscaler bounds",
            format!("max_count {} must be 1 to 1000", a.max),
        ));
    }
}

fn zones(region: &str, zones: &[String], path: &AttributePath, out: &mut Vec<Diagnostic>) {
    for (i, z) in zones.iter().enumerate() {
        if !["1", "2", "3"].contains(&z.as_str()) || zones[..i].contains(z) {
            out.push(Diagnostic::error(
                path.clone(),
                "Invalid availability zone",
                format!("\"{z}\": zones are \"1\", \"2\" and \"3\", each at most once"),
            ));
        }
    }
    if !zones.is_empty() && crate::regions::lookup(region).is_some_and(|r| !r.zones) {
        out.push(Diagnostic::warning(
            path.clone(),
            "No availability zones in this region",
            format!("{region} has no availability zones as far as bcdr knows, and AKS refuses zones there: remove availability_zones for this region"),
        ));
    }
}

pub(super) fn validate(region: &Region, out: &mut Vec<Diagnostic>) {
    let name = region.name.as_str();
    let c = &region.cluster;
    if let Some(a) = c.autoscale {
        bounds(a, 1, |attr| at(name, &[attr]), out);
    }
    zones(name, &c.zones, &at(name, &["availability_zones"]), out);
    let mut seen: Vec<&str> = Vec::new();
    for pool in &c.user_pools {
        let p = pool.name.as_str();
        let valid = (1..=12).contains(&p.len())
            && p.starts_with(|ch: char| ch.is_ascii_lowercase())
            && p.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit());
        if !valid || p == "system" {
            out.push(Diagnostic::error(pool_at(name, p, None), "Invalid node pool name", format!("\"{p}\" must be 1-12 lowercase letters and digits, starting with a letter, and not \"system\" (the system pool's name), e.g. apps")));
        }
        if seen.contains(&p) {
            out.push(Diagnostic::error(
                pool_at(name, p, None),
                "Duplicate node pool",
                format!("the pool \"{p}\" is declared twice in {name}"),
            ));
        }
        seen.push(p);
        if pool.vm_size.trim().is_empty() {
            out.push(Diagnostic::error(
                pool_at(name, p, Some("vm_size")),
                "Invalid VM size",
                "the VM size must not be empty, for example Standard_D8ds_v5".to_owned(),
            ));
        }
        match pool.autoscale {
            Some(a) => bounds(a, 0, |attr| pool_at(name, p, Some(attr)), out),
            None if pool.node_count > 1000 => out.push(Diagnostic::error(
                pool_at(name, p, Some("node_count")),
                "Invalid node count",
                format!(
                    "{} nodes requested; a user pool takes 0 to 1000",
                    pool.node_count
                ),
            )),
            None => {}
        }
        zones(
            name,
            &pool.zones,
            &pool_at(name, p, Some("availability_zones")),
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ClusterSettings, NodePool, Region, Topology};
    use crate::validate::validate;

    fn with(east: ClusterSettings) -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16").with_cluster(east))
            .region(Region::new("westus", "10.2.0.0/16"))
    }

    fn only(t: &Topology) -> (String, String) {
        let d = validate(t);
        assert_eq!(d.len(), 1, "{d:#?}");
        (d[0].path.to_string(), d[0].detail.clone())
    }

    #[test]
    fn autoscaling_zones_and_pools_are_valid_when_sane() {
        let c = ClusterSettings::default()
            .autoscale(2, 6)
            .zones(["1", "2", "3"])
            .user_pool(NodePool::new("apps", "Standard_D8ds_v5", 2).zones(["1", "2"]))
            .user_pool(NodePool::new("batch", "Standard_D8ds_v5", 0).autoscale(0, 20));
        assert!(validate(&with(c)).is_empty());
    }

    #[test]
    fn autoscaler_bounds_are_ordered_and_in_range() {
        let (path, detail) = only(&with(ClusterSettings::default().autoscale(5, 2)));
        assert_eq!(path, r#"region["eastus"].min_count"#);
        assert!(detail.contains("at most max_count 2"), "{detail}");
        let (path, _) = only(&with(ClusterSettings::default().autoscale(1, 2000)));
        assert_eq!(path, r#"region["eastus"].max_count"#);
        let c = ClusterSettings::default().user_pool(NodePool::new("apps", "s", 1).autoscale(3, 0));
        assert_eq!(validate(&with(c)).len(), 2, "min over max and max 0");
    }

    #[test]
    fn zones_are_one_two_three_once_and_only_where_offered() {
        let (path, detail) = only(&with(ClusterSettings::default().zones(["1", "1"])));
        assert_eq!(path, r#"region["eastus"].availability_zones"#);
        assert!(detail.contains("each at most once"), "{detail}");
        let t = Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16"))
            .region(
                Region::new("westus", "10.2.0.0/16")
                    .with_cluster(ClusterSettings::default().zones(["1"])),
            );
        let (path, detail) = only(&t);
        assert_eq!(path, r#"region["westus"].availability_zones"#);
        assert!(detail.contains("no availability zones"), "{detail}");
    }

    #[test]
    fn pool_names_follow_aks_and_are_unique() {
        let c = ClusterSettings::default().user_pool(NodePool::new("Apps-1", "s", 1));
        let (path, detail) = only(&with(c));
        assert_eq!(path, r#"region["eastus"].node_pool["Apps-1"]"#);
        assert!(detail.contains("lowercase"), "{detail}");
        let c = ClusterSettings::default().user_pool(NodePool::new("system", "s", 1));
        assert!(only(&with(c)).1.contains("not \"system\""));
        let c = ClusterSettings::default()
            .user_pool(NodePool::new("apps", "s", 1))
            .user_pool(NodePool::new("apps", "s", 2));
        assert!(only(&with(c)).1.contains("declared twice"));
    }

    #[test]
    fn pools_need_a_size_and_at_most_1000_nodes() {
        let c = ClusterSettings::default().user_pool(NodePool::new("apps", " ", 1));
        assert_eq!(
            only(&with(c)).0,
            r#"region["eastus"].node_pool["apps"].vm_size"#
        );
        let c = ClusterSettings::default().user_pool(NodePool::new("apps", "s", 1001));
        assert_eq!(
            only(&with(c)).0,
            r#"region["eastus"].node_pool["apps"].node_count"#
        );
    }
}
