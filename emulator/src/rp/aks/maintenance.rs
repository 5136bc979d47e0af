//! AKS planned maintenance: `managedClusters/{c}/maintenanceConfigurations/{name}`, a child of its
//! cluster as node pools are, but answered at once: PUT 200 with the configuration, DELETE 200 with
//! no body (204 when there is none), as recorded (Azure/azure-cli acs recording
//! test_aks_maintenancewindow). Only AKS's three names are accepted; a `maintenanceWindow` is
//! checked as the spec (2024-09-01 `MaintenanceWindow`) bounds it, and gains the day it was written
//! as its `startDate` when it names none (recorded); `default` alone shows its `type` and
//! `systemData`. The configuration lives in its cluster's region
//! (it has no location of its own) and goes with its cluster.

use super::CLUSTER_TYPE;
use super::pools::invalid;
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource};
use serde_json::{Map, Value, json};

/// The names AKS accepts (learn.microsoft.com/azure/aks/planned-maintenance; the refusal of any
/// other: Azure/ARO-HCP #3260).
pub const NAMES: [&str; 3] = [
    "default",
    "aksManagedAutoUpgradeSchedule",
    "aksManagedNodeOSUpgradeSchedule",
];

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

const WEEK_INDEXES: [&str; 5] = ["First", "Second", "Third", "Fourth", "Last"];

#[derive(Debug)]
struct MaintenanceConfiguration;

const WINDOW: &str = "properties.maintenanceWindow";

/// `value` as an integer within `lo..=hi`, else the refusal naming `target`.
fn bounded(value: &Value, target: &str, lo: i64, hi: i64) -> Result<(), ArmError> {
    match value.as_i64() {
        Some(n) if (lo..=hi).contains(&n) => Ok(()),
        _ => Err(invalid(
            target,
            format!("'{target}' must be an integer from {lo} to {hi}, got {value}."),
        )),
    }
}

/// `value` as one of `allowed`, else the refusal naming `target`.
fn one_of(value: &Value, target: &str, allowed: &[&str]) -> Result<(), ArmError> {
    match value.as_str() {
        Some(s) if allowed.contains(&s) => Ok(()),
        _ => Err(invalid(
            target,
            format!(
                "'{target}' must be one of {}, got {value}.",
                allowed.join(", ")
            ),
        )),
    }
}

/// `text` is `HH:mm` (`00:00` to `23:59`).
fn clock(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && text[..2] < *"24"
        && text[3..] < *"60"
}

/// `text` is `+HH:mm` or `-HH:mm` (the spec's pattern).
fn offset(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[3] == b':'
        && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit())
}

/// The schedule: exactly one of its four kinds, with that kind's required fields in range.
fn check_schedule(schedule: &Value) -> Result<(), ArmError> {
    let at = format!("{WINDOW}.schedule");
    let kinds: Vec<&str> = ["daily", "weekly", "absoluteMonthly", "relativeMonthly"]
        .into_iter()
        .filter(|k| !schedule[*k].is_null())
        .collect();
    let [kind] = kinds.as_slice() else {
        return Err(invalid(
            &at,
            "One and only one of the schedule types should be specified: 'daily', 'weekly', 'absoluteMonthly' or 'relativeMonthly'.".into(),
        ));
    };
    let s = &schedule[*kind];
    let field = |name: &str| format!("{at}.{kind}.{name}");
    match *kind {
        "daily" => bounded(&s["intervalDays"], &field("intervalDays"), 1, 7),
        "weekly" => {
            bounded(&s["intervalWeeks"], &field("intervalWeeks"), 1, 4)?;
            one_of(&s["dayOfWeek"], &field("dayOfWeek"), &WEEKDAYS)
        }
        "absoluteMonthly" => {
            bounded(&s["intervalMonths"], &field("intervalMonths"), 1, 6)?;
            bounded(&s["dayOfMonth"], &field("dayOfMonth"), 1, 31)
        }
        _ => {
            bounded(&s["intervalMonths"], &field("intervalMonths"), 1, 6)?;
            one_of(&s["weekIndex"], &field("weekIndex"), &WEEK_INDEXES)?;
            one_of(&s["dayOfWeek"], &field("dayOfWeek"), &WEEKDAYS)
        }
    }
}

/// A `maintenanceWindow` as the spec bounds it: `schedule`, `durationHours` (4-24) and `startTime`
/// (`HH:mm`) required, `utcOffset` `±HH:mm`.
fn check_window(window: &Value) -> Result<(), ArmError> {
    if !window.is_object() {
        return Err(invalid(
            WINDOW,
            "'properties.maintenanceWindow' must be an object.".into(),
        ));
    }
    check_schedule(&window["schedule"])?;
    bounded(
        &window["durationHours"],
        &format!("{WINDOW}.durationHours"),
        4,
        24,
    )?;
    let start = format!("{WINDOW}.startTime");
    if !window["startTime"].as_str().is_some_and(clock) {
        return Err(invalid(
            &start,
            format!(
                "'{start}' must be a time from '00:00' to '23:59' as 'HH:mm', got {}.",
                window["startTime"]
            ),
        ));
    }
    let utc = &window["utcOffset"];
    if !utc.is_null() && !utc.as_str().is_some_and(offset) {
        return Err(invalid(
            &format!("{WINDOW}.utcOffset"),
            format!("'{WINDOW}.utcOffset' must be '+HH:mm' or '-HH:mm', got {utc}."),
        ));
    }
    Ok(())
}

/// The day (UTC) of the emulator's instant `now_ms`, as `YYYY-MM-DD`.
fn day(now_ms: u64) -> String {
    let now = crate::contract::store::rfc3339(now_ms);
    now.get(..10).unwrap_or_default().to_owned()
}

impl ResourceType for MaintenanceConfiguration {
    fn profile(&self) -> &'static Profile {
        &profile::AKS_MAINTENANCE
    }
    fn kind(&self) -> Kind {
        Kind::MaintenanceConfiguration
    }
    fn type_name(&self) -> &'static str {
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations"
    }
    fn delete_latency(&self) -> &'static str {
        "maintenanceConfiguration.delete"
    }

    fn not_found(&self, at: &At) -> ArmError {
        ArmError::not_found(
            "NotFound",
            format!("The maintenance configuration '{}' was not found.", at.name),
        )
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
        if !NAMES.contains(&at.name.as_str()) {
            return Err(invalid(
                "configName",
                "Only 'default', 'aksManagedAutoUpgradeSchedule' and 'aksManagedNodeOSUpgradeSchedule' are allowed configNames for maintenance configuration.".into(),
            ));
        }
        let mut properties = match &body["properties"] {
            Value::Object(p) => p.clone(),
            _ => Map::new(),
        };
        if let Some(window) = properties.get_mut("maintenanceWindow") {
            check_window(window)?;
            if window["startDate"].is_null() {
                window["startDate"] = json!(day(ctx.now));
            }
        }
        let mut written = json!({ "id": at.id, "name": at.name, "properties": properties });
        // `default` answers with its `type` and `systemData` (the spec's MaintenanceConfigurations
        // examples; MicrosoftDocs/azure-docs #108655: `default` shows them, the aksManaged* ones
        // `null`); the aksManaged* ones without (recorded, and the spec's MaintenanceWindow examples).
        // Who wrote it the emulator does not tell: only the instants (guess).
        if at.name == "default" {
            let now = crate::contract::store::rfc3339(ctx.now);
            let created = existing
                .and_then(|r| r.body["systemData"]["createdAt"].as_str())
                .map_or_else(|| now.clone(), str::to_owned);
            written["type"] = json!(self.type_name());
            written["systemData"] = json!({ "createdAt": created, "lastModifiedAt": now });
        }
        Ok(Written {
            body: written,
            location: parent.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            latency: "maintenanceConfiguration.put",
            completes: None,
            unchanged: false,
        })
    }
}

/// `managedClusters/{cluster}/maintenanceConfigurations/{name}`.
pub fn maintenance_configuration(
    ctx: &mut Ctx<'_>,
    rg: &str,
    cluster: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let cluster_id = format!("{rg_id}/providers/{CLUSTER_TYPE}/{cluster}");
    let Some(parent) = ctx.state.get(&cluster_id).cloned() else {
        return Err(not_found(CLUSTER_TYPE, cluster, rg));
    };
    let id = format!("{}/maintenanceConfigurations/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &MaintenanceConfiguration)
}

#[cfg(test)]
mod tests {
    use super::{check_window, clock, offset};
    use serde_json::json;

    #[test]
    fn times_and_offsets_are_checked_as_the_spec_spells_them() {
        assert!(clock("00:00") && clock("23:59"));
        assert!(!clock("24:00") && !clock("9:00") && !clock("12:60") && !clock("12-00"));
        assert!(offset("+05:30") && offset("-08:00"));
        assert!(!offset("05:30") && !offset("+5:30"));
    }

    #[test]
    fn a_window_needs_one_schedule_a_duration_and_a_start() {
        let ok = json!({ "schedule": { "daily": { "intervalDays": 1 } }, "durationHours": 4, "startTime": "00:00" });
        assert!(check_window(&ok).is_ok());
        let two = json!({ "schedule": { "daily": { "intervalDays": 1 }, "weekly": { "intervalWeeks": 1, "dayOfWeek": "Monday" } }, "durationHours": 4, "startTime": "00:00" });
        assert!(check_window(&two).is_err());
        let short = json!({ "schedule": { "daily": { "intervalDays": 1 } }, "durationHours": 3, "startTime": "00:00" });
        assert!(check_window(&short).is_err());
        let no_start =
            json!({ "schedule": { "daily": { "intervalDays": 1 } }, "durationHours": 4 });
        assert!(check_window(&no_start).is_err());
    }
}
