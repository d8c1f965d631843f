//! How a command ends: an exit code, or an error that `main` prints once,
//! with its causes, as `error: what: why`. An error the user's input caused
//! (a config, a query, an argument) exits with [`INVALID`]; any other with
//! [`FAILED`].

use crate::config::ConfigError;

/// Exit code for a run-time failure (a feed, a delivery).
pub const FAILED: u8 = 1;
/// Exit code for an invalid config or usage.
pub const INVALID: u8 = 2;

/// What a command returns: its exit code, or why it could not run.
pub type Outcome = anyhow::Result<u8>;

/// The user's input is wrong: what to change is in the message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// An error for input the user has to change.
pub fn invalid(message: impl Into<String>) -> anyhow::Error {
    Invalid(message.into()).into()
}

/// Prints the error of a command that failed, once, and returns its exit code.
pub fn exit_code(outcome: Outcome) -> u8 {
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", with_causes(&e));
            let users = e
                .chain()
                .any(|cause| cause.is::<Invalid>() || cause.is::<ConfigError>());
            match users {
                true => INVALID,
                false => FAILED,
            }
        }
    }
}

/// The error and its causes, each said once (see `fetch::error_causes`).
pub fn with_causes(error: &anyhow::Error) -> String {
    crate::fetch::error_causes(error.as_ref())
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn the_users_errors_exit_2_and_the_rest_1_whatever_their_context() {
        let bad_query: Outcome = Err(invalid("unbalanced parenthesis")).context("--query");
        assert_eq!(exit_code(bad_query), INVALID);
        let io = std::io::Error::other("disk full");
        let failed: Outcome = Err(io).context("cannot copy newshound.db");
        assert_eq!(exit_code(failed), FAILED);
        assert_eq!(exit_code(Ok(0)), 0);
        assert_eq!(exit_code(Ok(FAILED)), FAILED);
    }

    #[test]
    fn a_cause_the_message_already_quotes_is_not_said_again() {
        let io = std::io::Error::other("disk full");
        let quoted = crate::store::StoreError::StateDir {
            path: "state".into(),
            source: io,
        };
        let e = anyhow::Error::new(quoted).context("newshound.db");
        assert_eq!(with_causes(&e), "newshound.db: cannot use state: disk full");
        let plain = anyhow::anyhow!("no feed found").context("discover");
        assert_eq!(with_causes(&plain), "discover: no feed found");
    }
}
