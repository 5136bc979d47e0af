//! An independent scanner on what the provider makes: every complete example under
//! `examples/terraform/` is applied on the emulator with Terraform 1.0.3, every resource of its
//! topology is read back from ARM, written as an ARM deployment template and scanned by Checkov
//! (`--framework arm`, offline). Every check that fails must be explained in `docs/security.md`
//! (its `CKV_AZURE_<n>` / `CKV2_AZURE_<n>` ID appears there); a scan that ran no check fails too.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;
use support::{Harness, checkov, terraform};

/// The api-version the SDK reads and writes a resource type with (a child type goes with its
/// top-level type); `None` for a type the scan does not know (the test then fails: a resource of
/// the topology that is not scanned must be a decision, not an accident).
fn api_version(type_: &str) -> Option<&'static str> {
    use bcdr::arm::*;
    let t = type_.to_ascii_lowercase();
    let top = t.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
    Some(match top.as_str() {
        "microsoft.containerservice/managedclusters" => managed_cluster::API_VERSION,
        "microsoft.network/virtualnetworks" => virtual_network::API_VERSION,
        "microsoft.network/publicipaddresses" => public_ip::API_VERSION,
        "microsoft.network/privateendpoints" => private_endpoint::API_VERSION,
        "microsoft.network/privatednszones" => private_dns::API_VERSION,
        "microsoft.network/trafficmanagerprofiles" => traffic_manager::API_VERSION,
        "microsoft.network/frontdoorwebapplicationfirewallpolicies" => waf::API_VERSION,
        "microsoft.containerregistry/registries" => container_registry::API_VERSION,
        "microsoft.storage/storageaccounts" => storage::API_VERSION,
        "microsoft.operationalinsights/workspaces" => log_analytics::API_VERSION,
        "microsoft.cdn/profiles" => front_door::API_VERSION,
        "microsoft.resources/resourcegroups" => resource_group::API_VERSION,
        "microsoft.authorization/roleassignments" => role_assignment::API_VERSION,
        "microsoft.dataprotection/backupvaults" => data_protection::API_VERSION,
        "microsoft.kubernetesconfiguration/extensions" => k8s_extension::API_VERSION,
        "microsoft.dbforpostgresql/flexibleservers" => postgres::API_VERSION,
        _ => return None,
    })
}

/// Types left out of the template: Checkov has no check for them (asserted, so a Checkov that gains
/// one makes this test include them).
const LEFT_OUT: [&str; 2] = [
    "Microsoft.Resources/resourceGroups",
    "Microsoft.Authorization/roleAssignments",
];

/// Every `CKV_AZURE_<n>` and `CKV2_AZURE_<n>` ID in `text`.
fn check_ids(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for prefix in ["CKV_AZURE_", "CKV2_AZURE_"] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            let boundary = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
            if !digits.is_empty() && boundary {
                ids.insert(format!("{prefix}{digits}"));
            }
            rest = after;
        }
    }
    ids
}

/// The resource type in Checkov's name of a resource, `<Namespace>/<types>.<name>`.
fn type_of(resource: &str) -> &str {
    let slash = resource.find('/').unwrap_or(0);
    match resource[slash..].find('.') {
        Some(dot) => &resource[..slash + dot],
        None => resource,
    }
}

/// One example's scan.
struct Scanned {
    example: String,
    scan: checkov::Scan,
    seconds: f64,
}

/// Applies `example`, reads back every resource of its topology, scans them, destroys it.
async fn scan_example(example: &str, body: &str) -> Scanned {
    let h = Harness::new(&terraform::terraform_1_0_3(), &format!("checkov-{example}")).await;
    h.config(body);
    h.tf_ok(&["apply", "-auto-approve"]).await;

    let arm = h.arm();
    let mut ids = h.emulator.resource_ids();
    ids.sort();
    let mut resources = Vec::new();
    let mut left_out = 0;
    for id in &ids {
        let (type_, _) = checkov::type_and_name(id);
        let version = api_version(&type_).unwrap_or_else(|| {
            panic!("{example}: {id}: no api-version for {type_}: add it to the Checkov scan")
        });
        if LEFT_OUT.iter().any(|t| t.eq_ignore_ascii_case(&type_)) {
            assert!(
                !checkov::checks_type(&type_),
                "Checkov now has checks for {type_}: scan them too"
            );
            left_out += 1;
            continue;
        }
        let resource: Value = arm
            .get(id, version)
            .await
            .unwrap_or_else(|e| panic!("{example}: GET {id}: {e}"))
            .unwrap_or_else(|| panic!("{example}: {id} is listed but not found"));
        resources.push((version.to_owned(), resource));
    }
    let unchecked: BTreeSet<String> = resources
        .iter()
        .map(|(_, r)| r["type"].as_str().unwrap_or_default().to_owned())
        .filter(|t| !checkov::checks_type(t))
        .collect();
    support::log(&format!(
        "[{example}] {} resources read back ({left_out} resource groups and role assignments left \
         out); Checkov has no check for: {unchecked:?}",
        resources.len()
    ));

    let started = Instant::now();
    let scan = checkov::scan(&h.dir.join("checkov"), &resources);
    let seconds = started.elapsed().as_secs_f64();
    support::log(&format!(
        "[{example}] checkov scanned {} resources in {seconds:.1}s: {} passed, {} failed ({})",
        scan.resource_count,
        scan.passed.len(),
        scan.failed.len(),
        scan.template.display()
    ));

    h.tf_ok(&["destroy", "-auto-approve"]).await;
    Scanned {
        example: example.to_owned(),
        scan,
        seconds,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_passes_checkov_or_explains_why() {
    let started = Instant::now();
    let bin = checkov::checkov_3_3_30();
    support::log(&format!(
        "Checkov ready at {} in {:.1?}",
        bin.display(),
        started.elapsed()
    ));
    let docs = terraform::workspace_root().join("docs/security.md");
    let explained = check_ids(&std::fs::read_to_string(&docs).expect("docs/security.md"));

    let mut scanned = Vec::new();
    for (name, body) in support::complete_examples() {
        scanned.push(scan_example(&name, &body).await);
    }

    // Every finding across the examples, by check: its name, the types it failed on, the examples.
    type Seen = (String, BTreeSet<String>, BTreeSet<String>, usize);
    let tally = |pick: fn(&checkov::Scan) -> &Vec<checkov::Finding>| {
        let mut by_id: BTreeMap<String, Seen> = BTreeMap::new();
        for s in &scanned {
            for (id, name, resource) in pick(&s.scan) {
                let e = by_id.entry(id.clone()).or_default();
                e.0 = name.clone();
                e.1.insert(type_of(resource).to_owned());
                e.2.insert(s.example.clone());
                e.3 += 1;
            }
        }
        by_id
    };
    let failed = tally(|s| &s.failed);
    let passed = tally(|s| &s.passed);
    let table = |by_id: &BTreeMap<String, Seen>| {
        by_id
            .iter()
            .map(|(id, (name, types, examples, n))| {
                let types: Vec<_> = types.iter().cloned().collect();
                let examples: Vec<_> = examples.iter().cloned().collect();
                format!(
                    "| {id} | {name} | {} | {} | {n} |",
                    types.join(", "),
                    examples.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    support::log(&format!(
        "Checkov FAILED checks:\n| check | name | resource type | examples | results |\n|---|---|---|---|---|\n{}",
        table(&failed)
    ));
    support::log(&format!(
        "Checkov PASSED checks ({} results):\n| check | name | resource type | examples | results |\n|---|---|---|---|---|\n{}",
        scanned.iter().map(|s| s.scan.passed.len()).sum::<usize>(),
        table(&passed)
    ));
    for s in &scanned {
        support::log(&format!(
            "[{}] scan {:.1}s: {} passed, {} failed",
            s.example,
            s.seconds,
            s.scan.passed.len(),
            s.scan.failed.len()
        ));
    }

    let empty: Vec<&str> = scanned
        .iter()
        .filter(|s| s.scan.checks_run() == 0)
        .map(|s| s.example.as_str())
        .collect();
    assert!(
        empty.is_empty(),
        "Checkov ran no check on {empty:?}: a scan that checks nothing proves nothing"
    );
    let unexplained: Vec<String> = scanned
        .iter()
        .flat_map(|s| {
            s.scan
                .failed
                .iter()
                .filter(|(id, _, _)| !explained.contains(id))
                .map(|(id, name, resource)| format!("{id} ({name}) on {resource} in {}", s.example))
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} Checkov findings not explained in docs/security.md:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}

#[test]
fn check_ids_are_read_whole() {
    let ids = check_ids("`CKV_AZURE_1`, CKV_AZURE_141: x XCKV_AZURE_9 CKV2_AZURE_23 CKV_AZURE_");
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        ["CKV2_AZURE_23", "CKV_AZURE_1", "CKV_AZURE_141"]
    );
}

#[test]
fn child_resources_take_the_template_name() {
    let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/virtualNetworkPeerings/peer";
    assert_eq!(
        checkov::type_and_name(id),
        (
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings".to_owned(),
            "vnet/peer".to_owned()
        )
    );
    assert_eq!(
        checkov::type_and_name("/subscriptions/s/resourceGroups/rg"),
        (
            "Microsoft.Resources/resourceGroups".to_owned(),
            "rg".to_owned()
        )
    );
    assert_eq!(
        type_of("Microsoft.Network/virtualNetworks/virtualNetworkPeerings.vnet/peer.x"),
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
    );
}

#[test]
fn checkov_output_of_every_shape_is_read() {
    let report = |check_type: &str, failed: &str| {
        format!(
            r#"{{"check_type": "{check_type}", "results": {{
                "failed_checks": [{{"check_id": "{failed}", "check_name": "n", "resource": "T/x.r"}}],
                "passed_checks": [{{"check_id": "CKV_AZURE_5", "check_name": "p", "resource": "T/x.r"}}]}},
              "summary": {{"passed": 1, "failed": 1, "skipped": 0, "parsing_errors": 0,
                "resource_count": 1, "checkov_version": "3.3.30"}}}}"#
        )
    };
    let one = checkov::parse(&report("arm", "CKV_AZURE_6")).expect("one framework");
    assert_eq!(
        (one.failed[0].0.as_str(), one.checks_run()),
        ("CKV_AZURE_6", 2)
    );
    let many = checkov::parse(&format!(
        "[{}, {}]",
        report("arm", "CKV_AZURE_6"),
        report("json", "CKV_AZURE_7")
    ))
    .expect("several frameworks");
    assert_eq!((many.failed.len(), many.resource_count), (2, 2));
    let none = checkov::parse(
        r#"{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}"#,
    )
    .expect("nothing found");
    assert_eq!(none.checks_run(), 0);
    assert!(
        checkov::parse(
            r#"{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 1, "resource_count": 0}"#
        )
        .is_err()
    );
    assert!(checkov::parse("Traceback (most recent call last):").is_err());
}
