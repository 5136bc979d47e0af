//! Backup policies for AKS clusters (`datasourceTypes: [Microsoft.ContainerService/managedClusters]`):
//! one scheduled backup rule to the Operational tier every 4, 6, 8, 12 or 24 hours, and retention
//! rules (one default) whose lifecycles may copy to the Vault tier, in the shapes the spec's
//! discriminators allow (`AzureBackupRule`, `AzureRetentionRule`, `ScheduleBasedTriggerContext`,
//! `AbsoluteDeleteOption`, the copy options).

use super::common::{AKS, POLICY_PROFILE, shown, user_error, vault_id};
use super::vault::{self, one_of};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::Profile;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

pub const TYPE: &str = "Microsoft.DataProtection/backupVaults/backupPolicies";
const STORES: &[&str] = &["OperationalStore", "VaultStore", "ArchiveStore"];
const COPY_OPTIONS: &[&str] = &[
    "CopyOnExpiryOption",
    "CustomCopyOption",
    "ImmediateCopyOption",
];
/// The backup frequencies AKS Backup offers, in hours.
const AKS_HOURS: &[u64] = &[4, 6, 8, 12, 24];

/// `…/backupVaults/{vault}/backupPolicies/{name}`.
pub fn policy(ctx: &mut Ctx<'_>, rg: &str, vault_name: &str, name: &str) -> Result<Resp, ArmError> {
    require_group(ctx, rg)?;
    let vault_id = vault_id(ctx, rg, vault_name);
    let Some(parent) = ctx.state.get(&vault_id).cloned() else {
        return Err(vault::missing(vault_name, rg));
    };
    let id = format!("{}/backupPolicies/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &Policy)
}

/// An ISO 8601 duration (`PT4H`, `P7D`, `P1W`, `P1M`, `P1Y`) in milliseconds.
pub fn duration_ms(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total = 0u64;
    let mut parse = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let (_, ms) = units.iter().find(|(u, _)| *u == c)?;
            total += number.parse::<u64>().ok()? * ms;
            number.clear();
        }
        number.is_empty().then_some(())
    };
    const H: u64 = 3_600_000;
    parse(
        date,
        &[
            ('Y', 365 * 24 * H),
            ('M', 30 * 24 * H),
            ('W', 7 * 24 * H),
            ('D', 24 * H),
        ],
    )?;
    parse(time, &[('H', H), ('M', 60_000), ('S', 1_000)])?;
    (total > 0).then_some(total)
}

/// The backup rule of a policy body (its `properties`).
fn backup_rule(props: &Value) -> Option<&Value> {
    props["policyRules"]
        .as_array()?
        .iter()
        .find(|r| r["objectType"] == "AzureBackupRule")
}

/// How often the policy backs up, in milliseconds of Azure's time.
pub fn interval_ms(policy: &Value) -> Option<u64> {
    let rule = backup_rule(&policy["properties"])?;
    let interval = rule["trigger"]["schedule"]["repeatingTimeIntervals"][0].as_str()?;
    duration_ms(interval.rsplit('/').next()?)
}

/// How long the default retention rule keeps an Operational-tier recovery point, in milliseconds.
pub fn retention_ms(policy: &Value) -> Option<u64> {
    policy["properties"]["policyRules"]
        .as_array()?
        .iter()
        .filter(|r| r["objectType"] == "AzureRetentionRule" && r["isDefault"] == true)
        .flat_map(|r| r["lifecycles"].as_array().cloned().unwrap_or_default())
        .find(|l| l["sourceDataStore"]["dataStoreType"] == "OperationalStore")
        .and_then(|l| duration_ms(l["deleteAfter"]["duration"].as_str()?))
}

/// Whether the policy keeps recovery points in the Vault tier (a lifecycle in, or copying to, it).
pub fn copies_to_vault(policy: &Value) -> bool {
    policy["properties"]["policyRules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["lifecycles"].as_array().cloned().unwrap_or_default())
        .any(|l| {
            l["sourceDataStore"]["dataStoreType"] == "VaultStore"
                || l["targetDataStoreCopySettings"]
                    .as_array()
                    .is_some_and(|c| {
                        c.iter()
                            .any(|c| c["dataStore"]["dataStoreType"] == "VaultStore")
                    })
        })
}

fn bad(target: &str, message: impl Into<String>) -> ArmError {
    user_error("UserErrorInvalidPolicyInput", target, message)
}

fn data_store(value: &Value, target: &str) -> Result<&'static str, ArmError> {
    if value["objectType"] != "DataStoreInfoBase" {
        return Err(bad(
            &format!("{target}.objectType"),
            "A data store is {objectType: DataStoreInfoBase, dataStoreType}.",
        ));
    }
    one_of(&value["dataStoreType"], STORES).ok_or_else(|| {
        bad(
            &format!("{target}.dataStoreType"),
            format!("dataStoreType must be one of {}.", STORES.join(", ")),
        )
    })
}

fn check_backup_rule(rule: &Value, at: &str) -> Result<(), ArmError> {
    if rule["name"].as_str().is_none_or(str::is_empty) {
        return Err(bad(&format!("{at}.name"), "A policy rule needs a name."));
    }
    if data_store(&rule["dataStore"], &format!("{at}.dataStore"))? != "OperationalStore" {
        return Err(bad(
            &format!("{at}.dataStore.dataStoreType"),
            "AKS backups are taken to the OperationalStore; the Vault tier is reached by a retention rule's copy.",
        ));
    }
    let params = &rule["backupParameters"];
    if params["objectType"] != "AzureBackupParams" || params["backupType"] != "Incremental" {
        return Err(bad(
            &format!("{at}.backupParameters"),
            "AKS backups take {objectType: AzureBackupParams, backupType: Incremental}.",
        ));
    }
    let trigger = &rule["trigger"];
    if trigger["objectType"] != "ScheduleBasedTriggerContext" {
        return Err(bad(
            &format!("{at}.trigger.objectType"),
            "AKS backups are scheduled: trigger.objectType ScheduleBasedTriggerContext.",
        ));
    }
    let intervals = trigger["schedule"]["repeatingTimeIntervals"]
        .as_array()
        .filter(|i| i.len() == 1)
        .ok_or_else(|| {
            bad(
                &format!("{at}.trigger.schedule.repeatingTimeIntervals"),
                "One repeating interval, e.g. R/2024-01-01T00:00:00+00:00/PT4H.",
            )
        })?;
    let text = intervals[0].as_str().unwrap_or_default();
    let parts: Vec<&str> = text.split('/').collect();
    let hours = (parts.len() == 3 && parts[0] == "R")
        .then(|| duration_ms(parts[2]))
        .flatten()
        .map(|ms| ms / 3_600_000);
    if !hours.is_some_and(|h| AKS_HOURS.contains(&h)) {
        return Err(bad(
            &format!("{at}.trigger.schedule.repeatingTimeIntervals[0]"),
            format!(
                "'{text}' is not an AKS backup schedule: R/<start>/PT<hours>H, every 4, 6, 8, 12 or 24 hours."
            ),
        ));
    }
    let tags = trigger["taggingCriteria"]
        .as_array()
        .filter(|t| !t.is_empty());
    if !tags.is_some_and(|t| t.iter().any(|c| c["isDefault"] == true)) {
        return Err(bad(
            &format!("{at}.trigger.taggingCriteria"),
            "taggingCriteria needs the default tag ({isDefault: true, tagInfo: {tagName: Default}, taggingPriority}).",
        ));
    }
    Ok(())
}

fn check_retention_rule(rule: &Value, at: &str) -> Result<(), ArmError> {
    if rule["name"].as_str().is_none_or(str::is_empty) {
        return Err(bad(&format!("{at}.name"), "A policy rule needs a name."));
    }
    let lifecycles = rule["lifecycles"]
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| {
            bad(
                &format!("{at}.lifecycles"),
                "A retention rule needs lifecycles.",
            )
        })?;
    for (j, l) in lifecycles.iter().enumerate() {
        let lat = format!("{at}.lifecycles[{j}]");
        data_store(&l["sourceDataStore"], &format!("{lat}.sourceDataStore"))?;
        let delete = &l["deleteAfter"];
        if delete["objectType"] != "AbsoluteDeleteOption"
            || delete["duration"].as_str().and_then(duration_ms).is_none()
        {
            return Err(bad(
                &format!("{lat}.deleteAfter"),
                "deleteAfter is {objectType: AbsoluteDeleteOption, duration: an ISO 8601 duration such as P7D}.",
            ));
        }
        for (k, c) in l["targetDataStoreCopySettings"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let cat = format!("{lat}.targetDataStoreCopySettings[{k}]");
            if one_of(&c["copyAfter"]["objectType"], COPY_OPTIONS).is_none() {
                return Err(bad(
                    &format!("{cat}.copyAfter.objectType"),
                    format!(
                        "copyAfter.objectType must be one of {}.",
                        COPY_OPTIONS.join(", ")
                    ),
                ));
            }
            data_store(&c["dataStore"], &format!("{cat}.dataStore"))?;
        }
    }
    Ok(())
}

/// The spec's shapes and what AKS Backup takes.
fn check(body: &Value) -> Result<(), ArmError> {
    let props = &body["properties"];
    if props["objectType"] != "BackupPolicy" {
        return Err(bad(
            "properties.objectType",
            "properties.objectType must be BackupPolicy.",
        ));
    }
    let types = props["datasourceTypes"].as_array();
    if !types
        .is_some_and(|t| t.len() == 1 && t[0].as_str().is_some_and(|t| t.eq_ignore_ascii_case(AKS)))
    {
        return Err(user_error(
            "UserErrorDataSourceTypeNotSupported",
            "properties.datasourceTypes",
            format!(
                "The emulator's backup policies are for AKS: datasourceTypes must be [\"{AKS}\"]."
            ),
        ));
    }
    let rules = props["policyRules"]
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| bad("properties.policyRules", "policyRules is required."))?;
    let mut backups = 0;
    let mut defaults = 0;
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("properties.policyRules[{i}]");
        match rule["objectType"].as_str() {
            Some("AzureBackupRule") => {
                backups += 1;
                check_backup_rule(rule, &at)?;
            }
            Some("AzureRetentionRule") => {
                if rule["isDefault"] == true {
                    defaults += 1;
                }
                check_retention_rule(rule, &at)?;
            }
            _ => {
                return Err(bad(
                    &format!("{at}.objectType"),
                    "A policy rule is an AzureBackupRule or an AzureRetentionRule.",
                ));
            }
        }
    }
    if backups != 1 || defaults != 1 {
        return Err(bad(
            "properties.policyRules",
            "An AKS policy has one AzureBackupRule and one default AzureRetentionRule (isDefault: true).",
        ));
    }
    Ok(())
}

/// Whether a backup instance of the policy's vault is protected under policy `id`.
fn in_use(state: &State, id: &str) -> bool {
    let Some(vault) = vault::of(state, id) else {
        return false;
    };
    super::common::children(state, &vault.id, "backupinstances")
        .into_iter()
        .filter_map(|bi| state.get(&format!("{}/backupInstances/{bi}", vault.id)))
        .any(|bi| {
            bi.body["properties"]["policyInfo"]["policyId"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case(id))
        })
}

#[derive(Debug)]
struct Policy;

impl ResourceType for Policy {
    fn profile(&self) -> &'static Profile {
        &POLICY_PROFILE
    }
    fn kind(&self) -> Kind {
        Kind::BackupPolicy
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "backupPolicy.delete"
    }
    fn render(&self, _state: &State, resource: &Resource) -> Value {
        shown(&resource.body)
    }
    fn not_found(&self, at: &At) -> ArmError {
        not_found(TYPE, &at.name, &at.rg)
    }

    fn check_delete(&self, ctx: &Ctx<'_>, resource: &Resource) -> Result<(), ArmError> {
        if in_use(ctx.state, &resource.id) {
            // hashicorp/terraform-provider-azurerm#20774: Azure's answer, code and message.
            return Err(ArmError::bad_request(
                "UserErrorDppPolicyObjectInUse",
                "Cannot delete the backup policy as one or more backup instances have been configured for protection with this policy.",
            ));
        }
        Ok(())
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        check(body)?;
        // A GUESS (docs/emulator-fidelity.md): azurerm makes every argument of an AKS backup
        // policy ForceNew and users replace a policy in use by a new one
        // (hashicorp/terraform-provider-azurerm#20774); the emulator refuses new rules for a
        // policy that instances use.
        if let Some(old) = existing
            && old.body["properties"]["policyRules"] != body["properties"]["policyRules"]
            && in_use(ctx.state, &old.id)
        {
            return Err(ArmError::bad_request(
                "UserErrorDppPolicyObjectInUse",
                "The rules of a backup policy that backup instances use cannot be changed: create a new policy, move the backup instances to it, then delete this one.",
            ));
        }
        let mut properties = body["properties"].clone();
        properties["datasourceTypes"] = json!([AKS]);
        let location = at
            .parent
            .as_ref()
            .and_then(|v| v.body["location"].as_str())
            .unwrap_or_default()
            .to_owned();
        Ok(Written {
            body: json!({ "id": at.id, "name": at.name, "type": TYPE, "properties": properties }),
            location,
            latency: "backupPolicy.put",
            completes: None,
            unchanged: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::rp::data_protection::policy::duration_ms;

    #[test]
    fn iso_durations_read_as_milliseconds() {
        assert_eq!(duration_ms("PT4H"), Some(4 * 3_600_000));
        assert_eq!(duration_ms("P7D"), Some(7 * 86_400_000));
        assert_eq!(duration_ms("P1W"), Some(7 * 86_400_000));
        assert_eq!(duration_ms("P1DT12H"), Some(36 * 3_600_000));
        assert_eq!(duration_ms("PT"), None);
        assert_eq!(duration_ms("4H"), None);
        assert_eq!(duration_ms("P4X"), None);
    }
}
