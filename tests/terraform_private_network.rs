//! The registry and the backup storage reachable only from the topology's VNets, through real
//! Terraform (1.0.3, and again on a newer `terraform` from PATH when there is one): in every region a
//! private endpoint to each, the region's own `privatelink` zones linked to its VNet, the endpoints'
//! A records written there, so that each region's VNet resolves the registry (login server and its
//! own data endpoint) and the backup blobs to its OWN endpoint; the registry closed to the internet
//! and the storage denying by default. A second plan changes nothing; a region removed leaves nothing
//! of its private path behind (a cold one added first has its own at once); `registry { public_network_access = true }` is warned of.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{Harness, SUBSCRIPTION, terraform};

const NAME: &str = "private";
const NET: &str = "2024-03-01";

fn config(regions: &[(&str, &str)], registry: &str) -> String {
    let blocks: String = regions
        .iter()
        .map(|(r, cidr)| {
            let role = match *r {
                "eastus" => "role = \"primary\"",
                "centralus" => "mode = \"cold\"",
                _ => "mode = \"warm\"",
            };
            format!("  region \"{r}\" {{\n    vnet_cidr = \"{cidr}\"\n    {role}\n  }}\n")
        })
        .collect();
    format!(
        "resource \"bcdr_topology\" \"dr\" {{\n  name = \"{NAME}\"\n{blocks}  registry {{ {registry} }}\n  backup {{}}\n}}\n"
    )
}

const BOTH: [(&str, &str); 2] = [("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")];

fn rg(region: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-{NAME}-{region}")
}

fn vnet(region: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet-{NAME}-{region}",
        rg(region)
    )
}

fn endpoint(region: &str, service: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/privateEndpoints/pe-{NAME}-{region}-{service}",
        rg(region)
    )
}

/// The address an endpoint holds for `fqdn`.
fn address_of(endpoint: &Value, fqdn: &str) -> String {
    endpoint["properties"]["customDnsConfigs"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["fqdn"] == fqdn)
        .and_then(|c| c["ipAddresses"][0].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no address for {fqdn} in {endpoint:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_region_reaches_the_registry_and_the_backups_through_its_own_endpoint() {
    for (tf, version) in terraform::each() {
        private_network(&tf, &version).await;
    }
}

async fn private_network(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-private")).await;
    h.config(&config(&BOTH, ""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let registry = bcdr::names::registry(SUBSCRIPTION, NAME);
    let account = bcdr::names::backup_account(SUBSCRIPTION, NAME);
    let arm = h.arm();
    let mut seen = Vec::new();
    for region in ["eastus", "westus"] {
        let pe = arm
            .get(&endpoint(region, "registry"), NET)
            .await
            .expect("read")
            .expect("the registry endpoint exists");
        assert!(
            pe["properties"]["subnet"]["id"]
                .as_str()
                .is_some_and(|s| s
                    .eq_ignore_ascii_case(&format!("{}/subnets/private-endpoints", vnet(region)))),
            "{pe:#}"
        );
        let login = address_of(&pe, &format!("{registry}.azurecr.io"));
        let data = format!("{registry}.{region}.data.azurecr.io");
        assert_eq!(
            h.emulator
                .resolve(&vnet(region), &format!("{registry}.azurecr.io")),
            Some(vec![login.clone()]),
            "{region} resolves the login server to its own endpoint"
        );
        assert_eq!(
            h.emulator.resolve(&vnet(region), &data),
            Some(vec![address_of(&pe, &data)]),
            "{region} resolves its own data endpoint to its own endpoint"
        );
        let blob = arm
            .get(&endpoint(region, "blob"), NET)
            .await
            .expect("read")
            .expect("the blob endpoint exists");
        let host = format!("{account}.blob.core.windows.net");
        assert_eq!(
            h.emulator.resolve(&vnet(region), &host),
            Some(vec![address_of(&blob, &host)]),
            "{region} resolves the backup blobs to its own endpoint"
        );
        seen.push(login);
    }
    assert_ne!(seen[0], seen[1], "two endpoints, not one shared");
    assert!(
        seen[0].starts_with("10.1.255.") && seen[1].starts_with("10.2.255."),
        "{seen:?}"
    );
    let acr = arm
        .get(
            &format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-{NAME}-global/providers/Microsoft.ContainerRegistry/registries/{registry}"),
            "2023-07-01",
        )
        .await
        .expect("read")
        .expect("registry");
    assert_eq!(acr["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(acr["properties"]["adminUserEnabled"], false);
    let storage = arm
        .get(
            &format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-{NAME}-global/providers/Microsoft.Storage/storageAccounts/{account}"),
            "2023-05-01",
        )
        .await
        .expect("read")
        .expect("storage");
    assert_eq!(
        storage["properties"]["networkAcls"]["defaultAction"],
        "Deny"
    );
    assert_eq!(
        storage["properties"]["networkAcls"]["bypass"],
        "AzureServices"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "converged:\n{}", plan.all());

    // Opened to the internet on purpose: planned as an update and warned of.
    h.config(&config(&BOTH, "public_network_access = true"));
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    assert!(
        plan.words().contains("WARN registry-network"),
        "{}",
        plan.all()
    );

    // A third region, cold: it gets its own endpoints and zones at once.
    let three = [BOTH[0], BOTH[1], ("centralus", "10.3.0.0/16")];
    h.config(&config(&three, ""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let central = arm
        .get(&endpoint("centralus", "registry"), NET)
        .await
        .expect("read")
        .expect("a cold region's endpoint");
    let central_login = address_of(&central, &format!("{registry}.azurecr.io"));
    assert!(central_login.starts_with("10.3.255."), "{central_login}");
    assert_eq!(
        h.emulator
            .resolve(&vnet("centralus"), &format!("{registry}.azurecr.io")),
        Some(vec![central_login])
    );
    // Central US leaves: its endpoints, zones and links go with its group, nothing is left behind.
    h.config(&config(&BOTH, ""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let left: Vec<String> = h
        .emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.to_ascii_lowercase().contains("centralus"))
        .collect();
    assert!(left.is_empty(), "orphans: {left:#?}");
    for (i, region) in ["eastus", "westus"].into_iter().enumerate() {
        assert_eq!(
            h.emulator
                .resolve(&vnet(region), &format!("{registry}.azurecr.io")),
            Some(vec![seen[i].clone()]),
            "{region} still resolves to its own endpoint"
        );
    }
    assert_eq!(h.plan_code().await.0, 0, "converged");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}
