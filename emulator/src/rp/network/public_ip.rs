//! `Microsoft.Network/publicIPAddresses`: Standard static addresses with a DNS label, as the ingress of
//! each region's cluster uses them. PUT and DELETE are long-running, like every Network write.

use super::etag;
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, require_group};
use crate::contract::store::{Kind, Resource};
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Network/publicIPAddresses";

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

/// The type's own rules; the verbs are [`crud::serve`]'s.
#[derive(Debug)]
struct PublicIp;

impl ResourceType for PublicIp {
    fn profile(&self) -> &'static Profile {
        &profile::NETWORK
    }
    fn kind(&self) -> Kind {
        Kind::PublicIp
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "network.delete"
    }
    fn busy_blocks_delete(&self) -> bool {
        false
    }

    fn busy(&self, _ctx: &Ctx<'_>, _at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        // The Network RP answers a locked IP 429 `RetryableError`: a lock, not throttling.
        let old = existing.filter(|r| r.is_busy())?;
        let left_s = old.pending.as_ref().map_or(1, |p| {
            p.until_ms
                .saturating_sub(crate::contract::store::now_ms())
                .div_ceil(1000)
                .max(1)
        });
        Some(ArmError::retryable(&old.id, left_s))
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let location = body_location(ctx, body)?;
        if let Some(old) = existing
            && old.body["location"] != json!(location)
        {
            return Err(ArmError::bad_request(
                "InvalidResourceLocation",
                format!(
                    "The resource '{}' already exists in location '{}' in resource group '{}'.",
                    at.name,
                    old.body["location"].as_str().unwrap_or_default(),
                    at.rg
                ),
            ));
        }
        validate(ctx, &at.id, location, body)?;
        let props = &body["properties"];
        let mut properties = json!({
            "resourceGuid": existing.map_or_else(|| json!(uuid::Uuid::new_v4().to_string()), |r| r.body["properties"]["resourceGuid"].clone()),
            "publicIPAllocationMethod": props["publicIPAllocationMethod"].as_str().unwrap_or("Dynamic"),
            "publicIPAddressVersion": props["publicIPAddressVersion"].as_str().unwrap_or("IPv4"),
            "idleTimeoutInMinutes": props["idleTimeoutInMinutes"].as_i64().unwrap_or(4),
            "ipTags": [],
        });
        // The address exists once the create's operation has ended (vnet-peering #9, #11: the
        // PUT answer has none); an update keeps it.
        let address = existing.and_then(|r| r.body["properties"].get("ipAddress").cloned());
        let completes = match address {
            Some(ip) => {
                properties["ipAddress"] = ip;
                None
            }
            None => {
                let n = ctx
                    .state
                    .resources
                    .values()
                    .filter(|r| r.kind == Kind::PublicIp)
                    .count();
                Some(json!({ "ipAddress": allocate(n) }))
            }
        };
        if let Some(label) = props["dnsSettings"]["domainNameLabel"].as_str() {
            properties["dnsSettings"] = json!({ "domainNameLabel": label, "fqdn": format!("{label}.{location}.cloudapp.azure.com") });
        }
        let body = json!({
            "id": at.id,
            "name": at.name,
            "type": TYPE,
            "location": location,
            "etag": etag(),
            "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
            "sku": { "name": body["sku"]["name"].as_str().unwrap_or("Basic"), "tier": body["sku"]["tier"].as_str().unwrap_or("Regional") },
            "properties": properties,
        });
        Ok(Written {
            body,
            location: location.to_owned(),
            latency: "publicIp.put",
            completes,
            unchanged: false,
        })
    }
}

pub fn address(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &PublicIp)
}
