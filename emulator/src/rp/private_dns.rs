//! `Microsoft.Network/privateDnsZones` at api-version 2024-06-01 (Azure/azure-rest-api-specs
//! `specification/privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json`):
//! zones (location `global`, long-running PUT and DELETE; "cannot be deleted unless all virtual
//! network links to it are removed"), their `virtualNetworkLinks` (long-running; a VNet links one
//! zone of a name: "A virtual network cannot be linked to multiple zones with overlapping
//! namespaces", `BadRequest`, as azurerm users quote it), and `A` record sets (synchronous PUT 200/201,
//! DELETE 200/204), which private endpoints' zone groups write. [`resolve`] answers what a VNet's
//! resolver would answer for a name: the A records of the zone of that name linked to the VNet.

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::require_group;
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

pub const ZONE_TYPE: &str = "Microsoft.Network/privateDnsZones";
const LINK_TYPE: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
const A_TYPE: &str = "Microsoft.Network/privateDnsZones/A";
/// The public DNS suffix of PostgreSQL flexible servers; their private zones end with it.
pub const POSTGRES_SUFFIX: &str = "postgres.database.azure.com";
/// The TTL Azure gives the records a private endpoint's zone group writes (guess: the portal shows 10).
pub const ENDPOINT_RECORD_TTL: u64 = 10;

/// A weak etag, as the Network RP's (private DNS is served by it).
fn etag() -> String {
    format!("W/\"{}\"", uuid::Uuid::new_v4())
}

fn global(body: &Value) -> Result<(), ArmError> {
    match body["location"].as_str() {
        Some(l) if l.eq_ignore_ascii_case("global") => Ok(()),
        other => Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The location '{}' is not valid for a private DNS zone or its links: use 'global'.",
                other.unwrap_or_default()
            ),
        )
        .with_target("location")),
    }
}

#[derive(Debug)]
struct Zone;

impl ResourceType for Zone {
    fn profile(&self) -> &'static Profile {
        &profile::PRIVATE_DNS
    }
    fn kind(&self) -> Kind {
        Kind::PrivateDnsZone
    }
    fn type_name(&self) -> &'static str {
        ZONE_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "privateDns.delete"
    }

    fn render(&self, state: &State, resource: &Resource) -> Value {
        let mut body = resource.body.clone();
        let children = state.children_of(&resource.id);
        let count = |kind: Kind| {
            children
                .iter()
                .filter(|k| state.resources.get(*k).is_some_and(|r| r.kind == kind))
                .count()
        };
        // SOA is always there (spec examples count it).
        body["properties"]["numberOfRecordSets"] = json!(1 + count(Kind::PrivateDnsRecordSet));
        body["properties"]["numberOfVirtualNetworkLinks"] = json!(count(Kind::PrivateDnsLink));
        body
    }

    fn put(
        &self,
        _ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        global(body)?;
        let internal = existing.map_or_else(
            || json!(uuid::Uuid::new_v4().to_string()),
            |r| r.body["properties"]["internalId"].clone(),
        );
        Ok(Written {
            body: json!({
                "id": at.id,
                "name": at.name,
                "type": ZONE_TYPE,
                "location": "global",
                "etag": etag(),
                "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
                "properties": {
                    "maxNumberOfRecordSets": 25000,
                    "maxNumberOfVirtualNetworkLinks": 1000,
                    "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                    "numberOfVirtualNetworkLinksWithRegistration": 0,
                    "internalId": internal,
                    "provisioningState": "Creating",
                },
            }),
            location: "global".into(),
            latency: "privateDns.put",
            completes: None,
            unchanged: false,
        })
    }

    fn check_delete(&self, ctx: &Ctx<'_>, resource: &Resource) -> Result<(), ArmError> {
        let linked = ctx.state.children_of(&resource.id).iter().any(|k| {
            ctx.state
                .resources
                .get(k)
                .is_some_and(|r| r.kind == Kind::PrivateDnsLink)
        });
        if linked {
            // The spec's words; the code is a guess (docs/emulator-fidelity.md).
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "Private DNS zone {} cannot be deleted unless all virtual network links to it are removed.",
                    resource.body["name"].as_str().unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Link;

impl ResourceType for Link {
    fn profile(&self) -> &'static Profile {
        &profile::PRIVATE_DNS
    }
    fn kind(&self) -> Kind {
        Kind::PrivateDnsLink
    }
    fn type_name(&self) -> &'static str {
        LINK_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "privateDns.delete"
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        global(body)?;
        let zone = at
            .parent
            .as_ref()
            .map_or("", |p| p.body["name"].as_str().unwrap_or_default());
        let vnet = body["properties"]["virtualNetwork"]["id"]
            .as_str()
            .unwrap_or_default();
        if ctx
            .state
            .get(vnet)
            .is_none_or(|r| r.kind != Kind::VirtualNetwork)
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!("Virtual network resource not found for '{vnet}'."),
            )
            .with_target("properties.virtualNetwork.id"));
        }
        if let Some(old) = existing
            && !old.body["properties"]["virtualNetwork"]["id"]
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case(vnet))
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                "The virtual network of a link cannot be changed.",
            ));
        }
        // One zone of a name per VNet, whatever group holds the other.
        let taken = ctx.state.resources.values().any(|r| {
            r.kind == Kind::PrivateDnsLink
                && !r.id.eq_ignore_ascii_case(&at.id)
                && r.body["properties"]["virtualNetwork"]["id"]
                    .as_str()
                    .is_some_and(|v| v.eq_ignore_ascii_case(vnet))
                && zone_name_of(&r.id).eq_ignore_ascii_case(zone)
        });
        if taken {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "A virtual network cannot be linked to multiple zones with overlapping namespaces. You tried to link virtual network with '{zone}' and '{zone}' zones."
                ),
            ));
        }
        Ok(Written {
            body: json!({
                "id": at.id,
                "name": at.name,
                "type": LINK_TYPE,
                "location": "global",
                "etag": etag(),
                "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
                "properties": {
                    "virtualNetwork": { "id": vnet },
                    "registrationEnabled": body["properties"]["registrationEnabled"].as_bool().unwrap_or(false),
                    "virtualNetworkLinkState": "Completed",
                    "provisioningState": "Creating",
                },
            }),
            location: "global".into(),
            latency: "privateDns.put",
            completes: None,
            unchanged: false,
        })
    }
}

/// The zone name in a link's or record set's id (`.../privateDnsZones/{zone}/...`).
fn zone_name_of(id: &str) -> &str {
    let lower = id.to_ascii_lowercase();
    let Some(at) = lower.find("/privatednszones/") else {
        return "";
    };
    let rest = &id[at + "/privatednszones/".len()..];
    rest.split('/').next().unwrap_or_default()
}

#[derive(Debug)]
struct RecordSetA;

impl ResourceType for RecordSetA {
    fn profile(&self) -> &'static Profile {
        &profile::PRIVATE_DNS_RECORDS
    }
    fn kind(&self) -> Kind {
        Kind::PrivateDnsRecordSet
    }
    fn type_name(&self) -> &'static str {
        A_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "privateDnsRecord.delete"
    }

    fn put(
        &self,
        _ctx: &mut Ctx<'_>,
        at: &At,
        _existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let zone = at
            .parent
            .as_ref()
            .map_or("", |p| p.body["name"].as_str().unwrap_or_default());
        let addresses: Vec<String> = body["properties"]["aRecords"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a["ipv4Address"].as_str().map(str::to_owned))
            .collect();
        let ttl = body["properties"]["ttl"].as_u64().unwrap_or(3600);
        Ok(Written {
            body: record_body(
                &at.id,
                &at.name,
                zone,
                ttl,
                &addresses,
                body["properties"]["metadata"].clone(),
            ),
            location: "global".into(),
            latency: "privateDnsRecord.put",
            completes: None,
            unchanged: false,
        })
    }
}

/// An A record set as Azure shows it.
pub fn record_body(
    id: &str,
    name: &str,
    zone: &str,
    ttl: u64,
    addresses: &[String],
    metadata: Value,
) -> Value {
    let mut body = json!({
        "id": id,
        "name": name,
        "type": A_TYPE,
        "etag": uuid::Uuid::new_v4().to_string(),
        "properties": {
            "ttl": ttl,
            "fqdn": format!("{name}.{zone}."),
            "isAutoRegistered": false,
            "aRecords": addresses.iter().map(|a| json!({ "ipv4Address": a })).collect::<Vec<_>>(),
        },
    });
    if metadata.is_object() {
        body["properties"]["metadata"] = metadata;
    }
    body
}

/// Writes (or replaces: the last writer wins) the A record set `name` in the zone `zone_id`.
pub fn write_a_record(state: &mut State, zone_id: &str, name: &str, addresses: &[String]) {
    let Some(zone) = state.get(zone_id) else {
        return;
    };
    let zone_name = zone.body["name"].as_str().unwrap_or_default().to_owned();
    let id = format!("{}/A/{name}", zone.id);
    state.insert(Resource {
        id: id.clone(),
        kind: Kind::PrivateDnsRecordSet,
        body: record_body(
            &id,
            name,
            &zone_name,
            ENDPOINT_RECORD_TTL,
            addresses,
            Value::Null,
        ),
        pending: None,
    });
}

/// Removes the A record set `name` of the zone `zone_id` if it still holds `addresses` (another
/// endpoint may have overwritten it since).
pub fn remove_a_record(state: &mut State, zone_id: &str, name: &str, addresses: &[String]) {
    let id = format!("{zone_id}/A/{name}");
    let ours = state.get(&id).is_some_and(|r| {
        r.body["properties"]["aRecords"]
            .as_array()
            .is_some_and(|a| {
                a.iter().any(|x| {
                    x["ipv4Address"]
                        .as_str()
                        .is_some_and(|ip| addresses.iter().any(|o| o == ip))
                })
            })
    });
    if ours {
        state.resources.remove(&id.to_ascii_lowercase());
    }
}

/// What the resolver of `vnet_id` answers for `fqdn` from the private zones linked to the VNet. A
/// service's public name (`<label>.azurecr.io`) is a CNAME to `<label>.privatelink.azurecr.io` in
/// public DNS (learn.microsoft.com, private-endpoint-dns), which a linked `privatelink.` zone answers;
/// a name inside a linked zone is answered directly.
pub fn resolve(state: &State, vnet_id: &str, fqdn: &str) -> Option<Vec<String>> {
    let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
    state.resources.values().find_map(|link| {
        if link.kind != Kind::PrivateDnsLink
            || !link.body["properties"]["virtualNetwork"]["id"]
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case(vnet_id))
        {
            return None;
        }
        let zone = zone_name_of(&link.id).to_ascii_lowercase();
        let public = zone.strip_prefix("privatelink.").unwrap_or(&zone);
        // A PostgreSQL flexible server's public name (`<server>.postgres.database.azure.com`, and its
        // virtual endpoints' `<name>.writer.…`) leads to its record in the private zone ending in
        // `postgres.database.azure.com` that it was given (modelled: docs/emulator-fidelity.md).
        let postgres = (zone == POSTGRES_SUFFIX || zone.ends_with(&format!(".{POSTGRES_SUFFIX}")))
            .then(|| fqdn.strip_suffix(&format!(".{POSTGRES_SUFFIX}")))
            .flatten();
        let label = fqdn
            .strip_suffix(&format!(".{zone}"))
            .or_else(|| fqdn.strip_suffix(&format!(".{public}")))
            .or(postgres)?;
        let zone_id = link.id.split("/virtualNetworkLinks/").next()?;
        let record = state.get(&format!("{zone_id}/A/{label}"))?;
        Some(
            record.body["properties"]["aRecords"]
                .as_array()?
                .iter()
                .filter_map(|a| a["ipv4Address"].as_str().map(str::to_owned))
                .collect(),
        )
    })
}

fn zone_at(ctx: &mut Ctx<'_>, rg: &str, zone: &str) -> Result<Resource, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    ctx.state
        .get(&format!("{rg_id}/providers/{ZONE_TYPE}/{zone}"))
        .cloned()
        .ok_or_else(|| {
            ArmError::not_found(
                "ParentResourceNotFound",
                format!("Can not perform requested operation on nested resource. Parent resource '{zone}' not found."),
            )
        })
}

pub fn zone(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{ZONE_TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &Zone)
}

pub fn link(ctx: &mut Ctx<'_>, rg: &str, zone: &str, name: &str) -> Result<Resp, ArmError> {
    let parent = zone_at(ctx, rg, zone)?;
    let id = format!("{}/virtualNetworkLinks/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &Link)
}

pub fn record_set(
    ctx: &mut Ctx<'_>,
    rg: &str,
    zone: &str,
    kind: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    let parent = zone_at(ctx, rg, zone)?;
    if !kind.eq_ignore_ascii_case("A") {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The emulator serves A record sets only, not '{kind}'."),
        ));
    }
    let id = format!("{}/A/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &RecordSetA)
}
