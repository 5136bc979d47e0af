//! ARM error bodies: `{"error":{"code","message","target"?,"details"?}}` with the HTTP status ARM uses,
//! or a provider's own envelope ([`Envelope`]) where it answers in its own words.

use crate::contract::profile::Envelope;
use serde_json::{Value, json};

/// An ARM error as it travels on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    /// How it travels: ARM's `error` wrapper, or a provider's own shape.
    pub envelope: Envelope,
    /// `error.details`: more errors, each `{"code","message","target"?}`.
    pub details: Vec<Value>,
}

impl ArmError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            target: None,
            envelope: Envelope::Arm,
            details: Vec::new(),
        }
    }

    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The bare `{"code","message"}` shape (the target goes into the message).
    pub fn flat(mut self) -> Self {
        self.envelope = Envelope::Bare;
        self
    }

    /// The same error in a provider's envelope, unless it already has one of its own.
    pub fn in_envelope(mut self, envelope: Envelope) -> Self {
        if self.envelope == Envelope::Arm {
            self.envelope = envelope;
        }
        self
    }

    /// A lock held by another operation, as the Network RP answers it: 429 `RetryableError`, the
    /// reason in `details` (cloudfoundry/bosh-azure-cpi-release #179); not throttling.
    pub fn retryable(resource: &str, retry_after_s: u64) -> Self {
        let mut e = Self::new(429, "RetryableError", "A retryable error occurred.");
        e.details.push(json!({
            "code": "RetryableErrorDueToAnotherOperation",
            "message": format!(
                "Operation on '{resource}' cannot proceed while another operation on it is in progress. It can be retried in {retry_after_s} seconds."
            ),
        }));
        e
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::new(404, code, message)
    }

    /// The JSON body ARM sends.
    pub fn body(&self) -> Value {
        match self.envelope {
            Envelope::Arm => {}
            Envelope::Bare => return json!({ "code": self.code, "message": self.message }),
            Envelope::Aks => {
                return json!({
                    "code": self.code,
                    "message": self.message,
                    "subcode": "",
                    "target": self.target,
                    "details": if self.details.is_empty() { Value::Null } else { json!(self.details) },
                });
            }
        }
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(target) = &self.target {
            error["target"] = json!(target);
        }
        if !self.details.is_empty() {
            error["details"] = json!(self.details);
        }
        json!({ "error": error })
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    #[error("emulator i/o failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("emulator tls setup failed: {0}")]
    Tls(String),
}
