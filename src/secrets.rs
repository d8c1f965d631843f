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
