//! `Microsoft.Network/privateEndpoints` and their `privateDnsZoneGroups` at api-version 2024-03-01
//! (`privateEndpoint.json`: PUT 200/201 long-running, final state via `Azure-AsyncOperation`;
//! DELETE 200/202/204). An endpoint takes addresses in its subnet (which must exist) for each name of
//! its target's sub-resource, reported as `customDnsConfigs`, and its connection to a target in the
//! same subscription is approved at once (the spec example: `Approved`, "Auto-approved"). A zone
//! group has Azure write the endpoint's A records into the private DNS zones it names (which must
//! exist); deleting the group or the endpoint removes them.

use super::{etag, subnet_of};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::lro::Started;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use crate::rp::private_dns;
use ipnet::Ipv4Net;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Network/privateEndpoints";
const GROUP_TYPE: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";

/// The sub-resources (`groupIds`) a target offers, and the public names each has, as the target is now.
fn names_of(state: &State, target: &Resource, group: &str) -> Option<Vec<String>> {
    let name = target.body["name"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match (target.kind, group) {
        (Kind::Registry, "registry") => {
            // The login server, and a data endpoint per location the registry serves from.
            let mut locations = vec![
                target.body["location"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ];
            for child in state.children_of(&target.id) {
                if let Some(r) = state
                    .resources
                    .get(&child)
                    .filter(|r| r.kind == Kind::Replication)
                {
                    locations.push(r.body["location"].as_str().unwrap_or_default().to_owned());
                }
            }
            locations.sort();
            locations.dedup();
            let mut out = vec![format!("{name}.azurecr.io")];
            out.extend(
                locations
                    .iter()
                    .map(|l| format!("{name}.{l}.data.azurecr.io")),
            );
            Some(out)
        }
        (Kind::StorageAccount, "blob" | "file" | "queue" | "table" | "web" | "dfs") => {
            Some(vec![format!("{name}.{group}.core.windows.net")])
        }
        (Kind::StorageAccount, "blob_secondary") => {
            Some(vec![format!("{name}-secondary.blob.core.windows.net")])
        }
        _ => None,
    }
}

/// The addresses of `subnet` other endpoints hold.
fn taken(state: &State, subnet_id: &str, except: &str) -> Vec<String> {
    state
        .resources
        .values()
        .filter(|r| {
            r.kind == Kind::PrivateEndpoint
                && !r.id.eq_ignore_ascii_case(except)
                && r.body["properties"]["subnet"]["id"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id))
        })
        .flat_map(|r| addresses(&r.body))
        .collect()
}

fn addresses(endpoint: &Value) -> Vec<String> {
    endpoint["properties"]["customDnsConfigs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .flat_map(|c| c["ipAddresses"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect()
}

#[derive(Debug)]
struct Endpoint;

impl ResourceType for Endpoint {
    fn profile(&self) -> &'static Profile {
        &profile::NETWORK
    }
    fn kind(&self) -> Kind {
        Kind::PrivateEndpoint
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "network.delete"
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let location = body_location(ctx, body)?;
        let props = &body["properties"];
        let subnet_id = props["subnet"]["id"].as_str().unwrap_or_default();
        let Some(subnet) = subnet_of(ctx.state, subnet_id) else {
            return Err(ArmError::bad_request(
                "InvalidResourceReference",
                format!("Resource {subnet_id} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", at.id),
            )
            .with_target("properties.subnet.id"));
        };
        let vnet_location = ctx
            .state
            .get(subnet_id.rsplit_once("/subnets/").map_or("", |(v, _)| v))
            .and_then(|v| v.body["location"].as_str())
            .unwrap_or_default();
        if !vnet_location.eq_ignore_ascii_case(location) {
            return Err(ArmError::bad_request(
                "InvalidResourceReference",
                format!("Resource {subnet_id} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", at.id),
            )
            .with_target("properties.subnet.id"));
        }
        let prefix: Option<Ipv4Net> = subnet["properties"]["addressPrefix"]
            .as_str()
            .and_then(|p| p.parse().ok());
        let connections = props["privateLinkServiceConnections"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if connections.len() != 1 {
            return Err(ArmError::bad_request(
                "InvalidPrivateEndpointConnections",
                "A private endpoint takes exactly one private link service connection.",
            )
            .with_target("properties.privateLinkServiceConnections"));
        }
        let connection = &connections[0];
        let target_id = connection["properties"]["privateLinkServiceId"]
            .as_str()
            .unwrap_or_default();
        let group = connection["properties"]["groupIds"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let target = ctx.state.get(target_id).cloned().ok_or_else(|| {
            ArmError::bad_request(
                "PrivateLinkServiceNotFound",
                format!("Private link resource {target_id} was not found."),
            )
            .with_target(
                "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId",
            )
        })?;
        let names = names_of(ctx.state, &target, &group).ok_or_else(|| {
            ArmError::bad_request(
                "InvalidGroupIds",
                format!("The group id '{group}' is not one the resource {target_id} offers."),
            )
            .with_target("properties.privateLinkServiceConnections[0].properties.groupIds")
        })?;
        // Keep what the endpoint holds; new names take the lowest free host addresses (Azure keeps
        // the first four and the last of a subnet).
        let old: Vec<(String, String)> = existing
            .map(|r| {
                r.body["properties"]["customDnsConfigs"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|c| {
                        Some((
                            c["fqdn"].as_str()?.to_owned(),
                            c["ipAddresses"][0].as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut used = taken(ctx.state, subnet_id, &at.id);
        used.extend(old.iter().map(|(_, ip)| ip.clone()));
        let mut free = prefix
            .into_iter()
            .flat_map(|p| p.hosts().skip(3).collect::<Vec<_>>())
            .map(|ip| ip.to_string())
            .filter(|ip| !used.contains(ip));
        let mut configs = Vec::new();
        for fqdn in &names {
            let ip = match old.iter().find(|(f, _)| f == fqdn) {
                Some((_, ip)) => ip.clone(),
                None => free.next().ok_or_else(|| {
                    ArmError::bad_request(
                        "SubnetIsFull",
                        format!("Subnet {subnet_id} has no free address for the private endpoint."),
                    )
                })?,
            };
            configs.push(json!({ "fqdn": fqdn, "ipAddresses": [ip] }));
        }
        let name = at.name.clone();
        let connection_name = connection["name"].as_str().unwrap_or(&name).to_owned();
        let nic = existing
            .and_then(|r| {
                r.body["properties"]["networkInterfaces"][0]["id"]
                    .as_str()
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| {
                let rg = at.id.split("/providers/").next().unwrap_or_default();
                format!(
                    "{rg}/providers/Microsoft.Network/networkInterfaces/{name}.nic.{}",
                    uuid::Uuid::new_v4()
                )
            });
        Ok(Written {
            body: json!({
                "id": at.id,
                "name": name,
                "type": TYPE,
                "location": location,
                "etag": etag(),
                "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
                "properties": {
                    "provisioningState": "Updating",
                    "subnet": { "id": subnet["id"].clone() },
                    "privateLinkServiceConnections": [{
                        "id": format!("{}/privateLinkServiceConnections/{connection_name}", at.id),
                        "name": connection_name,
                        "type": "Microsoft.Network/privateEndpoints/privateLinkServiceConnections",
                        "etag": etag(),
                        "properties": {
                            "provisioningState": "Succeeded",
                            "privateLinkServiceId": target.id,
                            "groupIds": [group],
                            "privateLinkServiceConnectionState": {
                                "status": "Approved",
                                "description": "Auto-Approved",
                                "actionsRequired": "None",
                            },
                        },
                    }],
                    "manualPrivateLinkServiceConnections": [],
                    "networkInterfaces": [{ "id": nic }],
                    "customNetworkInterfaceName": "",
                    "ipConfigurations": [],
                    "applicationSecurityGroups": [],
                    "customDnsConfigs": configs,
                },
            }),
            location: location.to_owned(),
            latency: "privateEndpoint.put",
            completes: None,
            unchanged: false,
        })
    }

    fn deleting(&self, ctx: &mut Ctx<'_>, at: &At, _op: &Started) {
        for child in ctx.state.children_of(&at.id) {
            if let Some(group) = ctx.state.resources.get(&child).cloned() {
                unwrite(ctx.state, &group);
            }
        }
    }
}

/// A name `target` no longer serves (a registry's replica deleted: its data endpoint goes): every
/// private endpoint to `target` drops it from its DNS configuration, and the records its zone
/// groups wrote for it go. A **guess**: no source says what Azure does to existing endpoints when a
/// replica is removed (docs/emulator-fidelity.md); an endpoint cannot keep serving a name whose
/// backend is gone.
pub fn forget_name(state: &mut State, target: &str, fqdn: &str) {
    let endpoints: Vec<Resource> = state
        .resources
        .values()
        .filter(|r| {
            r.kind == Kind::PrivateEndpoint
                && r.body["properties"]["privateLinkServiceConnections"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| {
                        c["properties"]["privateLinkServiceId"]
                            .as_str()
                            .is_some_and(|id| id.eq_ignore_ascii_case(target))
                    })
        })
        .cloned()
        .collect();
    for endpoint in endpoints {
        let zone_groups: Vec<Resource> = state
            .children_of(&endpoint.id)
            .iter()
            .filter_map(|id| state.resources.get(id).cloned())
            .filter(|g| g.kind == Kind::PrivateDnsZoneGroup)
            .collect();
        let only = |configs: &Value| {
            json!({ "properties": { "customDnsConfigs": configs["properties"]["customDnsConfigs"]
                .as_array()
                .map(|a| a.iter().filter(|c| c["fqdn"].as_str().is_some_and(|f| f.eq_ignore_ascii_case(fqdn))).cloned().collect::<Vec<_>>())
                .unwrap_or_default() } })
        };
        let gone = only(&endpoint.body);
        for group in &zone_groups {
            for config in group.body["properties"]["privateDnsZoneConfigs"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let zone_id = config["properties"]["privateDnsZoneId"]
                    .as_str()
                    .unwrap_or_default();
                let zone = zone_id.rsplit('/').next().unwrap_or_default();
                for (label, ips) in records_for(&gone, zone) {
                    private_dns::remove_a_record(state, zone_id, &label, &ips);
                }
            }
        }
        if let Some(stored) = state.get_mut(&endpoint.id)
            && let Some(configs) = stored.body["properties"]["customDnsConfigs"].as_array_mut()
        {
            configs.retain(|c| {
                !c["fqdn"]
                    .as_str()
                    .is_some_and(|f| f.eq_ignore_ascii_case(fqdn))
            });
        }
    }
}

/// The A records `endpoint`'s names take in the zone `zone` (`privatelink.<suffix>`): the names
/// ending in `<suffix>`, by their label before it.
fn records_for(endpoint: &Value, zone: &str) -> Vec<(String, Vec<String>)> {
    let suffix = zone
        .to_ascii_lowercase()
        .strip_prefix("privatelink.")
        .map(str::to_owned)
        .unwrap_or_else(|| zone.to_ascii_lowercase());
    endpoint["properties"]["customDnsConfigs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let fqdn = c["fqdn"].as_str()?.to_ascii_lowercase();
            let label = fqdn.strip_suffix(&format!(".{suffix}"))?.to_owned();
            let ips = c["ipAddresses"]
                .as_array()?
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect();
            Some((label, ips))
        })
        .collect()
}

/// Removes the records a zone group wrote (those still holding its endpoint's addresses).
fn unwrite(state: &mut State, group: &Resource) {
    if group.kind != Kind::PrivateDnsZoneGroup {
        return;
    }
    let endpoint_id = group
        .id
        .split("/privateDnsZoneGroups/")
        .next()
        .unwrap_or_default();
    let Some(endpoint) = state.get(endpoint_id).map(|r| r.body.clone()) else {
        return;
    };
    for config in group.body["properties"]["privateDnsZoneConfigs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let zone_id = config["properties"]["privateDnsZoneId"]
            .as_str()
            .unwrap_or_default();
        let zone = zone_id.rsplit('/').next().unwrap_or_default();
        for (label, ips) in records_for(&endpoint, zone) {
            private_dns::remove_a_record(state, zone_id, &label, &ips);
        }
    }
}

#[derive(Debug)]
struct ZoneGroup;

impl ResourceType for ZoneGroup {
    fn profile(&self) -> &'static Profile {
        &profile::NETWORK
    }
    fn kind(&self) -> Kind {
        Kind::PrivateDnsZoneGroup
    }
    fn type_name(&self) -> &'static str {
        GROUP_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "network.delete"
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        _existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let endpoint = at.parent.as_ref().ok_or_else(|| {
            ArmError::new(
                500,
                "InternalServerError",
                "zone group without its endpoint",
            )
        })?;
        let configs = body["properties"]["privateDnsZoneConfigs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut shown = Vec::new();
        for (i, config) in configs.iter().enumerate() {
            let zone_id = config["properties"]["privateDnsZoneId"]
                .as_str()
                .unwrap_or_default();
            let Some(zone) = ctx
                .state
                .get(zone_id)
                .filter(|z| z.kind == Kind::PrivateDnsZone)
            else {
                return Err(ArmError::bad_request(
                    "InvalidPrivateDnsZoneIds",
                    format!(
                        "Private DNS zone {zone_id} referenced by the zone group was not found."
                    ),
                )
                .with_target(format!(
                    "properties.privateDnsZoneConfigs[{i}].properties.privateDnsZoneId"
                )));
            };
            let zone_name = zone.body["name"].as_str().unwrap_or_default().to_owned();
            let records: Vec<Value> = records_for(&endpoint.body, &zone_name)
                .into_iter()
                .map(|(label, ips)| {
                    json!({
                        "recordType": "A",
                        "recordSetName": label,
                        "fqdn": format!("{label}.{zone_name}"),
                        "ttl": private_dns::ENDPOINT_RECORD_TTL,
                        "ipAddresses": ips,
                        "provisioningState": "Succeeded",
                    })
                })
                .collect();
            let name = config["name"]
                .as_str()
                .map_or_else(|| zone_name.replace('.', "-"), str::to_owned);
            shown.push(json!({
                "name": name,
                "properties": { "privateDnsZoneId": zone.id, "recordSets": records },
            }));
        }
        Ok(Written {
            body: json!({
                "id": at.id,
                "name": at.name,
                "etag": etag(),
                "properties": {
                    "provisioningState": "Updating",
                    "privateDnsZoneConfigs": shown,
                },
            }),
            location: endpoint.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            latency: "privateEndpoint.zoneGroup",
            completes: None,
            unchanged: false,
        })
    }

    fn written(&self, ctx: &mut Ctx<'_>, at: &At, _op: Option<&Started>) {
        let Some(group) = ctx.state.get(&at.id).cloned() else {
            return;
        };
        for config in group.body["properties"]["privateDnsZoneConfigs"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let zone_id = config["properties"]["privateDnsZoneId"]
                .as_str()
                .unwrap_or_default();
            for record in config["properties"]["recordSets"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let ips: Vec<String> = record["ipAddresses"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect();
                let label = record["recordSetName"].as_str().unwrap_or_default();
                private_dns::write_a_record(ctx.state, zone_id, label, &ips);
            }
        }
    }

    fn deleting(&self, ctx: &mut Ctx<'_>, at: &At, _op: &Started) {
        if let Some(group) = ctx.state.get(&at.id).cloned() {
            unwrite(ctx.state, &group);
        }
    }
}

pub fn endpoint(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &Endpoint)
}

pub fn zone_group(
    ctx: &mut Ctx<'_>,
    rg: &str,
    endpoint: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let endpoint_id = format!("{rg_id}/providers/{TYPE}/{endpoint}");
    let Some(parent) = ctx.state.get(&endpoint_id).cloned() else {
        return Err(not_found(TYPE, endpoint, rg));
    };
    let id = format!("{}/privateDnsZoneGroups/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &ZoneGroup)
}
