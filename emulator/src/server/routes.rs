//! The route table: which ARM paths the emulator serves, the api-version each requires, and the
//! dispatch of resource paths to their resource-type modules.

use crate::contract::error::ArmError;
use crate::contract::lro;
use crate::contract::profile::Budget;
use crate::contract::request::{Ctx, Resp};
use crate::contract::versions as api;
use crate::rp::aks::{agent_pool, cluster, maintenance, trusted_access};
use crate::rp::network::{peering, private_endpoint, public_ip, subnet, vnet};
use crate::rp::{front_door, log_analytics, private_dns, registry, storage, traffic_manager, waf};

/// The routes ARM knows, as far as the emulator serves them, with the api-version each requires.
pub(crate) enum Route {
    /// `POST /{tenant}/oauth2/v2.0/token`.
    Token(String),
    /// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
    OpenIdConfiguration(String),
    /// `GET /common/discovery/instance`.
    InstanceDiscovery,
    /// `GET /metadata/endpoints`.
    Metadata,
    /// `GET /subscriptions`.
    Subscriptions,
    /// `GET /subscriptions/{s}`.
    Subscription,
    /// `GET /tenants`.
    Tenants,
    /// A managed identity endpoint as App Service and Functions provide it (`IDENTITY_ENDPOINT`).
    ManagedIdentity,
    Admin(String),
    /// `GET /_emulator/dns/{fqdn}`: what a global service's DNS name answers now.
    Dns(String),
    Locations,
    Provider(String),
    /// `…/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions`.
    KubernetesVersions(String),
    /// `…/providers/Microsoft.Compute/locations/{location}/usages`: vCPU quotas.
    ComputeUsages(String),
    /// `…/providers/Microsoft.Compute/skus`: VM sizes.
    ComputeSkus,
    /// `POST /subscriptions/{s}/providers/{namespace}/register`.
    ProviderRegister(String),
    /// ARM's generic list of a subscription's resources.
    Resources,
    /// ARM's generic list of a group's resources.
    GroupResources(String),
    ResourceGroups,
    ResourceGroup(String),
    ResourceGroupResult(String),
    OperationStatus(String),
    OperationResult(String),
    Typed {
        rg: String,
        namespace: String,
        path: Vec<(String, String)>,
    },
    /// A collection: the resources of type `kind` below `path` (in the group when `path` is empty; in
    /// every group of the subscription without a group).
    Collection {
        rg: Option<String>,
        namespace: String,
        path: Vec<(String, String)>,
        kind: String,
    },
    /// ACR's name availability check.
    RegistryName,
    /// Storage's name availability check.
    StorageName,
    /// Traffic Manager's DNS name availability check (V2, subscription scope).
    TrafficManagerName,
    /// `managedClusters/{name}/listClusterUserCredential` (or `listClusterAdminCredential`, `admin`):
    /// a cluster's kubeconfig.
    ClusterCredential {
        rg: String,
        cluster: String,
        admin: bool,
    },
    /// `…/providers/Microsoft.DataProtection/locations/{l}/operation{Status,Results}/{id}`.
    DataProtectionOperation {
        id: String,
        result: bool,
    },
    /// `/{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`: any scope.
    RoleAssignment {
        scope: String,
        name: String,
    },
    /// `/{scope}/providers/Microsoft.Authorization/roleAssignments`: what applies at a scope.
    RoleAssignments(String),
    /// `/{scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]`: built-in roles.
    RoleDefinitions {
        scope: String,
        guid: Option<String>,
    },
    /// `{cluster}/providers/Microsoft.KubernetesConfiguration/{kind}[/{name}[/operations/{id}]]`:
    /// what extends a cluster.
    ClusterConfiguration(crate::rp::kubernetes_configuration::Request),
    /// `…/providers/Microsoft.ContainerService/locations/{location}/trustedAccessRoles`.
    TrustedAccessRoles(String),
}

/// `/subscriptions/{s}/resourceGroups/{g}/providers/{clusterRp}/{clusterType}/{c}/providers/
/// Microsoft.KubernetesConfiguration/{kind}[/{name}[/operations/{id}]]` (`l` lower-cased `segs`).
fn cluster_configuration(segs: &[&str], l: &[&str]) -> Option<Route> {
    let head = [
        Some("subscriptions"),
        None,
        Some("resourcegroups"),
        None,
        Some("providers"),
        None,
        None,
        None,
        Some("providers"),
        Some("microsoft.kubernetesconfiguration"),
    ];
    let fits = l.len() > head.len()
        && head
            .iter()
            .zip(l)
            .all(|(want, got)| want.is_none_or(|w| w == *got));
    if !fits || !matches!(l.len(), 11 | 12 | 14) || (l.len() == 14 && l[12] != "operations") {
        return None;
    }
    Some(Route::ClusterConfiguration(
        crate::rp::kubernetes_configuration::Request {
            rg: segs[3].to_owned(),
            cluster_type: format!("{}/{}", segs[5], segs[6]),
            cluster: segs[7].to_owned(),
            kind: l[10].to_owned(),
            name: segs.get(11).map(|s| (*s).to_owned()),
            operation: segs.get(13).map(|s| (*s).to_owned()),
        },
    ))
}

pub(crate) fn route(segs: &[&str]) -> Option<(Route, Option<&'static api::Versions>)> {
    let l: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = l.iter().map(String::as_str).collect();
    let own = |i: usize| segs[i].to_owned();
    if let [
        scope @ ..,
        "providers",
        "microsoft.authorization",
        "roleassignments",
    ] = l.as_slice()
    {
        let scope = format!("/{}", segs[..scope.len()].join("/"));
        return Some((Route::RoleAssignments(scope), Some(&api::AUTHORIZATION)));
    }
    if let Some(i) = l
        .windows(3)
        .rposition(|w| w == ["providers", "microsoft.authorization", "roledefinitions"])
        .filter(|i| l.len() - i <= 4)
    {
        let scope = format!("/{}", segs[..i].join("/"));
        let guid = segs.get(i + 3).map(|g| (*g).to_owned());
        return Some((
            Route::RoleDefinitions { scope, guid },
            Some(&api::AUTHORIZATION),
        ));
    }
    if let [
        scope @ ..,
        "providers",
        "microsoft.authorization",
        "roleassignments",
        _,
    ] = l.as_slice()
    {
        let scope = format!("/{}", segs[..scope.len()].join("/"));
        return Some((
            Route::RoleAssignment {
                scope,
                name: own(l.len() - 1),
            },
            Some(&api::AUTHORIZATION),
        ));
    }
    if let Some(result) = crate::rp::data_protection::operation_url(&l) {
        let (id, api) = (own(7), Some(&api::DATA_PROTECTION));
        return Some((Route::DataProtectionOperation { id, result }, api));
    }
    if let Some(route) = cluster_configuration(segs, &l) {
        return Some((route, Some(&api::KUBERNETES_CONFIGURATION)));
    }
    Some(match l.as_slice() {
        ["_emulator", what] => (Route::Admin((*what).to_owned()), None),
        ["_emulator", "dns", _] => (Route::Dns(own(2)), None),
        [_, "oauth2", "v2.0", "token"] => (Route::Token(own(0)), None),
        [_, "v2.0", ".well-known", "openid-configuration"] => {
            (Route::OpenIdConfiguration(own(0)), None)
        }
        ["common", "discovery", "instance"] => (Route::InstanceDiscovery, None),
        ["metadata", "endpoints"] => (Route::Metadata, None),
        ["subscriptions"] => (Route::Subscriptions, Some(&api::SUBSCRIPTIONS)),
        ["subscriptions", _] => (Route::Subscription, Some(&api::SUBSCRIPTIONS)),
        ["tenants"] => (Route::Tenants, Some(&api::SUBSCRIPTIONS)),
        ["_msi", "token"] => (Route::ManagedIdentity, None),
        ["subscriptions", _, "locations"] => (Route::Locations, Some(&api::SUBSCRIPTIONS)),
        ["subscriptions", _, "resources"] => (Route::Resources, Some(&api::RESOURCES)),
        ["subscriptions", _, "resourcegroups", _, "resources"] => {
            (Route::GroupResources(own(3)), Some(&api::RESOURCES))
        }
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.containerregistry",
            "checknameavailability",
        ] => (Route::RegistryName, Some(&api::REGISTRY)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.storage",
            "checknameavailability",
        ] => (Route::StorageName, Some(&api::STORAGE)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.network",
            "checktrafficmanagernameavailabilityv2",
        ] => (Route::TrafficManagerName, Some(&api::TRAFFIC_MANAGER)),
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.containerservice",
            "managedclusters",
            _,
            which @ ("listclusterusercredential" | "listclusteradmincredential"),
        ] => (
            Route::ClusterCredential {
                rg: own(3),
                cluster: own(7),
                admin: *which == "listclusteradmincredential",
            },
            Some(&api::AKS),
        ),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.storage",
            "locations",
            _,
            "asyncoperations",
            _,
        ] => (Route::OperationResult(own(7)), Some(&api::STORAGE)),
        ["subscriptions", _, "providers", _] => (Route::Provider(own(3)), Some(&api::RESOURCES)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.containerservice",
            "locations",
            _,
            "kubernetesversions",
        ] => (Route::KubernetesVersions(own(5)), Some(&api::AKS)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.containerservice",
            "locations",
            _,
            "trustedaccessroles",
        ] => (Route::TrustedAccessRoles(own(5)), Some(&api::AKS)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.compute",
            "locations",
            _,
            "usages",
        ] => (Route::ComputeUsages(own(5)), Some(&api::COMPUTE_USAGES)),
        ["subscriptions", _, "providers", "microsoft.compute", "skus"] => {
            (Route::ComputeSkus, Some(&api::COMPUTE_SKUS))
        }
        ["subscriptions", _, "providers", _, "register"] => {
            (Route::ProviderRegister(own(3)), Some(&api::RESOURCES))
        }
        ["subscriptions", _, "resourcegroups"] => (Route::ResourceGroups, Some(&api::RESOURCES)),
        ["subscriptions", _, "resourcegroups", _] => {
            (Route::ResourceGroup(own(3)), Some(&api::RESOURCES))
        }
        ["subscriptions", _, "operationresults", _] => {
            (Route::ResourceGroupResult(own(3)), Some(&api::RESOURCES))
        }
        [
            "subscriptions",
            _,
            "providers",
            ns,
            "locations",
            _,
            "operations",
            _,
        ] => (Route::OperationStatus(own(7)), Some(operations_api(ns)?)),
        // Front Door's operations live in the group (afd-profile #1, afd-endpoint-update #0): the
        // status document, and below it the result.
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.cdn",
            "operationresults",
            _,
        ] => (Route::OperationStatus(own(7)), Some(&api::CDN)),
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.cdn",
            "operationresults",
            _,
            ..,
        ] => (Route::OperationResult(own(7)), Some(&api::CDN)),
        [
            "subscriptions",
            _,
            "providers",
            ns,
            "locations",
            _,
            "operationresults",
            _,
        ] => (Route::OperationResult(own(7)), Some(operations_api(ns)?)),
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            ns,
            rest @ ..,
        ] if !rest.is_empty() => {
            let path = rest
                .chunks_exact(2)
                .enumerate()
                .map(|(i, _)| (l[6 + 2 * i].to_owned(), own(7 + 2 * i)))
                .collect();
            let api = Some(match rest.first() {
                Some(&"trafficmanagerprofiles") => &api::TRAFFIC_MANAGER,
                Some(&"frontdoorwebapplicationfirewallpolicies") => &api::FRONT_DOOR_WAF,
                Some(&"privatednszones") => &api::PRIVATE_DNS,
                _ => api_for_namespace(ns)?,
            });
            let (rg, namespace) = (own(3), (*ns).to_owned());
            let collection_rg = Some(rg.clone());
            match rest.len() % 2 {
                0 => (
                    Route::Typed {
                        rg,
                        namespace,
                        path,
                    },
                    api,
                ),
                _ => (
                    Route::Collection {
                        rg: collection_rg,
                        namespace,
                        path,
                        kind: l[l.len() - 1].to_owned(),
                    },
                    api,
                ),
            }
        }
        // A type's list across the subscription's groups (after the actions above).
        ["subscriptions", _, "providers", ns, kind] => (
            Route::Collection {
                rg: None,
                namespace: (*ns).to_owned(),
                path: Vec::new(),
                kind: (*kind).to_owned(),
            },
            Some(match *kind {
                "trafficmanagerprofiles" => &api::TRAFFIC_MANAGER,
                "frontdoorwebapplicationfirewallpolicies" => &api::FRONT_DOOR_WAF,
                "privatednszones" => &api::PRIVATE_DNS,
                _ => api_for_namespace(ns)?,
            }),
        ),
        _ => return None,
    })
}

/// The api-versions a namespace's operation URLs carry (AKS's differ from its resources').
fn operations_api(ns: &str) -> Option<&'static api::Versions> {
    match ns {
        "microsoft.containerservice" => Some(&api::AKS_OPERATIONS),
        _ => api_for_namespace(ns),
    }
}

fn api_for_namespace(ns: &str) -> Option<&'static api::Versions> {
    match ns {
        "microsoft.network" => Some(&api::NETWORK),
        "microsoft.containerregistry" => Some(&api::REGISTRY),
        "microsoft.storage" => Some(&api::STORAGE),
        "microsoft.cdn" => Some(&api::CDN),
        "microsoft.containerservice" => Some(&api::AKS),
        "microsoft.operationalinsights" => Some(&api::OPERATIONAL_INSIGHTS),
        "microsoft.dataprotection" => Some(&api::DATA_PROTECTION),
        _ => None,
    }
}

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

/// The budget a request on `route` draws on (its family's), or `None` for what reports none: a
/// cluster's credential (aks-create #12), the identity and admin endpoints.
pub(crate) fn budget(route: &Route) -> Option<Budget> {
    use crate::contract::profile;
    match route {
        Route::Token(_)
        | Route::OpenIdConfiguration(_)
        | Route::InstanceDiscovery
        | Route::Metadata
        | Route::ManagedIdentity
        | Route::Admin(_)
        | Route::Dns(_)
        | Route::ClusterCredential { .. } => None,
        Route::Typed {
            namespace, path, ..
        } => Some(typed_budget(
            namespace,
            path.iter().map(|(t, _)| t.as_str()),
        )),
        Route::Collection {
            namespace,
            path,
            kind,
            ..
        } => Some(typed_budget(
            namespace,
            path.iter().map(|(t, _)| t.as_str()).chain([kind.as_str()]),
        )),
        _ => Some(profile::RESOURCES.budget),
    }
}

fn typed_budget<'a>(namespace: &str, mut types: impl Iterator<Item = &'a str>) -> Budget {
    use crate::contract::profile;
    let first = types.next();
    match (namespace, first, types.next()) {
        ("microsoft.cdn", _, _) => profile::CDN.budget,
        (_, Some("trafficmanagerprofiles"), None) => profile::TRAFFIC_MANAGER.budget,
        (_, Some("trafficmanagerprofiles"), Some(_)) => profile::TRAFFIC_MANAGER_ENDPOINT.budget,
        _ => profile::NETWORK.budget,
    }
}
