//! Real Azure, replayed: every interaction of every recording in `shared/azure-recordings` (the Azure
//! CLI's own conversations with Azure Resource Manager) for the resource types the emulator serves
//! goes to the emulator, in order, and its answer is compared with Azure's: the status code, the
//! long-running-operation headers (`Azure-AsyncOperation`, `Location`, `Retry-After`), the budget a
//! write reports, an `ETag` header, provisioning, peering and monitor states, the operation
//! document's status and shape, and the error code.
//!
//! How a recording is replayed: its resource groups are created first (the CLI's test harness made
//! them before recording); each request keeps its method, path, body and api-version (the emulator
//! answers every version current clients send); a poll of an operation goes to the URL the emulator
//! itself announced for that write. Every operation lasts 300 ms: a poll Azure answered while the
//! operation ran is sent at once, one Azure answered when it had ended is repeated until the
//! emulator's has ended too. Repeats of a running poll are collapsed into one: their number is
//! Azure's timing, not its contract.
//!
//! Interactions with types the topology never uses (a VPN gateway, Graph, the template export, role
//! definitions) are skipped by rule ([`skipped`]), each with its reason; the test fails if a
//! recording is missing or if any compared answer differs.

mod support;

use arm_emulator::Config;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;
use support::Arm;

/// The recordings: `$BCDR_AZURE_RECORDINGS`, else `shared/azure-recordings` beside the specs.
fn recordings_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("BCDR_AZURE_RECORDINGS") {
        return PathBuf::from(p);
    }
    armspec::location()
        .parent()
        .map(|p| p.join("azure-recordings"))
        .unwrap_or_default()
}

/// The recordings of the resource types the topology uses.
const RECORDINGS: &[&str] = &[
    "resource-group.json",
    "vnet-peering.json",
    "aks-create.json",
    "acr-replication.json",
    "storage-create.json",
    "role-assignment.json",
    "traffic-manager.json",
    "afd-profile.json",
    "afd-endpoint-update.json",
];

/// What a recording presupposes besides its groups, made before it is replayed: the endpoint whose
/// update `afd-endpoint-update.json` transcribes was created earlier in the CLI's test.
fn setup(file: &str) -> Vec<(&'static str, &'static str, Value)> {
    let profile = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/clitest.rg000001/providers/Microsoft.Cdn/profiles/profile123";
    match file {
        "afd-endpoint-update.json" => vec![
            (
                "PUT",
                profile,
                json!({ "location": "global", "sku": { "name": "Standard_AzureFrontDoor" } }),
            ),
            (
                "PUT",
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/clitest.rg000001/providers/Microsoft.Cdn/profiles/profile123/afdEndpoints/endpoint000002",
                json!({ "location": "global", "properties": { "enabledState": "Enabled" } }),
            ),
        ],
        _ => Vec::new(),
    }
}

/// Why an interaction is not replayed, if it is not.
fn skipped(method: &str, path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    [
        (
            "virtualnetworkgateways",
            "a VPN gateway: the topology peers VNets directly",
        ),
        ("/v1.0/", "Microsoft Graph, not Resource Manager"),
        (
            "roledefinitions",
            "a role definition lookup: the topology names built-in roles by id",
        ),
        (
            "exporttemplate",
            "a template export: the topology is its own template",
        ),
        (
            "/providers/microsoft.network/checktrafficmanagernameavailability?",
            "the tenant-level name check of 2018: the topology asks checkTrafficManagerNameAvailabilityV2",
        ),
    ]
    .into_iter()
    .find(|(part, _)| lower.contains(part))
    .map(|(_, why)| why)
    .or_else(|| {
        (method == "GET" && lower.contains("/providers/microsoft.authorization/roleassignments?"))
            .then_some("a role assignment list at scope (atScope()): not a call the topology makes")
    })
}

/// The api-version the emulator serves for `path`.
fn api_version(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    let pick = [
        ("trafficmanagerprofiles", arm_emulator::API_TRAFFIC_MANAGER),
        (
            "frontdoorwebapplicationfirewallpolicies",
            arm_emulator::API_FRONT_DOOR_WAF,
        ),
        ("microsoft.containerservice", arm_emulator::API_AKS),
        ("microsoft.containerregistry", arm_emulator::API_REGISTRY),
        ("microsoft.storage", arm_emulator::API_STORAGE),
        ("microsoft.cdn", arm_emulator::API_CDN),
        ("microsoft.authorization", arm_emulator::API_AUTHORIZATION),
        ("microsoft.network", arm_emulator::API_NETWORK),
    ];
    pick.iter()
        .find(|(part, _)| lower.contains(part))
        .map_or(arm_emulator::API_RESOURCES, |(_, v)| v)
}

/// `path` with its api-version replaced by the emulator's.
fn mapped(path: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.to_ascii_lowercase().starts_with("api-version="))
        .map(str::to_owned)
        .collect();
    pairs.push(format!("api-version={}", api_version(base)));
    format!("{base}?{}", pairs.join("&"))
}

/// A URL or path without host and query, lower-cased: what identifies an operation.
fn key(url: &str) -> String {
    let path = url
        .find("/subscriptions/")
        .map_or(url, |i| &url[i..])
        .split('?')
        .next()
        .unwrap_or_default();
    path.to_ascii_lowercase()
}

fn is_terminal(status: &str) -> bool {
    matches!(
        status.to_ascii_lowercase().as_str(),
        "succeeded" | "failed" | "canceled"
    )
}

/// The headers a comparison looks at, by name (present or not), and the write budgets named.
fn header_names(headers: &BTreeMap<String, String>) -> BTreeSet<String> {
    headers
        .keys()
        .map(|k| k.to_ascii_lowercase())
        .filter(|k| {
            matches!(
                k.as_str(),
                "azure-asyncoperation" | "location" | "retry-after" | "etag"
            ) || (k.starts_with("x-ms-ratelimit-remaining-subscription-") && !k.contains("global"))
                && !k.ends_with("-reads")
        })
        .collect()
}

/// An error's code, wrapped or flat.
fn error_code(body: &Value) -> Option<&str> {
    body["error"]["code"]
        .as_str()
        .or_else(|| body["code"].as_str())
}

/// The states a recorded body shows that the emulator must show the same: by JSON pointer.
const STATES: &[&str] = &[
    "/properties/provisioningState",
    "/properties/peeringState",
    "/properties/peeringSyncLevel",
    "/properties/endpointMonitorStatus",
    "/properties/monitorConfig/profileMonitorStatus",
    "/status",
];

/// Where the emulator's answer differs from Azure's (empty: the same).
fn differences(
    recorded: &Value,
    polls: bool,
    status: u16,
    headers: &BTreeMap<String, String>,
    body: &Value,
) -> Vec<String> {
    let mut out = Vec::new();
    let want_status = recorded["status"].as_u64().unwrap_or_default() as u16;
    if status != want_status {
        out.push(format!("status {status}, Azure {want_status}"));
    }
    let want: BTreeMap<String, String> = recorded["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let (ours, theirs) = (header_names(headers), header_names(&want));
    if ours != theirs {
        out.push(format!("headers {ours:?}, Azure {theirs:?}"));
    }
    let recorded_body = &recorded["response_body"];
    if want_status >= 400 {
        if error_code(body) != error_code(recorded_body) {
            out.push(format!(
                "error {:?}, Azure {:?}",
                error_code(body),
                error_code(recorded_body)
            ));
        }
        return out;
    }
    // A 200 read without a body is one the transcription left out ("unrelated calls keep method,
    // path and status only"); an empty body is compared where it is the fact: writes, deletes, polls.
    let method = recorded["method"].as_str().unwrap_or_default();
    let transcribed = !(recorded_body.is_null()
        && want_status == 200
        && matches!(method, "GET" | "POST")
        && !polls);
    if transcribed && recorded_body.is_null() != body.is_null() {
        out.push(format!(
            "body {}, Azure {}",
            if body.is_null() { "empty" } else { "present" },
            if recorded_body.is_null() {
                "empty"
            } else {
                "present"
            }
        ));
    }
    compare_states(recorded_body, body, "", &mut out);
    if let (Some(list), Some(ours)) = (recorded_body["value"].as_array(), body["value"].as_array())
    {
        if list.len() != ours.len() {
            out.push(format!("{} listed, Azure {}", ours.len(), list.len()));
        }
        for item in list {
            let name = item["name"].as_str().unwrap_or_default();
            match ours.iter().find(|o| {
                o["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            }) {
                Some(o) => compare_states(item, o, &format!("{name}: "), &mut out),
                None => out.push(format!("{name} not listed")),
            }
        }
    }
    // An operation document's shape: its keys (AKS names it and times it; Cdn says error None).
    if recorded_body.get("status").is_some()
        && recorded_body.as_object().is_some_and(|o| o.len() <= 5)
    {
        let keys = |v: &Value| -> BTreeSet<String> {
            v.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        if keys(recorded_body) != keys(body) {
            out.push(format!(
                "operation document keys {:?}, Azure {:?}",
                keys(body),
                keys(recorded_body)
            ));
        }
        if recorded_body["error"]["code"] == "None" && body["error"]["code"] != "None" {
            out.push("operation document error.code is not None".into());
        }
    }
    out
}

fn compare_states(recorded: &Value, ours: &Value, prefix: &str, out: &mut Vec<String>) {
    for pointer in STATES {
        if let Some(want) = recorded.pointer(pointer).and_then(Value::as_str) {
            let got = ours.pointer(pointer).and_then(Value::as_str);
            if got != Some(want) {
                out.push(format!("{prefix}{pointer} {got:?}, Azure {want:?}"));
            }
        }
    }
}

/// One answer of the emulator.
struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Value,
}

/// One request, as the CLI sent it: its body may be of an older api-version than the emulator's, so
/// the answer is compared with Azure's, not checked against the emulator's spec (the other tests do).
async fn send(arm: &Arm, method: &str, path: &str, body: Option<Value>) -> Answer {
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let url = if path.starts_with("https://") {
        path.to_owned()
    } else {
        format!("{}{path}", arm.emulator.endpoint())
    };
    let mut req = arm.http.request(method, url).bearer_auth(&arm.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let text = resp.text().await.unwrap_or_default();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// What became of one recording's replay.
#[derive(Default)]
struct Outcome {
    compared: usize,
    collapsed: usize,
    skipped: Vec<String>,
    differences: Vec<String>,
}

async fn replay(file: &str, recording: &Value) -> Outcome {
    let mut latencies = arm_emulator::default_latencies();
    for v in latencies.values_mut() {
        *v = 300;
    }
    let arm = Arm::start(Config {
        latency_scale: 1.0,
        latencies,
        ..Config::default()
    })
    .await;
    let interactions = recording["interactions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // The groups the recording presupposes, where its first write puts things (else West US).
    let location = interactions
        .iter()
        .find_map(|i| i["request_body"]["location"].as_str())
        .filter(|l| !l.eq_ignore_ascii_case("global"))
        .unwrap_or("westus")
        .to_owned();
    let mut groups = BTreeSet::new();
    for i in &interactions {
        let path = i["path"].as_str().unwrap_or_default();
        let parts: Vec<&str> = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .collect();
        if let Some(at) = parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case("resourcegroups"))
            && let Some(group) = parts.get(at + 1)
            && !group.is_empty()
            && !(i["method"] == "DELETE" && parts.len() == at + 2)
        {
            groups.insert((parts[2].to_owned(), (*group).to_owned()));
        }
    }
    // A recording that deletes its group starts from it (the CLI made it before recording).
    for i in &interactions {
        let path = i["path"].as_str().unwrap_or_default();
        let parts: Vec<&str> = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .collect();
        if parts.len() == 5 && parts[3].eq_ignore_ascii_case("resourcegroups") {
            groups.insert((parts[2].to_owned(), parts[4].to_owned()));
        }
        if i["method"] == "PUT" && parts.len() == 5 {
            break;
        }
    }
    for (sub, group) in &groups {
        let answer = send(
            &arm,
            "PUT",
            &format!(
                "/subscriptions/{sub}/resourcegroups/{group}?api-version={}",
                arm_emulator::API_RESOURCES
            ),
            Some(json!({ "location": location })),
        )
        .await;
        assert!(
            answer.status < 300,
            "{file}: group {group}: {}",
            answer.body
        );
    }

    for (method, path, body) in setup(file) {
        let answer = send(&arm, method, &mapped(path), Some(body)).await;
        assert!(answer.status < 300, "{file}: setup {path}: {}", answer.body);
        tokio::time::sleep(Duration::from_millis(350)).await;
    }

    let mut outcome = Outcome::default();
    // Recorded operation URLs (by key) -> the emulator's URL for the same operation.
    let mut operations: BTreeMap<String, String> = BTreeMap::new();
    let mut skipped_ops: BTreeSet<String> = BTreeSet::new();
    let mut last_running: Option<String> = None;
    for (n, i) in interactions.iter().enumerate() {
        let method = i["method"].as_str().unwrap_or_default();
        let path = i["path"].as_str().unwrap_or_default();
        let here = format!("{file} #{n} {method} {}", key(path));
        if let Some(why) = skipped(method, path) {
            for h in ["azure-asyncoperation", "location"] {
                if let Some(url) = i["headers"][h].as_str() {
                    skipped_ops.insert(key(url));
                }
            }
            outcome.skipped.push(format!("{here}: {why}"));
            continue;
        }
        let op_key = key(path);
        if skipped_ops.contains(&op_key) {
            outcome
                .skipped
                .push(format!("{here}: polls an operation of a skipped write"));
            continue;
        }
        let is_poll = operations.contains_key(&op_key);
        let answer = if let Some(url) = operations.get(&op_key).cloned() {
            let recorded_status = i["response_body"]["status"].as_str();
            let location_poll = recorded_status.is_none();
            let running = match recorded_status {
                Some(s) => !is_terminal(s),
                None => i["status"] == 202,
            };
            if running && last_running.as_deref() == Some(op_key.as_str()) {
                outcome.collapsed += 1;
                continue;
            }
            let mut answer = send(&arm, "GET", &url, None).await;
            if !running {
                // Azure's operation had ended: wait for the emulator's.
                for _ in 0..200 {
                    let ended = if location_poll {
                        answer.status != 202
                    } else {
                        answer.body["status"].as_str().is_some_and(is_terminal)
                    };
                    if ended {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    answer = send(&arm, "GET", &url, None).await;
                }
            }
            last_running = running.then(|| op_key.clone());
            if let Some(fresh) = answer.headers.get("azure-asyncoperation")
                && let Some(next) = i["headers"]["azure-asyncoperation"].as_str()
            {
                operations.insert(key(next), fresh.clone());
            }
            answer
        } else {
            last_running = None;
            let body = (!i["request_body"].is_null()).then(|| i["request_body"].clone());
            // A resource read after a recorded operation ended: let the emulator's end too.
            if method == "GET" {
                tokio::time::sleep(Duration::from_millis(350)).await;
            }
            let answer = send(&arm, method, path, body).await;
            for h in ["azure-asyncoperation", "location"] {
                if let (Some(recorded), Some(ours)) =
                    (i["headers"][h].as_str(), answer.headers.get(h))
                {
                    operations.insert(key(recorded), ours.clone());
                }
            }
            answer
        };
        outcome.compared += 1;
        for d in differences(i, is_poll, answer.status, &answer.headers, &answer.body) {
            outcome.differences.push(format!("{here}: {d}"));
        }
    }
    outcome
}

#[tokio::test]
async fn every_recorded_interaction_replays_as_azure_answered_it() {
    let dir = recordings_dir();
    if !dir.join("FACTS.md").is_file() {
        let note = format!(
            "RECORDED-AZURE REPLAY DID NOT RUN: no recordings at {}; set BCDR_AZURE_RECORDINGS to a copy of shared/azure-recordings",
            dir.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{note}");
        eprintln!("\n*** {note} ***\n");
        return;
    }
    let mut report = Vec::new();
    let mut differences = Vec::new();
    for file in RECORDINGS {
        let text = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("recording {file}: {e}"));
        let recording: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("recording {file}: {e}"));
        let outcome = replay(file, &recording).await;
        report.push(format!(
            "{file}: {} compared, {} repeated polls collapsed, {} skipped",
            outcome.compared,
            outcome.collapsed,
            outcome.skipped.len()
        ));
        for s in &outcome.skipped {
            report.push(format!("  skipped {s}"));
        }
        assert!(outcome.compared > 0, "{file}: nothing was compared");
        differences.extend(outcome.differences);
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        differences.is_empty(),
        "{} answers differ from Azure's:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
