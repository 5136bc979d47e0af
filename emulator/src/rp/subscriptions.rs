//! ARM above the subscriptions: the subscriptions and tenants a caller can see (what `az login` and
//! azure-identity's tooling list first), one subscription's GET, and the cloud's metadata
//! (`/metadata/endpoints`, what `az cloud register --endpoint-resource-manager` reads).

use crate::contract::config::Config;
use crate::contract::request::Resp;
use crate::contract::store::State;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The subscriptions a caller sees: the configured ones and every one that holds resources.
fn visible(state: &State, config: &Config) -> BTreeSet<String> {
    let mut subs: BTreeSet<String> = config
        .subscriptions
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    subs.extend(
        state
            .resources
            .keys()
            .filter_map(|k| k.strip_prefix("/subscriptions/"))
            .filter_map(|rest| rest.split('/').next())
            .map(str::to_owned),
    );
    subs
}

/// One subscription as `GET /subscriptions/{s}` and the list answer it (subscriptions.json).
fn subscription_body(id: &str, tenant: &str) -> Value {
    json!({
        "id": format!("/subscriptions/{id}"),
        "subscriptionId": id,
        "tenantId": tenant,
        "displayName": format!("ARM emulator {id}"),
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
    })
}

/// `GET /subscriptions`.
pub(crate) fn list(state: &State, config: &Config, tenant: &str) -> Resp {
    let value: Vec<Value> = visible(state, config)
        .iter()
        .map(|s| subscription_body(s, tenant))
        .collect();
    Resp::json(200, json!({ "value": value }))
}

/// `GET /subscriptions/{s}`: every well-formed subscription exists in the emulator.
pub(crate) fn get(subscription: &str, tenant: &str) -> Resp {
    Resp::json(200, subscription_body(subscription, tenant))
}

/// `GET /tenants`: the caller's tenant.
pub(crate) fn tenants(tenant: &str) -> Resp {
    Resp::json(
        200,
        json!({ "value": [{
            "id": format!("/tenants/{tenant}"),
            "tenantId": tenant,
            "tenantCategory": "Home",
            "countryCode": "US",
            "displayName": "ARM emulator",
            "domains": ["emulator.invalid"],
            "defaultDomain": "emulator.invalid",
            "tenantType": "AAD",
        }] }),
    )
}

/// `GET /metadata/endpoints`: the cloud as ARM describes it (the shape Azure's own answers, which the
/// Azure CLI reads: `authentication.loginEndpoint`, `authentication.audiences`, `resourceManager`,
/// `suffixes`), every endpoint at the emulator; the audience is the public cloud's, as tokens are
/// asked for it.
pub(crate) fn metadata(base: &str) -> Resp {
    let root = format!("{base}/");
    Resp::json(
        200,
        json!({
            "name": "ArmEmulator",
            "portal": root,
            "resourceManager": root,
            "gallery": root,
            "graph": root,
            "graphAudience": root,
            "microsoftGraphResourceId": root,
            "sqlManagement": root,
            "batch": root,
            "media": root,
            "activeDirectoryDataLake": root,
            "vmImageAliasDoc": format!("{root}vmImageAliasDoc"),
            "authentication": {
                "loginEndpoint": root,
                "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "suffixes": {
                "acrLoginServer": "azurecr.io",
                "keyVaultDns": "vault.azure.net",
                "sqlServerHostname": "database.windows.net",
                "storage": "core.windows.net",
                "azureFrontDoorEndpointSuffix": "azurefd.net",
            },
        }),
    )
}
