//! What a resource type's handler sees of one request ([`Ctx`]) and what it answers ([`Resp`]).

use crate::contract::config::{Config, FaultAction, FaultRule};
use crate::contract::error::ArmError;
use crate::contract::store::State;
use axum::http::Method;
use serde_json::Value;
use std::collections::HashMap;

/// An answer before it becomes an HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
        }
    }
    /// Sets a header (replacing one of the same name).
    pub fn header(&mut self, name: &str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value));
    }
}

/// What a handler sees of one request.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub state: &'a mut State,
    pub config: &'a Config,
    pub now: u64,
    pub subscription: String,
    /// The subscription's tenant as the caller sees it: the tenant its token was issued for, the
    /// tenant `GET /subscriptions/{s}` reports to it.
    pub tenant: String,
    pub base_url: String,
    pub request_url: String,
    pub method: Method,
    pub body: Option<Value>,
    pub query: HashMap<String, String>,
    pub(crate) faults: &'a mut Vec<FaultRule>,
}

impl Ctx<'_> {
    /// A provisioning duration from the latency model, scaled.
    pub fn latency(&self, key: &str) -> u64 {
        let base = self.config.latencies.get(key).copied().unwrap_or(1_000);
        (base as f64 * self.config.latency_scale).round() as u64
    }

    /// The JSON body, or 400 `InvalidRequestContent`.
    pub fn json_body(&self) -> Result<&Value, ArmError> {
        match &self.body {
            Some(v) if v.is_object() => Ok(v),
            _ => Err(ArmError::bad_request(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized.",
            )),
        }
    }

    /// An injected asynchronous failure for an operation starting on this resource, if one is configured.
    pub fn fault_for(&mut self, resource_id: &str, state: &str) -> Option<(String, String)> {
        let method = if state == "Deleting" { "DELETE" } else { "PUT" };
        let lower = resource_id.to_ascii_lowercase();
        let rule = self.faults.iter_mut().find(|f| {
            f.remaining > 0
                && f.method.eq_ignore_ascii_case(method)
                && lower.contains(&f.path_contains.to_ascii_lowercase())
                && matches!(f.action, FaultAction::FailAsync { .. })
        })?;
        rule.remaining -= 1;
        match &rule.action {
            FaultAction::FailAsync { code, message } => Some((code.clone(), message.clone())),
            FaultAction::Respond { .. } | FaultAction::Drop { .. } => None,
        }
    }
}
