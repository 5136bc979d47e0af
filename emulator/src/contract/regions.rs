//! Azure's public-cloud regions as the subscription `locations` API reports them: display names,
//! paired regions (directional where Azure's are), whether AKS is offered there, and whether the
//! region has availability zones.

use azure_facts::regions::{Aks, Region};

/// Every region the emulator's subscription sees: those of the region-pairs page and those opened
/// since (`azure_facts::regions`, the table the SDK reads too).
pub fn all() -> impl Iterator<Item = &'static Region> {
    azure_facts::regions::all()
}

/// The canonical name of a location given as a name or a display name, in any casing.
pub fn canonical(location: &str) -> Option<&'static str> {
    let squashed: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    all().find(|r| r.name == squashed).map(|r| r.name)
}

pub fn display_name(name: &str) -> &'static str {
    all()
        .find(|r| r.name == name)
        .map_or("", |r| r.display_name)
}

/// Whether `name` has availability zones (a region the table lacks: yes, as Azure's newer regions
/// open with zones).
pub fn has_zones(name: &str) -> bool {
    all().find(|r| r.name == name).is_none_or(|r| r.zones)
}

/// Whether `name` is offered only to subscriptions granted access (the region-pairs page's starred
/// regions), for in-country disaster recovery.
pub fn restricted(name: &str) -> bool {
    all().any(|r| r.name == name && r.aks == Aks::Restricted)
}

/// Whether AKS is offered in `name` to this subscription: everywhere the table says, and in the
/// access-restricted regions the configuration grants.
pub fn aks_offered(config: &crate::contract::config::Config, name: &str) -> bool {
    all().any(|r| r.name == name && r.aks == Aks::Offered)
        || (restricted(name)
            && config
                .restricted_access
                .iter()
                .any(|g| g.eq_ignore_ascii_case(name)))
}
