//! Resource provider registration, as a new subscription has it: requests to a namespace the
//! subscription is not registered for are answered 409 `MissingSubscriptionRegistration` (reads too),
//! with the namespace in `details[].target`; `POST …/register` answers `Registering`, and once that
//! has taken effect the namespace serves. Every answer is checked against the ARM spec.

mod support;

use arm_emulator::Config;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use support::{Arm, SUB, code, fast};

const AKS: &str = "Microsoft.ContainerService";

fn cluster() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/{AKS}/managedClusters/c?api-version=2024-09-01"
    )
}

fn provider(suffix: &str) -> String {
    format!("/subscriptions/{SUB}/providers/{AKS}{suffix}?api-version=2024-03-01")
}

#[tokio::test]
async fn an_unregistered_namespace_refuses_until_registration_takes_effect() {
    let arm = Arm::start(Config {
        unregistered: vec!["microsoft.containerservice".into()],
        ..fast()
    })
    .await;
    arm.group("rg").await;
    let body = json!({ "location": "eastus", "properties": { "dnsPrefix": "c",
        "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D2s_v5" }] } });

    for method in [Method::PUT, Method::GET] {
        let (status, answer) = arm
            .req(method.clone(), &cluster(), Some(body.clone()))
            .await;
        assert_eq!(
            (status, code(&answer)),
            (409, "MissingSubscriptionRegistration"),
            "{method}: {answer}"
        );
        assert_eq!(answer["error"]["details"][0]["target"], AKS, "{answer}");
        assert!(
            answer["error"]["message"].as_str().is_some_and(
                |m| m.contains("not registered to use namespace 'Microsoft.ContainerService'")
            ),
            "{answer}"
        );
    }
    // Other namespaces serve as before.
    let (status, _) = arm
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v?api-version=2024-03-01"
        ))
        .await;
    assert_eq!(status, 404);

    let (status, state) = arm.get(&provider("")).await;
    assert_eq!(
        (status.as_u16(), &state["registrationState"]),
        (200, &json!("NotRegistered"))
    );
    let (status, state) = arm.req(Method::POST, &provider("/register"), None).await;
    assert_eq!(
        (status, &state["registrationState"]),
        (200, &json!("Registering")),
        "{state}"
    );
    let (status, _) = arm.req(Method::PUT, &cluster(), Some(body.clone())).await;
    assert_eq!(status, 409, "still registering");

    // provider.register: 60 s at scale 1, 30 ms here.
    tokio::time::sleep(Duration::from_millis(60)).await;
    let (_, state) = arm.get(&provider("")).await;
    assert_eq!(state["registrationState"], "Registered");
    let (status, answer) = arm.req(Method::PUT, &cluster(), Some(body)).await;
    assert_eq!(status, 201, "{answer}");
    // Registering again changes nothing.
    let (status, state) = arm.req(Method::POST, &provider("/register"), None).await;
    assert_eq!(
        (status, &state["registrationState"]),
        (200, &json!("Registered"))
    );
}

#[tokio::test]
async fn every_namespace_is_registered_by_default() {
    let arm = Arm::start(fast()).await;
    for ns in [
        "Microsoft.ContainerService",
        "Microsoft.Network",
        "Microsoft.ContainerRegistry",
        "Microsoft.Storage",
        "Microsoft.Cdn",
        "Microsoft.Authorization",
    ] {
        let (status, state) = arm
            .get(&format!(
                "/subscriptions/{SUB}/providers/{ns}?api-version=2024-03-01"
            ))
            .await;
        assert_eq!(status, 200, "{ns}: {state}");
        assert_eq!(state["registrationState"], "Registered", "{ns}");
        assert_eq!(state["namespace"], ns);
    }
    let (status, body) = arm
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Nope?api-version=2024-03-01"
        ))
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (404, "InvalidResourceNamespace")
    );
}

/// A cluster PUT in Germany North.
async fn in_germany_north(arm: &Arm) -> (u16, serde_json::Value) {
    let body = json!({ "location": "germanynorth", "properties": { "dnsPrefix": "c",
        "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D2s_v5" }] } });
    arm.req(Method::PUT, &cluster(), Some(body)).await
}

/// The regions AKS's provider lists for managed clusters.
async fn aks_locations(arm: &Arm) -> Vec<String> {
    let (status, state) = arm.get(&provider("")).await;
    assert_eq!(status, 200, "{state}");
    state["resourceTypes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["resourceType"] == "managedClusters")
        .flat_map(|t| t["locations"].as_array().cloned().unwrap_or_default())
        .filter_map(|l| l.as_str().map(str::to_owned))
        .collect()
}

/// An access-restricted region (Germany North) is offered to AKS only where the subscription was
/// granted it: the provider lists it then, and a cluster there is made; without the grant the
/// provider leaves it out and the cluster is refused as ARM refuses a location a type is not offered in.
#[tokio::test]
async fn a_restricted_region_offers_aks_only_to_a_subscription_granted_it() {
    let arm = Arm::start(fast()).await;
    arm.group("rg").await;
    let listed = aks_locations(&arm).await;
    assert!(
        listed.iter().any(|l| l == "Germany West Central"),
        "{listed:?}"
    );
    assert!(!listed.iter().any(|l| l == "Germany North"), "{listed:?}");
    let (status, answer) = in_germany_north(&arm).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "LocationNotAvailableForResourceType"),
        "{answer}"
    );

    let arm = Arm::start(Config {
        restricted_access: vec!["germanynorth".into()],
        ..fast()
    })
    .await;
    arm.group("rg").await;
    let listed = aks_locations(&arm).await;
    assert!(listed.iter().any(|l| l == "Germany North"), "{listed:?}");
    assert!(
        !listed.iter().any(|l| l == "Switzerland West"),
        "only the regions granted: {listed:?}"
    );
    let (status, answer) = in_germany_north(&arm).await;
    assert_eq!(status, 201, "{answer}");
}
