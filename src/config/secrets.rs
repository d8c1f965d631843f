//! Reading the secrets a config names (`*_file`, `*_env`): when they are
//! needed, never stored in the config itself.

use crate::config::Secret;

/// The secret's value: a file's content without its trailing line break,
/// or an environment variable's value.
pub fn read_secret(secret: &Secret) -> Result<String, String> {
    match secret {
        Secret::File(path) => std::fs::read_to_string(path)
            .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        Secret::Env(var) => {
            std::env::var(var).map_err(|_| format!("environment variable {var} is not set"))
        }
    }
}

/// A credential systemd passed with `LoadCredential=` (a file named `name`
/// in `$CREDENTIALS_DIRECTORY`), when `credentials_directory` holds one.
pub fn systemd_credential(
    credentials_directory: Option<&std::path::Path>,
    name: &str,
) -> Option<Result<String, String>> {
    let path = credentials_directory?.join(name);
    path.exists().then(|| read_secret(&Secret::File(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_systemd_credential_is_read_when_present() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(systemd_credential(Some(dir.path()), "smtp"), None);
        std::fs::write(dir.path().join("smtp"), "s3cret\n").unwrap();
        assert_eq!(
            systemd_credential(Some(dir.path()), "smtp"),
            Some(Ok("s3cret".into()))
        );
        assert_eq!(systemd_credential(None, "smtp"), None);
    }
}
