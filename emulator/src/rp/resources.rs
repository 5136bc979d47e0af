//! `Microsoft.Resources`: resource groups (delete cascades, asynchronously), the subscription's
//! `locations` with their paired regions, and resources listed by tag (provider registrations are in
//! `registration`).

use crate::contract::error::ArmError;
use crate::contract::list;
use crate::contract::lro::{self, Write};
use crate::contract::profile::RESOURCES;
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, method_not_allowed, require_group, rg_id};
use crate::contract::store::{Kind, Resource};
use axum::http::Method;
use serde_json::{Value, json};

fn valid_group_name(name: &str) -> bool {
    (1..=90).contains(&name.len())
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
}

pub fn resource_group(ctx: &mut Ctx<'_>, name: &str) -> Result<Resp, ArmError> {
    let id = rg_id(ctx, name);
    match ctx.method {
        Method::GET | Method::HEAD => match ctx.state.get(&id) {
            Some(_) if ctx.method == Method::HEAD => Ok(Resp::empty(204)),
            Some(rg) => Ok(Resp::json(200, rg.body.clone())),
            None if ctx.method == Method::HEAD => Ok(Resp::empty(404)),
            None => Err(ArmError::not_found(
                "ResourceGroupNotFound",
                format!("Resource group '{name}' could not be found."),
            )),
        },
        Method::PUT => {
            if !valid_group_name(name) {
                return Err(ArmError::bad_request("InvalidResourceGroupName", format!("Resource group name '{name}' is invalid. It must be 1-90 characters of letters, digits, '-', '_', '.', '(' or ')', and must not end with '.'.")).with_target("resourceGroupName"));
            }
            let body = ctx.json_body()?.clone();
            let location = body_location(ctx, &body)?;
            let existing = ctx.state.get(&id).cloned();
            if let Some(rg) = &existing {
                if rg.pending.is_some() {
                    return Err(ArmError::conflict(
                        "ResourceGroupBeingDeleted",
                        format!(
                            "The resource group '{name}' is in deprovisioning state and cannot perform this operation."
                        ),
                    ));
                }
                if rg.body["location"] != json!(location) {
                    return Err(ArmError::conflict(
                        "InvalidResourceGroupLocation",
                        format!(
                            "Invalid resource group location '{location}'. The Resource group already exists in location '{}'.",
                            rg.body["location"].as_str().unwrap_or_default()
                        ),
                    ));
                }
            }
            let id = existing.as_ref().map_or(id, |rg| rg.id.clone());
            let stored_name = id.rsplit('/').next().unwrap_or(name).to_owned();
            let rg_body = json!({
                "id": id,
                "name": stored_name,
                "type": "Microsoft.Resources/resourceGroups",
                "location": location,
                "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
                "properties": { "provisioningState": "Succeeded" },
            });
            ctx.state.insert(Resource {
                id: id.clone(),
                kind: Kind::ResourceGroup,
                body: rg_body.clone(),
                pending: None,
            });
            Ok(Resp::json(
                if existing.is_some() { 200 } else { 201 },
                rg_body,
            ))
        }
        // `az group update`: the tags sent are the group's tags (and `managedBy` its manager).
        Method::PATCH => {
            let patch = ctx.json_body()?.clone();
            let Some(rg) = ctx.state.get_mut(&id) else {
                return Err(ArmError::not_found(
                    "ResourceGroupNotFound",
                    format!("Resource group '{name}' could not be found."),
                ));
            };
            if let Some(tags) = patch.get("tags").filter(|t| t.is_object()) {
                rg.body["tags"] = tags.clone();
            }
            if let Some(by) = patch.get("managedBy").filter(|m| m.is_string()) {
                rg.body["managedBy"] = by.clone();
            }
            Ok(Resp::json(200, rg.body.clone()))
        }
        Method::DELETE => {
            let Some(rg) = ctx.state.get(&id).cloned() else {
                return Err(ArmError::not_found(
                    "ResourceGroupNotFound",
                    format!("Resource group '{name}' could not be found."),
                ));
            };
            if let Some(going) = lro::going(ctx, &rg, "Deleting") {
                // Already going: the same answer again, for the same operation.
                let mut resp = Resp::empty(RESOURCES.delete.status);
                let location = rg.body["location"].as_str().unwrap_or_default();
                lro::announce(
                    ctx,
                    &RESOURCES,
                    Write::Delete,
                    &rg.id,
                    location,
                    &going,
                    &mut resp,
                );
                return Ok(resp);
            }
            let children = ctx.state.children_of(&rg.id);
            let duration = children
                .iter()
                .filter_map(|k| ctx.state.resources.get(k))
                .map(|r| delete_latency(ctx, r.kind))
                .max()
                .unwrap_or(0)
                .max(ctx.latency("resourceGroup.delete"));
            let (resp, _) = lro::accept(
                ctx,
                &RESOURCES,
                Write::Delete,
                &rg.id,
                rg.body["location"].as_str().unwrap_or_default(),
                duration,
                None,
            );
            Ok(resp)
        }
        _ => Err(method_not_allowed(&ctx.method)),
    }
}

pub fn delete_latency(ctx: &Ctx<'_>, kind: Kind) -> u64 {
    match kind {
        Kind::ManagedCluster => ctx.latency("managedCluster.delete"),
        Kind::AgentPool => ctx.latency("agentPool.delete"),
        Kind::Registry | Kind::Replication => ctx.latency("registry.delete"),
        Kind::StorageAccount
        | Kind::BlobContainer
        | Kind::LogAnalyticsWorkspace
        | Kind::MaintenanceConfiguration => 0,
        Kind::FrontDoorProfile | Kind::FrontDoorChild | Kind::WafPolicy => {
            ctx.latency("frontDoor.delete")
        }
        Kind::VirtualNetwork
        | Kind::Subnet
        | Kind::Peering
        | Kind::PublicIp
        | Kind::PrivateEndpoint
        | Kind::PrivateDnsZoneGroup => ctx.latency("network.delete"),
        Kind::PrivateDnsZone | Kind::PrivateDnsLink => ctx.latency("privateDns.delete"),
        Kind::PrivateDnsRecordSet => 0,
        Kind::BackupVault => ctx.latency("backupVault.delete"),
        Kind::BackupInstance => ctx.latency("backupInstance.delete"),
        Kind::BackupPolicy | Kind::BackupJob | Kind::Seeded => 0,
        Kind::ClusterExtension => ctx.latency("clusterExtension.delete"),
        Kind::TrustedAccessRoleBinding => ctx.latency("trustedAccess.delete"),
        Kind::FluxConfiguration => ctx.latency("fluxConfiguration.delete"),
        Kind::ResourceGroup
        | Kind::TrafficManagerProfile
        | Kind::TrafficManagerEndpoint
        | Kind::RoleAssignment => ctx.latency("resourceGroup.delete"),
    }
}

pub fn locations(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    let sub = ctx.subscription.clone();
    let value: Vec<Value> = regions::all()
        .map(|r| {
            let (name, display, pairs) = (r.name, r.display_name, r.paired);
            let mut location = json!({
                "id": format!("/subscriptions/{sub}/locations/{name}"),
                "name": name,
                "type": "Region",
                "displayName": display,
                "regionalDisplayName": display,
                "metadata": {
                    "regionType": "Physical",
                    "regionCategory": if pairs.is_empty() { "Other" } else { "Recommended" },
                    "pairedRegion": pairs.iter().map(|p| json!({ "name": p, "id": format!("/subscriptions/{sub}/locations/{p}") })).collect::<Vec<_>>(),
                },
            });
            // As Azure answers: the subscription's logical zones mapped to the region's physical ones.
            if r.zones {
                location["availabilityZoneMappings"] = json!((1..=3)
                    .map(|z| json!({ "logicalZone": z.to_string(), "physicalZone": format!("{name}-az{z}") }))
                    .collect::<Vec<_>>());
            }
            location
        })
        .collect();
    Ok(Resp::json(200, json!({ "value": value })))
}

/// `GET /subscriptions/{s}/resourcegroups[?$filter=tagName eq 'k' and tagValue eq 'v']`, a page at a
/// time.
pub fn list_groups(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    let clauses = list::filter(ctx.query.get("$filter").map_or("", String::as_str))?;
    let sub_prefix = format!("/subscriptions/{}/", ctx.subscription).to_ascii_lowercase();
    let value: Vec<Value> = ctx
        .state
        .resources
        .iter()
        .filter(|(k, r)| k.starts_with(&sub_prefix) && r.kind == Kind::ResourceGroup)
        .map(|(_, r)| r.body.clone())
        .filter(|b| list::passes(b, &clauses))
        .collect();
    Ok(list::page(ctx, value))
}

/// ARM's generic lists, `GET /subscriptions/{s}/resources` and
/// `.../resourceGroups/{g}/resources`: every tracked resource (one with a location: groups, peerings,
/// subnets, role assignments and Traffic Manager endpoints are not), in ARM's generic shape, filtered
/// by `$filter` (resourceType, name, location, resourceGroup, tagName/tagValue), a page at a time.
pub fn generic(ctx: &mut Ctx<'_>, group: Option<&str>) -> Result<Resp, ArmError> {
    let clauses = list::filter(ctx.query.get("$filter").map_or("", String::as_str))?;
    let prefix = match group {
        Some(g) => format!("{}/", require_group(ctx, g)?),
        None => format!("/subscriptions/{}/", ctx.subscription),
    }
    .to_ascii_lowercase();
    let value: Vec<Value> = ctx
        .state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(_, r)| r)
        .filter(|r| r.kind != Kind::ResourceGroup && r.body["location"].is_string())
        .map(|r| {
            let b = &r.body;
            let mut generic = json!({ "id": b["id"], "name": b["name"], "type": b["type"], "location": b["location"], "tags": b.get("tags").cloned().unwrap_or_else(|| json!({})) });
            for key in ["sku", "kind", "identity"] {
                if let Some(v) = b.get(key).filter(|v| !v.is_null()) {
                    generic[key] = v.clone();
                }
            }
            generic
        })
        .filter(|g| list::passes(g, &clauses))
        .collect();
    Ok(list::page(ctx, value))
}
