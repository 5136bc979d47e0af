//! The route table: which ARM paths the emulator serves, the api-version each requires, and the
//! dispatch of resource paths to their resource-type modules.

use crate::contract::error::ArmError;
use crate::contract::lro;
use crate::contract::request::{Ctx, Resp};
use crate::contract::versions as api;
use crate::rp::aks::{agent_pool, cluster};
use crate::rp::network::{peering, public_ip, subnet, vnet};
use crate::rp::{front_door, registry, storage, traffic_manager, waf};

/// The routes ARM knows, as far as the emulator serves them, with the api-version each requires.
pub(crate) enum Route {
    Token,
    /// A managed identity endpoint as App Service and Functions provide it (`IDENTITY_ENDPOINT`).
    ManagedIdentity,
    Admin(String),
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
    TaggedResources,
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
    /// ACR's name availability check.
    RegistryName,
    /// Traffic Manager's DNS name availability check (V2, subscription scope).
    TrafficManagerName,
    /// `managedClusters/{name}/listClusterUserCredential`: a cluster's kubeconfig.
    ClusterCredential {
        rg: String,
        cluster: String,
    },
    /// `/{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`: any scope.
    RoleAssignment {
        scope: String,
        name: String,
    },
}

pub(crate) fn route(segs: &[&str]) -> Option<(Route, Option<&'static str>)> {
    let l: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = l.iter().map(String::as_str).collect();
    let own = |i: usize| segs[i].to_owned();
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
            Some(api::API_AUTHORIZATION),
        ));
    }
    Some(match l.as_slice() {
        ["_emulator", what] => (Route::Admin((*what).to_owned()), None),
        [_tenant, "oauth2", "v2.0", "token"] => (Route::Token, None),
        ["_msi", "token"] => (Route::ManagedIdentity, None),
        ["subscriptions", _, "locations"] => (Route::Locations, Some(api::API_SUBSCRIPTIONS)),
        ["subscriptions", _, "resources"] => (Route::TaggedResources, Some(api::API_RESOURCES)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.containerregistry",
            "checknameavailability",
        ] => (Route::RegistryName, Some(api::API_REGISTRY)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.network",
            "checktrafficmanagernameavailabilityv2",
        ] => (Route::TrafficManagerName, Some(api::API_TRAFFIC_MANAGER)),
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.containerservice",
            "managedclusters",
            _,
            "listclusterusercredential",
        ] => (
            Route::ClusterCredential {
                rg: own(3),
                cluster: own(7),
            },
            Some(api::API_AKS),
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
        ] => (Route::OperationResult(own(7)), Some(api::API_STORAGE)),
        ["subscriptions", _, "providers", _] => (Route::Provider(own(3)), Some(api::API_RESOURCES)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.containerservice",
            "locations",
            _,
            "kubernetesversions",
        ] => (Route::KubernetesVersions(own(5)), Some(api::API_AKS)),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.compute",
            "locations",
            _,
            "usages",
        ] => (Route::ComputeUsages(own(5)), Some(api::API_COMPUTE_USAGES)),
        ["subscriptions", _, "providers", "microsoft.compute", "skus"] => {
            (Route::ComputeSkus, Some(api::API_COMPUTE_SKUS))
        }
        ["subscriptions", _, "providers", _, "register"] => {
            (Route::ProviderRegister(own(3)), Some(api::API_RESOURCES))
        }
        ["subscriptions", _, "resourcegroups"] => (Route::ResourceGroups, Some(api::API_RESOURCES)),
        ["subscriptions", _, "resourcegroups", _] => {
            (Route::ResourceGroup(own(3)), Some(api::API_RESOURCES))
        }
        ["subscriptions", _, "operationresults", _] => {
            (Route::ResourceGroupResult(own(3)), Some(api::API_RESOURCES))
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
        ] => (Route::OperationStatus(own(7)), Some(api::API_CDN)),
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
        ] => (Route::OperationResult(own(7)), Some(api::API_CDN)),
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
        ] if !rest.is_empty() && rest.len() % 2 == 0 => {
            let path = rest
                .chunks(2)
                .enumerate()
                .map(|(i, _)| (l[6 + 2 * i].to_owned(), own(7 + 2 * i)))
                .collect();
            (
                Route::Typed {
                    rg: own(3),
                    namespace: (*ns).to_owned(),
                    path,
                },
                Some(match rest.first() {
                    Some(&"trafficmanagerprofiles") => api::API_TRAFFIC_MANAGER,
                    Some(&"frontdoorwebapplicationfirewallpolicies") => api::API_FRONT_DOOR_WAF,
                    _ => api_for_namespace(ns)?,
                }),
            )
        }
        _ => return None,
    })
}

/// The api-version a namespace's operation URLs carry (AKS's differ from its resources').
fn operations_api(ns: &str) -> Option<&'static str> {
    match ns {
        "microsoft.containerservice" => Some(crate::contract::profile::AKS_OPERATIONS_API),
        _ => api_for_namespace(ns),
    }
}

fn api_for_namespace(ns: &str) -> Option<&'static str> {
    match ns {
        "microsoft.network" => Some(api::API_NETWORK),
        "microsoft.containerregistry" => Some(api::API_REGISTRY),
        "microsoft.storage" => Some(api::API_STORAGE),
        "microsoft.cdn" => Some(api::API_CDN),
        "microsoft.containerservice" => Some(api::API_AKS),
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
        ("microsoft.network", ["frontdoorwebapplicationfirewallpolicies"]) => {
            waf::policy(ctx, rg, names[0])
        }
        ("microsoft.network", ["trafficmanagerprofiles"]) => {
            traffic_manager::profile(ctx, rg, names[0])
        }
        ("microsoft.network", ["trafficmanagerprofiles", kind]) => {
            traffic_manager::endpoint(ctx, rg, names[0], kind, names[1])
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
