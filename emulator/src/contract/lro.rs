//! Long-running operations as each family runs them ([`Profile`]): starting one on a resource, the
//! answer that announces it (status code, body, `Azure-AsyncOperation` and/or `Location`), the status
//! document at the `Azure-AsyncOperation` URL and the result at the `Location` URL.
//!
//! No answer carries `Retry-After`: no recording shows one on an operation (vnet-peering, aks-create,
//! storage-create, resource-group, afd-*), so clients poll at their own pace, as they must against
//! Azure. Only a 429 says when to come back.

use crate::contract::error::ArmError;
use crate::contract::profile::{Answer, Doc, Lro, Profile, Shown, Site};
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::{Operation, Pending, Resource, rfc3339};
use serde_json::{Value, json};

/// What a write does, as its answer depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Create,
    Update,
    /// A PATCH: an update answered as the family answers its PATCH.
    Patch,
    Delete,
}

impl Write {
    /// The write a PUT is: a create where nothing existed.
    pub fn put(existed: bool) -> Self {
        if existed { Self::Update } else { Self::Create }
    }

    /// How `profile`'s family answers this write.
    pub fn answer(self, profile: &Profile) -> Answer {
        match self {
            Self::Create => profile.create,
            Self::Update => profile.update,
            Self::Patch => profile.patch,
            Self::Delete => profile.delete,
        }
    }
}

/// An operation that was started: its id, and where its documents live.
#[derive(Debug, Clone)]
pub struct Started {
    pub id: String,
    pub duration_ms: u64,
}

/// Starts an operation on `resource_id` that ends after `duration_ms`, showing `state` (`Creating`,
/// `Updating`, `Deleting`) until then; on success the resource gains `completes` (see
/// [`Pending::completes`]).
pub fn start(
    ctx: &mut Ctx<'_>,
    resource_id: &str,
    state: &str,
    duration_ms: u64,
    doc: Doc,
    completes: Option<Value>,
) -> Started {
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
            doc,
        },
    );
    ctx.state.pending_until(resource_id, now + duration_ms);
    if let Some(resource) = ctx.state.get_mut(resource_id) {
        resource.pending = Some(Pending {
            state: state.to_owned(),
            until_ms: now + duration_ms,
            operation: op_id.clone(),
            completes,
        });
        resource.body["properties"]["provisioningState"] = json!(state);
    }
    Started {
        id: op_id,
        duration_ms,
    }
}

/// The operation running on `resource` in `state` (`Deleting`, say), if one is.
pub fn going(ctx: &Ctx<'_>, resource: &Resource, state: &str) -> Option<Started> {
    let pending = resource.pending.as_ref().filter(|p| p.state == state)?;
    Some(Started {
        id: pending.operation.clone(),
        duration_ms: pending.until_ms.saturating_sub(ctx.now),
    })
}

/// Where the operation `op` on `resource_id` (running in `location`) is announced: its status
/// document URL and its result URL.
fn urls(
    ctx: &Ctx<'_>,
    profile: &Profile,
    resource_id: &str,
    location: &str,
    op: &str,
) -> (String, String) {
    let (base, sub, api) = (
        &ctx.base_url,
        &ctx.subscription,
        profile.operation_api_version,
    );
    match profile.site {
        Site::Location => {
            let at = format!(
                "{base}/subscriptions/{sub}/providers/{}/locations/{location}",
                profile.namespace
            );
            // Network spells the result `operationResults` (vnet-peering #57), AKS `operationresults`
            // (its spec's examples).
            let results = if profile.namespace == "Microsoft.Network" {
                "operationResults"
            } else {
                "operationresults"
            };
            (
                format!("{at}/operations/{op}?api-version={api}"),
                format!("{at}/{results}/{op}?api-version={api}"),
            )
        }
        Site::ResourceGroup => {
            let rg = resource_id.split('/').nth(4).unwrap_or_default();
            let at = format!(
                "{base}/subscriptions/{sub}/resourcegroups/{rg}/providers/{}/operationresults/{op}",
                profile.namespace
            );
            // The result names the resource's path: `profileresults/{p}/afdendpointresults/{e}`.
            let below = resource_id
                .split_once(&format!("/providers/{}/", profile.namespace))
                .map(|(_, rest)| rest)
                .unwrap_or_default()
                .split('/')
                .collect::<Vec<_>>()
                .chunks(2)
                .map(|pair| {
                    let kind = pair[0].to_ascii_lowercase();
                    let one = kind.strip_suffix('s').unwrap_or(&kind).to_owned();
                    format!("{one}results/{}", pair.get(1).copied().unwrap_or_default())
                })
                .collect::<Vec<_>>()
                .join("/");
            (
                format!("{at}?api-version={api}"),
                format!("{at}/{below}?api-version={api}"),
            )
        }
        Site::UnderResource => {
            let kind = resource_id
                .rsplit('/')
                .nth(1)
                .unwrap_or_default()
                .to_ascii_lowercase();
            let url =
                format!("{base}{resource_id}/operationStatuses/{kind}-{op}?api-version={api}");
            (url.clone(), url)
        }
        Site::LocationStatus => {
            let at = format!(
                "{base}/subscriptions/{sub}/providers/{}/locations/{location}",
                profile.namespace
            );
            (
                format!("{at}/operationStatus/{op}?api-version={api}"),
                format!("{at}/operationResults/{op}?api-version={api}"),
            )
        }
        Site::StorageMonitor => {
            let url = format!(
                "{base}/subscriptions/{sub}/providers/{}/locations/{location}/asyncoperations/{op}?monitor=true&api-version={api}",
                profile.namespace
            );
            (url.clone(), url)
        }
        Site::Subscription => {
            let url = format!("{base}/subscriptions/{sub}/operationresults/{op}?api-version={api}");
            (url.clone(), url)
        }
        Site::Resource => {
            // At the api-version the write was sent with (the recording's header repeats it).
            let api = ctx.query.get("api-version").map_or(api, String::as_str);
            let url = format!("{base}{resource_id}?api-version={api}");
            (url.clone(), url)
        }
        Site::ResourceOperations => {
            // At the request's api-version, as recorded (test_k8s_extension: `api-Version=2021-09-01`).
            let api = ctx.query.get("api-version").map_or(api, String::as_str);
            (
                format!("{base}{resource_id}/operations/{op}?api-version={api}"),
                format!("{base}{resource_id}?api-version={api}"),
            )
        }
    }
}

/// The answer to a write of `write`'s kind on `resource_id`: the family's status code, the body it
/// shows (the resource as stored now, as it will end, or nothing) and, when an operation runs, the
/// headers that announce it. Starts that operation (lasting `duration_ms`) unless the family answers
/// at once.
#[allow(clippy::too_many_arguments)]
pub fn accept(
    ctx: &mut Ctx<'_>,
    profile: &Profile,
    write: Write,
    resource_id: &str,
    location: &str,
    duration_ms: u64,
    completes: Option<Value>,
) -> (Resp, Option<Started>) {
    let answer = write.answer(profile);
    let running = match write {
        Write::Create => profile.creating,
        Write::Update | Write::Patch => "Updating",
        Write::Delete => "Deleting",
    };
    let started = (answer.lro != Lro::Sync).then(|| {
        start(
            ctx,
            resource_id,
            running,
            duration_ms,
            profile.doc,
            completes.clone(),
        )
    });
    if started.is_none()
        && write != Write::Delete
        && let Some(r) = ctx.state.get_mut(resource_id)
    {
        // Done at once: the resource is as it ends.
        if r.body["properties"]["provisioningState"].is_string() {
            r.body["properties"]["provisioningState"] = json!("Succeeded");
        }
        if let Some(Value::Object(props)) = completes {
            for (k, v) in props {
                r.body["properties"][k.as_str()] = v;
            }
        }
    }
    let stored = ctx.state.get(resource_id).map(|r| r.body.clone());
    let mut resp = match (answer.shown, stored) {
        (Shown::Empty, _) | (_, None) => Resp::empty(answer.status),
        (Shown::Running, Some(body)) => Resp::json(answer.status, body),
        (Shown::Final, Some(mut body)) => {
            if body["properties"]["provisioningState"].is_string() {
                body["properties"]["provisioningState"] = json!("Succeeded");
            }
            Resp::json(answer.status, body)
        }
    };
    if let Some(op) = &started {
        announce(ctx, profile, write, resource_id, location, op, &mut resp);
    }
    (resp, started)
}

/// The headers that announce `op`, a write of `write`'s kind running on `resource_id`, as the
/// family announces it.
pub fn announce(
    ctx: &Ctx<'_>,
    profile: &Profile,
    write: Write,
    resource_id: &str,
    location: &str,
    op: &Started,
    resp: &mut Resp,
) {
    let lro = write.answer(profile).lro;
    let (status, result) = urls(ctx, profile, resource_id, location, &op.id);
    if matches!(lro, Lro::AsyncOperation | Lro::AsyncOperationAndLocation) {
        resp.header("Azure-AsyncOperation", status);
    }
    if matches!(lro, Lro::Location | Lro::AsyncOperationAndLocation) {
        resp.header("Location", result);
    }
}

fn find<'s>(ctx: &'s Ctx<'_>, op_id: &str) -> Result<&'s Operation, ArmError> {
    ctx.state.operations.get(op_id).ok_or_else(|| {
        ArmError::not_found(
            "OperationNotFound",
            format!("The operation '{op_id}' could not be found."),
        )
    })
}

/// GET of an `Azure-AsyncOperation` URL: always 200 with the status document in its family's shape.
pub fn status(ctx: &mut Ctx<'_>, op_id: &str) -> Result<Resp, ArmError> {
    let now = ctx.now;
    let op = find(ctx, op_id)?;
    let status = op.status(now);
    let failed = (status == "Failed")
        .then(|| op.error.clone())
        .flatten()
        .map(|(code, message)| json!({ "code": code, "message": message }));
    let doc = match op.doc {
        Doc::Status => json!({ "status": status }),
        Doc::Named => {
            let mut doc =
                json!({ "name": op.id, "status": status, "startTime": rfc3339(op.start_ms) });
            if status != "InProgress" {
                doc["endTime"] = json!(rfc3339(op.until_ms));
            }
            doc
        }
        Doc::ErrorNone => json!({ "status": status, "error": { "code": "None", "message": null } }),
        Doc::Creating => {
            json!({ "status": if status == "InProgress" { "Creating" } else { status } })
        }
        Doc::Identified => {
            let url = ctx.request_url.strip_prefix(&ctx.base_url);
            let path = url.unwrap_or(&ctx.request_url).split('?').next();
            json!({ "id": path.unwrap_or_default(), "name": op.id, "status": status })
        }
    };
    let fresh_header = op.doc == Doc::Creating;
    let mut doc = doc;
    if let Some(error) = failed {
        doc["error"] = error;
    }
    let mut resp = Resp::json(200, doc);
    if fresh_header {
        // ACR answers every poll with the operation's URL again (acr-replication #4, #5).
        resp.header("Azure-AsyncOperation", ctx.request_url.clone());
    }
    Ok(resp)
}

/// GET of a `Location` URL: 202 (and the same `Location`) while running; then the resource (200) after
/// a write, nothing after a delete (200 for a resource group, as recorded: resource-group #4; 204
/// otherwise); or the operation's error when it failed.
pub fn result(ctx: &mut Ctx<'_>, op_id: &str) -> Result<Resp, ArmError> {
    let now = ctx.now;
    let op = find(ctx, op_id)?.clone();
    match op.status(now) {
        "InProgress" => {
            let mut resp = Resp::empty(202);
            resp.header("Location", ctx.request_url.clone());
            Ok(resp)
        }
        "Failed" => {
            let (code, message) = op.error.unwrap_or_default();
            Err(ArmError::new(500, &code, message))
        }
        _ if op.is_delete && op.resource.matches('/').count() == 4 => Ok(Resp::empty(200)),
        _ if op.is_delete => Ok(Resp::empty(204)),
        _ => match ctx.state.get(&op.resource) {
            Some(r) => Ok(Resp::json(200, r.body.clone())),
            None => Ok(Resp::empty(204)),
        },
    }
}
