//! `Microsoft.Storage` at api-version 2023-05-01: storage accounts (3-24 lowercase alphanumerics,
//! globally unique; PUT answers 202 with no body and a `Location` to poll, 200 when nothing changes;
//! DELETE is synchronous, 204 when the account did not exist) with the paired secondary region of
//! geo-redundant SKUs, and blob containers (synchronous).

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, require_group, sku};
use crate::contract::store::{Kind, Resource, rfc3339};
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Storage/storageAccounts";
const SKUS: &[&str] = &[
    "Standard_LRS",
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_ZRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
    "Premium_LRS",
    "Premium_ZRS",
];

fn valid_name(name: &str) -> bool {
    (3..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Whether an account other than `id` holds `name` (names are global: any subscription's).
fn taken_by_other(ctx: &Ctx<'_>, name: &str, id: &str) -> bool {
    ctx.state.resources.values().any(|r| {
        r.kind == Kind::StorageAccount
            && !r.id.eq_ignore_ascii_case(id)
            && r.body["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// `POST /subscriptions/{s}/providers/Microsoft.Storage/checkNameAvailability`, what `az storage
/// account create` asks first: `{nameAvailable, reason, message}` (reasons `AccountNameInvalid`,
/// `AlreadyExists`: storage.json CheckNameAvailabilityResult).
pub fn check_name(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    if ctx.method != axum::http::Method::POST {
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    let name = ctx.json_body()?["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let answer = if !valid_name(&name) {
        json!({ "nameAvailable": false, "reason": "AccountNameInvalid", "message": format!("{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.") })
    } else if taken_by_other(ctx, &name, "") {
        json!({ "nameAvailable": false, "reason": "AlreadyExists", "message": format!("The storage account named {name} is already taken.") })
    } else {
        json!({ "nameAvailable": true })
    };
    Ok(Resp::json(200, answer))
}

fn geo_redundant(sku: &str) -> bool {
    matches!(
        sku,
        "Standard_GRS" | "Standard_RAGRS" | "Standard_GZRS" | "Standard_RAGZRS"
    )
}

/// The account as the service reports it, given the request and what may exist already.
fn render(
    ctx: &Ctx<'_>,
    id: &str,
    name: &str,
    location: &str,
    sku: &str,
    body: &Value,
    existing: Option<&Resource>,
) -> Value {
    let secondary = geo_redundant(sku)
        .then(|| {
            regions::all()
                .find(|r| r.name == location)
                .and_then(|r| r.paired.first().copied())
        })
        .flatten();
    let endpoint = |service: &str| format!("https://{name}.{service}.core.windows.net/");
    let mut properties = json!({
        "provisioningState": "Succeeded",
        "primaryLocation": location,
        "statusOfPrimary": "available",
        "creationTime": existing.map_or_else(|| json!(rfc3339(ctx.now)), |r| r.body["properties"]["creationTime"].clone()),
        "primaryEndpoints": { "blob": endpoint("blob"), "queue": endpoint("queue"), "table": endpoint("table"), "file": endpoint("file"), "dfs": endpoint("dfs"), "web": endpoint("web") },
        "supportsHttpsTrafficOnly": body["properties"]["supportsHttpsTrafficOnly"].as_bool().unwrap_or(true),
        "minimumTlsVersion": body["properties"]["minimumTlsVersion"].as_str().unwrap_or("TLS1_2"),
        "allowBlobPublicAccess": body["properties"]["allowBlobPublicAccess"].as_bool().unwrap_or(false),
        "accessTier": body["properties"]["accessTier"].as_str().unwrap_or("Hot"),
    });
    // As the recorded account reports them (storage-create.json): service-side encryption of blobs
    // and files with the account's keys since creation, its two keys' creation times, and the
    // network rules sent or the open default.
    let created = properties["creationTime"].clone();
    properties["encryption"] = json!({
        "keySource": body["properties"]["encryption"]["keySource"].as_str().unwrap_or("Microsoft.Storage"),
        "services": {
            "blob": { "keyType": "Account", "enabled": true, "lastEnabledTime": created },
            "file": { "keyType": "Account", "enabled": true, "lastEnabledTime": created },
        },
    });
    properties["keyCreationTime"] = json!({ "key1": created, "key2": created });
    properties["privateEndpointConnections"] = json!([]);
    properties["networkAcls"] = match body["properties"].get("networkAcls") {
        // What is not given reads as Azure's defaults (no rules, trusted services let in).
        Some(acls) if acls.is_object() => json!({
            "bypass": acls["bypass"].as_str().unwrap_or("AzureServices"),
            "virtualNetworkRules": acls.get("virtualNetworkRules").cloned().unwrap_or_else(|| json!([])),
            "ipRules": acls.get("ipRules").cloned().unwrap_or_else(|| json!([])),
            "defaultAction": acls["defaultAction"].as_str().unwrap_or("Allow"),
        }),
        _ => existing
            .map(|r| r.body["properties"]["networkAcls"].clone())
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({ "bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Allow" })),
    };
    if let Some(s) = secondary {
        properties["secondaryLocation"] = json!(s);
        properties["statusOfSecondary"] = json!("available");
        // Read access to the secondary: its own endpoints, `<account>-secondary`.
        if sku.starts_with("Standard_RA") {
            let secondary =
                |service: &str| format!("https://{name}-secondary.{service}.core.windows.net/");
            properties["secondaryEndpoints"] = json!({ "blob": secondary("blob"), "queue": secondary("queue"), "table": secondary("table"), "web": secondary("web"), "dfs": secondary("dfs") });
        }
    }
    json!({
        "id": id,
        "name": name,
        "type": TYPE,
        "location": location,
        "kind": body["kind"],
        "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
        "sku": { "name": sku, "tier": if sku.starts_with("Premium") { "Premium" } else { "Standard" } },
        "properties": properties,
    })
}

#[derive(Debug)]
struct Account;

impl ResourceType for Account {
    fn profile(&self) -> &'static Profile {
        &profile::STORAGE
    }
    fn kind(&self) -> Kind {
        Kind::StorageAccount
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "storageAccount.delete"
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let (name, id) = (at.name.as_str(), at.id.clone());

        if !valid_name(name) {
            return Err(ArmError::bad_request(
                "AccountNameInvalid",
                format!(
                    "{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."
                ),
            ));
        }
        if taken_by_other(ctx, name, &id) {
            return Err(ArmError::conflict(
                "StorageAccountAlreadyTaken",
                format!("The storage account named {name} is already taken."),
            ));
        }
        let location = body_location(ctx, body)?;
        let Some(sku) = sku(body, SKUS) else {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                format!("sku.name is required: one of {}.", SKUS.join(", ")),
            )
            .with_target("sku.name"));
        };
        if body["kind"].as_str().is_none() {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                "kind is required, e.g. StorageV2.",
            )
            .with_target("kind"));
        }
        if let Some(old) = existing
            && old.body["location"] != json!(location)
        {
            return Err(ArmError::conflict(
                "InvalidResourceLocation",
                format!(
                    "The storage account '{name}' already exists in location '{}'.",
                    old.body["location"].as_str().unwrap_or_default()
                ),
            ));
        }
        let rendered = render(ctx, &id, name, location, sku, body, existing);
        Ok(Written {
            // A PUT that changes nothing is answered 200 with the account, no operation (spec).
            unchanged: existing.is_some_and(|old| old.body == rendered),
            body: rendered,
            location: location.to_owned(),
            latency: "storageAccount.put",
            completes: None,
        })
    }
}

pub fn account(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &Account)
}

fn valid_container(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !name.contains("--")
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[derive(Debug)]
struct Container;

impl ResourceType for Container {
    fn profile(&self) -> &'static Profile {
        &profile::BLOB_CONTAINER
    }
    fn kind(&self) -> Kind {
        Kind::BlobContainer
    }
    fn type_name(&self) -> &'static str {
        "Microsoft.Storage/storageAccounts/blobServices/containers"
    }
    fn delete_latency(&self) -> &'static str {
        "storageAccount.delete"
    }

    fn not_found(&self, _at: &At) -> ArmError {
        ArmError::not_found(
            "ContainerNotFound",
            "The specified container does not exist.",
        )
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        _existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let (name, id) = (at.name.as_str(), at.id.clone());

        if !valid_container(name) {
            return Err(ArmError::bad_request(
                "ContainerOperationFailure",
                format!(
                    "The specified container name '{name}' is invalid: 3-63 lowercase letters, digits and single hyphens."
                ),
            ));
        }
        let rendered = json!({
            "id": id,
            "name": name,
            "type": format!("{TYPE}/blobServices/containers"),
            "etag": format!("\"0x{:X}\"", ctx.now),
            "properties": {
                "publicAccess": body["properties"]["publicAccess"].as_str().unwrap_or("None"),
                "leaseStatus": "Unlocked",
                "leaseState": "Available",
                "hasImmutabilityPolicy": false,
                "hasLegalHold": false,
                "lastModifiedTime": rfc3339(ctx.now),
            },
        });
        Ok(Written {
            unchanged: false,
            body: rendered,
            location: String::new(),
            latency: "storageAccount.delete",
            completes: None,
        })
    }
}

pub fn container(
    ctx: &mut Ctx<'_>,
    rg: &str,
    account_name: &str,
    service: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let account_id = format!("{rg_id}/providers/{TYPE}/{account_name}");
    let Some(account) = ctx.state.get(&account_id).cloned() else {
        return Err(ArmError::not_found(
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{account_name}' not found."
            ),
        ));
    };
    if !service.eq_ignore_ascii_case("default") {
        return Err(ArmError::bad_request(
            "InvalidResourceName",
            "The blob service is named 'default'.",
        ));
    }
    let id = format!("{}/blobServices/default/containers/{name}", account.id);
    let at = At::new(ctx.state, rg, id, name, Some(account));
    crud::serve(ctx, &at, &Container)
}
