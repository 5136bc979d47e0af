//! The `bcdr_topology` resource: one function per resource RPC, translating Terraform's values to the
//! SDK and back. No ARM knowledge lives here.

mod convert;
mod credentials;
pub mod private;
mod restore;
pub mod schema;

use crate::diag::{Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;
use crate::value::{self, Value};
use crate::{diag, timeouts};
use bcdr::engine::{CancelSignal, Event};
use bcdr::regions::Catalog;
use bcdr::{TopologyClient, layout};

pub const TYPE_NAME: &str = "bcdr_topology";

/// Validation without any ARM call: the SDK's rules, minus what unknown values make undecidable. A
/// region the SDK's offline table lacks is a warning here; the plan looks it up in Azure.
pub fn validate(config: &Value) -> Diagnostics {
    validate_with(config, &Catalog::offline())
}

/// The regions the plan judges `config`'s region names by: ARM's `locations` when the SDK's offline
/// table lacks one of them (see [`TopologyClient::catalog`]).
pub async fn catalog(client: &TopologyClient, config: &Value) -> Result<Catalog, Diagnostic> {
    if !convert::config_errors(config).is_empty() {
        return Ok(Catalog::offline());
    }
    client
        .catalog(&convert::topology(config))
        .await
        .map_err(|e| diag::error("Failed to look the regions up in Azure", e.to_string()))
}

/// Traffic Manager DNS names the plan would take that Azure says are taken. The profile exists when
/// the prior state has it under the same name; its nested profiles are checked when the apply plans
/// them.
pub async fn taken_names(client: &TopologyClient, prior: &Value, config: &Value) -> Diagnostics {
    // A name not known yet (from another resource) would be checked as its default: skip.
    let unknown = convert::unknown_paths(config);
    if !convert::config_errors(config).is_empty()
        || unknown
            .iter()
            .any(|p| p == "name" || p.starts_with("traffic_manager."))
    {
        return Diagnostics::new();
    }
    let prior_fqdn = prior.get("traffic_manager").get("fqdn").as_str();
    let exists = |key: &layout::ResourceKey, relative: &str| match key {
        layout::ResourceKey::TrafficManagerProfile => {
            prior_fqdn == Some(format!("{relative}.trafficmanager.net").as_str())
        }
        _ => true,
    };
    client
        .taken_dns_names(&convert::topology(config), exists)
        .await
        .iter()
        .map(diag::from_sdk)
        .collect()
}

/// Pinned Kubernetes versions AKS does not offer (see [`bcdr::validate::version_findings`]): the
/// prior state says which regions have a cluster, and its version.
fn versions(prior: &Value, config: &Value, catalog: &Catalog) -> Diagnostics {
    let running = |name: &str| {
        let region = prior.get("region").get(name);
        let made = region
            .get("cluster_id")
            .as_str()
            .is_some_and(|id| !id.is_empty());
        made.then(|| region.get("kubernetes_version").as_str().map(str::to_owned))
            .flatten()
    };
    // A region whose mode or version is not known yet is judged at apply, by the SDK.
    let unknown = convert::unknown_paths(config);
    bcdr::validate::version_findings(&convert::topology(config), catalog, running)
        .iter()
        .filter(|d| {
            let region = d.path.0.iter().take(2).cloned().collect::<Vec<_>>();
            let region = bcdr::validate::AttributePath(region).to_string();
            !unknown.iter().any(|u| u.starts_with(&format!("{region}.")))
        })
        .map(diag::from_sdk)
        .collect()
}

/// A new `vnet_cidr` that would move the AKS subnet of a cluster that exists (see
/// [`bcdr::validate::renumbering_findings`]): the prior state says which regions have a cluster, and
/// the address space it was made in.
fn renumbering(prior: &Value, config: &Value) -> Diagnostics {
    let unknown = convert::unknown_paths(config);
    bcdr::validate::renumbering_findings(&convert::topology(config), |name| {
        let region = prior.get("region").get(name);
        let made = region
            .get("cluster_id")
            .as_str()
            .is_some_and(|id| !id.is_empty());
        let cidr = region.get("vnet_cidr").as_str().filter(|c| !c.is_empty())?;
        made.then(|| layout::subnet_cidr(cidr))
    })
    .iter()
    .filter(|d| !judges_unknown(d, &unknown))
    .map(diag::from_sdk)
    .collect()
}

/// Regions whose cluster exists with a public API server while `private_cluster` is set (see
/// [`bcdr::validate::private_cluster_findings`]): the prior state says which clusters exist and
/// whether each has a private FQDN.
fn public_clusters(prior: &Value, config: &Value) -> Diagnostics {
    bcdr::validate::private_cluster_findings(&convert::topology(config), |name| {
        let region = prior.get("region").get(name);
        let made = region
            .get("cluster_id")
            .as_str()
            .is_some_and(|id| !id.is_empty());
        made.then(|| {
            region
                .get("cluster_private_fqdn")
                .as_str()
                .is_some_and(|f| !f.is_empty())
        })
    })
    .iter()
    .map(diag::from_sdk)
    .collect()
}

/// Whether finding `d` is about a value not known yet (at, under or above one of `unknown`), so
/// judging it now would judge a default instead.
fn judges_unknown(d: &bcdr::validate::Diagnostic, unknown: &[String]) -> bool {
    let p = d.path.to_string();
    unknown
        .iter()
        .any(|u| p == *u || p.starts_with(&format!("{u}.")) || u.starts_with(&format!("{p}.")))
}

fn validate_with(config: &Value, catalog: &Catalog) -> Diagnostics {
    let mut translation = convert::config_errors(config);
    translation.extend(timeouts::validate(config));
    if !translation.is_empty() {
        return translation;
    }
    let unknown = convert::unknown_paths(config);
    let topology = convert::topology(config);
    bcdr::validate::validate_with(&topology, catalog)
        .iter()
        .filter(|d| !judges_unknown(d, &unknown))
        .map(diag::from_sdk)
        .collect()
}

/// PlanResourceChange: returns the planned state and the attributes that force replacement.
pub fn plan(
    prior: &Value,
    config: &Value,
    proposed: &Value,
    subscription: Option<&str>,
    catalog: &Catalog,
    online: Diagnostics,
) -> (Value, Vec<bcdr::validate::AttributePath>, Diagnostics) {
    if proposed.is_null() {
        return (Value::Null, Vec::new(), Diagnostics::new());
    }
    let mut diags = validate_with(config, catalog);
    diags.extend(online);
    if !diags.has_errors() {
        diags.extend(versions(prior, config, catalog));
        diags.extend(renumbering(prior, config));
        diags.extend(public_clusters(prior, config));
        diags.extend(
            bcdr::validate::capacity_findings(&convert::topology(config), catalog)
                .iter()
                .map(diag::from_sdk),
        );
    }
    diags.extend(convert::global_group_move(prior, config));
    diags.extend(convert::zone_changes(prior, config));
    diags.extend(convert::tier_change(prior, config));
    if diags.has_errors() {
        return (Value::Null, Vec::new(), diags);
    }
    let planned = schema::resource().complete(&convert::planned(config, prior, subscription));
    let mut replace = Vec::new();
    if !prior.is_null() && prior.get("name") != config.get("name") {
        replace.push(bcdr::validate::AttributePath::attr("name"));
    }
    (planned, replace, diags)
}

fn log_event(event: Event<'_>) {
    match event {
        Event::Started { op, .. } => {
            tracing::info!(resource = %op.key, action = %op.action, reason = %op.reason, "started")
        }
        Event::Finished { op, elapsed, .. } => {
            tracing::info!(resource = %op.key, action = %op.action, elapsed_ms = elapsed.as_millis() as u64, "finished")
        }
        Event::Failed { op, error, .. } => {
            tracing::warn!(resource = %op.key, action = %op.action, error = %error, "failed")
        }
        Event::Retrying {
            op,
            error,
            attempt,
            wait,
            ..
        } => {
            tracing::info!(resource = %op.key, attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying")
        }
        Event::Skipped { op, .. } => tracing::info!(resource = %op.key, "skipped"),
        _ => {}
    }
}

/// ApplyResourceChange: create, update or destroy. A failed update or destroy still returns what
/// exists, so Terraform records partial progress; a failed create returns nothing (see below), so that
/// Terraform does not taint it and replace the topology at the next apply.
pub async fn apply(
    client: &TopologyClient,
    prior: &Value,
    planned: &Value,
    stop: CancelSignal,
) -> (Value, Diagnostics) {
    let kind = match (prior.is_null(), planned.is_null()) {
        (_, true) => timeouts::Kind::Delete,
        (true, false) => timeouts::Kind::Create,
        (false, false) => timeouts::Kind::Update,
    };
    let limit = timeouts::limit(if planned.is_null() { prior } else { planned }, kind);
    let (cancel, timed_out) = timeouts::deadline(stop, limit);
    let why = |error: String| {
        if timed_out.load(std::sync::atomic::Ordering::SeqCst) {
            format!(
                "timed out after {limit:?} ({error}); what finished stays, and the next apply continues"
            )
        } else {
            error
        }
    };
    if planned.is_null() {
        let name = prior.get("name").as_str().unwrap_or_default().to_owned();
        return match client.destroy(&name, cancel, &log_event).await {
            Ok(_) => (Value::Null, Diagnostics::new()),
            Err(failure) => (
                prior.clone(),
                diag::error("Failed to destroy the topology", why(failure.to_string())).into(),
            ),
        };
    }
    let topology = convert::topology(planned);
    // The kubeconfigs read after the apply answer to the same deadline.
    let bounded = client.with_cancel(&cancel);
    match client.apply(&topology, cancel, &log_event).await {
        Ok(applied) => {
            let mut state =
                schema::resource().complete(&convert::applied(planned, &applied.status));
            let mut diags = credentials::fill(&bounded, &mut state).await;
            diags.extend(restore::run(&bounded, prior, planned, &topology, &mut state).await);
            diags.extend(unreachable(
                &applied.status,
                "Region left as it was",
                "nothing was written there, and its resources were left as they are",
            ));
            (state, diags)
        }
        Err(failure) => {
            let mut diags = Diagnostics::from(diag::error(
                "Failed to apply the topology",
                why(failure.to_string()),
            ));
            let done = failure.report.as_ref().map(|report| {
                let done = report
                    .outcomes
                    .iter()
                    .filter(|o| matches!(o, bcdr::engine::Outcome::Done(_)))
                    .count();
                (done, report.outcomes.len())
            });
            if prior.is_null() {
                // A create that failed returns no state: Terraform would save a partial one as
                // tainted, and its next apply would destroy the topology to create it again. What was
                // made is named from the topology and tagged with it, so the next apply adopts it.
                let name = planned.get("name").as_str().unwrap_or_default();
                diags.push(diag::error(
                    "Nothing was saved in the state: the next apply continues",
                    format!(
                        "{}Every resource bcdr makes is named from the topology and tagged bcdr-topology = {name}, so the next terraform apply adopts what exists and continues; nothing is destroyed. To remove what was made instead, import it first (terraform import <address> {name}), then terraform destroy.",
                        done.map_or(String::new(), |(done, all)| format!(
                            "{done} of {all} operations finished before the failure. "
                        ))
                    ),
                ));
                return (Value::Null, diags);
            }
            if let Some((done, all)) = done {
                diags.push(diag::error(
                    "Partial progress was saved",
                    format!("{done} of {all} operations finished before the failure; the state records them and the next apply continues from there."),
                ));
            }
            let mut state =
                schema::resource().complete(&convert::applied(planned, &failure.status));
            diags.extend(credentials::fill(&bounded, &mut state).await);
            (state, diags)
        }
    }
}

/// ReadResource: refreshes the state from ARM; `Null` when the topology is gone.
pub async fn read(client: &TopologyClient, prior: &Value) -> (Value, Diagnostics) {
    let topology = convert::topology(prior);
    let limit = timeouts::limit(prior, timeouts::Kind::Read);
    let observed = match tokio::time::timeout(limit, client.refresh(&topology)).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            return (
                prior.clone(),
                diag::error("Failed to read the topology", e.to_string()).into(),
            );
        }
        Err(_) => {
            return (
                prior.clone(),
                diag::error(
                    "Failed to read the topology",
                    format!("timed out after {limit:?} (timeouts.read)"),
                )
                .into(),
            );
        }
    };
    if !observed
        .resources
        .keys()
        .any(|k| matches!(k, layout::ResourceKey::ResourceGroup(_)))
    {
        return (Value::Null, Diagnostics::new());
    }
    let plan = bcdr::topology::plan_against(&topology, &observed, client.arm().subscription_id());
    let drift: Vec<String> = plan
        .changes()
        .map(|op| format!("{} {}: {}", op.action, op.key, op.reason))
        .collect();
    let status = bcdr::topology::status(&topology, &observed);
    let mut diagnostics = unreachable(
        &status,
        "Region did not answer",
        "its part of the state is kept as last read",
    );
    // A failover the guard pinned, which applying the last configuration would undo.
    diagnostics.extend(
        bcdr::validate::pin_findings(&topology, &status.pinned)
            .iter()
            .map(diag::from_sdk),
    );
    (
        schema::resource().complete(&convert::refreshed(prior, &status, &observed, drift)),
        diagnostics,
    )
}

/// A warning for each region that did not answer (a regional outage): what was done without it.
fn unreachable(status: &bcdr::TopologyStatus, summary: &str, what: &str) -> Diagnostics {
    // One warning for the global resources living in a region that did not answer (the registry
    // and the backups at home there, and what hangs off them).
    let unread = status
        .unreadable
        .iter()
        .next()
        .map(|(_, error)| {
            let resources: Vec<&str> = status.unreadable.keys().map(String::as_str).collect();
            diag::warning(
                "Global resources in a region that did not answer",
                format!(
                    "{} live in a region that did not answer ({error}); {what}. Once it answers, the next apply brings them to the configuration",
                    resources.join(", ")
                ),
            )
        });
    status
        .unreachable
        .iter()
        .map(|(region, error)| {
            diag::warning(
                summary,
                format!(
                    "region[{region:?}]: {error}; {what}. The other regions were read and changed as planned (a failover away from it applies); once it answers, the next apply brings it to the configuration"
                ),
            )
            .at(bcdr::validate::AttributePath::region(region, None))
        })
        .chain(unread)
        .collect()
}

/// ImportResourceState: rebuilds the whole topology from ARM by its tags.
pub async fn import(client: &TopologyClient, id: &str) -> (Option<Value>, Diagnostics) {
    let name = match bcdr::names::parse_import_id(id) {
        Ok(name) => name,
        Err(refused) => {
            return (
                None,
                diag::error("Invalid import id", refused.to_string()).into(),
            );
        }
    };
    match client.import(&name).await {
        Ok(Some(topology)) => match client.status(&topology).await {
            Ok(status) => {
                let mut state = schema::resource().complete(&convert::imported(
                    &topology,
                    &status,
                    client.arm().subscription_id(),
                ));
                let diags = credentials::fill(client, &mut state).await;
                (Some(state), diags)
            }
            Err(e) => (
                None,
                diag::error("Failed to read the topology", e.to_string()).into(),
            ),
        },
        Ok(None) => (
            None,
            diag::error(
                "Cannot import non-existent remote object",
                format!(
                    "no resource group carries the tag bcdr-topology = \"{name}\" in this subscription"
                ),
            ).into(),
        ),
        Err(e) => (
            None,
            diag::error("Failed to import the topology", e.to_string()).into(),
        ),
    }
}

/// UpgradeResourceState: stored JSON (any earlier version of this schema) to the current shape.
pub fn upgrade(raw: &pb::RawState) -> (Value, Diagnostics) {
    if raw.json.is_empty() {
        return (
            Value::Null,
            diag::error(
                "Unsupported state",
                "the state holds no JSON (flatmap state predates this provider)",
            )
            .into(),
        );
    }
    match value::decode_json(&raw.json) {
        Ok(v) => {
            let mut v = v;
            if let Value::Map(m) = &mut v {
                // Version 0 had no drift list: an upgraded state starts clean.
                m.entry("drift".into())
                    .or_insert_with(|| Value::List(Vec::new()));
                // Before roles, every region was what `secondary` now means.
                if let Some(Value::Map(regions)) = m.get_mut("region") {
                    for region in regions.values_mut() {
                        if let Value::Map(r) = region {
                            r.entry("role".into())
                                .or_insert_with(|| Value::string(schema::DEFAULT_ROLE));
                        }
                    }
                }
            }
            (schema::resource().complete(&v), Diagnostics::new())
        }
        Err(e) => (
            Value::Null,
            diag::error("Unreadable state", e.to_string()).into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_written_before_pools_waf_and_kubeconfigs_upgrades_complete() {
        let old = br#"{"name":"shop","region":{"eastus":{"vnet_cidr":"10.1.0.0/16","mode":"hot","node_count":3}},"front_door":{"tier":"Standard"}}"#;
        let (state, diags) = upgrade(&pb::RawState {
            json: old.to_vec(),
            flatmap: Default::default(),
        });
        assert!(diags.is_empty(), "{diags:?}");
        let east = state.get("region").get("eastus");
        assert_eq!(east.get("kube_config"), &Value::Null);
        assert_eq!(
            east.get("role"),
            &Value::string("secondary"),
            "no plan diff for the new attribute"
        );
        assert_eq!(east.get("node_pool"), &Value::Map(Default::default()));
        assert_eq!(state.get("front_door").get("waf"), &Value::Null);
        assert_eq!(state.get("peering_hub"), &Value::Null);
        assert_eq!(state.get("drift"), &Value::List(Vec::new()));
    }

    /// A region whose mode is not known at plan (it comes from another resource) is not judged on
    /// a guess: the SDK judges it at apply, when it is known.
    #[test]
    fn version_findings_skip_regions_with_unknown_values() {
        let offered = bcdr::regions::OfferedVersions::from_body(&serde_json::json!({
            "values": [{ "version": "1.31", "patchVersions": { "1.31.2": {} } }]
        }));
        let catalog = Catalog::offline().with_versions("westus", offered);
        let region = |mode: Value| {
            let mut r = std::collections::BTreeMap::new();
            r.insert("vnet_cidr".to_owned(), Value::string("10.2.0.0/16"));
            r.insert("kubernetes_version".to_owned(), Value::string("1.30"));
            r.insert("mode".to_owned(), mode);
            Value::Map(r)
        };
        let config = |mode: Value| {
            let mut regions = std::collections::BTreeMap::new();
            regions.insert("westus".to_owned(), region(mode));
            let mut c = std::collections::BTreeMap::new();
            c.insert("name".to_owned(), Value::string("shop"));
            c.insert("region".to_owned(), Value::Map(regions));
            Value::Map(c)
        };
        let known = versions(&Value::Null, &config(Value::string("hot")), &catalog);
        assert_eq!(known.len(), 1, "{known:?}");
        assert!(versions(&Value::Null, &config(Value::Unknown), &catalog).is_empty());
    }
}
