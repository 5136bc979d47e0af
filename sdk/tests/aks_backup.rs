//! AKS Backup through the emulator: a two-region pair (East US hot, West US warm) with backups
//! applies (a vault per region, the extension, trusted access, the roles and East US's backup
//! instance), plans nothing the second time, restores East US's latest backup into West US from the
//! vault while East US answers and through Cross Region Restore while it is down, refuses a restore
//! outside the pair, drills with the restore timed between failover and failback, is imported back
//! with its settings, and destroys to nothing.

mod support;

use arm_emulator::RegionDown;
use bcdr::engine::CancelSignal;
use bcdr::layout::{BackupPart, ResourceKey};
use bcdr::model::{Backup, RegionMode, RegionRole, RoutingMethod, TrafficManager};
use bcdr::{Region, Topology};
use support::*;

fn pair() -> Topology {
    let mut tm = TrafficManager::new(RoutingMethod::Priority);
    (tm.probe_interval, tm.probe_timeout, tm.tolerated_failures) = (10, 9, 1);
    Topology::new("bk")
        .region(Region::new("eastus", "10.1.0.0/16").role(RegionRole::Primary))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
        .traffic_manager(tm)
        .backup(Backup::default().frequency_hours(6).retention_days(14))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_apply_restore_across_the_pair_and_destroy_to_nothing() {
    let (emulator, client) = setup(fast()).await;
    let t = pair();
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .unwrap_or_else(|f| panic!("apply: {}", f.error));
    for r in ["eastus", "westus"] {
        let status = &applied.status.regions[r];
        assert!(
            status
                .backup_vault_id
                .ends_with(&format!("/backupVaults/bv-bk-{r}")),
            "{r}: {status:?}"
        );
        assert!(
            !status.backup_vault_principal_id.is_empty(),
            "{r}: the vault's identity"
        );
    }
    assert!(
        !applied.status.regions["eastus"]
            .backup_instance_id
            .is_empty()
    );
    assert!(
        applied.status.regions["westus"]
            .backup_instance_id
            .is_empty(),
        "a warm cluster is not backed up"
    );
    let (again, _) = client.plan(&t).await.expect("plan");
    let changes: Vec<String> = again
        .changes()
        .map(|o| format!("{} {}", o.action, o.key))
        .collect();
    assert!(changes.is_empty(), "{changes:#?}");

    // Into East US itself: its vault restores the operational tier.
    let restore = client
        .restore(&t, "eastus", "eastus", CancelSignal::never())
        .await
        .expect("restore");
    assert!(!restore.cross_region);
    assert_eq!(restore.source_store, "OperationalStore");
    assert!(!restore.recovery_point.is_empty());
    assert!(
        restore
            .steps
            .iter()
            .any(|s| s.what.starts_with("restore eastus -> eastus"))
    );
    // Into the pair while East US answers: Cross Region Restore from the Vault-tier copy there.
    let restore = client
        .restore(&t, "eastus", "westus", CancelSignal::never())
        .await
        .expect("restore into the pair");
    assert!(restore.cross_region);
    assert_eq!(restore.source_store, "VaultStore");

    // Outside the pair: refused before any request.
    let mut three = t.clone();
    three
        .regions
        .push(Region::new("centralus", "10.3.0.0/16").mode(RegionMode::Warm));
    let refused = client
        .restore(&three, "eastus", "centralus", CancelSignal::never())
        .await
        .expect_err("centralus is not East US's pair");
    assert!(
        refused.to_string().contains("restore into westus"),
        "{refused}"
    );

    // East US down: fail over, then Cross Region Restore from the copy in West US.
    emulator.take_region_down("eastus", RegionDown::Fail);
    let failover = client
        .failover(&t, "eastus", "westus", CancelSignal::never())
        .await
        .unwrap_or_else(|f| panic!("failover: {}", f.error));
    let crr = client
        .restore(
            &failover.topology,
            "eastus",
            "westus",
            CancelSignal::never(),
        )
        .await
        .expect("cross-region restore");
    assert!(crr.cross_region, "{crr:?}");
    assert_eq!(crr.source_store, "VaultStore");
    assert!(
        crr.steps
            .iter()
            .any(|s| s.what.starts_with("cross-region restore eastus -> westus")),
        "{:?}",
        crr.steps
    );
    // The failover backed West US up and kept East US's instance (it holds the backups).
    let status = client.status(&failover.topology).await.expect("status");
    assert!(!status.regions["westus"].backup_instance_id.is_empty());
    emulator.restore_region("eastus");
    // A new client: this one's breaker still remembers East US down.
    let client =
        bcdr::TopologyClient::new(bcdr::ArmClient::new(arm_config(&emulator)).expect("client"));

    let imported = client.import("bk").await.expect("import").expect("found");
    let backup = imported.backup.expect("backup block");
    assert_eq!((backup.frequency_hours, backup.retention_days), (6, 14));
    assert_eq!(backup.vault_retention_days, 30);
    assert!(backup.cross_region_restore);

    destroy_to_nothing(&emulator, &client, "bk").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drill_times_the_restore_between_failover_and_failback() {
    let (emulator, client) = setup(fast()).await;
    let t = pair();
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .unwrap_or_else(|f| panic!("apply: {}", f.error));
    let drill = client
        .drill(&t, "eastus", "westus")
        .await
        .unwrap_or_else(|f| panic!("drill: {}", f.error));
    let restore = drill
        .restore
        .expect("a topology with backups restores in the drill");
    assert_eq!(
        (restore.from_region.as_str(), restore.into_region.as_str()),
        ("eastus", "westus")
    );
    assert!(restore.steps.len() >= 2, "{:?}", restore.steps);
    assert!(restore.total >= restore.steps[0].took);
    let back = &drill.failback.topology;
    assert_eq!(back.regions[0].mode, RegionMode::Hot);
    let key = ResourceKey::AksBackup {
        region: "westus".into(),
        part: BackupPart::Instance,
    };
    let kept = client
        .arm()
        .get(&key.id(SUB, "bk"), key.api_version())
        .await
        .expect("read");
    assert!(
        kept.is_some() && back.regions[1].mode == RegionMode::Warm,
        "West US's instance, made while it served, stays with its backups"
    );
    destroy_to_nothing(&emulator, &client, "bk").await;
}
