//! `Microsoft.Resources` provider registrations. A new subscription is registered for few resource
//! providers, and ARM answers a request to any other 409 `MissingSubscriptionRegistration`. As the
//! Azure CLI and Azure's SDKs do, a write that meets that answer registers the namespace
//! (`POST …/providers/{namespace}/register`), waits until it reads `Registered`, and is sent again;
//! one registration per namespace however many writes meet it at once. A read that meets it finds
//! nothing: no resource can exist in a namespace the subscription is not registered for.

use super::{ArmClient, ArmResponse, Method};
use crate::error::{Error, Result};
use serde_json::Value;
use std::time::Duration;

const API_VERSION: &str = "2024-03-01";

/// The longest wait for a registration to take effect (Azure usually needs one to a few minutes).
pub const REGISTRATION_WAIT: Duration = Duration::from_secs(600);

pub(super) const CODE: &str = "MissingSubscriptionRegistration";

/// The namespace an answer says the subscription is not registered for: `details[].target` (where
/// Azure's SDKs read it), else the quoted name in the message, else the provider the path names.
pub(super) fn missing(response: &ArmResponse, path: &str) -> Option<String> {
    let error = response
        .body
        .as_ref()
        .map(|b| b.get("error").unwrap_or(b))?;
    if response.status != 409 || error.get("code").and_then(Value::as_str) != Some(CODE) {
        return None;
    }
    let target = error
        .get("details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|d| d.get("target").and_then(Value::as_str));
    let quoted = error
        .get("message")
        .and_then(Value::as_str)
        .and_then(|m| m.split("namespace '").nth(1))
        .and_then(|rest| rest.split('\'').next());
    let from_path = path
        .split('?')
        .next()
        .unwrap_or(path)
        .rsplit_once("/providers/")
        .and_then(|(_, rest)| rest.split('/').next());
    target
        .or(quoted)
        .or(from_path)
        .filter(|ns| !ns.is_empty())
        .map(str::to_owned)
}

/// A request of this module's own (not through `ArmClient::send`, which registers).
async fn exchange(client: &ArmClient, method: Method, path: &str) -> Result<ArmResponse> {
    let response = client
        .exchange(method, path, Some(API_VERSION), &[], None)
        .await?;
    super::checked(&method, path, response)
}

fn state(response: &ArmResponse) -> String {
    response
        .body
        .as_ref()
        .and_then(|b| b.get("registrationState"))
        .and_then(Value::as_str)
        .unwrap_or("NotRegistered")
        .to_owned()
}

/// Registers the subscription for `namespace` and waits until ARM reports it `Registered` (at most
/// [`REGISTRATION_WAIT`]). Callers that arrive while another registers the same namespace wait for
/// that one.
pub(super) async fn register(client: &ArmClient, namespace: &str) -> Result<()> {
    let gate = client.registration_gate(namespace);
    let mut registered = gate.lock().await;
    if *registered {
        return Ok(());
    }
    let unregistered = |detail: String| Error::Unregistered {
        namespace: namespace.to_owned(),
        detail,
    };
    let path = format!(
        "/subscriptions/{}/providers/{namespace}",
        client.subscription_id()
    );
    tracing::info!(
        namespace,
        "registering the subscription for a resource provider"
    );
    let mut response = exchange(client, Method::Post, &format!("{path}/register"))
        .await
        .map_err(|e| {
            unregistered(format!(
                "registering it failed ({e}); someone allowed to register providers (Contributor or Owner on the subscription) can run `az provider register --namespace {namespace}`"
            ))
        })?;
    // ARM gives no Retry-After here: poll from the client's floor, doubling up to Microsoft.Resources'
    // usual pace (scaled).
    let pace = client.pace();
    let (mut interval, ceiling) = (pace.floor, pace.default_for("Microsoft.Resources"));
    let mut waited = Duration::ZERO;
    loop {
        if state(&response).eq_ignore_ascii_case("Registered") {
            *registered = true;
            tracing::info!(namespace, "resource provider registered");
            return Ok(());
        }
        if waited >= REGISTRATION_WAIT {
            break;
        }
        client.wait(interval).await?;
        waited += interval;
        interval = (interval * 2).min(ceiling);
        response = exchange(client, Method::Get, &path).await?;
    }
    Err(unregistered(format!(
        "its registration was requested and is still {} after {REGISTRATION_WAIT:?}; apply again once `az provider show --namespace {namespace}` says Registered",
        state(&response)
    )))
}
