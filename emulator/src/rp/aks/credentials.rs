//! A cluster's kubeconfigs (`listClusterUserCredential`, `listClusterAdminCredential`): a static
//! token for a cluster with local accounts, kubelogin's `exec` (or the legacy `azure` auth-provider)
//! for one with AKS-managed Microsoft Entra ID; refused for the admin with local accounts off.

use super::CLUSTER_TYPE;
use super::cluster::managed_aad;
use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, not_found, require_group};
use axum::http::Method;
use serde_json::json;

/// AKS's Microsoft Entra ID server application ("Azure Kubernetes Service AAD Server"), the audience
/// of a managed-AAD cluster's tokens, the same in every tenant (Azure/kubelogin
/// docs/book/src/concepts/aks.md; learn.microsoft.com/azure/aks/kubelogin-authentication).
const AAD_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// AKS's public Entra ID client application ("Azure Kubernetes Service AAD Client"), the one
/// kubelogin's device code and interactive logins use (same sources).
const AAD_CLIENT_APP: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

/// What AKS answers a static credential of a cluster with local accounts disabled (400
/// `BadRequest`: hashicorp/terraform-provider-azurerm PR #15489, Azure/caf-terraform-landingzones
/// #416; learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad).
const STATIC_CREDENTIAL_REFUSED: &str = "Getting static credential is not allowed because this cluster is set to disable local accounts.";

/// The `format` of a managed-AAD cluster's user kubeconfig (`CredentialFormatParameter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// kubelogin as a client-go credential plugin: the default since Kubernetes 1.24.
    Exec,
    /// The legacy `azure` auth-provider (removed from kubectl in 1.26).
    Azure,
}

/// The `format` query parameter: `exec` when absent (learn.microsoft.com
/// enable-authentication-microsoft-entra-id: the default since Kubernetes 1.24); anything but `exec`
/// or `azure` is refused (a guess: the spec's enum, no recorded refusal).
fn format(ctx: &Ctx<'_>) -> Result<Format, ArmError> {
    match ctx.query.get("format").map(|f| f.to_ascii_lowercase()) {
        None => Ok(Format::Exec),
        Some(f) if f == "exec" => Ok(Format::Exec),
        Some(f) if f == "azure" => Ok(Format::Azure),
        Some(f) => Err(ArmError::bad_request(
            "InvalidParameter",
            format!(
                "The value '{f}' of parameter 'format' is invalid: it must be 'exec' or 'azure'."
            ),
        )
        .with_target("format")),
    }
}

/// The static token of a cluster with local accounts (`admin` or user), stable per cluster id.
pub(crate) fn static_token(cluster_id: &str, admin: bool) -> String {
    let seed = if admin {
        format!("{}/clusteradmin", cluster_id.to_ascii_lowercase())
    } else {
        cluster_id.to_ascii_lowercase()
    };
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes())
        .simple()
        .to_string()
}

/// A kubeconfig for cluster `name` at `fqdn`, its one user `user` authenticated by `auth` (the YAML
/// under `user:`, indented four spaces); its CA is the emulator's certificate, which the API server
/// stand-in (`api_server`) serves.
fn kubeconfig(ca_pem: &str, name: &str, fqdn: &str, user: &str, auth: &str) -> String {
    use base64::Engine as _;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: https://{fqdn}:443\n    certificate-authority-data: {ca}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {user}\ncurrent-context: {name}\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n{auth}"
    )
}

/// How a managed-AAD cluster's user authenticates: kubelogin's `exec` plugin or the `azure`
/// auth-provider, against AKS's Entra ID applications in the cluster's tenant; no token, no key (the
/// kubeconfigs AKS issued as third-party captures show them, the arguments in the newer captures'
/// order; docs/emulator-fidelity.md, "Microsoft Entra ID and local accounts").
fn aad_user(format: Format, tenant: &str) -> String {
    match format {
        Format::Exec => format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - get-token\n      - --environment\n      - AzurePublicCloud\n      - --server-id\n      - {AAD_SERVER_APP}\n      - --client-id\n      - {AAD_CLIENT_APP}\n      - --tenant-id\n      - {tenant}\n      - --login\n      - devicecode\n      command: kubelogin\n      env: null\n      installHint: |2\n\n        kubelogin is not installed which is required to connect to AAD enabled cluster.\n\n        To learn more, please go to https://aka.ms/aks/kubelogin\n      provideClusterInfo: false\n"
        ),
        Format::Azure => format!(
            "    auth-provider:\n      config:\n        apiserver-id: {AAD_SERVER_APP}\n        client-id: {AAD_CLIENT_APP}\n        config-mode: '1'\n        environment: AzurePublicCloud\n        tenant-id: {tenant}\n      name: azure\n"
        ),
    }
}

/// `POST .../managedClusters/{name}/listClusterUserCredential` and (`admin`)
/// `.../listClusterAdminCredential`: the cluster's kubeconfig, base64 in `kubeconfigs[0].value`.
///
/// - A cluster with local accounts: a token stable per cluster (and per user, admin or not), users
///   `clusterUser_{rg}_{name}` / `clusterAdmin_{rg}_{name}`.
/// - `disableLocalAccounts`: the admin credential is refused, 400 `BadRequest` (AKS's words); so is
///   the user credential of a cluster without managed AAD, whose user credential is static too (a
///   guess: the docs say only that it "will fail").
/// - Managed AAD: the user credential is kubelogin's, in the `format` asked for (`exec` by default),
///   whatever `disableLocalAccounts` says.
///
/// 404 without the cluster, 409 while it is still being created.
pub fn credential(ctx: &mut Ctx<'_>, rg: &str, name: &str, admin: bool) -> Result<Resp, ArmError> {
    use base64::Engine as _;
    if ctx.method != Method::POST {
        return Err(method_not_allowed(&ctx.method));
    }
    let rg_id = require_group(ctx, rg)?;
    let id = format!("{rg_id}/providers/{CLUSTER_TYPE}/{name}");
    let Some(cluster) = ctx.state.get(&id).cloned() else {
        return Err(not_found(CLUSTER_TYPE, name, rg));
    };
    if cluster
        .pending
        .as_ref()
        .is_some_and(|p| p.state == "Creating")
    {
        return Err(ArmError::conflict(
            "OperationNotAllowed",
            "The cluster is being created: its credentials exist once it is.",
        ));
    }
    let props = &cluster.body["properties"];
    let fqdn = props["fqdn"].as_str().unwrap_or_default();
    let aad = managed_aad(&cluster.body);
    let local_disabled = props["disableLocalAccounts"].as_bool() == Some(true);
    let (credential, user) = if admin {
        ("clusterAdmin", format!("clusterAdmin_{rg}_{name}"))
    } else {
        ("clusterUser", format!("clusterUser_{rg}_{name}"))
    };
    let config = if !admin && aad {
        let tenant = props["aadProfile"]["tenantID"]
            .as_str()
            .unwrap_or(&ctx.tenant);
        kubeconfig(
            &ctx.state.cluster_ca_pem,
            name,
            fqdn,
            &user,
            &aad_user(format(ctx)?, tenant),
        )
    } else if local_disabled {
        tracing::info!(cluster = %cluster.id, admin, "refused: local accounts are disabled");
        return Err(ArmError::bad_request(
            "BadRequest",
            STATIC_CREDENTIAL_REFUSED,
        ));
    } else {
        let token = static_token(&cluster.id, admin);
        kubeconfig(
            &ctx.state.cluster_ca_pem,
            name,
            fqdn,
            &user,
            &format!("    token: {token}\n"),
        )
    };
    let value = base64::engine::general_purpose::STANDARD.encode(config);
    Ok(Resp::json(
        200,
        json!({ "kubeconfigs": [{ "name": credential, "value": value }] }),
    ))
}
