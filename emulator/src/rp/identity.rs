//! Entra ID's side of the emulator: the client-credentials token endpoint (`POST
//! /{tenant}/oauth2/v2.0/token`, a client secret or a client assertion: a certificate's or a federated
//! token), the OpenID discovery document MSAL reads first (`/{tenant}/v2.0/.well-known/openid-configuration`)
//! and Entra's instance discovery (`/common/discovery/instance`), a managed identity endpoint (`GET
//! /_msi/token`, App Service's shape), and ARM's bearer check.

use crate::contract::config::Config;
use crate::contract::error::ArmError;
use crate::contract::request::Resp;
use crate::contract::store::{State, lock, now_ms};
use axum::http::HeaderMap;
use serde_json::json;
use std::sync::Mutex;

const TOKEN_LIFETIME_S: u64 = 3_600;

/// The tenant of a token the emulator issues on its own (`Emulator::issue_token`, managed identities).
pub const DEFAULT_TENANT: &str = "00000000-0000-0000-0000-00000000aaaa";

fn entra_error(status: u16, error: &str, description: &str) -> Resp {
    Resp::json(
        status,
        json!({ "error": error, "error_description": description, "error_codes": [] }),
    )
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A compact JWS: three non-empty base64url segments. The emulator does not verify the signature or
/// the federation (issuer, subject); Entra does.
fn is_compact_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Issues a token for `grant_type=client_credentials`, authenticated either by a client secret or by
/// a federated client assertion (workload identity). When the emulator is configured with a client
/// secret, only that secret is accepted.
pub(crate) fn token(state: &Mutex<State>, config: &Config, tenant: &str, body: &[u8]) -> Resp {
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body).into_owned().collect();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return entra_error(
            400,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type.",
        );
    }
    if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type").map(String::as_str) != Some(JWT_BEARER) {
            return entra_error(
                400,
                "invalid_request",
                "AADSTS50027: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
            );
        }
        if form.get("client_id").is_none_or(String::is_empty) {
            return entra_error(
                400,
                "invalid_request",
                "AADSTS900144: The request body must contain the client_id parameter.",
            );
        }
        if !is_compact_jwt(assertion) {
            return entra_error(
                400,
                "invalid_request",
                "AADSTS50027: JWT token is invalid or malformed.",
            );
        }
        return issue(state, config, tenant, &form);
    }
    let (Some(client_id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) else {
        return entra_error(
            400,
            "invalid_request",
            "AADSTS900144: The request body must contain the client_id and client_secret parameters.",
        );
    };
    if client_id.is_empty() || secret.is_empty() {
        return entra_error(
            400,
            "invalid_request",
            "AADSTS900144: client_id and client_secret must not be empty.",
        );
    }
    if config.client_secret.as_deref().is_some_and(|s| s != secret) {
        return entra_error(
            401,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        );
    }
    issue(state, config, tenant, &form)
}

/// AKS's Entra server application (learn.microsoft.com/azure/aks/kubelogin-authentication: the
/// `--server-id` of every managed-Entra cluster): the audience of the tokens its API servers take.
pub const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// Whether a v2 `scope` asks for a token to AKS's server application: `<app id>/.default`, as
/// kubelogin and azure-identity ask (or with the `api://` prefix of an app id URI).
fn is_aks_scope(scope: &str) -> bool {
    scope.split_whitespace().any(|s| {
        let resource = s.trim_end_matches("/.default").trim_start_matches("api://");
        resource.eq_ignore_ascii_case(AKS_SERVER_APP)
    })
}

fn issue(
    state: &Mutex<State>,
    config: &Config,
    tenant: &str,
    form: &std::collections::HashMap<String, String>,
) -> Resp {
    let scope = form.get("scope").map(String::as_str).unwrap_or_default();
    let token = if is_aks_scope(scope) {
        let client = form
            .get("client_id")
            .map(String::as_str)
            .unwrap_or_default();
        mint_jwt(state, config, tenant, client, AKS_SERVER_APP)
    } else {
        mint(state, config, tenant)
    };
    Resp::json(
        200,
        json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_S,
            "ext_expires_in": TOKEN_LIFETIME_S,
            "access_token": token,
        }),
    )
}

/// A new bearer token valid for an hour, remembered (and saved with the state).
pub(crate) fn mint(state: &Mutex<State>, config: &Config, tenant: &str) -> String {
    let token = format!("emu.{}", uuid::Uuid::new_v4().simple());
    remember(
        state,
        config,
        &token,
        tenant,
        now_ms() / 1000 + TOKEN_LIFETIME_S,
    );
    token
}

/// The object id Entra gives client `client_id`'s service principal: the configured one, else one
/// derived from the client id (a guess: in Entra the two differ and are unrelated).
pub(crate) fn object_id_of(config: &Config, client_id: &str) -> (String, Vec<String>) {
    match config.principals.get(client_id) {
        Some(p) => (p.object_id.to_ascii_lowercase(), p.groups.clone()),
        None => (
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, client_id.as_bytes()).to_string(),
            Vec::new(),
        ),
    }
}

/// A JWT-shaped access token for `audience` (Entra's v1 claims: `aud`, `iss`, `iat`, `nbf`, `exp`,
/// `appid`, `oid`, `sub`, `tid`, and `groups` for a principal with memberships), remembered like
/// every token the emulator issues; its signature is not a signature (resource servers here look the
/// token up instead of checking one).
pub(crate) fn mint_jwt(
    state: &Mutex<State>,
    config: &Config,
    tenant: &str,
    client_id: &str,
    audience: &str,
) -> String {
    use base64::Engine as _;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let (oid, groups) = object_id_of(config, client_id);
    let now = now_ms() / 1000;
    let mut claims = json!({
        "aud": audience,
        "iss": format!("https://sts.windows.net/{tenant}/"),
        "iat": now,
        "nbf": now,
        "exp": now + TOKEN_LIFETIME_S,
        "appid": client_id,
        "oid": oid,
        "sub": oid,
        "tid": tenant,
        "uti": uuid::Uuid::new_v4().simple().to_string(),
        "ver": "1.0",
    });
    if !groups.is_empty() {
        claims["groups"] = json!(groups);
    }
    let token = format!(
        "{}.{}.{}",
        b64(&json!({ "typ": "JWT", "alg": "RS256" })),
        b64(&claims),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b"arm-emulator"),
    );
    remember(state, config, &token, tenant, now + TOKEN_LIFETIME_S);
    token
}

/// The claims of a JWT-shaped token the emulator issued, `None` for its opaque ARM tokens.
pub(crate) fn claims_of(token: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The bearer token of `headers`, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

fn remember(state: &Mutex<State>, config: &Config, token: &str, tenant: &str, expires: u64) {
    let mut state = lock(state);
    state.tokens.insert(token.to_owned(), expires);
    state
        .token_tenants
        .insert(token.to_owned(), tenant.to_owned());
    if let Some(path) = &config.state_path
        && let Err(e) = state.save(path)
    {
        tracing::error!(error = %e, "could not save emulator state");
    }
}

/// The managed identity endpoint App Service provides (`GET $IDENTITY_ENDPOINT?api-version=2019-08-01
/// &resource=...`, header `X-IDENTITY-HEADER: $IDENTITY_HEADER`), here for any non-empty header.
pub(crate) fn managed_identity(
    state: &Mutex<State>,
    config: &Config,
    headers: &HeaderMap,
    query: &std::collections::HashMap<String, String>,
) -> Resp {
    let header = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if header.is_empty() {
        return entra_error(
            401,
            "invalid_request",
            "The X-IDENTITY-HEADER header is missing or empty.",
        );
    }
    if query.get("api-version").map(String::as_str) != Some("2019-08-01") {
        return entra_error(400, "invalid_request", "api-version must be 2019-08-01.");
    }
    let Some(resource) = query.get("resource").filter(|r| !r.is_empty()) else {
        return entra_error(
            400,
            "invalid_request",
            "The resource parameter is required.",
        );
    };
    let token = mint(state, config, DEFAULT_TENANT);
    let expires = now_ms() / 1000 + TOKEN_LIFETIME_S;
    Resp::json(
        200,
        json!({
            "access_token": token,
            "expires_on": expires.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": query.get("client_id").cloned().unwrap_or_else(|| "system-assigned".into()),
        }),
    )
}

/// 401 unless the request carries a bearer token this emulator issued and that has not expired.
pub(crate) fn check_bearer(
    state: &Mutex<State>,
    headers: &HeaderMap,
    now_s: u64,
) -> Result<(), ArmError> {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(ArmError::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return Err(ArmError::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        ));
    };
    // A token for another audience (AKS's server application) is refused as ARM refuses it.
    if let Some(aud) = claims_of(token.trim()).and_then(|c| c["aud"].as_str().map(str::to_owned)) {
        return Err(ArmError::new(
            401,
            "InvalidAuthenticationTokenAudience",
            format!(
                "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
            ),
        ));
    }
    match lock(state).tokens.get(token.trim()) {
        None => Err(ArmError::new(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )),
        Some(exp) if *exp <= now_s => Err(ArmError::new(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        )),
        Some(_) => Ok(()),
    }
}

/// The tenant the bearer token of `headers` was issued for, if it is one of the emulator's.
pub(crate) fn tenant_of(state: &Mutex<State>, headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    lock(state).token_tenants.get(token.trim()).cloned()
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: what MSAL reads before its first token
/// request, in Entra's shape (learn.microsoft.com identity-platform v2-protocols-oidc), every endpoint
/// at the emulator. Clients turn Entra's instance discovery off for an authority it does not know
/// (azure-identity `disable_instance_discovery`, `az config set core.instance_discovery=false`).
pub(crate) fn openid_configuration(base: &str, tenant: &str) -> Resp {
    let at = format!("{base}/{tenant}");
    let host = base.trim_start_matches("https://");
    Resp::json(
        200,
        json!({
            "token_endpoint": format!("{at}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{at}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": format!("{at}/v2.0"),
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("{base}/oidc/userinfo"),
            "authorization_endpoint": format!("{at}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{at}/oauth2/v2.0/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{at}/oauth2/v2.0/logout"),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"],
            "kerberos_endpoint": format!("{at}/kerberos"),
            "tenant_region_scope": null,
            "cloud_instance_name": host,
            "cloud_graph_host_name": host,
            "msgraph_host": host,
            "rbac_url": base,
        }),
    )
}

/// `GET /common/discovery/instance`: Entra's instance discovery, for a client pointed at the
/// emulator's own (an MSAL `instance_discovery` URL): this host, and where its tenants' OpenID
/// documents are.
pub(crate) fn instance_discovery(
    base: &str,
    query: &std::collections::HashMap<String, String>,
) -> Resp {
    let host = base.trim_start_matches("https://");
    let tenant = query
        .get("authorization_endpoint")
        .and_then(|e| e.trim_start_matches("https://").split('/').nth(1))
        .unwrap_or("common");
    Resp::json(
        200,
        json!({
            "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
            "api-version": "1.1",
            "metadata": [{ "preferred_network": host, "preferred_cache": host, "aliases": [host] }],
        }),
    )
}
