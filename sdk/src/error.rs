//! The SDK's error type, and which errors are worth retrying.

use crate::validate::Diagnostic;

/// Everything that can go wrong between a topology and ARM: validation, ARM's refusals, failed operations, the network, tokens, settings, cancellation.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The topology failed validation; nothing was sent to ARM.
    #[error("invalid topology: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Diagnostic>),
    /// ARM answered with an error status.
    #[error("{method} {path} failed with {status} {code}: {message}")]
    Arm {
        /// The HTTP method of the refused request (`PUT`, say).
        method: String,
        /// The ARM path of the refused request (`/subscriptions/.../resourceGroups/...`).
        path: String,
        /// The HTTP status ARM answered.
        status: u16,
        /// ARM's error code (`InvalidTemplate`, `QuotaExceeded`, `AnotherOperationInProgress`, ...).
        code: String,
        /// ARM's message, as it gave it.
        message: String,
    },
    /// A long-running operation ended Failed or Canceled.
    #[error("operation on {resource} ended {status}: {code}: {message}")]
    OperationFailed {
        /// The resource whose operation failed (its ARM path).
        resource: String,
        /// How the operation ended: `Failed` or `Canceled`.
        status: String,
        /// The operation's error code.
        code: String,
        /// The operation's error message.
        message: String,
    },
    /// The request never got an answer (connection refused or dropped, TLS, timeout).
    #[error("transport failed: {0}")]
    Transport(String),
    /// A token could not be had.
    #[error("authentication failed: {0}")]
    Credential(String),
    /// The connection settings are unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// ARM answered with something the SDK could not read.
    #[error("unexpected response from {path}: {detail}")]
    Decode {
        /// The path (or URL) whose answer could not be read.
        path: String,
        /// What was wrong with it.
        detail: String,
    },
    /// A region's requests failed one after another (server errors, or no answer), and the SDK stopped
    /// asking it for a while (see [`crate::arm::breaker`]).
    #[error("region {region} is not answering ({detail}); bcdr leaves it alone for now")]
    Unreachable {
        /// The Azure region not answering (`eastus`, say).
        region: String,
        /// The failure that made the SDK stop asking it.
        detail: String,
    },
    /// The caller cancelled the work.
    #[error("cancelled")]
    Cancelled,
    /// The subscription is not registered for a resource provider's namespace, and the SDK could not
    /// or was told not to register it (`ArmConfig::register_providers`).
    #[error("the subscription is not registered for {namespace}: {detail}")]
    Unregistered {
        /// The resource provider namespace (`Microsoft.ContainerService`, say).
        namespace: String,
        /// Why it was not registered, and how to register it.
        detail: String,
    },
}

impl Error {
    /// Whether the same request may succeed later: throttling, server errors, dropped connections,
    /// and the Network RP's lock conflicts (`AnotherOperationInProgress`, `ReferencedResourceNotProvisioned`,
    /// `RetryableErrorDueToAnotherOperation`).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Arm { status, code, .. } => {
                matches!(*status, 408 | 429 | 500 | 502 | 503 | 504)
                    || matches!(
                        code.as_str(),
                        "AnotherOperationInProgress"
                            | "ReferencedResourceNotProvisioned"
                            | "RetryableErrorDueToAnotherOperation"
                            | "OperationNotAllowed"
                    )
            }
            Error::Transport(_) => true,
            _ => false,
        }
    }

    /// Whether the answer says the service is not there (a server error or no answer, after the
    /// pipeline's retries), as during a regional outage: not a refusal of the request.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Arm { status, .. } => matches!(*status, 408 | 500 | 502 | 503 | 504),
            Error::Transport(_) | Error::Unreachable { .. } => true,
            _ => false,
        }
    }

    /// The ARM error code, when there is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Arm { code, .. } | Error::OperationFailed { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The SDK's result: [`Error`] unless another error type is given.
pub type Result<T, E = Error> = std::result::Result<T, E>;
