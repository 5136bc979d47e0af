//! `Microsoft.OperationalInsights/workspaces` (Log Analytics) at api-version 2023-09-01: a workspace
//! in a resource group, as the service answers it in the Azure CLI's recordings
//! (`Azure/azure-cli`, `src/azure-cli/azure/cli/command_modules/monitor/tests/latest/recordings/`):
//! a create answers 201 `Creating` with a `Location` naming the workspace, the workspace then reads
//! `Succeeded`; updates are synchronous; a delete is synchronous (see `profile::LOG_ANALYTICS`).
//! The body: `customerId` (the workspace's own GUID, stable for its life), `sku.name` (`PerGB2018`
//! unless sent) with `lastSkuUpdate`, `retentionInDays` (30), `features` (the service's three
//! defaults, what is sent merged over them), `workspaceCapping`, `publicNetworkAccessForIngestion`
//! and `...ForQuery` (`Enabled`), `createdDate`/`modifiedDate`, an `etag` that changes on every
//! write, `tags` only when sent.

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, require_group};
use crate::contract::store::{Kind, Resource, State, now_ms, rfc3339};
use serde_json::{Map, Value, json};

const TYPE: &str = "Microsoft.OperationalInsights/workspaces";

/// The SKU names (`WorkspaceSkuNameEnum`, Workspaces.json 2023-09-01).
const SKUS: &[&str] = &[
    "Free",
    "Standard",
    "Premium",
    "PerNode",
    "PerGB2018",
    "Standalone",
    "CapacityReservation",
    "LACluster",
];

/// The SKU a workspace gets when none is sent: what `az monitor log-analytics workspace create`
/// sends by default (every recording); the spec declares no default.
const DEFAULT_SKU: &str = "PerGB2018";

const DEFAULT_RETENTION_DAYS: i64 = 30;

/// `WorkspaceNameParameter` (Microsoft.OperationalInsights common/v1/types.json): 4-63 characters,
/// `^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$`.
fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    (4..=63).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

fn invalid(target: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

/// A value the request sends at `properties.{key}`, else the workspace's, else `default`.
fn sent_or_kept(props: &Value, old: Option<&Value>, key: &str, default: Value) -> Value {
    match &props[key] {
        Value::Null => old
            .map(|o| o["properties"][key].clone())
            .filter(|v| !v.is_null())
            .unwrap_or(default),
        sent => sent.clone(),
    }
}

/// `Enabled`/`Disabled` in the spec's spelling (`PublicNetworkAccessType`, default `Enabled`).
fn network_access(props: &Value, old: Option<&Value>, key: &str) -> Result<Value, ArmError> {
    let value = sent_or_kept(props, old, key, json!("Enabled"));
    let Some(text) = value.as_str() else {
        return Err(invalid(
            &format!("properties.{key}"),
            format!("The value of '{key}' must be 'Enabled' or 'Disabled'."),
        ));
    };
    ["Enabled", "Disabled"]
        .into_iter()
        .find(|v| v.eq_ignore_ascii_case(text))
        .map(|v| json!(v))
        .ok_or_else(|| {
            invalid(
                &format!("properties.{key}"),
                format!("The value '{text}' of '{key}' must be 'Enabled' or 'Disabled'."),
            )
        })
}

/// The workspace's features: the service's defaults (every recording), what the workspace had, then
/// what is sent (`WorkspaceFeatures` takes any key).
fn features(props: &Value, old: Option<&Value>) -> Value {
    let mut out = Map::new();
    out.insert("legacy".to_owned(), json!(0));
    out.insert("searchVersion".to_owned(), json!(1));
    out.insert(
        "enableLogAccessUsingOnlyResourcePermissions".to_owned(),
        json!(true),
    );
    for layer in [
        old.map(|o| &o["properties"]["features"]),
        Some(&props["features"]),
    ]
    .into_iter()
    .flatten()
    {
        if let Value::Object(members) = layer {
            for (k, v) in members {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// The hour of the day (UTC) at which the workspace's daily cap resets: the recordings show a
/// different whole hour per workspace (`quotaNextResetTime`); here one derived from its id.
fn reset_hour(id: &str) -> u64 {
    let guid = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("{}/quotareset", id.to_ascii_lowercase()).as_bytes(),
    );
    u64::from(guid.as_bytes()[0]) % 24
}

/// The next daily reset after `now`, in whole seconds as the service writes it.
fn next_reset(id: &str, now: u64) -> String {
    const DAY: u64 = 86_400_000;
    let at = now - now % DAY + reset_hour(id) * 3_600_000;
    let at = if at <= now { at + DAY } else { at };
    rfc3339(at)
}

/// The workspace as the service reports it, given the request and what may exist already.
fn render(
    ctx: &Ctx<'_>,
    at: &At,
    location: &str,
    body: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    let props = &body["properties"];
    let old = existing.map(|r| &r.body);
    let now = rfc3339(ctx.now);

    let sku_name = match props["sku"]["name"].as_str() {
        Some(sent) => SKUS
            .iter()
            .copied()
            .find(|s| s.eq_ignore_ascii_case(sent))
            .ok_or_else(|| {
                invalid(
                    "properties.sku.name",
                    format!(
                        "The SKU '{sent}' is not valid: use one of {}.",
                        SKUS.join(", ")
                    ),
                )
            })?
            .to_owned(),
        None => old
            .and_then(|o| o["properties"]["sku"]["name"].as_str())
            .unwrap_or(DEFAULT_SKU)
            .to_owned(),
    };
    let level = match &props["sku"]["capacityReservationLevel"] {
        Value::Null => old.map_or(Value::Null, |o| {
            o["properties"]["sku"]["capacityReservationLevel"].clone()
        }),
        sent => sent.clone(),
    };
    if sku_name == "CapacityReservation" && !level.is_number() {
        return Err(invalid(
            "properties.sku.capacityReservationLevel",
            "The CapacityReservation SKU needs a capacityReservationLevel.".to_owned(),
        ));
    }
    // The SKU's date moves only when the SKU does (test_monitor_log_analytics_workspace_recover: a
    // new reservation level, a new date; a retention change, the same date).
    let sku_changed = old.is_none_or(|o| {
        o["properties"]["sku"]["name"] != json!(sku_name)
            || o["properties"]["sku"]["capacityReservationLevel"] != level
    });
    let last_sku_update = if sku_changed {
        json!(now)
    } else {
        old.map_or(json!(now), |o| {
            o["properties"]["sku"]["lastSkuUpdate"].clone()
        })
    };
    let mut sku = json!({ "name": sku_name, "lastSkuUpdate": last_sku_update });
    if !level.is_null() {
        sku["capacityReservationLevel"] = level;
    }

    let retention = sent_or_kept(props, old, "retentionInDays", json!(DEFAULT_RETENTION_DAYS));
    if !retention.is_i64() {
        return Err(invalid(
            "properties.retentionInDays",
            format!("The retention {retention} is not a whole number of days."),
        ));
    }
    let daily_quota = match &props["workspaceCapping"]["dailyQuotaGb"] {
        Value::Null => old
            .map(|o| o["properties"]["workspaceCapping"]["dailyQuotaGb"].clone())
            .filter(Value::is_number)
            .unwrap_or(json!(-1.0)),
        sent => sent.clone(),
    };
    // The customer id is the workspace's own: a name-based UUID of its id, so it stays for the
    // workspace's life (and a workspace created again under the same id gets it back, as a
    // recovered workspace does: test_monitor_log_analytics_workspace_recover).
    let customer_id = old
        .and_then(|o| o["properties"]["customerId"].as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_URL,
                at.id.to_ascii_lowercase().as_bytes(),
            )
            .to_string()
        });
    let created = old.map_or(json!(now), |o| o["properties"]["createdDate"].clone());

    let mut properties = json!({
        "customerId": customer_id,
        "provisioningState": "Creating",
        "sku": sku,
        "retentionInDays": retention,
        "features": features(props, old),
        "workspaceCapping": {
            "dailyQuotaGb": daily_quota,
            "quotaNextResetTime": next_reset(&at.id, ctx.now),
            "dataIngestionStatus": "RespectQuota",
        },
        "publicNetworkAccessForIngestion": network_access(props, old, "publicNetworkAccessForIngestion")?,
        "publicNetworkAccessForQuery": network_access(props, old, "publicNetworkAccessForQuery")?,
        "createdDate": created,
        "modifiedDate": now,
    });
    for key in ["forceCmkForQuery", "defaultDataCollectionRuleResourceId"] {
        let value = sent_or_kept(props, old, key, Value::Null);
        if !value.is_null() {
            properties[key] = value;
        }
    }
    let mut rendered = json!({
        "properties": properties,
        "location": location,
        "id": at.id,
        "name": at.name,
        "type": TYPE,
        "etag": format!("\"{}\"", uuid::Uuid::new_v4()),
    });
    // Tags only when sent (table_total_retention_upper_fix #1 sends none and gets none back).
    if let Some(tags) = body.get("tags").filter(|t| t.is_object()) {
        rendered["tags"] = tags.clone();
    }
    if let Some(identity) = body.get("identity").filter(|i| i.is_object()) {
        rendered["identity"] = identity.clone();
    }
    Ok(rendered)
}

#[derive(Debug)]
struct Workspace;

impl ResourceType for Workspace {
    fn profile(&self) -> &'static Profile {
        &profile::LOG_ANALYTICS
    }
    fn kind(&self) -> Kind {
        Kind::LogAnalyticsWorkspace
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "workspace.delete"
    }

    /// The daily cap's next reset is always ahead of the reader.
    fn render(&self, _state: &State, resource: &Resource) -> Value {
        let mut body = resource.body.clone();
        if body["properties"]["workspaceCapping"].is_object() {
            body["properties"]["workspaceCapping"]["quotaNextResetTime"] =
                json!(next_reset(&resource.id, now_ms()));
        }
        body
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        if !valid_name(&at.name) {
            return Err(invalid(
                "workspaceName",
                format!(
                    "The workspace name '{}' is invalid: it must be 4-63 letters, digits or hyphens, starting and ending with a letter or digit.",
                    at.name
                ),
            ));
        }
        let location = body_location(ctx, body)?;
        if let Some(old) = existing
            && old.body["location"] != json!(location)
        {
            return Err(ArmError::bad_request(
                "InvalidResourceLocation",
                format!(
                    "The workspace '{}' already exists in location '{}'.",
                    at.name,
                    old.body["location"].as_str().unwrap_or_default()
                ),
            ));
        }
        let rendered = render(ctx, at, location, body, existing)?;
        tracing::debug!(workspace = %at.id, created = existing.is_none(), "log analytics workspace written");
        // A create's end modifies the workspace once more (test_monitor_log_analytics_workspace_default,
        // 2021-12 version: `modifiedDate` 2 s later once `Succeeded`); an update is answered done.
        let completes = existing
            .is_none()
            .then(|| json!({ "modifiedDate": rfc3339(ctx.now + ctx.latency("workspace.put")) }));
        Ok(Written {
            body: rendered,
            location: location.to_owned(),
            latency: "workspace.put",
            completes,
            unchanged: false,
        })
    }
}

/// `…/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}`.
pub fn workspace(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &Workspace)
}

/// Whether `id` names a Log Analytics workspace the store holds (in whatever state).
pub fn exists(state: &State, id: &str) -> bool {
    state
        .get(id)
        .is_some_and(|r| r.kind == Kind::LogAnalyticsWorkspace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_spec_pattern() {
        assert!(valid_name("ws-000002"));
        assert!(valid_name("DefaultWorkspace-1-EUS"));
        assert!(!valid_name("abc"), "too short");
        assert!(!valid_name("-abcd"));
        assert!(!valid_name("abcd-"));
        assert!(!valid_name("ab_cd"));
        assert!(!valid_name(&"a".repeat(64)));
    }

    #[test]
    fn the_daily_reset_is_a_whole_hour_ahead_of_now() {
        let now = 1_740_209_500_000; // 2025-02-22T07:31:40Z
        let reset = next_reset("/subscriptions/s/resourceGroups/g/x", now);
        assert!(reset.ends_with(":00:00Z"), "{reset}");
        assert!(reset.as_str() > rfc3339(now).as_str(), "{reset}");
    }
}
