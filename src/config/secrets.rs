//! Reading the secrets a config names (`*_file`, `*_env`): when they are
//! needed, never stored in the config itself.

use std::path::PathBuf;

use crate::config::Secret;

/// Why a secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The file that holds it cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The environment variable that holds it is not set (or not UTF-8).
    #[error("environment variable {0} is not set")]
    Env(String),
}

/// The secret's value: a file's content without its trailing line break,
/// or an environment variable's value.
pub fn read_secret(secret: &Secret) -> Result<String, SecretError> {
    match secret {
        Secret::File(path) => std::fs::read_to_string(path)
            .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
            .map_err(|source| SecretError::File {
                path: path.clone(),
                source,
            }),
        Secret::Env(var) => std::env::var(var).map_err(|_| SecretError::Env(var.clone())),
    }
}

/// A credential systemd passed with `LoadCredential=` (a file named `name`
/// in `$CREDENTIALS_DIRECTORY`), when `credentials_directory` holds one.
pub fn systemd_credential(
    credentials_directory: Option<&std::path::Path>,
    name: &str,
) -> Option<Result<String, SecretError>> {
    let path = credentials_directory?.join(name);
    path.exists().then(|| read_secret(&Secret::File(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_systemd_credential_is_read_when_present() {
        let dir = tempfile::tempdir().unwrap();
        assert!(systemd_credential(Some(dir.path()), "smtp").is_none());
        std::fs::write(dir.path().join("smtp"), "s3cret\n").unwrap();
        assert_eq!(
            systemd_credential(Some(dir.path()), "smtp").map(Result::unwrap),
            Some("s3cret".into())
        );
        assert!(systemd_credential(None, "smtp").is_none());
        let unset = read_secret(&Secret::Env("NEWSHOUND_TEST_UNSET_SECRET".into()));
        assert_eq!(
            unset.unwrap_err().to_string(),
            "environment variable NEWSHOUND_TEST_UNSET_SECRET is not set"
        );
    }
}
