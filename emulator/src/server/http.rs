//! The HTTP front: parses a request, checks the bearer token and `api-version`, applies throttling and
//! injected faults, dispatches to the resource-type modules, and answers with ARM's headers.

use crate::contract::config::{Config, FaultAction, FaultRule, LogEntry};
use crate::contract::error::ArmError;
use crate::contract::lro;
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::{State, lock, now_ms};
use crate::rp::aks::api_server;
use crate::rp::authorization;
use crate::rp::identity;
use crate::rp::registration;
use crate::rp::resources;
use crate::rp::role_definitions;
use crate::rp::subscriptions;
use crate::server::dispatch::typed;
use crate::server::outage;
use crate::server::routes::{Route, route};
use crate::server::throttle;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Shared state behind the server.
#[derive(Debug)]
pub(crate) struct App {
    pub state: Mutex<State>,
    pub config: Config,
    pub log: Mutex<Vec<LogEntry>>,
    pub faults: Mutex<Vec<FaultRule>>,
    /// The chaos generator's state (splitmix64), seeded from `config.chaos`.
    pub chaos: Mutex<u64>,
    /// Every ARM request waits this long before its answer (a network round trip), in ms.
    pub request_latency_ms: std::sync::atomic::AtomicU64,
    pub buckets: throttle::Buckets,
    /// Wakes the requests held by regions that hang (`outage`).
    pub regions: outage::Signal,
}

/// The one handler behind every path.
pub(crate) async fn handle(app: Arc<App>, req: axum::extract::Request) -> Response {
    let started = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    // A cluster's API server (its `fqdn`): Kubernetes, not ARM; no throttling, faults or ARM log.
    let host = parts
        .uri
        .host()
        .map(str::to_owned)
        .or_else(|| {
            let header = parts.headers.get("host")?.to_str().ok()?;
            Some(
                header
                    .rsplit_once(':')
                    .map_or(header, |(h, _)| h)
                    .to_owned(),
            )
        })
        .unwrap_or_default();
    if api_server::serves(&host) {
        let resp = {
            let mut state = lock(&app.state);
            crate::rp::settle(&mut state, now_ms());
            api_server::answer(
                &state,
                &host,
                &parts.method,
                &path,
                &parts.headers,
                &bytes,
                now_ms() / 1000,
            )
        };
        return into_response(resp);
    }
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let api_version = query.get("api-version").cloned();
    let rtt = app
        .request_latency_ms
        .load(std::sync::atomic::Ordering::Relaxed);
    if rtt > 0 && path.starts_with("/subscriptions/") {
        // Waiting, not working: concurrent requests overlap as they would over a network.
        tokio::time::sleep(std::time::Duration::from_millis(rtt)).await;
    }
    let drop = take_drop(&app, &parts.method, &path);
    if drop == Some(false) {
        log_drop(&app, &parts.method, &path, api_version.clone(), started);
        hang_up();
    }
    let mut held = None;
    let mut resp = answer(
        &app,
        &parts.method,
        &parts.uri,
        &parts.headers,
        &query,
        &bytes,
        &mut held,
    );
    // A region that hangs holds the request until it is restored (then it is answered as usual) or
    // the emulator stops (then the connection drops); a client that gives up first drops it all.
    while let Some(region) = held.take() {
        let still = || outage::holds(&lock(&app.state), &region, now_ms());
        if !app.regions.wait(still).await {
            log_drop(&app, &parts.method, &path, api_version.clone(), started);
            hang_up();
        }
        resp = answer(
            &app,
            &parts.method,
            &parts.uri,
            &parts.headers,
            &query,
            &bytes,
            &mut held,
        );
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    resp.header("x-ms-request-id", request_id.clone());
    let correlation = parts
        .headers
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .map_or(request_id, str::to_owned);
    resp.header("x-ms-correlation-request-id", correlation);
    if let Some(id) = parts
        .headers
        .get("x-ms-client-request-id")
        .and_then(|v| v.to_str().ok())
    {
        resp.header("x-ms-client-request-id", id.to_owned());
    }
    if drop == Some(true) {
        log_drop(&app, &parts.method, &path, api_version, started);
        hang_up();
    }
    if !path.starts_with("/_emulator") {
        lock(&app.log).push(LogEntry {
            method: parts.method.to_string(),
            path,
            api_version,
            status: resp.status,
            code: resp
                .body
                .as_ref()
                .filter(|_| resp.status >= 400)
                .and_then(|b| b["error"]["code"].as_str().or_else(|| b["code"].as_str()))
                .map(str::to_owned),
            millis: started.elapsed().as_secs_f64() * 1000.0,
        });
    }
    into_response(resp)
}

fn into_response(resp: Resp) -> Response {
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    for (name, value) in resp.headers {
        if let (Ok(n), Ok(v)) = (
            axum::http::HeaderName::try_from(name),
            HeaderValue::try_from(value),
        ) {
            headers.append(n, v);
        }
    }
    match resp.body {
        Some(body) => {
            headers.insert(
                "content-type",
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            (status, headers, body.to_string()).into_response()
        }
        None => (status, headers).into_response(),
    }
}

fn error_resp(e: ArmError) -> Resp {
    let mut resp = Resp::json(e.status, e.body());
    resp.header("x-ms-failure-cause", "gateway".to_owned());
    if e.status == 429 {
        // Every 429 says when to come back.
        resp.header("Retry-After", "1".to_owned());
    }
    resp
}

fn answer(
    app: &App,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    body: &Bytes,
    held: &mut Option<String>,
) -> Resp {
    let segs: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    let Some((route, api)) = route(&segs) else {
        return error_resp(ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The resource type for path '{}' could not be found.",
                uri.path()
            ),
        ));
    };
    let host = uri
        .authority()
        .map(|a| a.as_str())
        .or_else(|| headers.get("host").and_then(|h| h.to_str().ok()))
        .unwrap_or("localhost");
    let base_url = format!("https://{host}");
    match &route {
        Route::Token(tenant) => return identity::token(&app.state, &app.config, tenant, body),
        Route::OpenIdConfiguration(tenant) => {
            return identity::openid_configuration(&base_url, tenant);
        }
        Route::InstanceDiscovery => return identity::instance_discovery(&base_url, query),
        Route::Metadata => return subscriptions::metadata(&base_url),
        Route::ManagedIdentity => {
            return identity::managed_identity(&app.state, &app.config, headers, query);
        }
        Route::Admin(what) => return admin(app, what),
        Route::Dns(fqdn) => {
            return crate::rp::dns::answer(&lock(&app.state), fqdn, query, now_ms());
        }
        _ => {}
    }
    let now_s = now_ms() / 1000;
    if let Err(e) = identity::check_bearer(&app.state, headers, now_s) {
        return error_resp(e);
    }
    let tenant = identity::tenant_of(&app.state, headers)
        .unwrap_or_else(|| identity::DEFAULT_TENANT.to_owned());
    // Above any subscription: what the caller's tenant holds.
    if matches!(
        route,
        Route::Subscriptions | Route::Subscription | Route::Tenants
    ) {
        if let Some(resp) = api_version_refusal(api, query) {
            return resp;
        }
        return match route {
            Route::Subscriptions => subscriptions::list(&lock(&app.state), &app.config, &tenant),
            Route::Tenants => subscriptions::tenants(&tenant),
            _ => match segs.get(1).filter(|s| uuid::Uuid::parse_str(s).is_ok()) {
                Some(sub) => subscriptions::get(sub, &tenant),
                None => error_resp(ArmError::bad_request(
                    "InvalidSubscriptionId",
                    format!(
                        "The provided subscription identifier '{}' is malformed or invalid.",
                        segs.get(1).copied().unwrap_or_default()
                    ),
                )),
            },
        };
    }
    let subscription = segs.get(1).copied().unwrap_or_default().to_owned();
    if uuid::Uuid::parse_str(&subscription).is_err() {
        return error_resp(ArmError::bad_request(
            "InvalidSubscriptionId",
            format!(
                "The provided subscription identifier '{subscription}' is malformed or invalid."
            ),
        ));
    }
    if let Some(resp) = api_version_refusal(api, query) {
        return resp;
    }
    let is_read = *method == Method::GET || *method == Method::HEAD;
    let classes = crate::server::routes::budget(&route)
        .map_or(&[][..], |budget| throttle::classes(method, budget));
    let budgets = match app.buckets.draw(
        app.config.throttle.as_ref(),
        &subscription,
        classes,
        now_ms(),
    ) {
        Ok(headers) => headers,
        Err(refused) => {
            let mut resp = error_resp(ArmError::new(
                429,
                "SubscriptionRequestsThrottled",
                format!(
                    "Number of {} requests for subscription '{subscription}' exceeded the limit. Please try again after '{}' seconds.",
                    refused.what, refused.retry_after_s
                ),
            ));
            resp.header("Retry-After", refused.retry_after_s.to_string());
            return resp;
        }
    };
    if let Some(resp) = injected_response(app, method, uri.path()) {
        return resp;
    }
    if let Some(resp) = chaos(app) {
        return resp;
    }
    let parsed_body = if body.is_empty() {
        None
    } else {
        serde_json::from_slice::<Value>(body).ok()
    };
    if !body.is_empty() && parsed_body.is_none() {
        return error_resp(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized.",
        ));
    }
    let request_url = format!(
        "{base_url}{}",
        uri.path_and_query().map_or("", |p| p.as_str())
    );
    let mut state = lock(&app.state);
    let mut faults = lock(&app.faults);
    let now = now_ms();
    let settled = crate::rp::settle(&mut state, now);
    let mut ctx = Ctx {
        state: &mut state,
        config: &app.config,
        now,
        subscription,
        tenant,
        base_url,
        request_url,
        method: method.clone(),
        body: parsed_body,
        query: query.clone(),
        faults: &mut faults,
    };
    let region_gate =
        match outage::verdict(ctx.state, &route, &segs, method, ctx.body.as_ref(), now) {
            Some(outage::Verdict::Hang(region)) => {
                *held = Some(region);
                return Resp::empty(503);
            }
            Some(outage::Verdict::Fail(refusal)) => Err(refusal),
            None => Ok(()),
        };
    let gate = region_gate.and_then(|()| match &route {
        Route::StorageName => registration::require(&ctx, "Microsoft.Storage"),
        Route::Typed { namespace, .. } | Route::Collection { namespace, .. } => {
            registration::require(&ctx, namespace)
        }
        Route::ClusterCredential { .. }
        | Route::KubernetesVersions(_)
        | Route::TrustedAccessRoles(_) => registration::require(&ctx, "Microsoft.ContainerService"),
        Route::ClusterConfiguration(_) => {
            registration::require(&ctx, crate::rp::kubernetes_configuration::NAMESPACE)
        }
        Route::TrafficManagerName => registration::require(&ctx, "Microsoft.Network"),
        Route::DataProtectionOperation { .. } => {
            registration::require(&ctx, "Microsoft.DataProtection")
        }
        _ => Ok(()),
    });
    let result = gate.and_then(|()| match route {
        Route::Locations => resources::locations(&mut ctx),
        Route::Provider(ns) => registration::provider(&mut ctx, &ns),
        Route::ProviderRegister(ns) => registration::register(&mut ctx, &ns),
        Route::KubernetesVersions(location) => crate::rp::aks::versions::list(&mut ctx, &location),
        Route::TrustedAccessRoles(location) => {
            crate::rp::aks::trusted_access::list_roles(&mut ctx, &location)
        }
        Route::ClusterConfiguration(req) => {
            crate::rp::kubernetes_configuration::serve(&mut ctx, &req)
        }
        Route::ComputeUsages(location) => crate::rp::compute::usages(&mut ctx, &location),
        Route::ComputeSkus => crate::rp::compute::skus(&mut ctx),
        Route::Resources => resources::generic(&mut ctx, None),
        Route::GroupResources(group) => resources::generic(&mut ctx, Some(&group)),
        Route::ResourceGroups => resources::list_groups(&mut ctx),
        Route::ResourceGroup(name) => resources::resource_group(&mut ctx, &name),
        Route::ResourceGroupResult(id) | Route::OperationResult(id) => lro::result(&mut ctx, &id),
        Route::OperationStatus(id) => lro::status(&mut ctx, &id),
        Route::DataProtectionOperation { id, result } => {
            crate::rp::data_protection::operation(&mut ctx, &id, result)
        }
        Route::RegistryName => crate::rp::registry::check_name(&mut ctx),
        Route::StorageName => crate::rp::storage::check_name(&mut ctx),
        Route::TrafficManagerName => crate::rp::traffic_manager::profile::check_name(&mut ctx),
        Route::ClusterCredential { rg, cluster, admin } => {
            crate::rp::aks::credentials::credential(&mut ctx, &rg, &cluster, admin)
        }
        Route::RoleAssignments(scope) => authorization::list(&mut ctx, &scope),
        Route::RoleDefinitions { scope, guid: None } => role_definitions::list(&mut ctx, &scope),
        Route::RoleDefinitions {
            scope,
            guid: Some(guid),
        } => role_definitions::get(&mut ctx, &scope, &guid),
        Route::RoleAssignment { scope, name } => {
            authorization::role_assignment(&mut ctx, &scope, &name)
        }
        Route::Typed {
            rg,
            namespace,
            path,
        } => typed(&mut ctx, &rg, &namespace, &path),
        Route::Collection {
            rg,
            namespace,
            path,
            kind,
        } => crate::server::dispatch::list(&mut ctx, rg.as_deref(), &namespace, &path, &kind),
        Route::Token(_)
        | Route::OpenIdConfiguration(_)
        | Route::InstanceDiscovery
        | Route::Metadata
        | Route::Subscriptions
        | Route::Subscription
        | Route::Tenants
        | Route::ManagedIdentity
        | Route::Admin(_)
        | Route::Dns(_) => unreachable_route(),
    });
    let mutated = settled || !is_read;
    if mutated {
        state.prune(now);
        if let Some(path) = &app.config.state_path
            && let Err(e) = state.save(path)
        {
            tracing::error!(error = %e, "could not save emulator state");
            return error_resp(ArmError::new(
                500,
                "InternalServerError",
                "the emulator could not persist its state",
            ));
        }
    }
    // ARM's gateway answers a missing group or parent itself, before any provider's budget is
    // reported (afd-profile #0).
    let gateway = result.as_ref().err().is_some_and(|e| {
        matches!(
            e.code.as_str(),
            "ParentResourceNotFound" | "ResourceGroupNotFound"
        )
    });
    let mut resp = result.unwrap_or_else(error_resp);
    if !gateway {
        for (name, remaining) in budgets {
            resp.header(name, remaining.to_string());
        }
    }
    resp
}

/// 400 when the request's api-version is missing or not one `versions` answers.
fn api_version_refusal(
    versions: Option<&crate::contract::versions::Versions>,
    query: &HashMap<String, String>,
) -> Option<Resp> {
    let versions = versions?;
    match query.get("api-version") {
        None => Some(error_resp(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ))),
        Some(v) if !versions.accepts(v) => Some(error_resp(ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{v}' is invalid. The supported versions are '{}'.",
                versions.describe()
            ),
        ))),
        Some(_) => None,
    }
}

fn unreachable_route() -> Result<Resp, ArmError> {
    Err(ArmError::new(
        500,
        "InternalServerError",
        "route handled earlier",
    ))
}

/// splitmix64: small, fast and deterministic; enough to pick which requests fail.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seeded random server error, when chaos is on and this request draws one.
fn chaos(app: &App) -> Option<Resp> {
    let rate = app.config.chaos?.rate;
    let mut state = lock(&app.chaos);
    let draw = (next_random(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
    if draw >= rate {
        return None;
    }
    let (status, code) = if next_random(&mut state) & 1 == 0 {
        (500, "InternalServerError")
    } else {
        (503, "ServiceUnavailable")
    };
    let mut resp = error_resp(ArmError::new(
        status,
        code,
        format!("injected by chaos: {code}"),
    ));
    if status == 503 {
        resp.header("Retry-After", "1".to_owned());
    }
    Some(resp)
}

/// A drop fault for this request, if one applies: whether it drops after processing.
fn take_drop(app: &App, method: &Method, path: &str) -> Option<bool> {
    match take_fault(app, method, path, |a| matches!(a, FaultAction::Drop { .. }))? {
        FaultAction::Drop { after_processing } => Some(after_processing),
        _ => None,
    }
}

/// The action of the first rule for this request whose action `kind` accepts, using up one of its
/// times.
fn take_fault(
    app: &App,
    method: &Method,
    path: &str,
    kind: impl Fn(&FaultAction) -> bool,
) -> Option<FaultAction> {
    let mut faults = lock(&app.faults);
    let lower = path.to_ascii_lowercase();
    let rule = faults.iter_mut().find(|f| {
        f.remaining > 0
            && f.method.eq_ignore_ascii_case(method.as_str())
            && lower.contains(&f.path_contains.to_ascii_lowercase())
            && kind(&f.action)
    })?;
    rule.remaining -= 1;
    Some(rule.action.clone())
}

fn log_drop(
    app: &App,
    method: &Method,
    path: &str,
    api_version: Option<String>,
    started: std::time::Instant,
) {
    lock(&app.log).push(LogEntry {
        method: method.to_string(),
        path: path.to_owned(),
        api_version,
        status: 0,
        code: Some("ConnectionDropped".into()),
        millis: started.elapsed().as_secs_f64() * 1000.0,
    });
}

/// Closes the connection without an answer, as a network failure would: the connection's task
/// unwinds (without the panic hook, so nothing is printed) and hyper drops the socket.
fn hang_up() -> ! {
    std::panic::resume_unwind(Box::new("connection dropped by an injected fault"))
}

fn injected_response(app: &App, method: &Method, path: &str) -> Option<Resp> {
    let FaultAction::Respond {
        status,
        code,
        retry_after,
    } = take_fault(app, method, path, |a| {
        matches!(a, FaultAction::Respond { .. })
    })?
    else {
        return None;
    };
    let mut resp = error_resp(ArmError::new(
        status,
        &code,
        format!("injected fault: {code}"),
    ));
    if let Some(secs) = retry_after {
        resp.header("Retry-After", secs.to_string());
    }
    Some(resp)
}

fn admin(app: &App, what: &str) -> Resp {
    match what {
        "requests" => Resp::json(
            200,
            serde_json::to_value(&*lock(&app.log)).unwrap_or_default(),
        ),
        "regions" => outage::report(&lock(&app.state), now_ms()),
        "state" => Resp::json(
            200,
            serde_json::to_value(&*lock(&app.state)).unwrap_or_default(),
        ),
        _ => error_resp(ArmError::not_found(
            "NotFound",
            format!("no emulator admin endpoint '{what}'"),
        )),
    }
}
