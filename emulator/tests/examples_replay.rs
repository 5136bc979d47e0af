//! The specs' own `x-ms-examples` replayed against the emulator: for every operation it serves, each
//! example's request (its URL parameters and body, the subscription made ours) goes to a fresh
//! emulator in which what the request presupposes exists (its resource group, its parents, and for
//! reads and deletes the resource itself). It must get one of the status codes the example lists,
//! and a body of the same shape: the same JSON type, and the example's `id`, `name`, `type` and
//! `properties` keys where it has them. Every answer is also checked against the spec (`conforms`).
//!
//! Examples of features the topology never uses are listed in `OUT_OF_SCOPE` with the reason; the
//! test fails if one of them starts to pass (the list must stay honest) or if any other fails.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use support::{Arm, SUB, fast};

#[path = "examples_replay/served.rs"]
mod served;
use served::{OUT_OF_SCOPE, SERVED};

fn spec_dir() -> PathBuf {
    armspec::location().join("specification")
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One example to replay.
struct Example {
    name: String,
    method: String,
    template: String,
    api_version: String,
    params: Value,
    body: Option<Value>,
    codes: Vec<u16>,
    response: Option<Value>,
}

fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    for (spec, template, methods) in SERVED {
        let file = spec_dir().join(spec);
        let doc = read(&file);
        let path = &doc["paths"][*template];
        assert!(path.is_object(), "{spec} has no path {template}");
        for method in *methods {
            let op = &path[*method];
            let body_param = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    match p["$ref"]
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/parameters/"))
                    {
                        Some(name) => doc["parameters"][name].clone(),
                        None => p.clone(),
                    }
                })
                .find(|p| p["in"] == "body")
                .and_then(|p| p["name"].as_str().map(str::to_owned));
            for (name, reference) in op["x-ms-examples"].as_object().into_iter().flatten() {
                let Some(rel) = reference["$ref"].as_str() else {
                    continue;
                };
                let example = read(&file.parent().expect("dir").join(rel));
                let params = example["parameters"].clone();
                let codes = example["responses"]
                    .as_object()
                    .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
                    .unwrap_or_default();
                let response = example["responses"]
                    .as_object()
                    .and_then(|r| r.values().find(|v| v["body"].is_object()))
                    .map(|v| v["body"].clone());
                let sub = params["subscriptionId"]
                    .as_str()
                    .unwrap_or("subid")
                    .to_owned();
                out.push(Example {
                    name: format!(
                        "{} {method} {name}",
                        spec.rsplit('/').next().unwrap_or(spec)
                    ),
                    method: method.to_ascii_uppercase(),
                    template: (*template).to_owned(),
                    api_version: doc["info"]["version"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    body: body_param
                        .as_ref()
                        .and_then(|b| params.get(b))
                        .map(|b| ours(b, &sub)),
                    params,
                    codes,
                    response,
                });
            }
        }
    }
    out
}

/// An example body with its placeholders made real: the example's subscription becomes ours, and a
/// placeholder location (`location1`) becomes eastus.
fn ours(body: &Value, subscription: &str) -> Value {
    let text = body.to_string().replace(
        &format!("/subscriptions/{subscription}/"),
        &format!("/subscriptions/{SUB}/"),
    );
    let mut out: Value = serde_json::from_str(&text).unwrap_or_else(|_| body.clone());
    if out["location"].as_str().is_some_and(|l| {
        l.strip_prefix("location")
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    }) {
        out["location"] = json!("eastus");
    }
    out
}

/// The example's URL with its parameters filled in (the subscription made ours).
fn url(e: &Example) -> String {
    let mut out = String::new();
    for segment in e.template.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some("subscriptionId") => out.push_str(SUB),
            Some(param) => {
                let value = e.params[param]
                    .as_str()
                    .unwrap_or(param)
                    .trim_start_matches('/');
                // A scope names a subscription of its own: ours replaces it.
                match value.split_once('/') {
                    Some(("subscriptions", rest)) => {
                        let tail = rest.split_once('/').map_or("", |(_, t)| t);
                        out.push_str(&format!("subscriptions/{SUB}"));
                        if !tail.is_empty() {
                            out.push('/');
                            out.push_str(tail);
                        }
                    }
                    _ => out.push_str(value),
                }
            }
            None => out.push_str(segment),
        }
    }
    format!("{out}?api-version={}", e.api_version)
}

/// The smallest body that creates the resource at `path` (for parents and for what a read needs).
fn minimal(kind: &str, name: &str) -> Value {
    match kind {
        "resourcegroups" => json!({ "location": "eastus" }),
        "virtualnetworks" => {
            json!({ "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/8"] } } })
        }
        "subnets" => json!({ "properties": { "addressPrefix": "10.0.0.0/24" } }),
        "publicipaddresses" => {
            json!({ "location": "eastus", "sku": { "name": "Standard" }, "properties": { "publicIPAllocationMethod": "Static" } })
        }
        "managedclusters" => {
            json!({ "location": "eastus", "identity": { "type": "SystemAssigned" }, "properties": { "dnsPrefix": "replay", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } })
        }
        "agentpools" => {
            json!({ "properties": { "mode": "User", "count": 1, "vmSize": "Standard_D4ds_v5" } })
        }
        "maintenanceconfigurations" => {
            json!({ "properties": { "timeInWeek": [{ "day": "Monday", "hourSlots": [1, 2] }] } })
        }
        "trafficmanagerprofiles" => {
            json!({ "location": "global", "properties": { "trafficRoutingMethod": "Priority", "dnsConfig": { "relativeName": format!("replay-{}", name.to_ascii_lowercase()), "ttl": 30 }, "monitorConfig": { "protocol": "HTTPS", "port": 443, "path": "/" } } })
        }
        "registries" => json!({ "location": "eastus", "sku": { "name": "Premium" } }),
        "replications" => json!({ "location": "westus" }),
        "storageaccounts" => {
            json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_GRS" } })
        }
        "profiles" => json!({ "location": "global", "sku": { "name": "Premium_AzureFrontDoor" } }),
        "afdendpoints" => json!({ "location": "global", "properties": {} }),
        "origingroups" => json!({ "properties": {} }),
        "origins" => json!({ "properties": { "hostName": "replay.example.com" } }),
        "customdomains" => {
            json!({ "properties": { "hostName": "www.replay.example.com", "tlsSettings": { "certificateType": "ManagedCertificate", "minimumTlsVersion": "TLS12" } } })
        }
        "rules" => {
            json!({ "properties": { "order": 1, "actions": [{ "name": "RouteConfigurationOverride", "parameters": { "typeName": "DeliveryRuleRouteConfigurationOverrideActionParameters" } }] } })
        }
        "externalendpoints" => {
            json!({ "properties": { "target": "replay.example.com", "endpointStatus": "Enabled", "priority": 1 } })
        }
        "roleassignments" => json!({ "properties": {
            "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
            "principalId": "11111111-1111-1111-1111-111111111111", "principalType": "ServicePrincipal" } }),
        "frontdoorwebapplicationfirewallpolicies" => {
            json!({ "location": "Global", "sku": { "name": "Premium_AzureFrontDoor" }, "properties": {} })
        }
        _ => json!({}),
    }
}

/// A VNet to peer with, its address space apart from [`minimal`]'s.
fn remote_vnet() -> Value {
    json!({ "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": ["172.16.0.0/12"] } } })
}

/// PUTs no body at `path` (a rule set takes none).
async fn put_empty(arm: &Arm, path: &str, api: &str) -> Result<(), String> {
    let at = format!("{path}?api-version={api}");
    let (status, answer) = arm.req(Method::PUT, &at, None).await;
    if status >= 300 {
        return Err(format!("setup PUT {at} -> {status} {answer}"));
    }
    Ok(())
}

/// PUTs `body` at `path` (an id) and waits for it.
async fn put(arm: &Arm, path: &str, api: &str, body: Value) -> Result<(), String> {
    let at = format!("{path}?api-version={api}");
    let (status, answer) = arm.req(Method::PUT, &at, Some(body)).await;
    if status >= 300 {
        return Err(format!("setup PUT {at} -> {status} {answer}"));
    }
    settle(arm).await;
    Ok(())
}

/// Creates what the request presupposes: every ancestor, for reads and deletes the resource itself,
/// and what the body refers to (a route's origin group, a security policy's WAF policy and domains).
async fn prepare(arm: &Arm, e: &Example) -> Result<(), String> {
    let full = url(e);
    let path = full.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // Resource boundaries: after the group, after each `{type}/{name}` below the last
    // `providers/{ns}` (a role assignment's scope is not prepared beyond its group).
    let mut ends = Vec::new();
    if segments
        .get(2)
        .is_some_and(|s| s.eq_ignore_ascii_case("resourcegroups"))
    {
        ends.push(4);
    }
    if let Some(p) = segments.iter().rposition(|s| *s == "providers")
        && p >= 2
    {
        let mut i = p + 3;
        while i < segments.len() {
            ends.push(i + 1);
            i += 2;
        }
    }
    let own = segments.len();
    let id = |end: usize| format!("/{}", segments[..end].join("/"));
    for end in ends {
        if end > own || (end == own && e.method == "PUT") {
            continue;
        }
        let kind = segments[end - 2].to_ascii_lowercase();
        let api = if kind == "resourcegroups" {
            "2024-03-01"
        } else {
            e.api_version.as_str()
        };
        let body = match kind.as_str() {
            "routes" => {
                let group = format!("{}/originGroups/replay", id(end - 4));
                put(arm, &group, api, minimal("origingroups", "replay")).await?;
                json!({ "properties": { "originGroup": { "id": group } } })
            }
            "virtualnetworkpeerings" => {
                let remote = format!(
                    "{}/providers/Microsoft.Network/virtualNetworks/replayremote",
                    id(4)
                );
                put(arm, &remote, api, remote_vnet()).await?;
                json!({ "properties": { "remoteVirtualNetwork": { "id": remote } } })
            }
            "securitypolicies" => {
                let waf = format!(
                    "{}/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/replaywaf",
                    id(4)
                );
                put(
                    arm,
                    &waf,
                    "2024-02-01",
                    minimal("frontdoorwebapplicationfirewallpolicies", "replaywaf"),
                )
                .await?;
                let endpoint = format!("{}/afdEndpoints/replay", id(end - 2));
                put(arm, &endpoint, api, minimal("afdendpoints", "replay")).await?;
                json!({ "properties": { "parameters": { "type": "WebApplicationFirewall", "wafPolicy": { "id": waf }, "associations": [{ "domains": [{ "id": endpoint }], "patternsToMatch": ["/*"] }] } } })
            }
            _ => minimal(&kind, segments[end - 1]),
        };
        put(arm, &id(end), api, body).await?;
    }
    let Some(body) = e.body.as_ref().filter(|_| e.method == "PUT") else {
        return Ok(());
    };
    if let Some(remote) = body["properties"]["remoteVirtualNetwork"]["id"].as_str() {
        put(arm, remote, &e.api_version, remote_vnet()).await?;
    }
    if let Some(group) = body["properties"]["originGroup"]["id"].as_str() {
        put(
            arm,
            group,
            &e.api_version,
            minimal("origingroups", "replay"),
        )
        .await?;
    }
    for set in body["properties"]["ruleSets"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(id) = set["id"].as_str() {
            put_empty(arm, id, &e.api_version).await?;
        }
    }
    let parameters = &body["properties"]["parameters"];
    if let Some(waf) = parameters["wafPolicy"]["id"].as_str() {
        put(
            arm,
            waf,
            "2024-02-01",
            minimal("frontdoorwebapplicationfirewallpolicies", "replay"),
        )
        .await?;
    }
    for domain in parameters["associations"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["domains"].as_array().cloned().unwrap_or_default())
    {
        let Some(d) = domain["id"].as_str() else {
            continue;
        };
        let kind = if d.to_ascii_lowercase().contains("/customdomains/") {
            "customdomains"
        } else {
            "afdendpoints"
        };
        put(arm, d, &e.api_version, minimal(kind, "replay")).await?;
    }
    Ok(())
}

/// Lets every operation finish (clusters take longest).
async fn settle(_arm: &Arm) {
    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
}

/// Same shape: the same JSON type, and the example's `id`, `name`, `type`, `properties` keys.
fn same_shape(ours: &Value, example: &Value) -> Result<(), String> {
    if ours.is_object() != example.is_object() || ours.is_array() != example.is_array() {
        return Err(format!("ours is {ours}, the example's {example}"));
    }
    for key in ["id", "name", "type", "properties"] {
        if example.get(key).is_some() && ours.get(key).is_none() {
            return Err(format!("no `{key}` in {ours}"));
        }
    }
    Ok(())
}

/// [`replay_in`], with a spec mismatch (which `conforms` reports by panicking) as a failure.
async fn replay(e: &Example) -> Result<(), String> {
    let e = Example {
        name: e.name.clone(),
        method: e.method.clone(),
        template: e.template.clone(),
        api_version: e.api_version.clone(),
        params: e.params.clone(),
        body: e.body.clone(),
        codes: e.codes.clone(),
        response: e.response.clone(),
    };
    match tokio::spawn(async move { replay_in(&e).await }).await {
        Ok(result) => result,
        Err(join) => Err(join.try_into_panic().map_or_else(
            |e| e.to_string(),
            |p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default()
                    .lines()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        )),
    }
}

async fn replay_in(e: &Example) -> Result<(), String> {
    let arm = Arm::start(arm_emulator::Config {
        latency_scale: 0.00005,
        ..fast()
    })
    .await;
    prepare(&arm, e).await?;
    let method = Method::from_bytes(e.method.as_bytes()).map_err(|x| x.to_string())?;
    let (status, body) = arm.req(method, &url(e), e.body.clone()).await;
    if !e.codes.contains(&status) {
        return Err(format!("{status} not in {:?}: {body}", e.codes));
    }
    if let Some(example) = &e.response
        && !body.is_null()
    {
        same_shape(&body, example)?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_operations_examples_replay() {
    if armspec::Specs::load("every_served_operations_examples_replay").is_none() {
        return;
    }
    let all = examples();
    assert!(all.len() > 50, "{} examples", all.len());
    let mut failures = Vec::new();
    let mut passed_but_listed = Vec::new();
    for e in &all {
        let listed = OUT_OF_SCOPE.iter().find(|(n, _)| *n == e.name);
        match (replay(e).await, listed) {
            (Ok(()), Some(_)) => passed_but_listed.push(e.name.clone()),
            (Err(why), None) => failures.push(format!("{}: {why}", e.name)),
            _ => {}
        }
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "replayed {} examples, {} out of scope\n",
            all.len(),
            OUT_OF_SCOPE.len()
        )
        .as_bytes(),
    );
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    assert!(
        passed_but_listed.is_empty(),
        "now served, take them off OUT_OF_SCOPE: {passed_but_listed:#?}"
    );
}
