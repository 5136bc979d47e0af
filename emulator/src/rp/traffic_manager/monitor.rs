//! What Traffic Manager reports of health: each endpoint's monitor status and the profile's from
//! theirs (computed in `health`), and the probing settings (`monitorConfig`) a profile takes.

use super::health;
use super::{bad, canonical};
use crate::contract::error::ArmError;
use crate::contract::store::{Resource, State, now_ms};
use serde_json::{Value, json};

/// An endpoint as Traffic Manager reports it, its monitor status computed now (`health`).
pub(crate) fn render_endpoint(state: &State, endpoint: &Resource) -> Value {
    let mut body = endpoint.body.clone();
    body["properties"]["endpointMonitorStatus"] =
        json!(health::endpoint_status(state, endpoint, now_ms()));
    body
}

/// The profile as GET shows it: its endpoints folded in, each with its monitor status, and the
/// profile's monitor status from theirs (`health::profile_status`; traffic-manager #1, #11, #15).
pub(crate) fn render_profile(state: &State, profile: &Resource) -> Value {
    let mut body = profile.body.clone();
    let (status, endpoints) = health::profile_status(state, profile, now_ms());
    let endpoints: Vec<Value> = endpoints
        .into_iter()
        .map(|(e, s)| {
            let mut e = e.body;
            e["properties"]["endpointMonitorStatus"] = json!(s);
            e
        })
        .collect();
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
