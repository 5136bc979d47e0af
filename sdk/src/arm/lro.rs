//! Long-running operations as ARM runs them. A PUT is followed on the resource itself: its
//! `provisioningState` says when the operation ends, and the read that sees it end is the final resource,
//! so waiting and reading back cost one GET per poll, not a status poll plus a final GET. The status
//! document (`Azure-AsyncOperation`) is read only to explain a failure. Other operations (deletes) prefer
//! `Azure-AsyncOperation`, else `Location` (202 until done), else the resource's own state. Every wait
//! honours `Retry-After` (`retry-after-ms` first), within the client's floor.

use super::{ArmClient, ArmResponse};
use crate::error::{Error, Result};
use azure_core::http::Method;
use serde_json::Value;
use std::time::Duration;

fn terminal(state: &str) -> bool {
    matches!(
        state.to_ascii_lowercase().as_str(),
        "succeeded" | "failed" | "canceled" | "cancelled"
    )
}

fn provisioning_state(body: Option<&Value>) -> Option<&str> {
    body?.get("properties")?.get("provisioningState")?.as_str()
}

/// How long the answer asks us to wait.
pub(crate) fn retry_after(response: &ArmResponse, default: Duration, floor: Duration) -> Duration {
    let ms = |name: &str| {
        response
            .header(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_millis)
    };
    let wait = ms("retry-after-ms")
        .or_else(|| ms("x-ms-retry-after-ms"))
        .or_else(|| {
            response
                .header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
        })
        .unwrap_or(default);
    wait.max(floor)
}

fn failed(resource: &str, status: &str, body: Option<&Value>) -> Error {
    let error = body.and_then(|b| b.get("error"));
    let text = |k: &str| {
        error
            .and_then(|e| e.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Error::OperationFailed {
        resource: resource.to_owned(),
        status: status.to_owned(),
        code: text("code"),
        message: text("message"),
    }
}

/// The resource, when `response` already is the final answer: no long-running-operation header, and a
/// body whose provisioning state (if any) is `Succeeded`.
pub(crate) fn final_body(response: &ArmResponse) -> Option<Value> {
    let long_running = response.header("azure-asyncoperation").is_some() || response.status == 202;
    let succeeded = provisioning_state(response.body.as_ref())
        .is_none_or(|s| s.eq_ignore_ascii_case("succeeded"));
    (!long_running && succeeded)
        .then(|| response.body.clone())
        .flatten()
}

/// Waits for the operation a PUT (`initial`) started on `resource` by reading the resource until its
/// provisioning state is terminal, and returns the resource as that last read reports it.
///
/// A read without `Retry-After` keeps the last wait ARM asked for. A resource not readable yet (404,
/// ARM's caches catching up) falls back to the status document, then one read.
pub(crate) async fn wait_put(
    client: &ArmClient,
    resource: &str,
    api_version: &str,
    initial: ArmResponse,
) -> Result<Value> {
    let (floor, default) = (client.inner.min_poll, client.inner.default_poll);
    let mut wait = retry_after(&initial, default, floor);
    loop {
        client.sleeper().sleep(wait).await;
        let response = match client
            .send(Method::Get, resource, Some(api_version), &[], None)
            .await
        {
            Err(Error::Arm { status: 404, .. }) => {
                self::wait(client, resource, api_version, initial).await?;
                return client
                    .get(resource, api_version)
                    .await?
                    .ok_or_else(|| Error::Decode {
                        path: resource.to_owned(),
                        detail: "resource missing right after its PUT succeeded".into(),
                    });
            }
            other => other?,
        };
        if response.header("retry-after-ms").is_some() || response.header("retry-after").is_some() {
            wait = retry_after(&response, default, floor);
        }
        match provisioning_state(response.body.as_ref()) {
            None => return Ok(response.body.unwrap_or(Value::Null)),
            Some(s) if s.eq_ignore_ascii_case("succeeded") => {
                return Ok(response.body.unwrap_or(Value::Null));
            }
            Some(s) if terminal(s) => {
                let state = s.to_owned();
                return Err(explain(client, resource, &state, &initial, &response).await);
            }
            Some(_) => {}
        }
    }
}

/// The error of a failed PUT: the status document's `error` (code and message) when ARM gave one,
/// else what the resource says.
async fn explain(
    client: &ArmClient,
    resource: &str,
    state: &str,
    initial: &ArmResponse,
    read: &ArmResponse,
) -> Error {
    if let Some(url) = initial.header("azure-asyncoperation")
        && let Ok(doc) = client.send(Method::Get, url, None, &[], None).await
        && doc.body.as_ref().is_some_and(|b| b.get("error").is_some())
    {
        return failed(resource, state, doc.body.as_ref());
    }
    failed(resource, state, read.body.as_ref())
}

/// Waits for the operation `initial` started on `resource` to finish.
pub(crate) async fn wait(
    client: &ArmClient,
    resource: &str,
    api_version: &str,
    initial: ArmResponse,
) -> Result<()> {
    let (floor, default) = (client.inner.min_poll, client.inner.default_poll);
    if let Some(url) = initial.header("azure-asyncoperation").map(str::to_owned) {
        let mut last = initial;
        loop {
            client
                .sleeper()
                .sleep(retry_after(&last, default, floor))
                .await;
            let response = client.send(Method::Get, &url, None, &[], None).await?;
            let status = response
                .body
                .as_ref()
                .and_then(|b| b.get("status"))
                .and_then(Value::as_str)
                .unwrap_or("InProgress")
                .to_owned();
            match status.to_ascii_lowercase().as_str() {
                "succeeded" => return Ok(()),
                "failed" | "canceled" | "cancelled" => {
                    return Err(failed(resource, &status, response.body.as_ref()));
                }
                _ => last = response,
            }
        }
    }
    if initial.status == 202
        && let Some(url) = initial.header("location").map(str::to_owned)
    {
        let mut last = initial;
        loop {
            client
                .sleeper()
                .sleep(retry_after(&last, default, floor))
                .await;
            let response = client.send(Method::Get, &url, None, &[], None).await?;
            if response.status != 202 {
                return Ok(());
            }
            last = response;
        }
    }
    match provisioning_state(initial.body.as_ref()) {
        Some(state) if !terminal(state) => {
            let mut last = initial;
            loop {
                client
                    .sleeper()
                    .sleep(retry_after(&last, default, floor))
                    .await;
                let response = client
                    .send(Method::Get, resource, Some(api_version), &[], None)
                    .await;
                let response = match response {
                    Err(Error::Arm { status: 404, .. }) => return Ok(()),
                    other => other?,
                };
                match provisioning_state(response.body.as_ref()) {
                    Some(s) if s.eq_ignore_ascii_case("succeeded") => return Ok(()),
                    Some(s) if terminal(s) => {
                        return Err(failed(resource, s, response.body.as_ref()));
                    }
                    _ => last = response,
                }
            }
        }
        Some(state) if !state.eq_ignore_ascii_case("succeeded") => {
            Err(failed(resource, state, initial.body.as_ref()))
        }
        _ => Ok(()),
    }
}
