//! Flux configurations (`{clusterId}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}`,
//! fluxconfiguration.json 2023-05-01): GitOps with Flux v2, written as the family's other resources
//! are (`profile::KUBERNETES_CONFIGURATION`, the spec declaring the same statuses and operations as
//! for extensions).
//!
//! "The microsoft.flux extension must be installed in the cluster before one or more
//! fluxConfigurations can be created" (learn.microsoft.com, conceptual-gitops-flux2, quoted in
//! MicrosoftDocs/azure-docs #86695): a configuration on a cluster without it, done installing, is
//! refused. Once written, its provisioning ends on the emulator's clock (`Creating`, then
//! `Succeeded`); the cluster's Flux agent then reconciles it: its `complianceState` reads `Pending`
//! and its `statuses` nothing until then, then `Compliant` with a status for its source and one for
//! each kustomization (`{config}-{kustomization}`), as the spec's examples show them. With
//! `waitForReconciliation` the write itself lasts until the reconciliation. A suspended
//! configuration reads `Suspended`.

use super::cluster::{NAMESPACE, Request, cluster, operation, require_running};
use super::extension::{FLUX, installed};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::{Kind, Resource, State, rfc3339};
use serde_json::{Map, Value, json};

/// ARM's name of the type.
pub const TYPE: &str = "Microsoft.KubernetesConfiguration/fluxConfigurations";

/// The spec's default timeouts and intervals (seconds).
const DEFAULT_SECONDS: u64 = 600;

fn invalid(target: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidRequestContent", message).with_target(target)
}

/// A namespace as the spec bounds it: "Maximum of 253 lower case alphanumeric characters, hyphen
/// and period only."
fn valid_namespace(ns: &str) -> bool {
    (1..=253).contains(&ns.len())
        && ns
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// A seconds field: absent means the spec's default.
fn seconds(value: &Value, target: &str) -> Result<Value, ArmError> {
    match value {
        Value::Null => Ok(json!(DEFAULT_SECONDS)),
        v if v.as_u64().is_some_and(|n| n > 0) => Ok(v.clone()),
        other => Err(invalid(
            target,
            format!("'{target}' must be a positive number of seconds, got {other}."),
        )),
    }
}

/// The source a configuration pulls, its defaults filled, its secrets dropped.
fn source(kind: &str, props: &Value) -> Result<(String, Value), ArmError> {
    let (key, required, secrets): (&str, &[&str], &[&str]) = match kind {
        "GitRepository" => ("gitRepository", &["url"], &[]),
        "Bucket" => ("bucket", &["url", "bucketName"], &[]),
        "AzureBlob" => (
            "azureBlob",
            &["url", "containerName"],
            &["accountKey", "sasToken"],
        ),
        other => {
            return Err(invalid(
                "properties.sourceKind",
                format!(
                    "'properties.sourceKind' '{other}' is not one of GitRepository, Bucket, AzureBlob."
                ),
            ));
        }
    };
    let Some(sent) = props[key].as_object() else {
        return Err(invalid(
            &format!("properties.{key}"),
            format!("'properties.{key}' is required for source kind '{kind}'."),
        ));
    };
    for field in required {
        if sent
            .get(*field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(invalid(
                &format!("properties.{key}.{field}"),
                format!("'properties.{key}.{field}' is required for source kind '{kind}'."),
            ));
        }
    }
    let mut out: Map<String, Value> = sent
        .iter()
        .filter(|(k, _)| !secrets.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(sp) = out
        .get_mut("servicePrincipal")
        .and_then(Value::as_object_mut)
    {
        for secret in [
            "clientSecret",
            "clientCertificate",
            "clientCertificatePassword",
        ] {
            sp.remove(secret);
        }
    }
    for field in ["timeoutInSeconds", "syncIntervalInSeconds"] {
        let value = seconds(
            &sent.get(field).cloned().unwrap_or(Value::Null),
            &format!("properties.{key}.{field}"),
        )?;
        out.insert(field.to_owned(), value);
    }
    if key == "gitRepository" {
        // The reference as the spec's examples answer it: each of the four, `null` when not set.
        let sent_ref = sent.get("repositoryRef").cloned().unwrap_or(Value::Null);
        let mut reference = Map::new();
        for field in ["branch", "tag", "semver", "commit"] {
            reference.insert(
                field.to_owned(),
                sent_ref.get(field).cloned().unwrap_or(Value::Null),
            );
        }
        out.insert("repositoryRef".to_owned(), Value::Object(reference));
    }
    Ok((key.to_owned(), Value::Object(out)))
}

/// The kustomizations, each named by its key, defaults filled; a `dependsOn` must name another of
/// them (Flux cannot reconcile a dependency that does not exist: guess, refused at the write).
fn kustomizations(sent: &Value) -> Result<Value, ArmError> {
    let Some(map) = sent.as_object() else {
        return Ok(json!({}));
    };
    let mut out = Map::new();
    for (name, k) in map {
        let at = format!("properties.kustomizations.{name}");
        let depends: Vec<Value> = k["dependsOn"].as_array().cloned().unwrap_or_default();
        if let Some(missing) = depends
            .iter()
            .filter_map(Value::as_str)
            .find(|d| *d == name || !map.contains_key(*d))
        {
            return Err(invalid(
                &format!("{at}.dependsOn"),
                format!(
                    "'{at}.dependsOn' names '{missing}', which is not another kustomization of this configuration."
                ),
            ));
        }
        let mut item = json!({
            "name": name,
            "path": k["path"].as_str().unwrap_or(""),
            "dependsOn": depends,
            "timeoutInSeconds": seconds(&k["timeoutInSeconds"], &format!("{at}.timeoutInSeconds"))?,
            "syncIntervalInSeconds": seconds(&k["syncIntervalInSeconds"], &format!("{at}.syncIntervalInSeconds"))?,
            "prune": k["prune"].as_bool().unwrap_or(false),
            "force": k["force"].as_bool().unwrap_or(false),
            "wait": k["wait"].as_bool().unwrap_or(true),
        });
        for field in ["retryIntervalInSeconds", "postBuild"] {
            if !k[field].is_null() {
                item[field] = k[field].clone();
            }
        }
        out.insert(name.clone(), item);
    }
    Ok(Value::Object(out))
}

/// A revision of the source as Flux names it (`{branch}/{sha}`), the same for the same source: the
/// emulator fetches nothing, so the commit is a stand-in (guess).
fn revision(source: &Value) -> String {
    use std::hash::{Hash, Hasher};
    let mut hex = String::new();
    for round in 0u8..3 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (round, source.to_string()).hash(&mut h);
        hex.push_str(&format!("{:016x}", h.finish()));
    }
    hex.truncate(40);
    let branch = source["repositoryRef"]["branch"]
        .as_str()
        .unwrap_or("master");
    format!("{branch}/{hex}")
}

/// The statuses once reconciled: the source, then each kustomization (spec examples' shape).
fn reconciled_statuses(body: &Value, at: &str) -> Vec<Value> {
    let p = &body["properties"];
    let name = body["name"].as_str().unwrap_or_default();
    let namespace = p["namespace"].as_str().unwrap_or("default");
    let revision = p["sourceSyncedCommitId"].as_str().unwrap_or_default();
    let condition = |message: String, reason: &str| json!([{ "lastTransitionTime": at, "message": message, "reason": reason, "status": "True", "type": "Ready" }]);
    let mut out = vec![json!({
        "name": name,
        "namespace": namespace,
        "kind": p["sourceKind"].as_str().unwrap_or("GitRepository"),
        "complianceState": "Compliant",
        "statusConditions": condition(format!("'Fetched revision: {revision}'"), "GitOperationSucceed"),
    })];
    for k in p["kustomizations"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
    {
        out.push(json!({
            "name": format!("{name}-{k}"),
            "namespace": namespace,
            "kind": "Kustomization",
            "complianceState": "Compliant",
            "statusConditions": condition(format!("'Applied revision: {revision}'"), "ReconciliationSucceeded"),
        }));
    }
    out
}

/// Reconciles every configuration due by `now` ([`State::reconciles`]): `Compliant` (or `Suspended`)
/// with its statuses. Returns whether any was.
pub fn reconcile(state: &mut State, now: u64) -> bool {
    let due: Vec<String> = state
        .reconciles
        .iter()
        .filter(|(_, at)| **at <= now)
        .map(|(id, _)| id.clone())
        .collect();
    for id in &due {
        let at = state.reconciles.remove(id).unwrap_or(now);
        let Some(config) = state.resources.get_mut(id) else {
            continue;
        };
        let when = rfc3339(at);
        let statuses = reconciled_statuses(&config.body, &when);
        let p = &mut config.body["properties"];
        let suspended = p["suspend"].as_bool() == Some(true);
        p["complianceState"] = json!(if suspended { "Suspended" } else { "Compliant" });
        p["statuses"] = json!(statuses);
        p["sourceUpdatedAt"] = json!(when);
        p["statusUpdatedAt"] = json!(when);
    }
    !due.is_empty()
}

#[derive(Debug)]
struct FluxConfiguration;

impl ResourceType for FluxConfiguration {
    fn profile(&self) -> &'static Profile {
        &profile::KUBERNETES_CONFIGURATION
    }
    fn kind(&self) -> Kind {
        Kind::FluxConfiguration
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "fluxConfiguration.delete"
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let parent = at.parent.as_ref().ok_or_else(|| {
            ArmError::new(
                500,
                "InternalServerError",
                "configuration without its cluster",
            )
        })?;
        require_running(parent)?;
        if installed(ctx.state, &parent.id, FLUX).is_none() {
            // Guess: the refusal's code and words are not documented, only the rule.
            return Err(ArmError::bad_request(
                "FluxExtensionNotInstalled",
                format!(
                    "The microsoft.flux extension must be installed in the cluster '{}' before a fluxConfiguration can be created: install it (Microsoft.KubernetesConfiguration/extensions, extensionType 'microsoft.flux') and wait for it to succeed.",
                    parent.body["name"].as_str().unwrap_or_default()
                ),
            ));
        }
        let props = &body["properties"];
        let scope = props["scope"].as_str().unwrap_or("cluster");
        if !["cluster", "namespace"].contains(&scope) {
            return Err(invalid(
                "properties.scope",
                format!("'properties.scope' is 'cluster' or 'namespace', got '{scope}'."),
            ));
        }
        let namespace = props["namespace"].as_str().unwrap_or("default");
        if !valid_namespace(namespace) {
            return Err(invalid(
                "properties.namespace",
                format!(
                    "'properties.namespace' '{namespace}' must be at most 253 lower case alphanumeric characters, hyphens and periods."
                ),
            ));
        }
        if let Some(old) = existing.map(|r| &r.body["properties"]) {
            // `x-ms-mutability: create, read` (spec).
            for (field, now) in [("scope", scope), ("namespace", namespace)] {
                if old[field].as_str().is_some_and(|o| o != now) {
                    return Err(invalid(
                        &format!("properties.{field}"),
                        format!(
                            "'properties.{field}' cannot change after creation (it is '{}').",
                            old[field].as_str().unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        let kind = props["sourceKind"].as_str().unwrap_or("GitRepository");
        let (key, source) = source(kind, props)?;
        let kustomizations = kustomizations(&props["kustomizations"])?;
        let suspend = props["suspend"].as_bool().unwrap_or(false);
        let wait = props["waitForReconciliation"].as_bool().unwrap_or(false);
        let now = rfc3339(ctx.now);
        let created = existing
            .and_then(|r| r.body["systemData"]["createdAt"].as_str())
            .map_or_else(|| now.clone(), str::to_owned);
        let mut properties = json!({
            "scope": scope,
            "namespace": namespace,
            "sourceKind": kind,
            "suspend": suspend,
            "kustomizations": kustomizations,
            "statuses": [],
            "sourceSyncedCommitId": revision(&source),
            "complianceState": "Pending",
            "provisioningState": "Creating",
            "errorMessage": "",
        });
        properties[key.as_str()] = source;
        if !props["waitForReconciliation"].is_null() {
            properties["waitForReconciliation"] = json!(wait);
        }
        if let Some(d) = props["reconciliationWaitDuration"].as_str() {
            properties["reconciliationWaitDuration"] = json!(d);
        }
        let written = json!({
            "id": at.id,
            "name": at.name,
            "type": TYPE,
            "properties": properties,
            "systemData": { "createdAt": created, "lastModifiedAt": now },
        });
        // Reconciled once the agent has pulled it: after the write when it does not wait, as the
        // write's end when it does.
        let provisioning = ctx.latency("fluxConfiguration.put");
        let reconciling = ctx.latency("fluxConfiguration.reconcile");
        let due = if wait {
            ctx.now + provisioning
        } else {
            ctx.now + provisioning + reconciling
        };
        ctx.state.reconciles.insert(at.id.to_ascii_lowercase(), due);
        Ok(Written {
            body: written,
            location: parent.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            latency: "fluxConfiguration.put",
            completes: None,
            unchanged: false,
        })
    }

    fn deleting(&self, ctx: &mut Ctx<'_>, at: &At, _op: &crate::contract::lro::Started) {
        ctx.state.reconciles.remove(&at.id.to_ascii_lowercase());
    }
}

/// `{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations[/{name}[/operations/{id}]]`.
pub fn serve(ctx: &mut Ctx<'_>, req: &Request) -> Result<Resp, ArmError> {
    let parent = cluster(ctx, req)?;
    let Some(name) = &req.name else {
        return list(ctx, &parent);
    };
    let id = format!(
        "{}/providers/{NAMESPACE}/fluxConfigurations/{name}",
        parent.id
    );
    if let Some(op) = &req.operation {
        return operation(ctx, &id, op);
    }
    let at = At::new(ctx.state, &req.rg, id, name, Some(parent));
    let force = ctx
        .query
        .get("forceDelete")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if ctx.method == axum::http::Method::DELETE && force {
        // As for extensions: removed at once, 200 (spec: 200 "completed successfully").
        return Ok(match ctx.state.get(&at.id) {
            Some(_) => {
                crud::remove(ctx.state, &at.id);
                ctx.state.reconciles.remove(&at.id.to_ascii_lowercase());
                Resp::empty(200)
            }
            None => Resp::empty(204),
        });
    }
    crud::serve(ctx, &at, &FluxConfiguration)
}

/// The cluster's Flux configurations, as each one's GET shows it.
fn list(ctx: &mut Ctx<'_>, parent: &Resource) -> Result<Resp, ArmError> {
    if ctx.method != axum::http::Method::GET {
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    let prefix =
        format!("{}/providers/{NAMESPACE}/fluxConfigurations/", parent.id).to_ascii_lowercase();
    let value: Vec<Value> = ctx
        .state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, r)| !k[prefix.len()..].contains('/') && r.kind == Kind::FluxConfiguration)
        .map(|(_, r)| r.body.clone())
        .collect();
    Ok(crate::contract::list::page(ctx, value))
}

#[cfg(test)]
mod tests {
    use crate::rp::kubernetes_configuration::flux::{
        kustomizations, revision, source, valid_namespace,
    };
    use serde_json::json;

    #[test]
    fn sources_need_what_their_kind_reads_and_keep_no_secret() {
        let git = json!({ "gitRepository": { "url": "https://github.com/org/repo", "repositoryRef": { "branch": "main" } } });
        let (key, filled) = source("GitRepository", &git).expect("git");
        assert_eq!(key, "gitRepository");
        assert_eq!(filled["timeoutInSeconds"], 600);
        assert_eq!(
            filled["repositoryRef"],
            json!({ "branch": "main", "tag": null, "semver": null, "commit": null })
        );
        assert!(revision(&filled).starts_with("main/"));
        assert_eq!(revision(&filled), revision(&filled));
        assert!(source("GitRepository", &json!({ "gitRepository": {} })).is_err());
        assert!(source("Bucket", &json!({ "bucket": { "url": "https://s3" } })).is_err());
        let blob = json!({ "azureBlob": { "url": "https://a.blob.core.windows.net", "containerName": "c", "accountKey": "k" } });
        let (_, filled) = source("AzureBlob", &blob).expect("blob");
        assert!(filled.get("accountKey").is_none());
        assert!(source("OCIRepository", &json!({})).is_err());
    }

    #[test]
    fn kustomizations_are_named_and_depend_only_on_each_other() {
        let ok = json!({ "infra": { "path": "./infra" }, "apps": { "path": "./apps", "dependsOn": ["infra"] } });
        let filled = kustomizations(&ok).expect("ok");
        assert_eq!(filled["apps"]["name"], "apps");
        assert_eq!(filled["infra"]["wait"], true);
        assert!(kustomizations(&json!({ "apps": { "dependsOn": ["nope"] } })).is_err());
        assert!(kustomizations(&json!({ "apps": { "dependsOn": ["apps"] } })).is_err());
        assert!(valid_namespace("flux-system") && !valid_namespace("Flux_System"));
    }
}
