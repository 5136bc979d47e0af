//! ARM's verbs on one resource, written once for every type ([`serve`]), as kube-rs's `Api<K>`
//! writes CRUD once: GET (404 when missing), PUT (create or update, refused while an operation
//! holds it), PATCH of tags, DELETE, each answered as the type's family answers ([`Profile`]). A
//! resource type brings only its own rules ([`ResourceType`]): what a PUT must satisfy and what it
//! stores, how GET renders it, what else a write locks or refuses.

use crate::contract::error::ArmError;
use crate::contract::lro::{self, Started, Write};
use crate::contract::profile::Profile;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, not_found};
use crate::contract::store::{Kind, Resource, State};
use axum::http::Method;
use serde_json::{Value, json};

/// Where a request's resource is.
#[derive(Debug, Clone)]
pub struct At {
    /// The resource group, as the request names it.
    pub rg: String,
    /// The resource's id: the stored casing when it exists, else as its parent and the type spell it.
    pub id: String,
    pub name: String,
    /// The resource it is a child of (a peering's VNet, an agent pool's cluster), when it has one.
    pub parent: Option<Resource>,
}

impl At {
    /// `id` under `parent` (or in group `rg`), the stored casing winning when it already exists.
    pub fn new(state: &State, rg: &str, id: String, name: &str, parent: Option<Resource>) -> Self {
        let id = state.get(&id).map_or(id, |r| r.id.clone());
        let name = id.rsplit('/').next().unwrap_or(name).to_owned();
        Self {
            rg: rg.to_owned(),
            id,
            name,
            parent,
        }
    }
}

/// What a PUT stores, once its type's rules accept it.
#[derive(Debug, Clone)]
pub struct Written {
    /// The resource as the type reports it, read-only properties filled.
    pub body: Value,
    /// The region its operation runs in (operation URLs name it).
    pub location: String,
    /// The latency model's key for this write.
    pub latency: &'static str,
    /// Properties it gains only when its operation ends (see `Pending::completes`).
    pub completes: Option<Value>,
    /// Whether the PUT changes nothing: answered 200 with the resource, no operation (Storage).
    pub unchanged: bool,
}

/// One resource type's own rules on top of ARM's verbs.
pub trait ResourceType {
    /// How the type's family answers.
    fn profile(&self) -> &'static Profile;
    fn kind(&self) -> Kind;
    /// ARM's name of the type (`Microsoft.Network/publicIPAddresses`), for its errors.
    fn type_name(&self) -> &'static str;

    /// The resource as GET shows it (children folded in, states computed).
    fn render(&self, _state: &State, resource: &Resource) -> Value {
        resource.body.clone()
    }

    /// Whether a PUT must carry a body (a few types take none).
    fn needs_body(&self) -> bool {
        true
    }

    /// The resource at `at` when the store holds it nowhere of its own (an agent pool inline in its
    /// cluster's `agentPoolProfiles`): ARM serves it as a resource all the same.
    fn synthesize(&self, _state: &State, _at: &At) -> Option<Resource> {
        None
    }

    /// The answer to a GET of what does not exist.
    fn not_found(&self, at: &At) -> ArmError {
        not_found(self.type_name(), &at.name, &at.rg)
    }

    /// A refusal of any write while an operation holds the resource (or what it depends on).
    fn busy(&self, _ctx: &Ctx<'_>, _at: &At, _existing: Option<&Resource>) -> Option<ArmError> {
        None
    }

    /// Whether [`busy`](Self::busy) also refuses a DELETE (a cluster's delete supersedes what runs).
    fn busy_blocks_delete(&self) -> bool {
        true
    }

    /// Checks a PUT body against the type's rules; what the resource becomes.
    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError>;

    /// What else a write holds or changes once stored and answered (its VNet, a peer's state).
    fn written(&self, _ctx: &mut Ctx<'_>, _at: &At, _op: Option<&Started>) {}

    /// A refusal of a DELETE of `resource` (in use elsewhere, say).
    fn check_delete(&self, _ctx: &Ctx<'_>, _resource: &Resource) -> Result<(), ArmError> {
        Ok(())
    }

    /// The body of a synchronous delete's answer, where the type's api-version gives one.
    fn deleted_body(&self, _ctx: &Ctx<'_>) -> Option<Value> {
        None
    }

    /// The latency model's key for a delete.
    fn delete_latency(&self) -> &'static str;

    /// What else a delete holds once its operation started.
    fn deleting(&self, _ctx: &mut Ctx<'_>, _at: &At, _op: &Started) {}
}

/// ARM's verbs on the resource at `at`, with `kind`'s rules and its family's answers.
pub fn serve(ctx: &mut Ctx<'_>, at: &At, kind: &impl ResourceType) -> Result<Resp, ArmError> {
    let profile = kind.profile();
    let existing = ctx
        .state
        .get(&at.id)
        .cloned()
        .or_else(|| kind.synthesize(ctx.state, at));
    match ctx.method {
        Method::GET => {
            let resource = existing.ok_or_else(|| kind.not_found(at))?;
            let body = kind.render(ctx.state, &resource);
            let mut resp = Resp::json(200, body);
            etag_header(profile, &mut resp);
            Ok(resp)
        }
        Method::PUT => {
            let body = match (&ctx.body, kind.needs_body()) {
                (None, false) => json!({}),
                _ => ctx.json_body()?.clone(),
            };
            if let Some(refusal) = kind.busy(ctx, at, existing.as_ref()) {
                return Err(refusal);
            }
            let written = kind
                .put(ctx, at, existing.as_ref(), &body)
                .map_err(|e| e.in_envelope(profile.envelope))?;
            if written.unchanged {
                return Ok(Resp::json(200, written.body));
            }
            ctx.state.insert(Resource {
                id: at.id.clone(),
                kind: kind.kind(),
                body: written.body,
                pending: None,
            });
            let duration = ctx.latency(written.latency);
            let (mut resp, op) = lro::accept(
                ctx,
                profile,
                Write::put(existing.is_some()),
                &at.id,
                &written.location,
                duration,
                written.completes,
            );
            kind.written(ctx, at, op.as_ref());
            if let Some(body) = &resp.body
                && body.is_object()
                && let Some(r) = ctx.state.get(&at.id)
            {
                // Rendered (children, computed states) as the write left it.
                let mut shown = kind.render(ctx.state, r);
                if let Some(state) = body["properties"]["provisioningState"].as_str() {
                    shown["properties"]["provisioningState"] = json!(state);
                }
                resp.body = Some(shown);
            }
            Ok(resp)
        }
        Method::PATCH => {
            // JSON merge patch (RFC 7386) of the resource as it is, checked by the type's rules as a
            // PUT of the result would be, answered as the family answers a PATCH.
            let resource = existing.ok_or_else(|| kind.not_found(at))?;
            let patch = ctx.json_body()?.clone();
            if let Some(refusal) = kind.busy(ctx, at, Some(&resource)) {
                return Err(refusal);
            }
            let mut merged = resource.body.clone();
            merge_patch(&mut merged, &patch);
            // Tags sent are the resource's tags, not merged into them (`TagsObject`: the tag PATCH
            // of Network, AKS, groups).
            if let Some(tags) = patch.get("tags").filter(|t| t.is_object()) {
                merged["tags"] = tags.clone();
            }
            let written = kind
                .put(ctx, at, Some(&resource), &merged)
                .map_err(|e| e.in_envelope(profile.envelope))?;
            ctx.state.insert(Resource {
                id: at.id.clone(),
                kind: kind.kind(),
                body: written.body,
                pending: None,
            });
            let duration = ctx.latency(written.latency);
            let (mut resp, op) = lro::accept(
                ctx,
                profile,
                Write::Patch,
                &at.id,
                &written.location,
                duration,
                written.completes,
            );
            kind.written(ctx, at, op.as_ref());
            if let Some(body) = &resp.body
                && body.is_object()
                && let Some(r) = ctx.state.get(&at.id)
            {
                let mut shown = kind.render(ctx.state, r);
                if let Some(state) = body["properties"]["provisioningState"].as_str() {
                    shown["properties"]["provisioningState"] = json!(state);
                }
                resp.body = Some(shown);
            }
            Ok(resp)
        }
        Method::DELETE => {
            let Some(resource) = existing else {
                return match profile.delete_missing {
                    404 => Err(kind.not_found(at)),
                    status => Ok(Resp::empty(status)),
                };
            };
            if let Some(going) = lro::going(ctx, &resource, "Deleting") {
                // Already going: the same answer again, for the same operation.
                let location = resource.body["location"].as_str().unwrap_or_default();
                let mut resp = Resp::empty(profile.delete.status);
                lro::announce(
                    ctx,
                    profile,
                    Write::Delete,
                    &resource.id,
                    location,
                    &going,
                    &mut resp,
                );
                return Ok(resp);
            }
            if kind.busy_blocks_delete()
                && let Some(refusal) = kind.busy(ctx, at, Some(&resource))
            {
                return Err(refusal);
            }
            kind.check_delete(ctx, &resource)?;
            let location = resource.body["location"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| {
                    at.parent
                        .as_ref()
                        .and_then(|p| p.body["location"].as_str().map(str::to_owned))
                })
                .unwrap_or_default();
            let duration = ctx.latency(kind.delete_latency());
            let (resp, op) = lro::accept(
                ctx,
                profile,
                Write::Delete,
                &resource.id,
                &location,
                duration,
                None,
            );
            match op {
                Some(op) => kind.deleting(ctx, at, &op),
                None => remove(ctx.state, &resource.id),
            }
            let mut resp = resp;
            if op_is_none_and_body(&resp)
                && let Some(body) = kind.deleted_body(ctx)
            {
                resp.body = Some(body);
            }
            Ok(resp)
        }
        _ => Err(method_not_allowed(&ctx.method)),
    }
}

/// Whether a delete's answer is a synchronous one without a body.
fn op_is_none_and_body(resp: &Resp) -> bool {
    resp.body.is_none()
        && !resp.headers.iter().any(|(n, _)| {
            n.eq_ignore_ascii_case("azure-asyncoperation") || n.eq_ignore_ascii_case("location")
        })
}

/// RFC 7386: `patch`'s members replace `target`'s, objects merged member by member, `null` removing.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(members) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    if let Value::Object(into) = target {
        for (k, v) in members {
            if v.is_null() {
                into.remove(k);
            } else {
                merge_patch(into.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// Removes a resource and everything below it at once (a synchronous delete).
pub fn remove(state: &mut State, id: &str) {
    for child in state.children_of(id) {
        state.resources.remove(&child);
    }
    state.resources.remove(&id.to_ascii_lowercase());
}

/// `ETag` equal to the body's `etag`, where the family sends it.
fn etag_header(profile: &Profile, resp: &mut Resp) {
    if !profile.etag_header {
        return;
    }
    if let Some(etag) = resp
        .body
        .as_ref()
        .and_then(|b| b["etag"].as_str())
        .map(str::to_owned)
    {
        resp.header("ETag", etag);
    }
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn a_merge_patch_replaces_merges_and_removes() {
        let mut target =
            json!({ "tags": { "a": "1", "b": "2" }, "properties": { "x": 1, "y": { "z": 2 } } });
        merge_patch(
            &mut target,
            &json!({ "tags": { "b": null, "c": "3" }, "properties": { "y": { "w": 4 } } }),
        );
        assert_eq!(
            target,
            json!({ "tags": { "a": "1", "c": "3" }, "properties": { "x": 1, "y": { "z": 2, "w": 4 } } })
        );
    }
}
