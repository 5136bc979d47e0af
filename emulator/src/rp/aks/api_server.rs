//! A stand-in for each running cluster's Kubernetes API server, reached at the cluster's `fqdn`
//! (`<prefix>-<hash>.hcp.<region>.azmk8s.io`, on the emulator's own address: a client resolves the
//! name to it, the emulator's certificate covers the name). It models who gets in, nothing else:
//!
//! - authentication: a bearer token is required (401 without); an Entra token is accepted when the
//!   emulator issued it, it has not expired and its audience is AKS's server application (a token
//!   for ARM is refused, 401, as AKS's webhook refuses a wrong audience); with local accounts on,
//!   the cluster's static tokens (`listClusterUserCredential` / `listClusterAdminCredential`) are
//!   accepted too (learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad);
//! - authorization: with Azure RBAC for Kubernetes (`aadProfile.enableAzureRBAC`), one of AKS's four
//!   built-in roles assigned to the token's `oid` or to one of its `groups`, at the cluster or any
//!   scope above it (learn.microsoft.com/azure/aks/manage-azure-rbac); members of
//!   `aadProfile.adminGroupObjectIDs` are cluster-admin whatever Azure RBAC says (AKS binds them:
//!   observed and reported in MicrosoftDocs/azure-aks-docs #257, against the docs' "irrelevant when
//!   Azure RBAC is enabled"; bcdr grants the admin groups the Cluster Admin role as well, which holds
//!   either way);
//!   everyone else is answered 403 with AKS's message ("User does not have access to the resource in
//!   Azure. Update role assignment to allow access.", Azure/AKS#2302). Discovery (`/version`,
//!   `/api`) is open to every authenticated caller, as Kubernetes' `system:public-info-viewer` and
//!   `system:discovery` roles make it.
//!
//! Served: `GET /version`, `GET /api`, `GET /api/v1/namespaces` and `POST
//! /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (Kubernetes' shapes). What each role
//! allows is modelled coarsely (docs/emulator-fidelity.md).

use super::CLUSTER_TYPE;
use super::credentials::static_token;
use crate::contract::request::Resp;
use crate::contract::store::{Kind, Resource, State};
use crate::rp::identity::{AKS_SERVER_APP, bearer, claims_of};
use axum::http::{HeaderMap, Method};
use serde_json::{Value, json};

/// AKS's built-in roles for Kubernetes authorization with Azure RBAC (role definition ids from
/// learn.microsoft.com/azure/role-based-access-control/built-in-roles#containers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Reader,
    Writer,
    Admin,
    ClusterAdmin,
}

const ROLES: &[(&str, Role)] = &[
    (
        azure_facts::roles::AKS_RBAC_CLUSTER_ADMIN.id,
        Role::ClusterAdmin,
    ),
    ("3498e952-d568-435e-9b2c-8d77e338d7f7", Role::Admin),
    ("a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb", Role::Writer),
    ("7f6c6a51-bcf8-42ba-9220-52d62157d7db", Role::Reader),
];

const READ_VERBS: &[&str] = &["get", "list", "watch"];

impl Role {
    /// Whether the role allows `verb` on `resource` (coarse: Reader reads, but not secrets or RBAC
    /// objects; Writer also writes, but not RBAC objects; Admin all but writing namespaces and
    /// resource quotas; Cluster Admin all; the roles' descriptions in the built-in roles list).
    fn allows(self, verb: &str, resource: &str) -> bool {
        let rbac = matches!(
            resource,
            "roles" | "rolebindings" | "clusterroles" | "clusterrolebindings"
        );
        let read = READ_VERBS.contains(&verb);
        match self {
            Role::ClusterAdmin => true,
            Role::Admin => read || !matches!(resource, "namespaces" | "resourcequotas"),
            Role::Writer => !rbac,
            Role::Reader => read && !rbac && resource != "secrets",
        }
    }
}

/// Whether `host` is a cluster API server's name.
pub(crate) fn serves(host: &str) -> bool {
    host.to_ascii_lowercase().ends_with(".azmk8s.io")
}

/// Kubernetes' `Status` answer.
fn status(code: u16, reason: &str, message: &str) -> Resp {
    Resp::json(
        code,
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }),
    )
}

/// Who a request is.
#[derive(Debug)]
enum Caller {
    /// A cluster's static credential (local accounts): bound to cluster-admin.
    Local,
    /// An Entra principal: its object id and group memberships.
    Entra { oid: String, groups: Vec<String> },
}

fn cluster_at<'a>(state: &'a State, fqdn: &str) -> Option<&'a Resource> {
    state.resources.values().find(|r| {
        r.kind == Kind::ManagedCluster
            && r.body["properties"]["fqdn"]
                .as_str()
                .is_some_and(|f| f.eq_ignore_ascii_case(fqdn))
    })
}

fn authenticate(
    state: &State,
    cluster: &Resource,
    headers: &HeaderMap,
    now_s: u64,
) -> Option<Caller> {
    let token = bearer(headers)?;
    let props = &cluster.body["properties"];
    let local = props["disableLocalAccounts"].as_bool() != Some(true);
    if local
        && (token == static_token(&cluster.id, true) || token == static_token(&cluster.id, false))
    {
        return Some(Caller::Local);
    }
    if props["aadProfile"]["managed"].as_bool() != Some(true) {
        return None;
    }
    if state.tokens.get(token).is_none_or(|exp| *exp <= now_s) {
        return None;
    }
    let claims = claims_of(token)?;
    if claims["aud"].as_str() != Some(AKS_SERVER_APP) {
        return None;
    }
    let oid = claims["oid"].as_str()?.to_ascii_lowercase();
    let groups = claims["groups"]
        .as_array()
        .map(|g| {
            g.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    Some(Caller::Entra { oid, groups })
}

/// The AKS roles assigned to `principals` at `cluster_id` or a scope above it.
fn roles_at(state: &State, cluster_id: &str, principals: &[&str]) -> Vec<Role> {
    let cluster = cluster_id.to_ascii_lowercase();
    state
        .resources
        .values()
        .filter(|r| r.kind == Kind::RoleAssignment)
        .filter_map(|r| {
            let props = &r.body["properties"];
            let scope = props["scope"]
                .as_str()?
                .trim_end_matches('/')
                .to_ascii_lowercase();
            let applies = cluster == scope || cluster.starts_with(&format!("{scope}/"));
            let principal = props["principalId"].as_str()?.to_ascii_lowercase();
            if !applies || !principals.contains(&principal.as_str()) {
                return None;
            }
            let definition = props["roleDefinitionId"].as_str()?;
            let guid = definition.rsplit('/').next()?.to_ascii_lowercase();
            ROLES
                .iter()
                .find(|(id, _)| *id == guid)
                .map(|(_, role)| *role)
        })
        .collect()
}

/// Whether `caller` may `verb` `resource` on `cluster`.
fn authorized(
    state: &State,
    cluster: &Resource,
    caller: &Caller,
    verb: &str,
    resource: &str,
) -> bool {
    let Caller::Entra { oid, groups } = caller else {
        return true;
    };
    let aad = &cluster.body["properties"]["aadProfile"];
    let admin_groups: Vec<String> = aad["adminGroupObjectIDs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    if groups.iter().any(|g| admin_groups.contains(g)) {
        return true;
    }
    if aad["enableAzureRBAC"].as_bool() != Some(true) {
        return false;
    }
    let mut principals: Vec<&str> = vec![oid.as_str()];
    principals.extend(groups.iter().map(String::as_str));
    roles_at(state, &cluster.id, &principals)
        .into_iter()
        .any(|role| role.allows(verb, resource))
}

fn forbidden(caller: &Caller, verb: &str, resource: &str) -> Resp {
    let user = match caller {
        Caller::Entra { oid, .. } => oid.as_str(),
        Caller::Local => "clusterAdmin",
    };
    status(
        403,
        "Forbidden",
        &format!(
            "{resource} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"\" at the cluster scope: User does not have access to the resource in Azure. Update role assignment to allow access."
        ),
    )
}

/// Answers one request to the API server at `host`.
pub(crate) fn answer(
    state: &State,
    host: &str,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    now_s: u64,
) -> Resp {
    let Some(cluster) = cluster_at(state, host) else {
        return status(
            404,
            "NotFound",
            &format!("no {CLUSTER_TYPE} answers at {host} (the emulator's stand-in for DNS)"),
        );
    };
    if cluster.body["properties"]["powerState"]["code"].as_str() != Some("Running") {
        return status(
            503,
            "ServiceUnavailable",
            "the cluster's API server is not running",
        );
    }
    let Some(caller) = authenticate(state, cluster, headers, now_s) else {
        return status(401, "Unauthorized", "Unauthorized");
    };
    tracing::debug!(cluster = %cluster.id, path, "api server request");
    let path = path.trim_end_matches('/');
    match (method.clone(), path) {
        (Method::GET, "/version") => {
            let version = cluster.body["properties"]["currentKubernetesVersion"]
                .as_str()
                .unwrap_or("1.31.0");
            let minor = version.split('.').nth(1).unwrap_or("31");
            Resp::json(
                200,
                json!({
                    "major": "1",
                    "minor": minor,
                    "gitVersion": format!("v{version}"),
                    "platform": "linux/amd64",
                }),
            )
        }
        (Method::GET, "/api") => Resp::json(
            200,
            json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": format!("{host}:443") }],
            }),
        ),
        (Method::GET, "/api/v1/namespaces") => {
            if !authorized(state, cluster, &caller, "list", "namespaces") {
                return forbidden(&caller, "list", "namespaces");
            }
            let items: Vec<Value> = ["default", "kube-node-lease", "kube-public", "kube-system"]
                .iter()
                .map(|n| json!({ "metadata": { "name": n }, "status": { "phase": "Active" } }))
                .collect();
            Resp::json(
                200,
                json!({ "kind": "NamespaceList", "apiVersion": "v1", "metadata": {}, "items": items }),
            )
        }
        (Method::POST, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") => {
            let review: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let attributes = &review["spec"]["resourceAttributes"];
            let (Some(verb), Some(resource)) =
                (attributes["verb"].as_str(), attributes["resource"].as_str())
            else {
                return status(
                    400,
                    "BadRequest",
                    "spec.resourceAttributes.verb and .resource are required",
                );
            };
            let allowed = authorized(state, cluster, &caller, verb, resource);
            let mut answer = review.clone();
            answer["status"] = if allowed {
                json!({ "allowed": true })
            } else {
                json!({ "allowed": false, "reason": "User does not have access to the resource in Azure. Update role assignment to allow access." })
            };
            Resp::json(201, answer)
        }
        _ => status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    }
}
