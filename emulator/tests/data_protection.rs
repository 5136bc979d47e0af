//! Azure Backup for AKS (`Microsoft.DataProtection` 2024-04-01): vaults, policies, backup instances
//! and what Azure checks before it protects a cluster, and recovery points on the clock. Every
//! answer is checked against the spec kept in `tests/armspec/specs` (`support::conforms`), every
//! request body too (`backup::request_conforms`).

#[path = "support/backup.rs"]
mod backup;
mod support;

use backup::{Protected, dp, group, group_id, send};
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code};

#[tokio::test]
async fn a_vault_has_an_identity_storage_cross_region_restore_and_soft_delete() {
    let arm = Arm::start(backup::config()).await;
    group(&arm, "b", "eastus").await;
    let path = dp("b", "backupVaults/v");
    let body = backup::vault_body("eastus", "GeoRedundant", "Enabled");
    backup::request_conforms("PUT", &path, &body);
    let (status, headers, created) = arm.put(&path, body.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["properties"]["provisioningState"], "Provisioning");
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("op")
        .to_owned();
    assert!(
        op.contains("/providers/Microsoft.DataProtection/locations/eastus/operationStatus/"),
        "{op}"
    );
    let doc = backup::finished(&arm, &op).await;
    assert_eq!(doc["status"], "Succeeded", "{doc}");
    assert!(doc["endTime"].is_string());

    let (status, got) = arm.get(&path).await;
    assert_eq!(status, 200);
    let principal = got["identity"]["principalId"].as_str().unwrap_or_default();
    assert!(uuid::Uuid::parse_str(principal).is_ok(), "{got}");
    assert_eq!(got["identity"]["type"], "SystemAssigned");
    let props = &got["properties"];
    assert_eq!(props["provisioningState"], "Succeeded");
    assert_eq!(
        props["featureSettings"]["crossRegionRestoreSettings"]["state"],
        "Enabled"
    );
    assert_eq!(
        props["securitySettings"]["softDeleteSettings"],
        json!({ "state": "On", "retentionDurationInDays": 14.0 })
    );
    assert!(got.get("_emulator").is_none());

    // An update keeps the identity; Cross Region Restore cannot be turned off again.
    let mut off = body.clone();
    off["properties"]["featureSettings"]["crossRegionRestoreSettings"]["state"] = json!("Disabled");
    let (status, refused) = send(&arm, Method::PUT, &path, off).await;
    assert_eq!(
        (status, code(&refused)),
        (400, "UserErrorCrossRegionRestoreCannotBeDisabled")
    );
    assert_eq!(
        refused["error"]["target"],
        "properties.featureSettings.crossRegionRestoreSettings.state"
    );
    let (status, updated) = send(&arm, Method::PUT, &path, body).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["identity"]["principalId"], principal);

    // Cross Region Restore only on a geo-redundant vault.
    let lrs = backup::vault_body("eastus", "LocallyRedundant", "Enabled");
    let (status, refused) = send(&arm, Method::PUT, &dp("b", "backupVaults/lrs"), lrs).await;
    assert_eq!(
        (status, code(&refused)),
        (
            400,
            "UserErrorCrossRegionRestoreNotSupportedForVaultRedundancy"
        )
    );
    // Soft delete within 14 to 180 days.
    let mut long = backup::vault_body("eastus", "LocallyRedundant", "Disabled");
    long["properties"]["securitySettings"] =
        json!({ "softDeleteSettings": { "state": "On", "retentionDurationInDays": 365 } });
    let (status, refused) = send(&arm, Method::PUT, &dp("b", "backupVaults/long"), long).await;
    assert_eq!(
        (status, code(&refused)),
        (400, "UserErrorInvalidSoftDeleteRetentionDuration")
    );

    // Listed in the group and in the subscription.
    let (status, listed) = arm.get(&dp("b", "backupVaults")).await;
    assert_eq!(status, 200);
    assert_eq!(
        listed["value"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    let (status, listed) = arm
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.DataProtection/backupVaults?api-version=2024-04-01"
        ))
        .await;
    assert_eq!(
        (status, listed["value"][0]["name"].clone()),
        (reqwest::StatusCode::OK, json!("v"))
    );

    // The provider's registration lists its types at the pinned api-version.
    let (status, provider) = arm
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.DataProtection?api-version=2024-03-01"
        ))
        .await;
    assert_eq!(status, 200, "{provider}");
    assert_eq!(provider["registrationState"], "Registered");
    let types: Vec<&str> = provider["resourceTypes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["resourceType"].as_str())
        .collect();
    assert!(types.contains(&"backupVaults"), "{provider}");

    // A delete runs as an operation; the vault is gone after it.
    let (status, headers, _) = arm.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 202);
    assert!(headers.contains_key("location"));
    arm.gone(&path).await;
}

#[tokio::test]
async fn a_policy_takes_the_aks_shapes_the_spec_allows() {
    let arm = Arm::start(backup::config()).await;
    group(&arm, "b", "eastus").await;
    backup::vault(
        &arm,
        "b",
        "v",
        backup::vault_body("eastus", "LocallyRedundant", "Disabled"),
    )
    .await;
    let path = dp("b", "backupVaults/v/backupPolicies/p");

    let refused = |edit: &dyn Fn(&mut Value)| {
        let mut body = backup::policy_body();
        edit(&mut body);
        body
    };
    for (body, wanted, target) in [
        (
            refused(&|b| b["properties"]["datasourceTypes"] = json!(["Microsoft.Compute/disks"])),
            "UserErrorDataSourceTypeNotSupported",
            "properties.datasourceTypes",
        ),
        (
            refused(&|b| {
                b["properties"]["policyRules"][0]["trigger"]["schedule"]["repeatingTimeIntervals"] =
                    json!(["R/2024-01-01T00:00:00+00:00/PT5H"])
            }),
            "UserErrorInvalidPolicyInput",
            "properties.policyRules[0].trigger.schedule.repeatingTimeIntervals[0]",
        ),
        (
            refused(&|b| b["properties"]["policyRules"][1]["isDefault"] = json!(false)),
            "UserErrorInvalidPolicyInput",
            "properties.policyRules",
        ),
        (
            refused(&|b| {
                b["properties"]["policyRules"][1]["lifecycles"][0]["deleteAfter"]["duration"] =
                    json!("seven days")
            }),
            "UserErrorInvalidPolicyInput",
            "properties.policyRules[1].lifecycles[0].deleteAfter",
        ),
        (
            refused(&|b| {
                b["properties"]["policyRules"][0]["dataStore"]["dataStoreType"] =
                    json!("VaultStore")
            }),
            "UserErrorInvalidPolicyInput",
            "properties.policyRules[0].dataStore.dataStoreType",
        ),
    ] {
        let (status, answer) = send(&arm, Method::PUT, &path, body).await;
        assert_eq!((status, code(&answer)), (400, wanted), "{answer}");
        assert_eq!(answer["error"]["target"], target, "{answer}");
    }

    let (status, created) = send(&arm, Method::PUT, &path, backup::policy_body()).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(
        created["properties"]["datasourceTypes"],
        json!([backup::AKS])
    );
    assert_eq!(
        created["type"],
        "Microsoft.DataProtection/backupVaults/backupPolicies"
    );
    let (status, listed) = arm.get(&dp("b", "backupVaults/v/backupPolicies")).await;
    assert_eq!(
        (status, listed["value"][0]["name"].clone()),
        (reqwest::StatusCode::OK, json!("p"))
    );
    // Under a vault that does not exist: 404.
    let (status, answer) = send(
        &arm,
        Method::PUT,
        &dp("b", "backupVaults/none/backupPolicies/p"),
        backup::policy_body(),
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "ResourceNotFound"));
    let (status, _, _) = arm.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_backup_instance_waits_for_every_prerequisite_azure_checks() {
    let arm = Arm::start(backup::config()).await;
    group(&arm, "b", "eastus").await;
    group(&arm, "snap", "eastus").await;
    group(&arm, "w", "westus").await;
    let cluster = backup::cluster(&arm, "b", "aks", "eastus").await;
    let far = backup::cluster(&arm, "w", "far", "westus").await;
    let principal = backup::vault(
        &arm,
        "b",
        "v",
        backup::vault_body("eastus", "GeoRedundant", "Enabled"),
    )
    .await;
    let vault = backup::vault_id("b", "v");
    let (_, policy) = send(
        &arm,
        Method::PUT,
        &dp("b", "backupVaults/v/backupPolicies/p"),
        backup::policy_body(),
    )
    .await;
    let policy = policy["id"].as_str().expect("policy").to_owned();
    let path = dp("b", "backupVaults/v/backupInstances/aks");
    let body = backup::instance_body(&policy, &cluster, "eastus", &group_id("snap"));
    let attempt = |body: Value| {
        let (arm, path) = (&arm, path.clone());
        async move { send(arm, Method::PUT, &path, body).await }
    };
    let refused = |answer: &Value| {
        (
            code(answer).to_owned(),
            answer["error"]["target"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let on_cluster = "properties.dataSourceInfo.resourceID".to_owned();

    // A cluster in another region than the vault's.
    let (status, answer) = attempt(backup::instance_body(
        &policy,
        &far,
        "westus",
        &group_id("snap"),
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused(&answer),
        (
            "UserErrorVaultAndDataSourceInDifferentRegions".to_owned(),
            on_cluster.clone()
        )
    );
    // No backup extension, then one still installing.
    let (status, answer) = attempt(body.clone()).await;
    assert_eq!(
        (status, refused(&answer)),
        (
            400,
            (
                "UserErrorBackupExtensionNotInstalled".to_owned(),
                on_cluster.clone()
            )
        )
    );
    backup::extension(&arm, &cluster, "Creating").await;
    let (_, answer) = attempt(body.clone()).await;
    assert_eq!(code(&answer), "UserErrorBackupExtensionNotReady");
    backup::extension(&arm, &cluster, "Succeeded").await;
    // No Trusted Access between vault and cluster.
    let (_, answer) = attempt(body.clone()).await;
    assert_eq!(
        refused(&answer),
        (
            "UserErrorTrustedAccessGatewayReturnedForbidden".to_owned(),
            on_cluster.clone()
        )
    );
    backup::binding(&arm, &cluster, &vault).await;
    // The vault identity's Reader on the cluster, then on the snapshot resource group.
    let (_, answer) = attempt(body.clone()).await;
    assert_eq!(
        refused(&answer),
        ("UserErrorMissingRequiredPermissions".to_owned(), on_cluster)
    );
    backup::reader(&arm, &principal, &cluster).await;
    let (_, answer) = attempt(body.clone()).await;
    assert_eq!(
        refused(&answer),
        (
            "UserErrorMissingRequiredPermissions".to_owned(),
            "properties.policyInfo.policyParameters.dataStoreParametersList[0].resourceGroupId"
                .to_owned()
        )
    );
    backup::reader(&arm, &principal, &group_id("snap")).await;
    assert!(
        arm.get(&path).await.0 == 404,
        "nothing was written while refused"
    );

    // Everything in place: a long-running create, ConfiguringProtection, then ProtectionConfigured.
    backup::request_conforms("PUT", &path, &body);
    let (status, headers, created) = arm.put(&path, body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["properties"]["currentProtectionState"],
        "ConfiguringProtection"
    );
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("op")
        .to_owned();
    assert_eq!(backup::finished(&arm, &op).await["status"], "Succeeded");
    let (_, got) = arm.get(&path).await;
    assert_eq!(
        got["properties"]["currentProtectionState"],
        "ProtectionConfigured"
    );
    assert_eq!(
        got["properties"]["protectionStatus"]["status"],
        "ProtectionConfigured"
    );
    assert_eq!(got["properties"]["provisioningState"], "Succeeded");
    let (status, listed) = arm.get(&dp("b", "backupVaults/v/backupInstances")).await;
    assert_eq!(
        (status, listed["value"][0]["name"].clone()),
        (reqwest::StatusCode::OK, json!("aks"))
    );
    // The policy is in use.
    let (status, _, answer) = arm
        .call(
            Method::DELETE,
            &dp("b", "backupVaults/v/backupPolicies/p"),
            None,
        )
        .await;
    assert_eq!(
        (status.as_u16(), code(&answer)),
        (400, "UserErrorDppPolicyObjectInUse")
    );
}

/// The way a policy in use is replaced (hashicorp/terraform-provider-azurerm#20774): a new policy,
/// the instance moved to it (Update-AzDataProtectionBackupInstanceAssociatedPolicy re-PUTs the
/// instance with another `policyId`), then the old one deleted.
#[tokio::test]
async fn a_policy_in_use_is_replaced_by_moving_its_instances_to_a_new_one() {
    let arm = Arm::start(backup::config()).await;
    let p = backup::protect(
        &arm,
        "b",
        "eastus",
        backup::vault_body("eastus", "LocallyRedundant", "Disabled"),
    )
    .await;
    let old_path = dp("b", "backupVaults/vault/backupPolicies/aks");
    let every_8h = || {
        let mut body = backup::policy_body();
        body["properties"]["policyRules"][0]["trigger"]["schedule"]["repeatingTimeIntervals"] =
            json!(["R/2024-01-01T00:00:00+00:00/PT8H"]);
        body
    };
    // Deleting it while the instance uses it: Azure's 400.
    let (status, _, answer) = arm.call(Method::DELETE, &old_path, None).await;
    assert_eq!(
        (status.as_u16(), code(&answer)),
        (400, "UserErrorDppPolicyObjectInUse")
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("one or more backup instances")),
        "{answer}"
    );
    // New rules for it: refused; the same rules again: accepted.
    let (status, answer) = send(&arm, Method::PUT, &old_path, every_8h()).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "UserErrorDppPolicyObjectInUse"),
        "{answer}"
    );
    let (status, answer) = send(&arm, Method::PUT, &old_path, backup::policy_body()).await;
    assert_eq!(status, 200, "{answer}");

    // A new policy, the instance moved to it (same datasource), then the old one deleted.
    let new_path = dp("b", "backupVaults/vault/backupPolicies/aks-8h");
    let (status, created) = send(&arm, Method::PUT, &new_path, every_8h()).await;
    assert_eq!(status, 200, "{created}");
    let new_id = created["id"].as_str().expect("policy id").to_owned();
    assert_ne!(new_id, p.policy);
    let body = backup::instance_body(&new_id, &p.cluster, "eastus", &group_id("b-snapshots"));
    backup::request_conforms("PUT", &p.instance_path, &body);
    let (status, headers, moved) = arm.put(&p.instance_path, body).await;
    assert_eq!(status, 200, "{moved}");
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("op")
        .to_owned();
    assert_eq!(backup::finished(&arm, &op).await["status"], "Succeeded");
    let (_, got) = arm.get(&p.instance_path).await;
    assert_eq!(got["properties"]["policyInfo"]["policyId"], json!(new_id));
    assert_eq!(
        got["properties"]["currentProtectionState"],
        "ProtectionConfigured"
    );
    let (status, _, answer) = arm.call(Method::DELETE, &old_path, None).await;
    assert_eq!(status.as_u16(), 200, "{answer}");
    assert_eq!(arm.get(&old_path).await.0, 404);
    let (status, _, answer) = arm.call(Method::DELETE, &new_path, None).await;
    assert_eq!(
        (status.as_u16(), code(&answer)),
        (400, "UserErrorDppPolicyObjectInUse")
    );
}

/// The recovery points of an instance, newest first.
async fn points(arm: &Arm, p: &Protected) -> Vec<Value> {
    let path = p
        .instance_path
        .replace("?api-version", "/recoveryPoints?api-version");
    let (status, listed) = arm.get(&path).await;
    assert_eq!(status, 200, "{listed}");
    listed["value"].as_array().cloned().unwrap_or_default()
}

fn stores(point: &Value) -> Vec<String> {
    point["properties"]["recoveryPointDataStoresDetails"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["type"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn recovery_points_follow_the_policy_schedule_with_vault_tier_copies() {
    let arm = Arm::start(backup::config()).await;
    let p = backup::protect(
        &arm,
        "b",
        "eastus",
        backup::vault_body("eastus", "GeoRedundant", "Enabled"),
    )
    .await;
    // The first at once; the first of the day has a Vault-tier copy.
    let first = points(&arm, &p).await;
    assert!(!first.is_empty());
    let oldest = first.last().cloned().expect("a point");
    assert_eq!(
        stores(&oldest),
        ["OperationalStore", "VaultStore"],
        "{oldest}"
    );
    // One per 4-hour interval (144 ms at this scale).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let later = points(&arm, &p).await;
    assert!(
        later.len() >= first.len() + 3,
        "{} then {}",
        first.len(),
        later.len()
    );
    assert_eq!(later.last(), Some(&oldest), "the first point is still kept");
    assert_eq!(
        stores(&later[0]),
        ["OperationalStore"],
        "not the first of its day"
    );
    // Each is readable on its own.
    let id = later[0]["name"].as_str().expect("id");
    let (status, one) = arm
        .get(
            &p.instance_path
                .replace("?api-version", &format!("/recoveryPoints/{id}?api-version")),
        )
        .await;
    assert_eq!(
        (status, one["properties"]["recoveryPointId"].clone()),
        (reqwest::StatusCode::OK, json!(id))
    );
    assert_eq!(
        one["properties"]["objectType"],
        "AzureBackupDiscreteRecoveryPoint"
    );
}
