//! ARM error bodies: `{"error":{"code","message","target"?,"details"?}}` with the HTTP status ARM uses.

use serde_json::{Value, json};

/// An ARM error as it travels on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    /// Sent as a bare `{"code","message"}`, as the Front Door WAF provider's spec declares its errors.
    pub flat: bool,
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
            flat: false,
            details: Vec::new(),
        }
    }

    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The bare `{"code","message"}` shape (the target goes into the message).
    pub fn flat(mut self) -> Self {
        self.flat = true;
        self
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
        if self.flat {
            return json!({ "code": self.code, "message": self.message });
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
