//! The health Traffic Manager reports: each endpoint's monitor status, the profile's from theirs, and
//! the probing settings (`monitorConfig`) a profile takes.

use super::{bad, canonical, endpoints_of};
use crate::contract::error::ArmError;
use crate::contract::store::{Resource, State, now_ms};
use serde_json::{Value, json};

/// An endpoint's monitor status as Traffic Manager reports it: `Disabled` when disabled,
/// `CheckingEndpoint` until its first probe (one probing interval after it was written: traffic-manager
/// #7, #9, #11), then `Online` (the emulator's endpoints answer their probes).
pub(crate) fn render_endpoint(state: &State, endpoint: &Resource) -> Value {
    let mut body = endpoint.body.clone();
    let status = if body["properties"]["endpointStatus"] == "Disabled" {
        "Disabled"
    } else if state
        .monitors
        .get(&endpoint.id.to_ascii_lowercase())
        .is_some_and(|first_probe| now_ms() < *first_probe)
    {
        "CheckingEndpoint"
    } else {
        "Online"
    };
    body["properties"]["endpointMonitorStatus"] = json!(status);
    body
}

/// The profile as GET shows it: its endpoints folded in, and the profile's monitor status from
/// theirs: `Disabled` for a disabled profile; `Inactive` with no endpoint enabled (traffic-manager #1,
/// #15; learn.microsoft.com traffic-manager-monitoring); `CheckingEndpoints` while one is checked
/// (#11); `Online` when one is online, else `Degraded`.
pub(crate) fn render_profile(state: &State, profile: &Resource) -> Value {
    let mut body = profile.body.clone();
    let endpoints: Vec<Value> = endpoints_of(state, &profile.id)
        .iter()
        .map(|e| render_endpoint(state, e))
        .collect();
    let has = |status: &str| {
        endpoints
            .iter()
            .any(|e| e["properties"]["endpointMonitorStatus"] == status)
    };
    let status = if body["properties"]["profileStatus"] == "Disabled" {
        "Disabled"
    } else if endpoints
        .iter()
        .all(|e| e["properties"]["endpointMonitorStatus"] == "Disabled")
    {
        "Inactive"
    } else if has("CheckingEndpoint") {
        "CheckingEndpoints"
    } else if has("Online") {
        "Online"
    } else {
        "Degraded"
    };
    body["properties"]["monitorConfig"]["profileMonitorStatus"] = json!(status);
    body["properties"]["endpoints"] = json!(endpoints);
    body
}

pub(crate) fn monitor(config: &Value) -> Result<Value, ArmError> {
    let protocol = canonical(
        config["protocol"].as_str().unwrap_or("HTTP"),
        &["HTTP", "HTTPS", "TCP"],
    )
    .ok_or_else(|| bad("monitorConfig.protocol must be HTTP, HTTPS or TCP."))?;
    let port = config["port"]
        .as_i64()
        .unwrap_or(if protocol == "HTTPS" { 443 } else { 80 });
    if !(1..=65_535).contains(&port) {
        return Err(bad(format!(
            "monitorConfig.port {port} must be between 1 and 65535."
        )));
    }
    let path = config["path"].as_str().unwrap_or("/");
    if protocol != "TCP" && !path.starts_with('/') {
        return Err(bad(format!(
            "monitorConfig.path '{path}' must start with '/'."
        )));
    }
    let interval = config["intervalInSeconds"].as_i64().unwrap_or(30);
    if interval != 10 && interval != 30 {
        return Err(bad("monitorConfig.intervalInSeconds must be 10 or 30."));
    }
    // Left out, the timeout is 10 s, or 9 s at a 10 s interval (learn.microsoft.com traffic-manager-monitoring).
    let timeout = config["timeoutInSeconds"]
        .as_i64()
        .unwrap_or(if interval == 10 { 9 } else { 10 });
    let failures = config["toleratedNumberOfFailures"].as_i64().unwrap_or(3);
    if !(5..=10).contains(&timeout)
        || (interval == 10 && timeout == 10)
        || !(0..=9).contains(&failures)
    {
        return Err(bad(
            "monitorConfig: timeoutInSeconds must be 5-10 (below a 10 s interval) and toleratedNumberOfFailures 0-9.",
        ));
    }
    let mut out = json!({ "protocol": protocol, "port": port, "intervalInSeconds": interval, "timeoutInSeconds": timeout, "toleratedNumberOfFailures": failures });
    if protocol != "TCP" {
        out["path"] = json!(path);
    }
    let list = |key: &str| config[key].as_array().cloned().unwrap_or_default();
    let headers = list("customHeaders");
    let ranges = list("expectedStatusCodeRanges");
    if headers.len() > 8 || ranges.len() > 8 {
        return Err(bad(
            "monitorConfig: at most 8 custom headers and 8 expected status code ranges.",
        ));
    }
    if headers
        .iter()
        .any(|h| h["name"].as_str().is_none_or(str::is_empty) || !h["value"].is_string())
    {
        return Err(bad(
            "monitorConfig.customHeaders: each header needs a name and a value.",
        ));
    }
    for r in &ranges {
        let (min, max) = (
            r["min"].as_i64().unwrap_or(0),
            r["max"].as_i64().unwrap_or(0),
        );
        if !(100..=999).contains(&min) || !(min..=999).contains(&max) {
            return Err(bad(format!(
                "monitorConfig.expectedStatusCodeRanges: {min}-{max} is not a range of HTTP status codes."
            )));
        }
    }
    if protocol == "TCP" && (!headers.is_empty() || !ranges.is_empty()) {
        return Err(bad(
            "monitorConfig: custom headers and expected status code ranges need the HTTP or HTTPS protocol.",
        ));
    }
    out["customHeaders"] = json!(headers);
    out["expectedStatusCodeRanges"] = json!(ranges);
    Ok(out)
}
