//! `Microsoft.Network/publicIPAddresses`: Standard static addresses with a DNS label, as the ingress of
//! each region's cluster uses them. PUT and DELETE are long-running, like every Network write.

use crate::contract::error::ArmError;
use crate::contract::lro::{self, OpSite};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, method_not_allowed, not_found, require_group};
use crate::contract::store::{Kind, Resource};
use axum::http::Method;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Network/publicIPAddresses";

fn site(location: &str) -> OpSite<'_> {
    OpSite {
        namespace: "Microsoft.Network",
        location,
        api_version: crate::contract::versions::API_NETWORK,
    }
}

fn valid_label(label: &str) -> bool {
    let b = label.as_bytes();
    (3..=63).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A stable, plausible address for the n-th allocation.
fn allocate(n: usize) -> String {
    format!(
        "20.{}.{}.{}",
        40 + n / 65_536 % 200,
        n / 256 % 256,
        1 + n % 254
    )
}

fn validate(ctx: &Ctx<'_>, id: &str, location: &str, body: &Value) -> Result<(), ArmError> {
    let sku = body["sku"]["name"].as_str().unwrap_or("Basic");
    let method = body["properties"]["publicIPAllocationMethod"]
        .as_str()
        .unwrap_or("Dynamic");
    if sku.eq_ignore_ascii_case("Standard") && !method.eq_ignore_ascii_case("Static") {
        return Err(ArmError::bad_request("StandardSkuPublicIPAddressesMustBeStatic", "Standard sku publicIp addresses must be Static: set properties.publicIPAllocationMethod to Static.").with_target("properties.publicIPAllocationMethod"));
    }
    if let Some(label) = body["properties"]["dnsSettings"]["domainNameLabel"].as_str() {
        if !valid_label(label) {
            return Err(ArmError::bad_request("InvalidDomainNameLabel", format!("The domain name label {label} is invalid. It must conform to the following regular expression: ^[a-z][a-z0-9-]{{1,61}}[a-z0-9]$.")).with_target("properties.dnsSettings.domainNameLabel"));
        }
        let taken = ctx.state.resources.values().any(|r| {
            r.kind == Kind::PublicIp
                && !r.id.eq_ignore_ascii_case(id)
                && r.body["location"] == json!(location)
                && r.body["properties"]["dnsSettings"]["domainNameLabel"]
                    .as_str()
                    .is_some_and(|l| l.eq_ignore_ascii_case(label))
        });
        if taken {
            return Err(ArmError::bad_request(
                "DnsRecordInUse",
                format!(
                    "DNS record {label}.{location}.cloudapp.azure.com is already used by another public IP."
                ),
            ));
        }
    }
    Ok(())
}

pub fn address(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let id = format!("{rg_id}/providers/{TYPE}/{name}");
    let existing = ctx.state.get(&id).cloned();
    match ctx.method {
        Method::GET => existing
            .map(|r| Resp::json(200, r.body))
            .ok_or_else(|| not_found(TYPE, name, rg)),
        Method::PUT => {
            let body = ctx.json_body()?.clone();
            let location = body_location(ctx, &body)?;
            if let Some(old) = &existing {
                if old.is_busy() {
                    // The Network RP answers a locked IP with 429 and this code: a lock, not
                    // throttling (shared/notes/arm-contract.md §2).
                    return Err(ArmError::new(
                        429,
                        "RetryableErrorDueToAnotherOperation",
                        format!(
                            "Operation on '{}' cannot proceed while another operation on it is in progress; retry after the time in Retry-After.",
                            old.id
                        ),
                    ));
                }
                if old.body["location"] != json!(location) {
                    return Err(ArmError::bad_request(
                        "InvalidResourceLocation",
                        format!(
                            "The resource '{name}' already exists in location '{}' in resource group '{rg}'.",
                            old.body["location"].as_str().unwrap_or_default()
                        ),
                    ));
                }
            }
            validate(ctx, &id, location, &body)?;
            let id = existing.as_ref().map_or(id, |r| r.id.clone());
            let n = ctx
                .state
                .resources
                .values()
                .filter(|r| r.kind == Kind::PublicIp)
                .count();
            let ip = existing
                .as_ref()
                .and_then(|r| {
                    r.body["properties"]["ipAddress"]
                        .as_str()
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| allocate(n));
            let props = &body["properties"];
            let mut properties = json!({
                "provisioningState": "Updating",
                "resourceGuid": existing.as_ref().map_or_else(|| json!(uuid::Uuid::new_v4().to_string()), |r| r.body["properties"]["resourceGuid"].clone()),
                "publicIPAllocationMethod": props["publicIPAllocationMethod"].as_str().unwrap_or("Dynamic"),
                "publicIPAddressVersion": props["publicIPAddressVersion"].as_str().unwrap_or("IPv4"),
                "idleTimeoutInMinutes": props["idleTimeoutInMinutes"].as_i64().unwrap_or(4),
                "ipTags": [],
                "ipAddress": ip,
            });
            if let Some(label) = props["dnsSettings"]["domainNameLabel"].as_str() {
                properties["dnsSettings"] = json!({ "domainNameLabel": label, "fqdn": format!("{label}.{location}.cloudapp.azure.com") });
            }
            let rendered = json!({
                "id": id,
                "name": id.rsplit('/').next().unwrap_or(name),
                "type": TYPE,
                "location": location,
                "etag": format!("W/\"{}\"", uuid::Uuid::new_v4()),
                "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
                "sku": { "name": body["sku"]["name"].as_str().unwrap_or("Basic"), "tier": body["sku"]["tier"].as_str().unwrap_or("Regional") },
                "properties": properties,
            });
            ctx.state.insert(Resource {
                id: id.clone(),
                kind: Kind::PublicIp,
                body: rendered,
                pending: None,
            });
            let (op, duration) = lro::start_put(ctx, &id, existing.is_some(), "publicIp.put");
            if let Some(r) = ctx.state.get_mut(&id) {
                r.body["properties"]["provisioningState"] = json!("Updating");
            }
            let mut resp = Resp::json(
                if existing.is_some() { 200 } else { 201 },
                ctx.state
                    .get(&id)
                    .map(|r| r.body.clone())
                    .unwrap_or_default(),
            );
            lro::accepted_put(ctx, &mut resp, site(location), &op, duration);
            Ok(resp)
        }
        Method::DELETE => {
            let Some(old) = existing else {
                return Ok(Resp::empty(204));
            };
            let location = old.body["location"].as_str().unwrap_or_default().to_owned();
            let duration = ctx.latency("network.delete");
            let op = lro::start(ctx, &old.id, "Deleting", duration);
            let mut resp = Resp::empty(202);
            lro::accepted_delete(ctx, &mut resp, site(&location), &op, duration);
            Ok(resp)
        }
        _ => Err(method_not_allowed(&ctx.method)),
    }
}
