//! What AKS will not change on a cluster that exists, and what a private API server adds to the
//! cluster's answer.
//!
//! - A private API server is chosen when the cluster is made: "no support to convert existing
//!   clusters" (learn.microsoft.com private-clusters, limitations); the one conversion AKS offers
//!   goes through API Server VNet Integration with a user-assigned identity, which these clusters
//!   do not use. The error's code and words are a guess (docs/emulator-fidelity.md).
//! - A network policy engine can be installed on a cluster without one, or removed (`none`), each a
//!   rolling re-image of every node (learn.microsoft.com use-network-policies); going from one
//!   engine straight to another is refused (the documented path removes the first one). The
//!   error's code and words are a guess.

use crate::contract::error::ArmError;
use serde_json::{Value, json};

fn private(props: &Value) -> bool {
    props["apiServerAccessProfile"]["enablePrivateCluster"].as_bool() == Some(true)
}

fn engine(props: &Value) -> Option<String> {
    props["networkProfile"]["networkPolicy"]
        .as_str()
        .map(str::to_ascii_lowercase)
        .filter(|p| p != "none")
}

/// Refuses an update of `old` (the cluster's properties as stored) to `new` (as sent) that AKS does
/// not make in place. Properties not sent keep their value, so only sent ones are judged.
pub fn check_update(old: &Value, new: &Value) -> Result<(), ArmError> {
    if !new["apiServerAccessProfile"]["enablePrivateCluster"].is_null()
        && private(old) != private(new)
    {
        return Err(ArmError::bad_request(
            "PropertyChangeNotAllowed",
            "Changing property 'apiServerAccessProfile.enablePrivateCluster' is not allowed: a cluster's API server is made public or private when the cluster is created.",
        )
        .with_target("apiServerAccessProfile.enablePrivateCluster"));
    }
    if !new["networkProfile"]["networkPolicy"].is_null()
        && let (Some(from), Some(to)) = (engine(old), engine(new))
        && from != to
    {
        return Err(ArmError::bad_request(
            "InvalidNetworkPolicyUpdate",
            format!(
                "Network policy cannot be changed from '{from}' to '{to}' directly: remove it first (networkPolicy 'none'), then install '{to}'."
            ),
        )
        .with_target("networkProfile.networkPolicy"));
    }
    Ok(())
}

/// `apiServerAccessProfile` of a private cluster as AKS fills it (a system-managed private DNS zone,
/// the public FQDN kept), and the `privateFQDN` it answers with; `None` for a public cluster.
pub fn private_fqdn(
    props: &Value,
    dns_prefix: &str,
    location: &str,
    seed: &str,
) -> Option<(Value, Value)> {
    if !private(props) {
        return None;
    }
    let mut api = props["apiServerAccessProfile"].clone();
    if api["privateDNSZone"].is_null() {
        api["privateDNSZone"] = json!("system");
    }
    if api["enablePrivateClusterPublicFQDN"].is_null() {
        api["enablePrivateClusterPublicFQDN"] = json!(true);
    }
    let fqdn = format!("{dns_prefix}-{seed}.privatelink.{location}.azmk8s.io");
    Some((api, json!(fqdn)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(policy: Option<&str>, private: Option<bool>) -> Value {
        let mut p = json!({ "networkProfile": {}, "apiServerAccessProfile": {} });
        if let Some(policy) = policy {
            p["networkProfile"]["networkPolicy"] = json!(policy);
        }
        if let Some(private) = private {
            p["apiServerAccessProfile"]["enablePrivateCluster"] = json!(private);
        }
        p
    }

    #[test]
    fn an_engine_comes_and_goes_but_is_not_swapped() {
        assert!(check_update(&props(None, None), &props(Some("calico"), None)).is_ok());
        assert!(check_update(&props(Some("azure"), None), &props(Some("none"), None)).is_ok());
        assert!(check_update(&props(Some("calico"), None), &props(Some("calico"), None)).is_ok());
        let swap = check_update(&props(Some("azure"), None), &props(Some("calico"), None))
            .expect_err("azure to calico");
        assert_eq!(swap.status, 400);
        assert!(swap.message.contains("remove it first"), "{}", swap.message);
    }

    #[test]
    fn a_public_cluster_stays_public() {
        assert!(check_update(&props(None, None), &props(None, Some(false))).is_ok());
        assert!(check_update(&props(None, Some(true)), &props(None, None)).is_ok());
        let made_private = check_update(&props(None, None), &props(None, Some(true)))
            .expect_err("public to private");
        assert_eq!(
            made_private.target.as_deref(),
            Some("apiServerAccessProfile.enablePrivateCluster")
        );
    }

    #[test]
    fn a_private_cluster_answers_with_its_private_fqdn() {
        let (api, fqdn) =
            private_fqdn(&props(None, Some(true)), "shop", "eastus", "1a2b").expect("private");
        assert_eq!(api["privateDNSZone"], "system");
        assert_eq!(fqdn, "shop-1a2b.privatelink.eastus.azmk8s.io");
        assert!(private_fqdn(&props(None, Some(false)), "shop", "eastus", "1a2b").is_none());
    }
}
