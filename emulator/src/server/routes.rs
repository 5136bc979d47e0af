//! The route table: which ARM paths the emulator serves, the api-version each requires, and the
//! budget each draws on. Who answers a resource path is `dispatch.rs`.

use crate::contract::profile::Budget;
use crate::contract::versions as api;

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
        // PostgreSQL's status documents (a recorded 202's `Azure-AsyncOperation`).
        [
            "subscriptions",
            _,
            "providers",
            ns @ "microsoft.dbforpostgresql",
            "locations",
            _,
            "azureasyncoperation",
            _,
        ] => (Route::OperationStatus(own(7)), Some(operations_api(ns)?)),
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
        "microsoft.dbforpostgresql" => Some(&api::POSTGRES),
        "microsoft.dataprotection" => Some(&api::DATA_PROTECTION),
        _ => None,
    }
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
