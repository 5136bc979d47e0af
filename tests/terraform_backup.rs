//! AKS Backup through real Terraform (1.0.3, and a newer `terraform` from PATH when there is one),
//! on East US (hot) and West US (warm), an Azure pair: `backup {}` applies a vault per region, the
//! extension, trusted access, the roles and East US's backup instance; the second plan is empty;
//! import rebuilds the block with its settings; a topology made before AKS Backup (the RA-GRS
//! account with a container per cluster only) migrates with creates and updates alone, nothing
//! deleted; bad input is refused at plan naming the attribute; with East US down a `restore` block
//! restores its latest backup into West US once (Cross Region Restore), the same `request` plans
//! nothing; new `frequency_hours` make a new policy the instance moves to, the old one deleted;
//! destroy leaves the emulator empty.

mod support;

use bcdr::layout::{self, ResourceKey};
use std::path::Path;
use support::{Harness, SUBSCRIPTION, terraform};

fn pair(backup: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "bk"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }}
  region "westus" {{
    vnet_cidr = "10.2.0.0/16"
    mode      = "warm"
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
  {backup}
}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_apply_import_restore_and_destroy() {
    for (tf, version) in terraform::each() {
        backups_on(&tf, &version).await;
    }
}

async fn backups_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-backup")).await;
    h.config(&pair("backup {\n    retention_days = 14\n  }"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    let backup = &state["backup"];
    for r in ["eastus", "westus"] {
        assert!(
            backup["vault_ids"][r]
                .as_str()
                .is_some_and(|id| id.ends_with(&format!("/backupVaults/bv-bk-{r}"))),
            "{backup:#}"
        );
    }
    assert_eq!(backup["frequency_hours"], 4, "{backup:#}");
    assert_eq!(backup["cross_region_restore"], true, "{backup:#}");
    let ids = h.emulator.resource_ids();
    assert!(
        ids.iter().any(|id| id
            .to_ascii_lowercase()
            .ends_with("/backupvaults/bv-bk-eastus/backupinstances/aks-bk-eastus")),
        "East US's cluster is backed up: {ids:#?}"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "a second plan shows no changes:\n{}", plan.all());

    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    let id = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-bk-global");
    h.tf_ok(&["import", "bcdr_topology.dr", &id]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "an imported topology plans no changes:\n{}",
        plan.all()
    );
    assert_eq!(h.state_values().await["backup"]["retention_days"], 14);

    // Bad input, refused at plan with the attribute named.
    h.config(&pair("backup {\n    frequency_hours = 5\n  }"));
    let out = h.tf(&["plan"]).await;
    assert_ne!(out.code, 0);
    assert!(
        out.words().contains("backup.frequency_hours") || out.words().contains("frequency_hours"),
        "{}",
        out.all()
    );
    assert!(
        out.words().contains("every 4, 6, 8 or 12 hours"),
        "{}",
        out.all()
    );
    h.config(&pair(
        "backup {\n    cross_region_restore = true\n    vault_retention_days = 0\n  }",
    ));
    let out = h.tf(&["plan"]).await;
    assert_ne!(out.code, 0);
    assert!(
        out.words()
            .contains("Cross Region Restore without a Vault tier"),
        "{}",
        out.all()
    );

    // East US down: restore its latest backup into West US, once.
    let restore = |request: &str| {
        pair(&format!(
            "backup {{\n    retention_days = 14\n    restore {{\n      from_region = \"eastus\"\n      into_region = \"westus\"\n      request     = \"{request}\"\n    }}\n  }}"
        ))
    };
    h.emulator
        .take_region_down("eastus", arm_emulator::RegionDown::Fail);
    h.config(&restore("drill-1"));
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let record = h.state_values().await["backup"]["restore"].clone();
    assert_eq!(record["cross_region"], true, "{record:#}");
    assert!(
        record["recovery_point"]
            .as_str()
            .is_some_and(|p| !p.is_empty()),
        "{record:#}"
    );
    assert!(
        h.writes()
            .iter()
            .any(|w| w.path.ends_with("/locations/westus/crossRegionRestore") && w.status < 300),
        "{:#?}",
        h.writes()
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "the same request restores nothing:\n{}",
        plan.all()
    );
    h.emulator.restore_region("eastus");

    // New settings: a new policy (Azure changes and deletes no policy in use, azurerm#20774), the
    // instance moved to it, the old one deleted; the next plan is empty.
    h.config(&pair(
        "backup {\n    retention_days  = 14\n    frequency_hours = 8\n  }",
    ));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "new settings converge:\n{}", plan.all());
    let policy = |hours| {
        ResourceKey::AksBackup {
            region: "eastus".into(),
            part: layout::BackupPart::Policy(bcdr::names::aks_backup_policy(hours, 14, 30)),
        }
        .id(SUBSCRIPTION, "bk")
    };
    let has = |id: &str| {
        h.emulator
            .resource_ids()
            .iter()
            .any(|r| r.eq_ignore_ascii_case(id))
    };
    assert!(!has(&policy(4)), "the old policy is gone");
    assert!(has(&policy(8)), "the new policy exists");
    let instance = ResourceKey::AksBackup {
        region: "eastus".into(),
        part: layout::BackupPart::Instance,
    };
    let got = h
        .arm()
        .get(&instance.id(SUBSCRIPTION, "bk"), instance.api_version())
        .await
        .expect("instance read")
        .expect("instance exists");
    assert!(
        got["properties"]["policyInfo"]["policyId"]
            .as_str()
            .is_some_and(|p| p.eq_ignore_ascii_case(&policy(8))),
        "the instance uses the new policy: {got:#}"
    );

    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(
        h.emulator.resource_ids().is_empty(),
        "destroy leaves nothing behind: {:#?}",
        h.emulator.resource_ids()
    );
}

/// A topology made before AKS Backup: the RA-GRS account with a container per cluster. Made here
/// without the backup block, the account and containers written by hand as the old version wrote
/// them, then imported with `backup {}`: the plan adds AKS Backup and deletes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_backup_topology_migrates_without_a_delete() {
    let (tf, version) = terraform::each().remove(0);
    let h = Harness::new(&tf, &format!("tf-{version}-backup-migration")).await;
    h.config(&pair(""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let mut old = bcdr::Topology::new("bk")
        .region(bcdr::Region::new("eastus", "10.1.0.0/16"))
        .region(bcdr::Region::new("westus", "10.2.0.0/16").mode(bcdr::model::RegionMode::Warm))
        .backup(bcdr::model::Backup::default());
    old.regions[0].role = bcdr::model::RegionRole::Primary;
    let arm = h.arm();
    for d in layout::desired(&old, SUBSCRIPTION).into_iter().filter(|d| {
        matches!(
            d.key,
            ResourceKey::StorageAccount | ResourceKey::BackupContainer(_)
        )
    }) {
        arm.put(&d.id, d.key.api_version(), &d.body, &[])
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", d.key));
    }
    h.config(&pair("backup {}"));
    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    let id = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-bk-global");
    h.tf_ok(&["import", "bcdr_topology.dr", &id]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "AKS Backup is added:\n{}", plan.all());
    assert!(plan.words().contains("0 to destroy"), "{}", plan.all());
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let deletes: Vec<_> = h
        .writes()
        .into_iter()
        .filter(|w| w.method == "DELETE")
        .map(|w| w.path)
        .collect();
    assert!(deletes.is_empty(), "nothing deleted: {deletes:#?}");
    let account = ResourceKey::StorageAccount.id(SUBSCRIPTION, "bk");
    assert!(
        h.emulator
            .resource_ids()
            .iter()
            .any(|id| id.eq_ignore_ascii_case(&account)),
        "the old account stays"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "{}", plan.all());
}
