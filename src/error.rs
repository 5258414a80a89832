//! The action's outcome cases, mirroring the WIT `action-error` variant.

use crate::output::Output;

/// Why the action produced no download link. Case names match the WIT.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionError {
    /// An input broke a rule; nothing was sent.
    InvalidInput(String),
    /// The console's final answer was not a success.
    HttpStatus(Box<Output>),
    /// The deadline passed before a complete answer.
    Timeout(String),
    /// The console could not be reached or the connection failed.
    Transport(String),
    /// A 2xx answer that is not the documented JSON, or a body too large.
    InvalidResponse(String),
}

impl ActionError {
    /// The WIT case name, used as `error.kind` by the JSON entry.
    pub fn kind(&self) -> &'static str {
        match self {
            ActionError::InvalidInput(_) => "invalid-input",
            ActionError::HttpStatus(_) => "http-status",
            ActionError::Timeout(_) => "timeout",
            ActionError::Transport(_) => "transport",
            ActionError::InvalidResponse(_) => "invalid-response",
        }
    }

    /// A one-line explanation for people reading playbook logs.
    pub fn message(&self) -> String {
        match self {
            ActionError::InvalidInput(m)
            | ActionError::Timeout(m)
            | ActionError::Transport(m)
            | ActionError::InvalidResponse(m) => m.clone(),
            ActionError::HttpStatus(output) => crate::status_message::describe(output),
        }
    }

    /// Shorthand for an input error naming `field` and the broken `rule`.
    pub fn invalid_input(field: &str, rule: impl std::fmt::Display) -> Self {
        ActionError::InvalidInput(format!("{field}: {rule}"))
    }
}
