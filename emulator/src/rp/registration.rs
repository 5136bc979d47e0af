//! `Microsoft.Resources` provider registrations: a subscription must be registered for a resource
//! provider's namespace before any request reaches that provider. ARM answers an unregistered one
//! 409 `MissingSubscriptionRegistration` (the namespace in `details[].target`, as Azure's SDKs read it);
//! `POST …/providers/{namespace}/register` starts a registration that takes a while (`Registering`,
//! then `Registered`). Every namespace is registered unless [`crate::contract::config::Config::unregistered`] names it.

use crate::contract::error::ArmError;
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use serde_json::{Value, json};

/// A resource type: its name, the api-versions its registration lists, and whether it is global (no
/// regions).
type ResourceType = (&'static str, &'static [&'static str], bool);

/// The namespaces the emulator serves, with their resource types.
const NAMESPACES: &[(&str, &[ResourceType])] = &[
    (
        "Microsoft.ContainerService",
        &[(
            "managedClusters",
            &[crate::contract::versions::API_AKS],
            false,
        )],
    ),
    (
        "Microsoft.Network",
        &[
            (
                "virtualNetworks",
                &[crate::contract::versions::API_NETWORK],
                false,
            ),
            (
                "virtualNetworks/virtualNetworkPeerings",
                &[crate::contract::versions::API_NETWORK],
                false,
            ),
            (
                "publicIPAddresses",
                &[crate::contract::versions::API_NETWORK],
                false,
            ),
            (
                "trafficmanagerprofiles",
                &[crate::contract::versions::API_TRAFFIC_MANAGER],
                true,
            ),
            (
                "FrontDoorWebApplicationFirewallPolicies",
                &[crate::contract::versions::API_FRONT_DOOR_WAF],
                true,
            ),
        ],
    ),
    (
        "Microsoft.Resources",
        &[(
            "resourceGroups",
            &[crate::contract::versions::API_RESOURCES],
            false,
        )],
    ),
    (
        "Microsoft.ContainerRegistry",
        &[
            (
                "registries",
                &[crate::contract::versions::API_REGISTRY],
                false,
            ),
            (
                "registries/replications",
                &[crate::contract::versions::API_REGISTRY],
                false,
            ),
        ],
    ),
    (
        "Microsoft.Storage",
        &[(
            "storageAccounts",
            &[crate::contract::versions::API_STORAGE],
            false,
        )],
    ),
    (
        "Microsoft.Cdn",
        &[("profiles", &[crate::contract::versions::API_CDN], true)],
    ),
    (
        "Microsoft.OperationalInsights",
        &[(
            "workspaces",
            crate::contract::versions::OPERATIONAL_INSIGHTS_LISTED,
            false,
        )],
    ),
    (
        "Microsoft.DataProtection",
        &[
            (
                "backupVaults",
                &[crate::contract::versions::API_DATA_PROTECTION],
                false,
            ),
            (
                "backupVaults/backupPolicies",
                &[crate::contract::versions::API_DATA_PROTECTION],
                false,
            ),
            (
                "backupVaults/backupInstances",
                &[crate::contract::versions::API_DATA_PROTECTION],
                false,
            ),
        ],
    ),
    (
        "Microsoft.KubernetesConfiguration",
        &[
            (
                "extensions",
                &[crate::contract::versions::API_KUBERNETES_CONFIGURATION],
                false,
            ),
            (
                "fluxConfigurations",
                &[crate::contract::versions::API_KUBERNETES_CONFIGURATION],
                false,
            ),
        ],
    ),
    (
        "Microsoft.Authorization",
        &[(
            "roleAssignments",
            &[crate::contract::versions::API_AUTHORIZATION],
            true,
        )],
    ),
];

fn canonical(namespace: &str) -> Option<&'static str> {
    NAMESPACES
        .iter()
        .map(|(n, _)| *n)
        .find(|n| n.eq_ignore_ascii_case(namespace))
}

fn key(ctx: &Ctx<'_>, namespace: &str) -> String {
    format!("{}/{namespace}", ctx.subscription).to_ascii_lowercase()
}

/// `NotRegistered`, `Registering` or `Registered`.
fn state(ctx: &Ctx<'_>, namespace: &str) -> &'static str {
    match ctx.state.registrations.get(&key(ctx, namespace)) {
        Some(at) if *at <= ctx.now => "Registered",
        Some(_) => "Registering",
        None if ctx
            .config
            .unregistered
            .iter()
            .any(|n| n.eq_ignore_ascii_case(namespace)) =>
        {
            "NotRegistered"
        }
        None => "Registered",
    }
}

/// Refuses a request to `namespace`'s provider while the subscription is not registered for it.
pub fn require(ctx: &Ctx<'_>, namespace: &str) -> Result<(), ArmError> {
    let namespace = canonical(namespace).unwrap_or(namespace);
    if state(ctx, namespace) == "Registered" {
        return Ok(());
    }
    let message = format!(
        "The subscription is not registered to use namespace '{namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions."
    );
    let mut error = ArmError::conflict("MissingSubscriptionRegistration", message.clone());
    error.details = vec![json!({
        "code": "MissingSubscriptionRegistration",
        "target": namespace,
        "message": message,
    })];
    Err(error)
}

fn body(ctx: &Ctx<'_>, namespace: &'static str) -> Value {
    let types = NAMESPACES
        .iter()
        .find(|(n, _)| *n == namespace)
        .map_or(&[][..], |(_, t)| t);
    let resource_types: Vec<Value> = types
        .iter()
        .map(|(t, apis, global)| {
            let locations: Vec<&str> = if *global {
                vec!["global"]
            } else {
                regions::all()
                    .filter(|r| {
                        namespace != "Microsoft.ContainerService"
                            || regions::aks_offered(ctx.config, r.name)
                    })
                    .map(|r| r.display_name)
                    .collect()
            };
            json!({ "resourceType": t, "locations": locations, "apiVersions": apis })
        })
        .collect();
    json!({
        "id": format!("/subscriptions/{}/providers/{namespace}", ctx.subscription),
        "namespace": namespace,
        "registrationState": state(ctx, namespace),
        "resourceTypes": resource_types,
    })
}

fn invalid(namespace: &str) -> ArmError {
    ArmError::not_found(
        "InvalidResourceNamespace",
        format!("The resource namespace '{namespace}' is invalid."),
    )
}

/// `GET /subscriptions/{s}/providers/{namespace}`.
pub fn provider(ctx: &mut Ctx<'_>, namespace: &str) -> Result<Resp, ArmError> {
    let namespace = canonical(namespace).ok_or_else(|| invalid(namespace))?;
    Ok(Resp::json(200, body(ctx, namespace)))
}

/// `POST /subscriptions/{s}/providers/{namespace}/register`: `Registering` for a while, then
/// `Registered` (at once when it already is).
pub fn register(ctx: &mut Ctx<'_>, namespace: &str) -> Result<Resp, ArmError> {
    let namespace = canonical(namespace).ok_or_else(|| invalid(namespace))?;
    if state(ctx, namespace) == "NotRegistered" {
        let at = ctx.now + ctx.latency("provider.register");
        let key = key(ctx, namespace);
        ctx.state.registrations.insert(key, at);
    }
    Ok(Resp::json(200, body(ctx, namespace)))
}
