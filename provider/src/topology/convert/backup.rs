//! The `backup` block's AKS Backup settings and its `restore` block: config to model, planned
//! values, and what an apply writes back.

use super::{mode_of, number};
use crate::value::Value;
use bcdr::model::Backup;
use bcdr::topology::TopologyStatus;
use std::collections::BTreeMap;

/// The AKS Backup settings of the block `b` over `backup`.
pub(super) fn model(b: &Value, mut backup: Backup) -> Backup {
    if let Some(n) = number(b.get("frequency_hours")) {
        backup.frequency_hours = n;
    }
    if let Some(n) = number(b.get("retention_days")) {
        backup.retention_days = n;
    }
    if let Some(n) = number(b.get("vault_retention_days")) {
        backup.vault_retention_days = n;
    }
    if let Some(on) = b.get("cross_region_restore").as_bool() {
        backup.cross_region_restore = on;
    }
    backup
}

fn or(v: &Value, default: Value) -> Value {
    if v.is_null() { default } else { v.clone() }
}

/// Plans the block's AKS Backup attributes into `out` (the configured block).
pub(super) fn planned(
    config: &Value,
    block: &Value,
    before: &Value,
    subscription: Option<&str>,
    out: &mut BTreeMap<String, Value>,
) {
    let d = Backup::default();
    let num = |n: u32| Value::Number(f64::from(n));
    out.insert(
        "frequency_hours".into(),
        or(block.get("frequency_hours"), num(d.frequency_hours)),
    );
    out.insert(
        "retention_days".into(),
        or(block.get("retention_days"), num(d.retention_days)),
    );
    out.insert(
        "vault_retention_days".into(),
        or(
            block.get("vault_retention_days"),
            num(d.vault_retention_days),
        ),
    );
    out.insert(
        "cross_region_restore".into(),
        or(
            block.get("cross_region_restore"),
            Value::Bool(d.cross_region_restore),
        ),
    );
    let regions = config.get("region");
    let uncertain = regions
        .as_map()
        .into_iter()
        .flatten()
        .any(|(_, r)| r.get("mode").is_unknown());
    let name = config.get("name").as_str();
    out.insert(
        "vault_ids".into(),
        match (subscription, name) {
            (Some(sub), Some(name)) if !uncertain => Value::Map(
                regions
                    .as_map()
                    .into_iter()
                    .flatten()
                    .filter(|(_, r)| mode_of(r).has_cluster())
                    .map(|(region, _)| {
                        (
                            region.clone(),
                            Value::string(bcdr::layout::vault_id(sub, name, region)),
                        )
                    })
                    .collect(),
            ),
            _ => Value::Unknown,
        },
    );
    out.insert(
        "restore".into(),
        planned_restore(block.get("restore"), before.get("restore")),
    );
}

/// The restore block as planned: what the last restore recorded while `request` stays, unknown
/// (a restore at apply) when it changes.
fn planned_restore(config: &Value, before: &Value) -> Value {
    let Some(map) = config.as_map() else {
        return Value::Null;
    };
    let mut out = map.clone();
    let same = !config.get("request").is_unknown()
        && before.get("request") == config.get("request")
        && before.get("from_region") == config.get("from_region")
        && before.get("into_region") == config.get("into_region")
        && before.get("recovery_point").as_str().is_some();
    for attr in [
        "recovery_point",
        "recovery_point_time",
        "restored_at",
        "cross_region",
    ] {
        out.insert(
            attr.into(),
            if same {
                before.get(attr).clone()
            } else {
                Value::Unknown
            },
        );
    }
    Value::Map(out)
}

/// Whether the planned state asks for a restore at apply (its record is unknown).
pub fn restore_requested(planned: &Value) -> Option<(String, String)> {
    let r = planned.get("backup").get("restore");
    if !r.get("recovery_point").is_unknown() {
        return None;
    }
    Some((
        r.get("from_region").as_str()?.to_owned(),
        r.get("into_region").as_str()?.to_owned(),
    ))
}

/// Writes a restore's record into the state's restore block.
pub fn record_restore(state: &mut Value, restore: &bcdr::failover::Restore, at: &str) {
    let Value::Map(top) = state else { return };
    let Some(Value::Map(backup)) = top.get_mut("backup") else {
        return;
    };
    let Some(Value::Map(r)) = backup.get_mut("restore") else {
        return;
    };
    r.insert(
        "recovery_point".into(),
        Value::string(&restore.recovery_point),
    );
    r.insert(
        "recovery_point_time".into(),
        Value::string(&restore.recovery_point_time),
    );
    r.insert("restored_at".into(), Value::string(at));
    r.insert("cross_region".into(), Value::Bool(restore.cross_region));
}

/// The state's restore block put back to `prior`'s (a restore that failed is asked for again).
pub fn keep_prior_restore(state: &mut Value, prior: &Value) {
    let Value::Map(top) = state else { return };
    let Some(Value::Map(backup)) = top.get_mut("backup") else {
        return;
    };
    backup.insert("restore".into(), prior.get("backup").get("restore").clone());
}

/// Fills the block's computed AKS Backup values from `status` (vault ids) and settles a restore
/// record no restore filled (empty, so the state is wholly known).
pub(super) fn applied(backup: &mut BTreeMap<String, Value>, status: &TopologyStatus) {
    let vaults: BTreeMap<String, Value> = status
        .regions
        .iter()
        .filter(|(_, r)| !r.backup_vault_id.is_empty())
        .map(|(region, r)| (region.clone(), Value::string(&r.backup_vault_id)))
        .collect();
    // Known at plan (ids derive from the names) and kept: a region that did not answer reports
    // none, and its vault is still there.
    if backup.get("vault_ids").is_none_or(Value::is_unknown) {
        backup.insert("vault_ids".into(), Value::Map(vaults));
    }
    if let Some(Value::Map(r)) = backup.get_mut("restore") {
        for (attr, empty) in [
            ("recovery_point", Value::string("")),
            ("recovery_point_time", Value::string("")),
            ("restored_at", Value::string("")),
            ("cross_region", Value::Bool(false)),
        ] {
            if r.get(attr).is_none_or(Value::is_unknown) {
                r.insert(attr.into(), empty);
            }
        }
    }
}

/// The block's AKS Backup settings as configuration (for an imported topology).
pub(super) fn config(b: &Backup) -> Vec<(String, Value)> {
    let num = |n: u32| Value::Number(f64::from(n));
    vec![
        ("frequency_hours".into(), num(b.frequency_hours)),
        ("retention_days".into(), num(b.retention_days)),
        ("vault_retention_days".into(), num(b.vault_retention_days)),
        (
            "cross_region_restore".into(),
            Value::Bool(b.cross_region_restore),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(request: &str) -> Value {
        Value::Map(BTreeMap::from([(
            "restore".to_owned(),
            Value::Map(BTreeMap::from([
                ("from_region".to_owned(), Value::string("eastus")),
                ("into_region".to_owned(), Value::string("westus")),
                ("request".to_owned(), Value::string(request)),
            ])),
        )]))
    }

    #[test]
    fn a_restore_is_planned_when_its_request_changes_and_not_when_it_stays() {
        let mut out = BTreeMap::new();
        planned(&Value::Null, &block("1"), &Value::Null, None, &mut out);
        let planned_state = Value::Map(BTreeMap::from([("backup".to_owned(), Value::Map(out))]));
        assert_eq!(
            restore_requested(&planned_state),
            Some(("eastus".into(), "westus".into()))
        );
        // After the apply: the record is known; the same request plans nothing.
        let mut before = planned_state.get("backup").get("restore").clone();
        if let Value::Map(m) = &mut before {
            m.insert("recovery_point".into(), Value::string("rp1"));
            m.insert("recovery_point_time".into(), Value::string("t"));
            m.insert("restored_at".into(), Value::string("t"));
            m.insert("cross_region".into(), Value::Bool(true));
        }
        let prior = Value::Map(BTreeMap::from([("restore".to_owned(), before)]));
        let mut out = BTreeMap::new();
        planned(&Value::Null, &block("1"), &prior, None, &mut out);
        let again = Value::Map(BTreeMap::from([("backup".to_owned(), Value::Map(out))]));
        assert_eq!(restore_requested(&again), None);
        assert_eq!(
            again
                .get("backup")
                .get("restore")
                .get("recovery_point")
                .as_str(),
            Some("rp1")
        );
        let mut out = BTreeMap::new();
        planned(&Value::Null, &block("2"), &prior, None, &mut out);
        let changed = Value::Map(BTreeMap::from([("backup".to_owned(), Value::Map(out))]));
        assert!(restore_requested(&changed).is_some());
    }

    #[test]
    fn the_settings_default_as_the_sdk_does_and_read_back_into_the_model() {
        let mut out = BTreeMap::new();
        planned(
            &Value::Null,
            &Value::Map(BTreeMap::new()),
            &Value::Null,
            None,
            &mut out,
        );
        let b = Value::Map(out);
        assert_eq!(model(&b, Backup::default()), Backup::default());
        let set = Value::Map(BTreeMap::from([
            ("frequency_hours".to_owned(), Value::Number(12.0)),
            ("cross_region_restore".to_owned(), Value::Bool(false)),
        ]));
        let m = model(&set, Backup::default());
        assert_eq!((m.frequency_hours, m.cross_region_restore), (12, false));
    }
}
