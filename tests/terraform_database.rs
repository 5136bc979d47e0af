//! The `database` block through real Terraform (1.0.3, and again on a newer `terraform` from PATH
//! when there is one), against the emulator's PostgreSQL flexible servers: East US the primary and
//! hot, West US warm with a geo read replica. Bad input is refused at plan naming the attribute;
//! apply; no changes; import; drift repair (the virtual endpoint deleted behind Terraform's back);
//! a failover by mode swap while East US is down, which promotes West US's replica (forced: a planned
//! switchover is refused while the primary's region is down) before the Traffic Manager write; East
//! US back, its server a replica of West US's; failback on request (planned); destroy to an empty
//! emulator.

mod support;

use std::path::Path;
use support::{Harness, terraform};

const GROUP: &str = "6a1b3c4d-0000-4000-8000-00000000d0b5";

fn shop(east: &str, west: &str, database: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "dbshop"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
    mode      = "{east}"
  }}
  region "westus" {{
    vnet_cidr  = "10.2.0.0/16"
    mode       = "{west}"
    node_count = 1
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
  database {{
    admin_group_object_id = "{GROUP}"
    admin_group_name      = "shop-dba"
    {database}
  }}
}}"#
    )
}

const REPLICA: &str = r#"replica_regions = ["westus"]"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_fails_over_with_the_traffic() {
    for (tf, version) in terraform::each() {
        a_database_fails_over_with_the_traffic_on(&tf, &version).await;
    }
}

fn server_path(region: &str) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/rg-dbshop-{region}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{}",
        support::SUBSCRIPTION,
        bcdr::names::database_server(support::SUBSCRIPTION, "dbshop", region)
    )
}

async fn a_database_fails_over_with_the_traffic_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-database")).await;

    // Bad input stops the plan at the attribute, before any write.
    for (database, attribute, words) in [
        (
            r#"replica_regions = ["eastus"]"#,
            "database.replica_regions",
            "Replica in the primary's own region",
        ),
        (
            "replica_regions = [\"westus\"]\n    tier = \"Burstable\"\n    sku_name = \"Standard_B1ms\"",
            "database.tier",
            "No replicas on the Burstable tier",
        ),
        (
            "replica_regions = [\"westus\"]\n    version = \"9.6\"",
            "database.version",
            "Unknown PostgreSQL version",
        ),
    ] {
        h.config(&shop("hot", "warm", database));
        let plan = h.tf(&["plan"]).await;
        let text = plan.words();
        assert_eq!(plan.code, 1, "{attribute} refused:\n{}", plan.all());
        assert!(text.contains(&format!("Error: {words}")), "{text}");
        assert!(
            text.contains(&format!("{attribute}:")),
            "the attribute is named: {text}"
        );
    }
    assert!(h.writes().is_empty(), "nothing written: {:#?}", h.writes());
    let cold_only = shop("cold", "cold", REPLICA);
    h.config(&cold_only);
    let plan = h.tf(&["plan"]).await;
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        plan.words().contains("Database with no hot region"),
        "{}",
        plan.all()
    );

    // Apply: both servers, private and Entra-only, the endpoint, the zone linked to both VNets.
    h.config(&shop("hot", "warm", REPLICA));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let ids = h.emulator.resource_ids();
    let count = |needle: &str| {
        ids.iter()
            .filter(|id| {
                id.to_ascii_lowercase()
                    .contains(&needle.to_ascii_lowercase())
            })
            .count()
    };
    assert_eq!(
        count("/flexibleServers/") - count("/administrators/") - count("/virtualendpoints/"),
        2,
        "{ids:#?}"
    );
    assert_eq!(count("/administrators/"), 2, "{ids:#?}");
    assert_eq!(count("/virtualendpoints/"), 1, "{ids:#?}");
    assert_eq!(
        count("/privateDnsZones/dbshop.private.postgres.database.azure.com/virtualNetworkLinks/"),
        2,
        "{ids:#?}"
    );
    let state = h.state_values().await;
    let db = &state["database"];
    assert!(
        db["write_host"]
            .as_str()
            .is_some_and(|w| w.ends_with(".writer.postgres.database.azure.com")),
        "{db:#}"
    );
    assert_eq!(db["primary_region"], "eastus", "{db:#}");
    assert_eq!(db["roles"]["eastus"], "Primary", "{db:#}");
    assert!(
        db["roles"]["westus"]
            .as_str()
            .is_some_and(|r| r.ends_with("Replica")),
        "{db:#}"
    );
    let state_file = std::fs::read_to_string(h.dir.join("terraform.tfstate")).expect("state file");
    assert!(
        !state_file.to_ascii_lowercase().contains("password\": \"")
            && !state_file.contains("administratorLoginPassword"),
        "no password in the state"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes once applied:\n{}", plan.all());

    // Import.
    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    let id = format!(
        "/subscriptions/{}/resourceGroups/rg-dbshop-global",
        support::SUBSCRIPTION
    );
    h.tf_ok(&["import", "bcdr_topology.dr", &id]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "an imported database plans no changes:\n{}",
        plan.all()
    );

    // Drift: the virtual endpoint deleted behind Terraform's back; the plan shows it, apply repairs it.
    let arm = h.arm();
    let endpoint = format!(
        "{}/virtualendpoints/{}",
        server_path("eastus"),
        bcdr::names::database_endpoint(support::SUBSCRIPTION, "dbshop")
    );
    arm.delete(&endpoint, "2024-08-01")
        .await
        .expect("delete endpoint");
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "drift shows:\n{}", plan.all());
    assert!(
        plan.all().contains("database read-write endpoint"),
        "{}",
        plan.all()
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert!(
        arm.get(&endpoint, "2024-08-01")
            .await
            .expect("get")
            .is_some(),
        "the endpoint is back"
    );
    assert_eq!(h.plan_code().await.0, 0, "repaired: no changes left");

    // Failover while East US is down: West US's replica promoted (forced) before the traffic moves.
    h.emulator
        .take_region_down("eastus", arm_emulator::RegionDown::Fail);
    h.config(&shop("warm", "hot", REPLICA));
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let log = h.emulator.requests();
    let west = server_path("westus").to_ascii_lowercase();
    let promotion = log
        .iter()
        .position(|r| r.method == "PATCH" && r.path.to_ascii_lowercase() == west)
        .unwrap_or_else(|| panic!("West US's server promoted: {log:#?}"));
    assert!(log[promotion].status < 300, "{:#?}", log[promotion]);
    let traffic = log
        .iter()
        .position(|r| {
            r.method == "PUT"
                && r.path
                    .to_ascii_lowercase()
                    .contains("/trafficmanagerprofiles/")
        })
        .unwrap_or_else(|| panic!("the traffic moves: {log:#?}"));
    assert!(
        promotion < traffic,
        "the promotion comes before the traffic write: {log:#?}"
    );
    let state = h.state_values().await;
    assert_eq!(state["database"]["primary_region"], "westus", "{state:#}");
    assert_eq!(state["database"]["roles"]["westus"], "Primary", "{state:#}");
    assert_eq!(
        state["region"]["westus"]["endpoint_status"], "Enabled",
        "{state:#}"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes after the failover:\n{}", plan.all());

    // East US back: its server rejoined as West US's replica; nothing to do.
    h.emulator.restore_region("eastus");
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    assert!(
        state["database"]["roles"]["eastus"]
            .as_str()
            .is_some_and(|r| r.ends_with("Replica")),
        "{state:#}"
    );
    assert_eq!(h.plan_code().await.0, 0, "converged with East US back");

    // Failback on request: East US promoted back (planned), then the traffic.
    h.config(&shop("hot", "warm", REPLICA));
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let log = h.emulator.requests();
    let east = server_path("eastus").to_ascii_lowercase();
    let promotion = log
        .iter()
        .position(|r| r.method == "PATCH" && r.path.to_ascii_lowercase() == east)
        .unwrap_or_else(|| panic!("East US's server promoted back: {log:#?}"));
    let traffic = log
        .iter()
        .position(|r| {
            r.method == "PUT"
                && r.path
                    .to_ascii_lowercase()
                    .contains("/trafficmanagerprofiles/")
        })
        .unwrap_or_else(|| panic!("the traffic moves back: {log:#?}"));
    assert!(promotion < traffic, "{log:#?}");
    let state = h.state_values().await;
    assert_eq!(state["database"]["primary_region"], "eastus", "{state:#}");
    assert_eq!(h.plan_code().await.0, 0, "no changes after failback");

    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(
        h.emulator.resource_ids().is_empty(),
        "destroy leaves nothing behind: {:#?}",
        h.emulator.resource_ids()
    );
}
