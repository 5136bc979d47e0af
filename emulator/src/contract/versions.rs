//! The api-versions the emulator serves, in one table: per resource provider, the version it is
//! pinned to (`shared/arm-specs/versions.json`: the shapes it answers), and the others it answers
//! with the same contract, so that any current client works with its own defaults: every stable
//! version (`YYYY-MM-DD`) from the oldest a current client still sends up to [`NEWEST`], and the
//! previews current clients send (the Azure CLI's registry commands, for one). Any other version
//! (an unknown preview, a malformed one, one older or newer) is refused, as ARM refuses it:
//! 400 `InvalidApiVersionParameter`, the supported versions in its message. ARM itself answers only
//! the versions a provider registered, a list with gaps; answering every date in the range is the
//! emulator's simplification (docs/emulator-fidelity.md).

pub const API_RESOURCES: &str = "2024-03-01";
pub const API_SUBSCRIPTIONS: &str = "2022-12-01";
pub const API_NETWORK: &str = "2024-03-01";
pub const API_AKS: &str = "2024-09-01";
pub const API_TRAFFIC_MANAGER: &str = "2022-04-01";
pub const API_AUTHORIZATION: &str = "2022-04-01";
pub const API_REGISTRY: &str = "2023-07-01";
pub const API_STORAGE: &str = "2023-05-01";
pub const API_CDN: &str = "2024-09-01";
pub const API_FRONT_DOOR_WAF: &str = "2024-02-01";
pub const API_COMPUTE_USAGES: &str = "2024-07-01";
pub const API_COMPUTE_SKUS: &str = "2021-07-01";
pub const API_OPERATIONAL_INSIGHTS: &str = "2023-09-01";
pub const API_PRIVATE_DNS: &str = "2024-06-01";
pub const API_DATA_PROTECTION: &str = "2024-04-01";
pub const API_KUBERNETES_CONFIGURATION: &str = "2023-05-01";

/// The newest stable api-version any provider answers (the latest the clients of 2026-12 send).
pub const NEWEST: &str = "2026-12-31";

/// One resource provider's api-versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    /// The version whose shapes the emulator answers.
    pub pinned: &'static str,
    /// The oldest stable version answered.
    pub oldest: &'static str,
    /// Previews answered (what current clients send).
    pub previews: &'static [&'static str],
}

/// Whether `v` reads `YYYY-MM-DD`.
fn is_stable(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

impl Versions {
    /// Whether `v` is answered.
    pub fn accepts(&self, v: &str) -> bool {
        v == self.pinned
            || self.previews.contains(&v)
            || (is_stable(v) && v >= self.oldest && v <= NEWEST)
    }

    /// The supported versions, as ARM's refusal lists them.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "{} (pinned), and every stable version from {} to {NEWEST}",
            self.pinned, self.oldest
        );
        for p in self.previews {
            out.push_str(", ");
            out.push_str(p);
        }
        out
    }
}

/// Groups, deployments, providers, generic resource lists: `az` sends 2024-11-01, the Python SDK
/// 2025-04-01, the recordings 2020-06-01 to 2022-09-01.
pub const RESOURCES: Versions = Versions {
    pinned: API_RESOURCES,
    oldest: "2016-02-01",
    previews: &[],
};
/// Subscriptions, tenants, locations.
pub const SUBSCRIPTIONS: Versions = Versions {
    pinned: API_SUBSCRIPTIONS,
    oldest: "2016-06-01",
    previews: &[],
};
/// VNets, subnets, peerings, public IPs: `az` sends 2022-01-01 to 2025-09-01.
/// Private DNS zones, their links and record sets (`privatedns.json`: stable 2018-09-01, 2020-01-01,
/// 2020-06-01, 2024-06-01).
pub const PRIVATE_DNS: Versions = Versions {
    pinned: API_PRIVATE_DNS,
    oldest: "2018-09-01",
    previews: &[],
};

pub const NETWORK: Versions = Versions {
    pinned: API_NETWORK,
    oldest: "2018-01-01",
    previews: &[],
};
/// Traffic Manager: the recordings 2018-04-01, `az` 2026-09-01.
pub const TRAFFIC_MANAGER: Versions = Versions {
    pinned: API_TRAFFIC_MANAGER,
    oldest: "2018-04-01",
    previews: &[],
};
/// Front Door WAF policies.
pub const FRONT_DOOR_WAF: Versions = Versions {
    pinned: API_FRONT_DOOR_WAF,
    oldest: "2020-04-01",
    previews: &[],
};
/// Managed clusters: the recordings 2022-03-01; the SDKs 2025-07-01 to 2026-08-01.
pub const AKS: Versions = Versions {
    pinned: API_AKS,
    oldest: "2022-01-01",
    previews: &[],
};
/// AKS's operation documents: ARM's URLs carry 2016-03-30 (aks-create #0).
pub const AKS_OPERATIONS: Versions = Versions {
    pinned: "2016-03-30",
    oldest: "2016-03-30",
    previews: &[],
};
/// Registries: `az acr` sends a preview (acr-replication #0: 2026-09-01-preview).
pub const REGISTRY: Versions = Versions {
    pinned: API_REGISTRY,
    oldest: "2019-05-01",
    previews: &[
        "2026-09-01-preview",
        "2025-11-01-preview",
        "2025-05-01-preview",
    ],
};
/// Storage accounts: the recordings 2021-02-01, `az` 2024-01-01 to 2026-04-01.
pub const STORAGE: Versions = Versions {
    pinned: API_STORAGE,
    oldest: "2019-06-01",
    previews: &[],
};
/// Front Door Standard/Premium: the recordings 2023-05-01.
pub const CDN: Versions = Versions {
    pinned: API_CDN,
    oldest: "2020-09-01",
    previews: &[],
};
/// Role assignments.
pub const AUTHORIZATION: Versions = Versions {
    pinned: API_AUTHORIZATION,
    oldest: "2018-09-01-preview",
    previews: &[
        "2018-09-01-preview",
        "2020-04-01-preview",
        "2022-05-01-preview",
    ],
};
/// Log Analytics workspaces: the versions the service itself lists in its `api-supported-versions`
/// answer header (azure-cli monitor recordings test_monitor_log_analytics_workspace_failover_failback
/// and ..._table_total_retention_upper_fix, 2025: 2015-03-20, 2020-08-01, 2020-10-01, 2021-06-01,
/// 2022-10-01, 2023-09-01, 2025-02-01, 2025-04-01), from 2020-08-01 on (the oldest `az monitor
/// log-analytics` recording sends it), and the previews recorded clients send: `az aks create
/// --enable-addons monitoring` reads the default workspace at 2015-11-01-preview (acs recording
/// test_aks_approuting_update_with_monitoring_addon_enabled), `az monitor` once sent 2021-12-01-preview.
pub const OPERATIONAL_INSIGHTS: Versions = Versions {
    pinned: API_OPERATIONAL_INSIGHTS,
    oldest: "2020-08-01",
    previews: &["2015-11-01-preview", "2021-12-01-preview"],
};
/// The Log Analytics versions the provider's registration lists (the recorded `api-supported-versions`
/// the emulator answers, newest first).
pub const OPERATIONAL_INSIGHTS_LISTED: &[&str] = &[
    "2025-04-01",
    "2025-02-01",
    API_OPERATIONAL_INSIGHTS,
    "2022-10-01",
    "2021-06-01",
    "2020-10-01",
    "2020-08-01",
    "2021-12-01-preview",
    "2015-11-01-preview",
];
/// Backup vaults and AKS Backup (`Microsoft.DataProtection`): the provider's first stable version is
/// 2021-01-01.
pub const DATA_PROTECTION: Versions = Versions {
    pinned: API_DATA_PROTECTION,
    oldest: "2021-01-01",
    previews: &[],
};
/// Cluster extensions and Flux configurations (`Microsoft.KubernetesConfiguration`): stable
/// 2021-09-01 on (the provider's registration, recorded in Azure/azure-cli-extensions k8s-extension
/// test_k8s_extension, lists 2021-09-01 as its first stable extensions version).
pub const KUBERNETES_CONFIGURATION: Versions = Versions {
    pinned: API_KUBERNETES_CONFIGURATION,
    oldest: "2021-09-01",
    previews: &[],
};
/// Compute quotas.
pub const COMPUTE_USAGES: Versions = Versions {
    pinned: API_COMPUTE_USAGES,
    oldest: "2019-07-01",
    previews: &[],
};
/// Compute VM sizes.
pub const COMPUTE_SKUS: Versions = Versions {
    pinned: API_COMPUTE_SKUS,
    oldest: "2019-04-01",
    previews: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_versions_in_range_and_listed_previews_are_answered_others_refused() {
        assert!(NETWORK.accepts(API_NETWORK));
        assert!(NETWORK.accepts("2025-09-01"), "a newer stable version");
        assert!(NETWORK.accepts("2022-01-01"));
        assert!(
            !NETWORK.accepts("2017-06-01"),
            "older than any current client"
        );
        assert!(!NETWORK.accepts("2099-01-01"), "from the future");
        assert!(!NETWORK.accepts("2025-09-01-preview"), "an unknown preview");
        assert!(!NETWORK.accepts("2025-9-1"), "malformed");
        assert!(REGISTRY.accepts("2026-09-01-preview"), "az acr's preview");
        assert!(NETWORK.describe().contains("2024-03-01 (pinned)"));
    }
}
