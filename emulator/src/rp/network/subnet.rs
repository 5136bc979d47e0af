//! Subnets of a virtual network: written through the VNet (its lock, its address space, no overlaps),
//! PUT and DELETE long-running, as the Network RP answers them.

use super::{VNET_TYPE, another_operation, build_subnets, check_in_use, vnet_space};
use crate::contract::error::ArmError;
use crate::contract::lro::{self, Write};
use crate::contract::profile::NETWORK;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, not_found, require_group};
use axum::http::Method;
use serde_json::{Value, json};

pub fn subnet(ctx: &mut Ctx<'_>, rg: &str, vnet_name: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let vnet_id = format!("{rg_id}/providers/{VNET_TYPE}/{vnet_name}");
    let Some(vnet) = ctx.state.get(&vnet_id).cloned() else {
        return Err(not_found(VNET_TYPE, vnet_name, rg));
    };
    let subnets = vnet.body["properties"]["subnets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let found = subnets
        .iter()
        .find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .cloned();
    match ctx.method {
        Method::GET => found
            .map(|s| Resp::json(200, s))
            .ok_or_else(|| not_found("Microsoft.Network/virtualNetworks/subnets", name, rg)),
        Method::PUT => {
            if vnet.is_busy() {
                return Err(another_operation(ctx, &vnet));
            }
            let body = ctx.json_body()?.clone();
            let mut all: Vec<Value> = subnets
                .iter()
                .filter(|s| {
                    s["name"]
                        .as_str()
                        .is_none_or(|n| !n.eq_ignore_ascii_case(name))
                })
                .cloned()
                .collect();
            all.push(json!({ "name": name, "properties": body["properties"] }));
            let built = build_subnets(&vnet.id, &vnet_space(&vnet), &json!(all))?;
            check_in_use(ctx.state, &subnets, &built)?;
            let created = built
                .iter()
                .find(|s| s["name"] == json!(name))
                .cloned()
                .unwrap_or_default();
            if let Some(v) = ctx.state.get_mut(&vnet.id) {
                v.body["properties"]["subnets"] = json!(built);
            }
            // The write runs on the VNet, which holds its subnets: it is `Updating` meanwhile.
            let write = Write::put(found.is_some());
            let duration = ctx.latency("subnet.put");
            let op = lro::start(ctx, &vnet.id, "Updating", duration, NETWORK.doc, None);
            let mut shown = created;
            shown["properties"]["provisioningState"] = json!("Updating");
            let mut resp = Resp::json(write.answer(&NETWORK).status, shown);
            let location = vnet.body["location"].as_str().unwrap_or_default();
            lro::announce(ctx, &NETWORK, write, &vnet.id, location, &op, &mut resp);
            Ok(resp)
        }
        Method::DELETE => {
            if found.is_none() {
                return Ok(Resp::empty(NETWORK.delete_missing));
            }
            if vnet.is_busy() {
                return Err(another_operation(ctx, &vnet));
            }
            let rest: Vec<Value> = subnets
                .iter()
                .filter(|s| {
                    s["name"]
                        .as_str()
                        .is_none_or(|n| !n.eq_ignore_ascii_case(name))
                })
                .cloned()
                .collect();
            check_in_use(ctx.state, &subnets, &rest)?;
            if let Some(v) = ctx.state.get_mut(&vnet.id) {
                v.body["properties"]["subnets"] = json!(rest);
            }
            let duration = ctx.latency("subnet.put");
            let op = lro::start(ctx, &vnet.id, "Updating", duration, NETWORK.doc, None);
            let mut resp = Resp::empty(NETWORK.delete.status);
            let location = vnet.body["location"].as_str().unwrap_or_default();
            lro::announce(
                ctx,
                &NETWORK,
                Write::Delete,
                &vnet.id,
                location,
                &op,
                &mut resp,
            );
            Ok(resp)
        }
        _ => Err(method_not_allowed(&ctx.method)),
    }
}
