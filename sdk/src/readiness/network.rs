//! How the global services are reached: the registry only through each region's private endpoint,
//! unless a pipeline outside the VNets needs it open (docs/security.md, Networks).

use super::{Finding, Level, finding};
use crate::model::Topology;

/// `registry-network`: a registry open to the internet takes pushes and pulls from anywhere its
/// credentials leak to.
pub(super) fn registry_network(t: &Topology) -> Finding {
    const CHECK: &str = "registry-network";
    match &t.registry {
        Some(r) if r.public_network_access => finding(
            CHECK,
            Level::Warn,
            "the registry is reachable from the internet (registry.public_network_access = true): only the regions' private endpoints should reach it; push from a runner inside a VNet and turn it off",
        ),
        Some(_) => finding(
            CHECK,
            Level::Pass,
            "the registry is reachable only through each region's private endpoint",
        ),
        None => finding(CHECK, Level::Pass, "no registry"),
    }
}

#[cfg(test)]
mod tests {
    use super::registry_network;
    use crate::model::{Registry, Topology};
    use crate::readiness::Level;

    #[test]
    fn an_open_registry_is_warned_of() {
        let mut t = Topology::new("shop").registry(Registry::default());
        assert_eq!(registry_network(&t).level, Level::Pass);
        if let Some(r) = t.registry.as_mut() {
            r.public_network_access = true;
        }
        let open = registry_network(&t);
        assert_eq!(open.level, Level::Warn);
        assert!(
            open.detail.contains("public_network_access"),
            "{}",
            open.detail
        );
    }
}
