//! Long-running operations as ARM's RPC defines them, and as Azure's SDKs follow them
//! (azure-sdk-for-python `ARMPolling`/`LROBasePolling`, azure-sdk-for-go `runtime/pollers`
//! `async`/`loc`/`body`). One poller serves PUT, PATCH, DELETE and POST; the initial answer chooses
//! how it is followed ([`strategy`]):
//!
//! | initial answer | followed by | result |
//! |---|---|---|
//! | `Azure-AsyncOperation` (wins over `Location`) | polling that URL until the document's `status` is Succeeded, Failed or Canceled (case-insensitive; any other value, ACR's `Creating` or Cdn's `InProgress` with `"error":{"code":"None"}`, is running); a poll answer's fresh `Azure-AsyncOperation` (ACR sends one each time) is followed from then on | PUT/PATCH: one GET of the resource; DELETE: none; POST: a GET of the `Location` when there is one |
//! | 201/202 with `Location` | polling it: 202 is running; 200/201 with a body is the final resource (Storage); 200 without one or 204 is done; an error status is the operation's failure | the body, else (PUT/PATCH) one GET of the resource |
//! | PUT/PATCH 202 without either header | polling the resource | its body once its state is terminal |
//! | a body whose `provisioningState` is not terminal | polling the resource (a DELETE's is gone at 404) | its body once its state is terminal |
//! | `provisioningState` Failed/Canceled | - | [`Error::OperationFailed`] |
//! | none of these (Traffic Manager, groups, role assignments, an ACR registry's 200 Succeeded) | - | the body itself |
//!
//! Departures, each on purpose: a 201 without `provisioningState` is done here, where both SDKs would
//! GET the resource once: they only poll operations their spec marks long-running, and this client,
//! generic, must not poll Traffic Manager's and role assignments' synchronous 201s. A DELETE 202 without
//! headers is done (Python's rule; Go refuses it). The resource's own state never ends an operation that
//! has a status URL: a Front Door endpoint update answers 202 with a body already `Succeeded` while its
//! operation runs 30 s more (`shared/azure-recordings/afd-endpoint-update.json`).
//!
//! Waits honour `retry-after-ms`, `x-ms-retry-after-ms` and `Retry-After` (seconds or an HTTP date);
//! Azure mostly sends none, and then each resource provider's usual pace applies
//! ([`interval::DEFAULTS`]) times the client's poll interval scale (1.0 against Azure; the emulator's
//! latency scale against the emulator), never below the client's floor.
//!
//! Why not `azure_core::http::poller::Poller`: it sleeps on azure_core's own async runtime, not the
//! client's injected [`Sleeper`](crate::clock::Sleeper) (so neither tests nor the engine's
//! cancellation and timeouts would see its waits as ours), it refuses a polling frequency under one
//! second and defaults to 30 s for every provider, where the emulator runs Azure's times scaled down to
//! milliseconds; and its status monitor is per generated model, where this client follows any resource.
//! Its [`PollerStatus`] reads the status values, as Azure's SDKs do.

mod interval;

pub use interval::{DEFAULTS as POLL_DEFAULTS, OTHERS as POLL_DEFAULT_OTHERS};
pub(crate) use interval::{Pace, namespace};

use super::{ArmClient, ArmResponse};
use crate::error::{Error, Result};
use azure_core::http::Method;
use azure_core::http::poller::PollerStatus;
use serde_json::Value;

/// How often a resource that ARM says exists may still read 404 before that is an error (ARM's read
/// caches lag its writes by a moment), each after one default wait.
const MISSING_READS: u32 = 3;

/// How an initial answer is followed (see the module's table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// The answer is the result.
    Done,
    /// The answer says the operation failed (its `provisioningState`).
    Failed(String),
    /// Poll this `Azure-AsyncOperation` URL.
    Operation(String),
    /// Poll this `Location` URL.
    Location(String),
    /// Poll the resource itself.
    Resource,
}

fn provisioning_state(body: Option<&Value>) -> Option<&str> {
    body?.get("properties")?.get("provisioningState")?.as_str()
}

fn writes_resource(method: &Method) -> bool {
    matches!(method, Method::Put | Method::Patch)
}

/// How to follow `initial`, the answer to a `method` request.
pub(crate) fn strategy(method: &Method, initial: &ArmResponse) -> Strategy {
    if let Some(url) = initial.header("azure-asyncoperation") {
        return Strategy::Operation(url.to_owned());
    }
    if matches!(initial.status, 201 | 202)
        && let Some(url) = initial.header("location")
    {
        return Strategy::Location(url.to_owned());
    }
    if initial.status == 202 && writes_resource(method) {
        // Accepted, not done, whatever the body says: both SDKs read the resource until it is.
        return Strategy::Resource;
    }
    match provisioning_state(initial.body.as_ref()) {
        None => Strategy::Done,
        Some(state) => match PollerStatus::from(state) {
            PollerStatus::Succeeded => Strategy::Done,
            PollerStatus::Failed | PollerStatus::Canceled => Strategy::Failed(state.to_owned()),
            _ => Strategy::Resource,
        },
    }
}

/// The error of an operation that ended `status`, with the `error` its document or body carries.
fn failed(resource: &str, status: &str, body: Option<&Value>) -> Error {
    let error = body.and_then(|b| {
        b.get("error")
            .or_else(|| b.get("properties").and_then(|p| p.get("error")))
    });
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

/// One long-running operation being followed.
struct Follow<'a> {
    client: &'a ArmClient,
    method: Method,
    resource: &'a str,
    api_version: &'a str,
    namespace: &'a str,
    pace: Pace,
}

/// Follows the operation `initial` (the answer to `method` on `resource`) started, to its end: the
/// resource as ARM then reports it (PUT/PATCH), the operation's result (POST), or nothing (DELETE).
pub(crate) async fn follow(
    client: &ArmClient,
    method: Method,
    resource: &str,
    api_version: &str,
    initial: ArmResponse,
) -> Result<Option<Value>> {
    let follow = Follow {
        client,
        method,
        resource,
        api_version,
        namespace: namespace(resource),
        pace: client.pace(),
    };
    let strategy = strategy(&follow.method, &initial);
    tracing::debug!(
        method = %follow.method,
        resource,
        status = initial.status,
        ?strategy,
        "following a long-running operation"
    );
    match strategy {
        Strategy::Done => follow.done(initial.body).await,
        Strategy::Failed(state) => Err(failed(resource, &state, initial.body.as_ref())),
        Strategy::Operation(url) => follow.operation(url, initial).await,
        Strategy::Location(url) => follow.location(url, initial).await,
        Strategy::Resource => follow.resource(initial).await,
    }
}

impl Follow<'_> {
    async fn sleep_after(&self, response: &ArmResponse) -> Result<()> {
        let wait = self.pace.after(response, self.namespace);
        self.client.wait(wait).await
    }

    async fn get(&self, url: &str) -> Result<ArmResponse> {
        self.client.send(Method::Get, url, None, &[], None).await
    }

    /// The result of an operation that ended with `body` in hand.
    async fn done(&self, body: Option<Value>) -> Result<Option<Value>> {
        match (&self.method, body) {
            (Method::Delete, _) => Ok(None),
            (_, Some(body)) => Ok(Some(body)),
            (m, None) if writes_resource(m) => self.read_back().await.map(Some),
            (_, None) => Ok(None),
        }
    }

    /// One GET of the resource after its operation succeeded; a 404 (ARM's caches catching up) is read
    /// again after a wait, a few times.
    async fn read_back(&self) -> Result<Value> {
        let mut misses = 0;
        loop {
            match self
                .client
                .send(
                    Method::Get,
                    self.resource,
                    Some(self.api_version),
                    &[],
                    None,
                )
                .await
            {
                Ok(r) => return Ok(r.body.unwrap_or(Value::Null)),
                Err(Error::Arm { status: 404, .. }) if misses < MISSING_READS => {
                    misses += 1;
                    tracing::debug!(resource = self.resource, misses, "not readable yet");
                    let wait = self.pace.default_for(self.namespace);
                    self.client.wait(wait).await?;
                }
                Err(Error::Arm { status: 404, .. }) => {
                    return Err(Error::Decode {
                        path: self.resource.to_owned(),
                        detail: "resource missing after its operation succeeded".into(),
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Polls an `Azure-AsyncOperation` document until its status is terminal.
    async fn operation(&self, mut url: String, initial: ArmResponse) -> Result<Option<Value>> {
        let mut location = initial.header("location").map(str::to_owned);
        let mut last = initial;
        loop {
            self.sleep_after(&last).await?;
            let doc = self.get(&url).await?;
            if let Some(next) = doc.header("azure-asyncoperation") {
                url = next.to_owned();
            }
            if let Some(next) = doc.header("location") {
                location = Some(next.to_owned());
            }
            let status = doc
                .body
                .as_ref()
                .and_then(|b| b.get("status"))
                .and_then(Value::as_str)
                .ok_or_else(|| Error::Decode {
                    path: url.split('?').next().unwrap_or(&url).to_owned(),
                    detail: "an operation status document without a status".into(),
                })?
                .to_owned();
            match PollerStatus::from(status.as_str()) {
                PollerStatus::Succeeded => break,
                PollerStatus::Failed | PollerStatus::Canceled => {
                    return Err(failed(self.resource, &status, doc.body.as_ref()));
                }
                _ => last = doc,
            }
        }
        match &self.method {
            m if writes_resource(m) => self.read_back().await.map(Some),
            Method::Post => match location {
                Some(url) => Ok(self.get(&url).await?.body),
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// Polls a `Location` URL: 202 while running, then the result (or nothing), or an error status.
    async fn location(&self, mut url: String, initial: ArmResponse) -> Result<Option<Value>> {
        let mut last = initial;
        loop {
            self.sleep_after(&last).await?;
            let response = self.get(&url).await?;
            if response.status != 202 {
                if let Some(state) = provisioning_state(response.body.as_ref())
                    && matches!(
                        PollerStatus::from(state),
                        PollerStatus::Failed | PollerStatus::Canceled
                    )
                {
                    return Err(failed(self.resource, state, response.body.as_ref()));
                }
                return self.done(response.body).await;
            }
            if let Some(next) = response.header("location") {
                url = next.to_owned();
            }
            last = response;
        }
    }

    /// Reads the resource until its `provisioningState` is terminal (a DELETE's: until it is gone).
    async fn resource(&self, initial: ArmResponse) -> Result<Option<Value>> {
        let deleting = self.method == Method::Delete;
        let mut last = initial;
        let mut misses = 0;
        loop {
            self.sleep_after(&last).await?;
            let response = match self
                .client
                .send(
                    Method::Get,
                    self.resource,
                    Some(self.api_version),
                    &[],
                    None,
                )
                .await
            {
                Err(Error::Arm { status: 404, .. }) if deleting => return Ok(None),
                Err(Error::Arm { status: 404, .. }) if misses < MISSING_READS => {
                    misses += 1;
                    continue;
                }
                other => other?,
            };
            match provisioning_state(response.body.as_ref()).map(PollerStatus::from) {
                None | Some(PollerStatus::Succeeded) => {
                    return Ok(if deleting { None } else { response.body });
                }
                Some(PollerStatus::Failed | PollerStatus::Canceled) => {
                    let state = provisioning_state(response.body.as_ref()).unwrap_or_default();
                    return Err(failed(self.resource, state, response.body.as_ref()));
                }
                Some(_) => last = response,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, headers: &[(&str, &str)], body: Option<Value>) -> ArmResponse {
        ArmResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body,
        }
    }

    fn state(s: &str) -> Option<Value> {
        Some(json!({ "properties": { "provisioningState": s } }))
    }

    #[test]
    fn the_status_url_wins_over_location_and_over_the_resources_own_state() {
        // afd-endpoint-update.json #0: 202, body already Succeeded, both headers.
        let afd = answer(
            202,
            &[("Azure-AsyncOperation", "/op"), ("Location", "/result")],
            state("Succeeded"),
        );
        assert_eq!(
            strategy(&Method::Put, &afd),
            Strategy::Operation("/op".into())
        );
        // storage-create.json #1: 202, empty body, Location only.
        let storage = answer(202, &[("location", "https://x/asyncoperations/1")], None);
        assert_eq!(
            strategy(&Method::Put, &storage),
            Strategy::Location("https://x/asyncoperations/1".into())
        );
        // A 200 carrying a Location is final (HTTP's meaning, not a poll).
        let plain = answer(200, &[("location", "/elsewhere")], state("Succeeded"));
        assert_eq!(strategy(&Method::Put, &plain), Strategy::Done);
    }

    #[test]
    fn synchronous_answers_are_the_result() {
        // traffic-manager.json #1 (201, no state), resource-group.json #6 (201 Succeeded),
        // role-assignment.json #4 (201, no state), acr-replication.json #0 (200 Succeeded).
        for (status, body) in [
            (
                201,
                Some(json!({ "properties": { "trafficRoutingMethod": "Priority" } })),
            ),
            (201, state("Succeeded")),
            (200, state("succeeded")),
            (200, None),
            (204, None),
        ] {
            assert_eq!(
                strategy(&Method::Put, &answer(status, &[], body.clone())),
                Strategy::Done,
                "{status} {body:?}"
            );
        }
        // traffic-manager.json #14: a synchronous delete, 200 and no body.
        assert_eq!(
            strategy(&Method::Delete, &answer(200, &[], None)),
            Strategy::Done
        );
        assert_eq!(
            strategy(&Method::Delete, &answer(202, &[], None)),
            Strategy::Done,
            "a DELETE accepted without a status URL: done, as Python's SDK has it"
        );
    }

    #[test]
    fn a_running_state_without_headers_polls_the_resource_and_a_failed_one_is_an_error() {
        assert_eq!(
            strategy(&Method::Put, &answer(201, &[], state("Creating"))),
            Strategy::Resource
        );
        assert_eq!(
            strategy(&Method::Put, &answer(200, &[], state("Updating"))),
            Strategy::Resource
        );
        assert_eq!(
            strategy(&Method::Delete, &answer(200, &[], state("Deleting"))),
            Strategy::Resource
        );
        assert_eq!(
            strategy(&Method::Put, &answer(202, &[], state("Succeeded"))),
            Strategy::Resource,
            "a PUT accepted (202) is not done, whatever its body says"
        );
        assert_eq!(
            strategy(&Method::Put, &answer(200, &[], state("Canceled"))),
            Strategy::Failed("Canceled".into())
        );
    }

    #[test]
    fn only_a_terminal_failure_reads_the_error() {
        let doc = json!({ "status": "Failed", "error": { "code": "QuotaExceeded", "message": "no cores" } });
        match failed("/r", "Failed", Some(&doc)) {
            Error::OperationFailed {
                status,
                code,
                message,
                ..
            } => {
                assert_eq!(
                    (status.as_str(), code.as_str()),
                    ("Failed", "QuotaExceeded")
                );
                assert_eq!(message, "no cores");
            }
            other => panic!("{other:?}"),
        }
        // Cdn's running documents carry an error whose code is None: their status decides.
        for running in [
            "InProgress",
            "Creating",
            "Updating",
            "Accepted",
            "inprogress",
        ] {
            assert!(
                !matches!(
                    PollerStatus::from(running),
                    PollerStatus::Succeeded | PollerStatus::Failed | PollerStatus::Canceled
                ),
                "{running}"
            );
        }
        assert_eq!(PollerStatus::from("cancelled"), PollerStatus::Canceled);
        assert_eq!(PollerStatus::from("SUCCEEDED"), PollerStatus::Succeeded);
    }
}
