//! AKS Backup restores: into a cluster of the vault's region (`backupInstances/{bi}/restore`), and
//! across regions into the vault region's Azure pair while the source region is down
//! (`locations/{pair}/crossRegionRestore`, with `fetchSecondaryRecoveryPoints`), as jobs whose
//! effect the emulator records on the target cluster (`Emulator::restored_into`). Every answer is
//! checked against the kept spec, every request body too.

#[path = "support/backup.rs"]
mod backup;
mod support;

use arm_emulator::RegionDown;
use backup::{dp, group, group_id, send};
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, code};

/// The newest recovery point of the instance at `instance_path` holding a `store` copy.
async fn newest(arm: &Arm, instance_path: &str, store: &str) -> String {
    let path = instance_path.replace("?api-version", "/recoveryPoints?api-version");
    let (_, listed) = arm.get(&path).await;
    listed["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| {
            p["properties"]["recoveryPointDataStoresDetails"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["type"] == store))
        })
        .and_then(|p| p["name"].as_str())
        .expect("a recovery point")
        .to_owned()
}

/// A POST answered 202 with both operation headers; the status URL once the operation ended, and
/// its final document.
async fn accepted(arm: &Arm, path: &str, body: Value, region: &str) -> (String, Value) {
    backup::request_conforms("POST", path, &body);
    let (status, headers, answer) = arm.call(Method::POST, path, Some(body)).await;
    assert_eq!(status, 202, "{answer}");
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("op")
        .to_owned();
    let result = headers["location"].to_str().expect("location").to_owned();
    let at = format!("/providers/Microsoft.DataProtection/locations/{region}/");
    assert!(op.contains(&format!("{at}operationStatus/")), "{op}");
    assert!(
        result.contains(&format!("{at}operationResults/")),
        "{result}"
    );
    let doc = backup::finished(arm, &op).await;
    assert_eq!(doc["status"], "Succeeded", "{doc}");
    let (status, done) = arm.get(&result).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["objectType"], "OperationJobExtendedInfo");
    assert_eq!(done["jobId"], doc["properties"]["jobId"]);
    (op, doc)
}

#[tokio::test]
async fn a_restore_runs_as_a_job_and_lands_on_the_target_cluster() {
    let arm = Arm::start(backup::config()).await;
    let p = backup::protect(
        &arm,
        "b",
        "eastus",
        backup::vault_body("eastus", "LocallyRedundant", "Disabled"),
    )
    .await;
    let target = backup::cluster(&arm, "b", "restored", "eastus").await;
    let rp = newest(&arm, &p.instance_path, "OperationalStore").await;
    let path = p
        .instance_path
        .replace("?api-version", "/restore?api-version");
    let body = backup::restore_body(&rp, "OperationalStore", &target, "eastus", None);

    // The target cluster needs the extension, then Trusted Access with the vault.
    let on_target = "parameters.restoreTargetInfo.datasourceInfo.resourceID";
    let (status, answer) = send(&arm, Method::POST, &path, body.clone()).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "UserErrorBackupExtensionNotInstalled")
    );
    assert_eq!(answer["error"]["target"], on_target);
    backup::extension(&arm, &target, "Succeeded");
    let (_, answer) = send(&arm, Method::POST, &path, body.clone()).await;
    assert_eq!(
        code(&answer),
        "UserErrorTrustedAccessGatewayReturnedForbidden"
    );
    backup::binding(&arm, &target, &p.vault);
    // A recovery point the instance does not have; a target in another region.
    let (_, answer) = send(
        &arm,
        Method::POST,
        &path,
        backup::restore_body("nope", "OperationalStore", &target, "eastus", None),
    )
    .await;
    assert_eq!(code(&answer), "UserErrorRecoveryPointNotFound");
    group(&arm, "w", "westus").await;
    let far = backup::cluster(&arm, "w", "far", "westus").await;
    let (_, answer) = send(
        &arm,
        Method::POST,
        &path,
        backup::restore_body(&rp, "OperationalStore", &far, "westus", None),
    )
    .await;
    assert_eq!(code(&answer), "UserErrorRestoreTargetInDifferentRegion");
    assert!(arm.emulator.restored_into(&target).is_empty());

    let (_, doc) = accepted(&arm, &path, body, "eastus").await;
    let job = doc["properties"]["jobId"]
        .as_str()
        .expect("job id")
        .to_owned();
    let (status, got) = arm.get(&format!("{job}?api-version=2024-04-01")).await;
    assert_eq!(status, 200, "{got}");
    let props = &got["properties"];
    assert_eq!(props["status"], "Completed");
    assert_eq!(props["operationCategory"], "Restore");
    assert_eq!(props["restoreType"], "AlternateLocationRecovery");
    assert_eq!(
        props["extendedInfo"]["sourceRecoverPoint"]["recoveryPointID"],
        rp.as_str()
    );
    assert_eq!(
        props["extendedInfo"]["recoveryDestination"],
        target.as_str()
    );
    assert_eq!(arm.emulator.restored_into(&target.to_uppercase()), [rp]);
    let (status, jobs) = arm.get(&dp("b", "backupVaults/vault/backupJobs")).await;
    assert_eq!(
        (status, jobs["value"].as_array().map(Vec::len)),
        (reqwest::StatusCode::OK, Some(1))
    );
}

#[tokio::test]
async fn cross_region_restore_goes_to_the_pair_while_the_source_region_is_down() {
    let arm = Arm::start(backup::config()).await;
    let p = backup::protect(
        &arm,
        "east",
        "eastus",
        backup::vault_body("eastus", "GeoRedundant", "Enabled"),
    )
    .await;
    // The recovery cluster in West US, East US's pair, with the extension and Trusted Access.
    group(&arm, "west", "westus").await;
    let target = backup::cluster(&arm, "west", "aks", "westus").await;
    backup::extension(&arm, &target, "Succeeded");
    backup::binding(&arm, &target, &p.vault);
    group(&arm, "staging", "westus").await;
    let account = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/stagingwest",
        group_id("staging")
    );
    let (status, headers, _) = arm
        .put(
            &format!("{account}?api-version=2023-05-01"),
            json!({ "location": "westus", "kind": "StorageV2", "sku": { "name": "Standard_LRS" } }),
        )
        .await;
    assert_eq!(status, 202);
    let poll = headers["location"].to_str().expect("location").to_owned();
    for _ in 0..100 {
        if arm.get(&poll).await.0 == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    // The vault and a restore through it are out of reach with their region.
    let (status, answer) = arm.get(&p.instance_path).await;
    assert_eq!(
        (status.as_u16(), code(&answer)),
        (503, "ServiceUnavailable")
    );

    // The Vault-tier recovery points replicated to West US.
    let fetch = |location: &str| {
        dp(
            "west",
            &format!("locations/{location}/fetchSecondaryRecoveryPoints"),
        )
    };
    let source = json!({ "sourceRegion": "eastus", "sourceBackupInstanceId": p.instance });
    let (status, secondary) = send(&arm, Method::POST, &fetch("westus"), source.clone()).await;
    assert_eq!(status, 200, "{secondary}");
    let points = secondary["value"].as_array().cloned().unwrap_or_default();
    assert!(!points.is_empty(), "{secondary}");
    assert!(points.iter().all(|rp| {
        rp["properties"]["recoveryPointDataStoresDetails"]
            .as_array()
            .is_some_and(|d| d.len() == 1 && d[0]["type"] == "VaultStore")
    }));
    let rp = points[0]["name"].as_str().expect("id").to_owned();
    // Only the pair holds them.
    let (status, answer) = send(&arm, Method::POST, &fetch("centralus"), source).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "UserErrorCrossRegionRestoreNotAllowedInRegion")
    );

    let staging = Some((group_id("staging"), account.clone()));
    let request = |location: &str, store: &str| {
        json!({
            "restoreRequestObject": backup::restore_body(&rp, store, &target, location,
                staging.as_ref().map(|(g, a)| (g.as_str(), a.as_str()))),
            "crossRegionRestoreDetails": { "sourceRegion": "eastus", "sourceBackupInstanceId": p.instance },
        })
    };
    let crr = |location: &str| dp("west", &format!("locations/{location}/crossRegionRestore"));
    let (status, answer) = send(
        &arm,
        Method::POST,
        &crr("centralus"),
        request("centralus", "VaultStore"),
    )
    .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "UserErrorCrossRegionRestoreNotAllowedInRegion")
    );
    assert_eq!(answer["error"]["target"], "location");
    let mut operational = request("westus", "VaultStore");
    operational["restoreRequestObject"]["sourceDataStoreType"] = json!("OperationalStore");
    let (_, answer) = send(&arm, Method::POST, &crr("westus"), operational).await;
    assert_eq!(code(&answer), "InvalidRequestContent");
    assert_eq!(
        answer["error"]["target"],
        "parameters.restoreRequestObject.sourceDataStoreType"
    );

    let (_, doc) = accepted(
        &arm,
        &crr("westus"),
        request("westus", "VaultStore"),
        "westus",
    )
    .await;
    let job = doc["properties"]["jobId"].as_str().expect("job").to_owned();
    // Its job, read in the pair while East US is down.
    let (status, got) = send(
        &arm,
        Method::POST,
        &dp("west", "locations/westus/fetchCrossRegionRestoreJob"),
        json!({ "sourceRegion": "eastus", "sourceBackupVaultId": p.vault, "jobId": job }),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["properties"]["status"], "Completed");
    assert_eq!(got["properties"]["operationCategory"], "CrossRegionRestore");
    assert_eq!(got["properties"]["sourceDataStoreName"], "VaultStore");
    let (status, listed) = send(
        &arm,
        Method::POST,
        &dp("west", "locations/westus/fetchCrossRegionRestoreJobs"),
        json!({ "sourceRegion": "eastus", "sourceBackupVaultId": p.vault }),
    )
    .await;
    assert_eq!(
        (status, listed["value"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    assert_eq!(arm.emulator.restored_into(&target), [rp]);
    assert!(arm.emulator.restored_into(&p.cluster).is_empty());
}

#[tokio::test]
async fn cross_region_restore_needs_it_enabled_on_the_vault() {
    let arm = Arm::start(backup::config()).await;
    let p = backup::protect(
        &arm,
        "east",
        "eastus",
        backup::vault_body("eastus", "GeoRedundant", "Disabled"),
    )
    .await;
    group(&arm, "west", "westus").await;
    let source = json!({ "sourceRegion": "eastus", "sourceBackupInstanceId": p.instance });
    let path = dp("west", "locations/westus/fetchSecondaryRecoveryPoints");
    let (status, answer) = send(&arm, Method::POST, &path, source.clone()).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "UserErrorCrossRegionRestoreNotEnabled")
    );
    let mut wrong = source;
    wrong["sourceRegion"] = json!("westus");
    let (_, answer) = send(&arm, Method::POST, &path, wrong).await;
    assert_eq!(code(&answer), "UserErrorInvalidSourceRegion");
}
