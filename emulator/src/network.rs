//! `Microsoft.Network` virtual networks: CIDR rules, VNet write locks (409
//! `AnotherOperationInProgress`), address-space changes; shared helpers of the network types (subnets
//! in `subnet`, peerings in `peering`).

use crate::error::ArmError;
use crate::http::{Ctx, Resp};
use crate::lro::{self, OpSite};
use crate::resources::{body_location, method_not_allowed, not_found, require_group};
use crate::store::{Kind, Resource, State};
use axum::http::Method;
use ipnet::Ipv4Net;
use serde_json::{Value, json};

pub(crate) const VNET_TYPE: &str = "Microsoft.Network/virtualNetworks";

pub(crate) fn etag() -> String {
    format!("W/\"{}\"", uuid::Uuid::new_v4())
}

pub(crate) fn site<'a>(location: &'a str) -> OpSite<'a> {
    OpSite {
        namespace: "Microsoft.Network",
        location,
        api_version: crate::API_NETWORK,
    }
}

fn parse_prefixes(values: &Value, target: &str) -> Result<Vec<Ipv4Net>, ArmError> {
    let Some(list) = values.as_array() else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|v| {
            let text = v.as_str().unwrap_or_default();
            text.parse::<Ipv4Net>()
                .ok()
                .filter(|n| n.trunc() == *n)
                .ok_or_else(|| {
                    ArmError::bad_request(
                        "InvalidAddressPrefixFormat",
                        format!("Address prefix {text} does not have a valid format."),
                    )
                    .with_target(target)
                })
        })
        .collect()
}

pub fn overlaps(a: &[Ipv4Net], b: &[Ipv4Net]) -> bool {
    a.iter().any(|x| {
        b.iter()
            .any(|y| x.contains(&y.network()) || y.contains(&x.network()))
    })
}

pub(crate) fn vnet_space(resource: &Resource) -> Vec<Ipv4Net> {
    parse_prefixes(
        &resource.body["properties"]["addressSpace"]["addressPrefixes"],
        "",
    )
    .unwrap_or_default()
}

pub(crate) fn another_operation(ctx: &Ctx<'_>, vnet: &Resource) -> ArmError {
    let op = vnet
        .pending
        .as_ref()
        .map(|p| p.operation.clone())
        .unwrap_or_default();
    let location = vnet.body["location"].as_str().unwrap_or_default();
    ArmError::conflict(
        "AnotherOperationInProgress",
        format!(
            "Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: {}/subscriptions/{}/providers/Microsoft.Network/locations/{location}/operations/{op}?api-version={}.",
            ctx.base_url,
            ctx.subscription,
            crate::API_NETWORK
        ),
    )
}

/// The VNet as GET shows it: its subnets and peerings folded in.
fn render_vnet(state: &State, vnet: &Resource) -> Value {
    let mut body = vnet.body.clone();
    let peerings: Vec<Value> = state
        .children_of(&vnet.id)
        .iter()
        .filter_map(|k| state.resources.get(k))
        .filter(|r| r.kind == Kind::Peering)
        .map(|r| r.body.clone())
        .collect();
    body["properties"]["virtualNetworkPeerings"] = json!(peerings);
    body
}

pub fn vnet(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let id = format!("{rg_id}/providers/{VNET_TYPE}/{name}");
    let existing = ctx.state.get(&id).cloned();
    match ctx.method {
        Method::GET => match &existing {
            Some(v) => Ok(Resp::json(200, render_vnet(ctx.state, v))),
            None => Err(not_found(VNET_TYPE, name, rg)),
        },
        Method::PUT => {
            let body = ctx.json_body()?.clone();
            let location = body_location(ctx, &body)?;
            let space = parse_prefixes(
                &body["properties"]["addressSpace"]["addressPrefixes"],
                "properties.addressSpace.addressPrefixes",
            )?;
            if space.is_empty() {
                return Err(ArmError::bad_request("InvalidAddressSpace", "The virtual network must have at least one address prefix in its address space.").with_target("properties.addressSpace"));
            }
            if let Some(old) = &existing {
                if old.is_busy() {
                    return Err(another_operation(ctx, old));
                }
                if old.body["location"] != json!(location) {
                    return Err(ArmError::bad_request(
                        "InvalidResourceLocation",
                        format!(
                            "The resource '{name}' already exists in location '{}' in resource group '{rg}'. A resource with the same name cannot be created in location '{location}'.",
                            old.body["location"].as_str().unwrap_or_default()
                        ),
                    ));
                }
            }
            let id = existing.as_ref().map_or(id, |v| v.id.clone());
            let subnets = build_subnets(&id, &space, &body["properties"]["subnets"])?;
            if let Some(old) = &existing {
                let before = old.body["properties"]["subnets"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                check_in_use(ctx.state, before, &subnets)?;
            }
            let mut vnet_body = json!({
                "id": id,
                "name": id.rsplit('/').next().unwrap_or(name),
                "type": VNET_TYPE,
                "location": location,
                "etag": etag(),
                "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
                "properties": {
                    "provisioningState": "Updating",
                    "resourceGuid": existing.as_ref().map_or_else(|| json!(uuid::Uuid::new_v4().to_string()), |v| v.body["properties"]["resourceGuid"].clone()),
                    "addressSpace": { "addressPrefixes": space.iter().map(ToString::to_string).collect::<Vec<_>>() },
                    "subnets": subnets,
                    "virtualNetworkPeerings": [],
                    "enableDdosProtection": false,
                },
            });
            if let Some(dhcp) = body["properties"].get("dhcpOptions") {
                vnet_body["properties"]["dhcpOptions"] = dhcp.clone();
            }
            let space_changed = existing
                .as_ref()
                .is_some_and(|old| vnet_space(old) != space);
            ctx.state.insert(Resource {
                id: id.clone(),
                kind: Kind::VirtualNetwork,
                body: vnet_body,
                pending: None,
            });
            if space_changed {
                crate::peering::mark_out_of_sync(ctx.state, &id);
            }
            let (op, duration) = lro::start_put(ctx, &id, existing.is_some(), "virtualNetwork.put");
            // The Network RP reports `Updating` while a VNet write runs, also on create.
            if let Some(v) = ctx.state.get_mut(&id) {
                v.body["properties"]["provisioningState"] = json!("Updating");
            }
            let rendered = ctx
                .state
                .get(&id)
                .map(|v| render_vnet(ctx.state, v))
                .unwrap_or_default();
            let mut resp = Resp::json(if existing.is_some() { 200 } else { 201 }, rendered);
            lro::accepted_put(ctx, &mut resp, site(location), &op, duration);
            Ok(resp)
        }
        Method::DELETE => {
            let Some(old) = existing else {
                return Ok(Resp::empty(204));
            };
            if old.is_busy() {
                return Err(another_operation(ctx, &old));
            }
            let in_use = old.body["properties"]["subnets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["id"].as_str())
                .find_map(|id| subnet_user(ctx.state, id));
            if let Some(user) = in_use {
                return Err(ArmError::bad_request(
                    "InUseSubnetCannotBeDeleted",
                    format!(
                        "Subnet of virtual network {} is in use by {user} and cannot be deleted.",
                        old.id
                    ),
                ));
            }
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

/// The subnet `id` (`…/virtualNetworks/{v}/subnets/{s}`) as its VNet holds it.
pub(crate) fn subnet<'s>(state: &'s State, id: &str) -> Option<&'s Value> {
    let (vnet, name) = id.rsplit_once("/subnets/")?;
    state.get(vnet)?.body["properties"]["subnets"]
        .as_array()?
        .iter()
        .find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
}

/// The cluster (or agent pool) whose nodes sit in `subnet_id`, if any: the subnet has active
/// allocations then.
pub(crate) fn subnet_user(state: &State, subnet_id: &str) -> Option<String> {
    let uses = |v: &Value| {
        v["vnetSubnetID"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id))
    };
    state
        .resources
        .values()
        .find(|r| match r.kind {
            Kind::ManagedCluster => r.body["properties"]["agentPoolProfiles"]
                .as_array()
                .is_some_and(|pools| pools.iter().any(uses)),
            Kind::AgentPool => uses(&r.body["properties"]),
            _ => false,
        })
        .map(|r| r.id.clone())
}

/// What Azure refuses of a write that replaces a VNet's subnets `old` with `new`: dropping a subnet
/// with allocations in it (400 `InUseSubnetCannotBeDeleted`) or changing its address prefix (400
/// `InUsePrefixCannotBeDeleted`: the old prefix still holds the nodes' addresses).
pub(crate) fn check_in_use(state: &State, old: &[Value], new: &[Value]) -> Result<(), ArmError> {
    for subnet in old {
        let (Some(id), Some(name)) = (subnet["id"].as_str(), subnet["name"].as_str()) else {
            continue;
        };
        let Some(user) = subnet_user(state, id) else {
            continue;
        };
        let prefix = subnet["properties"]["addressPrefix"]
            .as_str()
            .unwrap_or_default();
        let kept = new.iter().find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
        match kept {
            None => {
                return Err(ArmError::bad_request(
                    "InUseSubnetCannotBeDeleted",
                    format!(
                        "Subnet {name} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet."
                    ),
                ));
            }
            Some(s) if s["properties"]["addressPrefix"].as_str() != Some(prefix) => {
                return Err(ArmError::bad_request(
                    "InUsePrefixCannotBeDeleted",
                    format!(
                        "IpPrefix {prefix} on Subnet {name} has active allocations and cannot be deleted."
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub(crate) fn build_subnets(
    vnet_id: &str,
    space: &[Ipv4Net],
    subnets: &Value,
) -> Result<Vec<Value>, ArmError> {
    let mut seen: Vec<(String, Ipv4Net)> = Vec::new();
    let mut out = Vec::new();
    for (i, subnet) in subnets
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let name = subnet["name"].as_str().unwrap_or_default();
        // `addressPrefix`, or `addressPrefixes` (a subnet may take several; the first bounds it here).
        let (key, given) = match subnet["properties"]["addressPrefixes"].as_array() {
            Some(list) if subnet["properties"]["addressPrefix"].is_null() => {
                ("addressPrefixes", json!(list))
            }
            _ => (
                "addressPrefix",
                json!([subnet["properties"]["addressPrefix"]]),
            ),
        };
        let target = format!("properties.subnets[{i}].properties.{key}");
        let prefix = parse_prefixes(&given, &target)?;
        let Some(prefix) = prefix.first().copied() else {
            continue;
        };
        if !space.iter().any(|s| s.contains(&prefix)) {
            return Err(ArmError::bad_request(
                "NetcfgInvalidSubnet",
                format!(
                    "Subnet '{name}' is not valid in virtual network '{}'.",
                    vnet_id.rsplit('/').next().unwrap_or_default()
                ),
            )
            .with_target(target));
        }
        if let Some((other, _)) = seen.iter().find(|(_, p)| overlaps(&[*p], &[prefix])) {
            return Err(ArmError::bad_request("NetcfgSubnetRangesOverlap", format!("Subnet '{name}' is not valid because its IP address range overlaps with that of an existing subnet '{other}' in virtual network.")).with_target(target));
        }
        seen.push((name.to_owned(), prefix));
        out.push(json!({
            "id": format!("{vnet_id}/subnets/{name}"),
            "name": name,
            "type": "Microsoft.Network/virtualNetworks/subnets",
            "etag": etag(),
            "properties": { "provisioningState": "Succeeded", "addressPrefix": prefix.to_string() },
        }));
    }
    Ok(out)
}
