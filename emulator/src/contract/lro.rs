//! Long-running operations: starting one on a resource, the `Azure-AsyncOperation` status document
//! and the `Location` operation-result poll, each with `Retry-After`.

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::{Operation, Pending, rfc3339};
use serde_json::json;

/// Where a provider's operation documents live.
#[derive(Debug, Clone, Copy)]
pub struct OpSite<'a> {
    /// Canonical provider namespace, e.g. `Microsoft.Network`.
    pub namespace: &'a str,
    pub location: &'a str,
    pub api_version: &'a str,
}

/// Starts an operation on `resource_id` that ends after `duration_ms`; marks the resource pending.
/// Starts the operation of a PUT: `Creating` a resource that did not exist, else `Updating`, for the
/// latency model's `latency_key`. Returns the operation's id and its duration.
pub fn start_put(
    ctx: &mut Ctx<'_>,
    resource_id: &str,
    existed: bool,
    latency_key: &str,
) -> (String, u64) {
    let duration = ctx.latency(latency_key);
    let state = if existed { "Updating" } else { "Creating" };
    (start(ctx, resource_id, state, duration), duration)
}

pub fn start(ctx: &mut Ctx<'_>, resource_id: &str, state: &str, duration_ms: u64) -> String {
    let op_id = uuid::Uuid::new_v4().to_string();
    let now = ctx.now;
    let error = ctx.fault_for(resource_id, state);
    ctx.state.operations.insert(
        op_id.clone(),
        Operation {
            id: op_id.clone(),
            resource: resource_id.to_ascii_lowercase(),
            start_ms: now,
            until_ms: now + duration_ms,
            error,
            is_delete: state == "Deleting",
        },
    );
    ctx.state.pending_until(resource_id, now + duration_ms);
    if let Some(resource) = ctx.state.get_mut(resource_id) {
        resource.pending = Some(Pending {
            state: state.to_owned(),
            until_ms: now + duration_ms,
            operation: op_id.clone(),
            completes: None,
        });
        resource.body["properties"]["provisioningState"] = json!(state);
    }
    op_id
}

fn status_url(ctx: &Ctx<'_>, site: OpSite<'_>, op_id: &str) -> String {
    format!(
        "{}/subscriptions/{}/providers/{}/locations/{}/operations/{}?api-version={}",
        ctx.base_url, ctx.subscription, site.namespace, site.location, op_id, site.api_version
    )
}

fn result_url(ctx: &Ctx<'_>, site: OpSite<'_>, op_id: &str) -> String {
    format!(
        "{}/subscriptions/{}/providers/{}/locations/{}/operationresults/{}?api-version={}",
        ctx.base_url, ctx.subscription, site.namespace, site.location, op_id, site.api_version
    )
}

/// `Retry-After` in whole seconds as ARM sends it, plus `retry-after-ms` (a header Azure clients already
/// honour) so a scaled-down latency model is polled promptly.
pub fn retry_after(resp: &mut Resp, remaining_ms: u64) {
    let ms = remaining_ms.clamp(1, 60_000);
    resp.header("Retry-After", ms.div_ceil(1000).to_string());
    resp.header("retry-after-ms", ms.to_string());
}

/// Headers of an accepted PUT: `Azure-AsyncOperation` (what Network, AKS and ACR send).
pub fn accepted_put(
    ctx: &Ctx<'_>,
    resp: &mut Resp,
    site: OpSite<'_>,
    op_id: &str,
    duration_ms: u64,
) {
    resp.header("Azure-AsyncOperation", status_url(ctx, site, op_id));
    retry_after(resp, duration_ms);
}

/// Headers of an accepted DELETE: `Location` (the operation result) and `Azure-AsyncOperation`.
pub fn accepted_delete(
    ctx: &Ctx<'_>,
    resp: &mut Resp,
    site: OpSite<'_>,
    op_id: &str,
    duration_ms: u64,
) {
    resp.header("Location", result_url(ctx, site, op_id));
    resp.header("Azure-AsyncOperation", status_url(ctx, site, op_id));
    retry_after(resp, duration_ms);
}

fn find<'s>(ctx: &'s Ctx<'_>, op_id: &str) -> Result<&'s Operation, ArmError> {
    ctx.state.operations.get(op_id).ok_or_else(|| {
        ArmError::not_found(
            "OperationNotFound",
            format!("The operation '{op_id}' could not be found."),
        )
    })
}

/// GET of an `Azure-AsyncOperation` URL: always 200 with the status document.
pub fn status(ctx: &mut Ctx<'_>, op_id: &str) -> Result<Resp, ArmError> {
    let now = ctx.now;
    let op = find(ctx, op_id)?;
    let status = op.status(now);
    let mut doc =
        json!({ "id": op.id, "name": op.id, "status": status, "startTime": rfc3339(op.start_ms) });
    if status != "InProgress" {
        doc["endTime"] = json!(rfc3339(op.until_ms));
    }
    if let (Some((code, message)), "Failed") = (&op.error, status) {
        doc["error"] = json!({ "code": code, "message": message });
    }
    let remaining = op.until_ms.saturating_sub(now);
    let mut resp = Resp::json(200, doc);
    if status == "InProgress" {
        retry_after(&mut resp, remaining);
    }
    Ok(resp)
}

/// GET of a `Location` URL: 202 while running, then 200 with the resource (204 after a delete),
/// or the operation's error status when it failed.
pub fn result(ctx: &mut Ctx<'_>, op_id: &str) -> Result<Resp, ArmError> {
    let now = ctx.now;
    let op = find(ctx, op_id)?.clone();
    match op.status(now) {
        "InProgress" => {
            let mut resp = Resp::empty(202);
            resp.header("Location", ctx.request_url.clone());
            retry_after(&mut resp, op.until_ms - now);
            Ok(resp)
        }
        "Failed" => {
            let (code, message) = op.error.unwrap_or_default();
            Err(ArmError::new(500, &code, message))
        }
        _ if op.is_delete => Ok(Resp::empty(204)),
        _ => match ctx.state.get(&op.resource) {
            Some(r) => Ok(Resp::json(200, r.body.clone())),
            None => Ok(Resp::empty(204)),
        },
    }
}

/// ACR's shape: the status document lives under the resource,
/// `.../registries/{r}/operationStatuses/registries-{guid}`, for PUT and DELETE alike.
pub fn accepted_under_resource(
    ctx: &Ctx<'_>,
    resp: &mut Resp,
    resource_id: &str,
    operation: &str,
    duration_ms: u64,
    delete: bool,
) {
    let url = format!(
        "{}{resource_id}/operationStatuses/{operation}?api-version={}",
        ctx.base_url,
        crate::contract::versions::API_REGISTRY
    );
    if delete {
        resp.header("Location", url.clone());
    }
    resp.header("Azure-AsyncOperation", url);
    retry_after(resp, duration_ms);
}
