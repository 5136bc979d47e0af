//! The dispatch of a resource path to its resource type's module: `typed` hands one resource path
//! (a type and name per level below a provider namespace) to the module owning that type, and `list`
//! answers a collection's `GET` with each member as its own `GET` answers it. Split from the route
//! table (`routes.rs`), which decides which paths exist; this file decides who answers them.

use crate::contract::error::ArmError;
use crate::contract::lro;
use crate::contract::request::{Ctx, Resp};
use crate::rp::aks::{agent_pool, cluster, maintenance, trusted_access};
use crate::rp::network::{peering, private_endpoint, public_ip, subnet, vnet};
use crate::rp::postgres;
use crate::rp::{front_door, log_analytics, private_dns, registry, storage, traffic_manager, waf};

/// A resource path below a provider namespace in group `rg`, handed to its type's module.
pub(crate) fn typed(
    ctx: &mut Ctx<'_>,
    rg: &str,
    namespace: &str,
    path: &[(String, String)],
) -> Result<Resp, ArmError> {
    let types: Vec<&str> = path.iter().map(|(t, _)| t.as_str()).collect();
    let names: Vec<&str> = path.iter().map(|(_, n)| n.as_str()).collect();
    match (namespace, types.as_slice()) {
        ("microsoft.network", ["virtualnetworks"]) => vnet::vnet(ctx, rg, names[0]),
        ("microsoft.network", ["virtualnetworks", "subnets"]) => {
            subnet::subnet(ctx, rg, names[0], names[1])
        }
        ("microsoft.network", ["virtualnetworks", "virtualnetworkpeerings"]) => {
            peering::peering(ctx, rg, names[0], names[1])
        }
        ("microsoft.containerservice", ["managedclusters"]) => cluster::cluster(ctx, rg, names[0]),
        ("microsoft.containerservice", ["managedclusters", "agentpools"]) => {
            agent_pool::agent_pool(ctx, rg, names[0], names[1])
        }
        ("microsoft.containerservice", ["managedclusters", "maintenanceconfigurations"]) => {
            maintenance::maintenance_configuration(ctx, rg, names[0], names[1])
        }
        ("microsoft.containerservice", ["managedclusters", "trustedaccessrolebindings"]) => {
            trusted_access::binding(ctx, rg, names[0], names[1])
        }
        ("microsoft.containerregistry", ["registries"]) => registry::registry(ctx, rg, names[0]),
        ("microsoft.containerregistry", ["registries", "replications"]) => {
            registry::replication(ctx, rg, names[0], names[1])
        }
        (
            "microsoft.containerregistry",
            ["registries", "operationstatuses"]
            | ["registries", "replications", "operationstatuses"],
        ) => {
            let op = names[names.len() - 1];
            lro::status(ctx, op.split_once('-').map_or(op, |(_, id)| id))
        }
        ("microsoft.cdn", ["profiles", ..]) => front_door::resource(ctx, rg, path),
        ("microsoft.storage", ["storageaccounts"]) => storage::account(ctx, rg, names[0]),
        ("microsoft.storage", ["storageaccounts", "blobservices", "containers"]) => {
            storage::container(ctx, rg, names[0], names[1], names[2])
        }
        ("microsoft.network", ["publicipaddresses"]) => public_ip::address(ctx, rg, names[0]),
        ("microsoft.network", ["privateendpoints"]) => {
            private_endpoint::endpoint(ctx, rg, names[0])
        }
        ("microsoft.network", ["privateendpoints", "privatednszonegroups"]) => {
            private_endpoint::zone_group(ctx, rg, names[0], names[1])
        }
        ("microsoft.network", ["privatednszones"]) => private_dns::zone(ctx, rg, names[0]),
        ("microsoft.network", ["privatednszones", "virtualnetworklinks"]) => {
            private_dns::link(ctx, rg, names[0], names[1])
        }
        ("microsoft.network", ["privatednszones", kind]) => {
            private_dns::record_set(ctx, rg, names[0], kind, names[1])
        }
        ("microsoft.operationalinsights", ["workspaces"]) => {
            log_analytics::workspace(ctx, rg, names[0])
        }
        ("microsoft.network", ["frontdoorwebapplicationfirewallpolicies"]) => {
            waf::policy(ctx, rg, names[0])
        }
        ("microsoft.dbforpostgresql", ["flexibleservers"]) => {
            postgres::server::server(ctx, rg, names[0])
        }
        ("microsoft.dbforpostgresql", ["flexibleservers", "virtualendpoints"]) => {
            postgres::virtual_endpoint::endpoint(ctx, rg, names[0], names[1])
        }
        ("microsoft.dbforpostgresql", ["flexibleservers", "administrators"]) => {
            postgres::administrator::administrator(ctx, rg, names[0], names[1])
        }
        ("microsoft.dataprotection", _) => crate::rp::data_protection::typed(ctx, rg, path),
        ("microsoft.network", ["trafficmanagerprofiles"]) => {
            traffic_manager::profile::profile(ctx, rg, names[0])
        }
        ("microsoft.network", ["trafficmanagerprofiles", kind]) => {
            traffic_manager::endpoint::endpoint(ctx, rg, names[0], kind, names[1])
        }
        _ => Err(ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The resource type '{}' could not be found in the namespace '{namespace}'.",
                types.join("/")
            ),
        )),
    }
}

/// `GET` of a collection: each resource of type `kind` below `parents` (in the group when there are
/// none), as its own `GET` answers it, in `{"value": [...]}`. A parent that does not exist is 404
/// `ParentResourceNotFound` in ARM's words (afd-profile #0).
pub(crate) fn list(
    ctx: &mut Ctx<'_>,
    rg: Option<&str>,
    namespace: &str,
    parents: &[(String, String)],
    kind: &str,
) -> Result<Resp, ArmError> {
    if namespace == "microsoft.dataprotection"
        && (!parents.is_empty() || ctx.method != axum::http::Method::GET)
    {
        return crate::rp::data_protection::collection(ctx, rg, parents, kind);
    }
    if ctx.method != axum::http::Method::GET {
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    let Some(rg) = rg else {
        // Across the subscription: each group's list, in order.
        let prefix =
            format!("/subscriptions/{}/resourcegroups/", ctx.subscription).to_ascii_lowercase();
        let groups: Vec<String> = ctx
            .state
            .resources
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k[prefix.len()..].contains('/'))
            .filter_map(|(_, r)| r.id.rsplit('/').next().map(str::to_owned))
            .collect();
        let mut value = Vec::new();
        for group in groups {
            value.extend(items(ctx, &group, namespace, parents, kind)?);
        }
        return Ok(crate::contract::list::page(ctx, value));
    };
    if namespace.eq_ignore_ascii_case("microsoft.dbforpostgresql") && kind == "replicas" {
        let server = parents.first().map_or("", |(_, n)| n.as_str());
        return postgres::replica::list(ctx, rg, server);
    }
    let value = items(ctx, rg, namespace, parents, kind)?;
    Ok(crate::contract::list::page(ctx, value))
}

/// The resources of a collection in group `rg`, each as its own `GET` answers it.
fn items(
    ctx: &mut Ctx<'_>,
    rg: &str,
    namespace: &str,
    parents: &[(String, String)],
    kind: &str,
) -> Result<Vec<serde_json::Value>, ArmError> {
    let rg_id = crate::contract::resource::require_group(ctx, rg)?;
    let mut parent = format!("{rg_id}/providers/{namespace}");
    for (t, n) in parents {
        parent = format!("{parent}/{t}/{n}");
    }
    // A storage account's blob service (`blobServices/default`) is a singleton that exists with its
    // account.
    let stands_for = match parents.last() {
        Some((t, _)) if t == "blobservices" => parent
            .rsplit_once("/blobservices/")
            .map_or(parent.clone(), |(account, _)| account.to_owned()),
        _ => parent.clone(),
    };
    if !parents.is_empty() && ctx.state.get(&stands_for).is_none() {
        let types: Vec<&str> = parents
            .iter()
            .map(|(t, _)| t.as_str())
            .chain([kind])
            .collect();
        return Err(ArmError::not_found(
            "ParentResourceNotFound",
            format!(
                "Failed to perform 'read' on resource(s) of type '{}', because the parent resource '{parent}' could not be found.",
                types.join("/")
            ),
        ));
    }
    // Subnets live in their VNet's body.
    if kind == "subnets" {
        let subnets = ctx
            .state
            .get(&parent)
            .map(|v| v.body["properties"]["subnets"].clone())
            .unwrap_or_else(|| serde_json::json!([]));
        return Ok(subnets.as_array().cloned().unwrap_or_default());
    }
    let prefix = format!("{}/{kind}/", parent.to_ascii_lowercase());
    // A cluster's pools: its inline profiles and its child pools, as its GET folds them.
    let inline: Vec<String> = if kind == "agentpools" {
        ctx.state
            .get(&parent)
            .map(|c| crate::rp::aks::pools::with_children(ctx.state, c))
            .and_then(|c| c["properties"]["agentPoolProfiles"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect()
    } else {
        Vec::new()
    };
    let mut names: Vec<String> = ctx
        .state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !k[prefix.len()..].contains('/'))
        .filter_map(|(_, r)| r.id.rsplit('/').next().map(str::to_owned))
        .collect();
    for name in inline {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut value = Vec::new();
    for name in names {
        let mut path = parents.to_vec();
        path.push((kind.to_owned(), name));
        if let Ok(resp) = typed(ctx, rg, namespace, &path)
            && resp.status == 200
            && let Some(body) = resp.body
        {
            value.push(body);
        }
    }
    Ok(value)
}
