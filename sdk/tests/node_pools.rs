//! The SDK against the emulator for node pools: an autoscaled, zonal system pool and two user pools
//! apply and plan no changes; the autoscaler moving the count is no drift; import rebuilds the
//! pools; a removed pool is deleted; destroy leaves nothing.

mod support;

use bcdr::engine::CancelSignal;
use bcdr::model::NodePool;
use bcdr::{ClusterSettings, Region, Topology};
use support::*;

#[tokio::test]
async fn pools_apply_import_shrink_and_destroy() {
    let (emulator, client) = setup(fast()).await;
    let east = ClusterSettings::default()
        .autoscale(2, 6)
        .zones(["1", "2", "3"])
        .user_pool(NodePool::new("apps", "Standard_D8ds_v5", 2).zones(["1", "2", "3"]))
        .user_pool(NodePool::new("batch", "Standard_D8ds_v5", 0).autoscale(0, 10));
    let t = Topology::new("pools")
        .region(Region::new("eastus", "10.1.0.0/16").with_cluster(east.clone()))
        .region(Region::new("westus", "10.2.0.0/16"));
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    assert!(!client.plan(&t).await.expect("plan").0.has_changes());
    let pools: Vec<String> = emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.contains("/agentPools/"))
        .collect();
    assert_eq!(pools.len(), 2, "{pools:#?}");

    // The autoscaler grows the system pool: not drift.
    let cluster = bcdr::layout::ResourceKey::ManagedCluster("eastus".into()).id(SUB, "pools");
    let mut body = client
        .arm()
        .get(&cluster, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster");
    body["properties"]["agentPoolProfiles"] =
        serde_json::json!([body["properties"]["agentPoolProfiles"][0].clone()]);
    body["properties"]["agentPoolProfiles"][0]["count"] = 5.into();
    client
        .arm()
        .put(&cluster, "2024-09-01", &body, &[])
        .await
        .expect("scale");
    assert!(!client.plan(&t).await.expect("plan").0.has_changes());

    let imported = client
        .import("pools")
        .await
        .expect("import")
        .expect("found");
    let east_imported = imported
        .regions
        .iter()
        .find(|r| r.name == "eastus")
        .map(|r| r.cluster.clone())
        .expect("eastus");
    assert_eq!(east_imported.autoscale, east.autoscale);
    assert_eq!(east_imported.zones, east.zones);
    let mut names: Vec<&str> = east_imported
        .user_pools
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["apps", "batch"]);

    let mut shrunk = t.clone();
    shrunk.regions[0]
        .cluster
        .user_pools
        .retain(|p| p.name == "apps");
    client
        .apply(&shrunk, CancelSignal::never(), &quiet)
        .await
        .expect("shrink");
    assert!(
        !emulator
            .resource_ids()
            .iter()
            .any(|id| id.ends_with("/agentPools/batch")),
        "{:#?}",
        emulator.resource_ids()
    );
    assert!(!client.plan(&shrunk).await.expect("plan").0.has_changes());
    destroy_to_nothing(&emulator, &client, "pools").await;
}
