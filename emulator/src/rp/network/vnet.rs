//! `Microsoft.Network/virtualNetworks`: address space and subnets as one write (subnets in use may not
//! go or move), the VNet held `Updating` while a write runs, and its peerings folded into its GET.

use super::{
    VNET_TYPE, another_operation, build_subnets, check_in_use, etag, parse_prefixes, subnet_user,
    vnet_space,
};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, require_group};
use crate::contract::store::{Kind, Resource, State};
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

#[derive(Debug)]
struct VirtualNetwork;

impl ResourceType for VirtualNetwork {
    fn profile(&self) -> &'static Profile {
        &profile::NETWORK
    }
    fn kind(&self) -> Kind {
        Kind::VirtualNetwork
    }
    fn type_name(&self) -> &'static str {
        VNET_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "network.delete"
    }

    fn render(&self, state: &State, resource: &Resource) -> Value {
        render_vnet(state, resource)
    }

    fn busy(&self, ctx: &Ctx<'_>, _at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        existing
            .filter(|v| v.is_busy())
            .map(|v| another_operation(ctx, v))
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let location = body_location(ctx, body)?;
        let space = parse_prefixes(
            &body["properties"]["addressSpace"]["addressPrefixes"],
            "properties.addressSpace.addressPrefixes",
        )?;
        if space.is_empty() {
            return Err(ArmError::bad_request(
                "InvalidAddressSpace",
                "The virtual network must have at least one address prefix in its address space.",
            )
            .with_target("properties.addressSpace"));
        }
        if let Some(old) = existing
            && old.body["location"] != json!(location)
        {
            return Err(ArmError::bad_request(
                "InvalidResourceLocation",
                format!(
                    "The resource '{}' already exists in location '{}' in resource group '{}'. A resource with the same name cannot be created in location '{location}'.",
                    at.name,
                    old.body["location"].as_str().unwrap_or_default(),
                    at.rg
                ),
            ));
        }
        let subnets = build_subnets(&at.id, &space, &body["properties"]["subnets"])?;
        if let Some(old) = existing {
            let before = old.body["properties"]["subnets"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            check_in_use(ctx.state, before, &subnets)?;
        }
        let mut vnet_body = json!({
            "id": at.id,
            "name": at.name,
            "type": VNET_TYPE,
            "location": location,
            "etag": etag(),
            "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
            "properties": {
                "resourceGuid": existing.map_or_else(|| json!(uuid::Uuid::new_v4().to_string()), |v| v.body["properties"]["resourceGuid"].clone()),
                "addressSpace": { "addressPrefixes": space.iter().map(ToString::to_string).collect::<Vec<_>>() },
                "dhcpOptions": { "dnsServers": body["properties"]["dhcpOptions"]["dnsServers"].as_array().cloned().unwrap_or_default() },
                "subnets": subnets,
                "virtualNetworkPeerings": [],
                "enableDdosProtection": false,
            },
        });
        if let Some(servers) = body["properties"]["dhcpOptions"].get("dnsServers") {
            vnet_body["properties"]["dhcpOptions"]["dnsServers"] = servers.clone();
        }
        if existing.is_some_and(|old| vnet_space(old) != space) {
            crate::rp::network::peering::mark_out_of_sync(ctx.state, &at.id);
        }
        Ok(Written {
            body: vnet_body,
            location: location.to_owned(),
            latency: "virtualNetwork.put",
            completes: None,
            unchanged: false,
        })
    }

    fn check_delete(&self, ctx: &Ctx<'_>, resource: &Resource) -> Result<(), ArmError> {
        let in_use = resource.body["properties"]["subnets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["id"].as_str())
            .find_map(|id| subnet_user(ctx.state, id));
        match in_use {
            Some(user) => Err(ArmError::bad_request(
                "InUseSubnetCannotBeDeleted",
                format!(
                    "Subnet of virtual network {} is in use by {user} and cannot be deleted.",
                    resource.id
                ),
            )),
            None => Ok(()),
        }
    }
}

pub fn vnet(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{VNET_TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &VirtualNetwork)
}
