//! What newshound writes is its user's alone: started under umask 022, a
//! poll that mails to the Maildir leaves no file or directory that others
//! can read.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

/// Every path under `dir`, `dir` included.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = vec![dir.to_path_buf()];
    let mut at = 0;
    while at < found.len() {
        if found[at].is_dir() {
            let children = std::fs::read_dir(&found[at]).unwrap();
            found.extend(children.map(|c| c.unwrap().path()));
        }
        at += 1;
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn under_umask_022_the_database_locks_and_mails_are_private() {
    let server = feed_server(&[Item::new("1", "Ceasefire agreed", "x")]).await;
    let env = Env::new();
    env.write_config(&wire_config("", &server.uri()));

    let output = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" --config \"$1\" --state-dir \"$2\" poll")
        .arg(env!("CARGO_BIN_EXE_newshound"))
        .arg(env.config_path())
        .arg(env.state_dir())
        .output()
        .await
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(env.maildir_new().len(), 1);

    let paths = walk(&env.state_dir());
    assert!(paths.iter().any(|p| p.ends_with("newshound.db")));
    assert!(paths.len() >= 6, "{paths:?}");
    for path in paths {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let wanted = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, wanted, "{} is {mode:o}", path.display());
    }
}
