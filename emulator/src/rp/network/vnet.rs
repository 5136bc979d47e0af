//! `Microsoft.Network/virtualNetworks`: address space and subnets as one write (subnets in use may not
//! go or move), the VNet held `Updating` while a write runs, and its peerings folded into its GET.

use super::{
    VNET_TYPE, another_operation, build_subnets, check_in_use, etag, parse_prefixes, site,
    subnet_user, vnet_space,
};
use crate::contract::error::ArmError;
use crate::contract::lro;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, method_not_allowed, not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use axum::http::Method;
use serde_json::{Value, json};

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
                crate::rp::network::peering::mark_out_of_sync(ctx.state, &id);
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
