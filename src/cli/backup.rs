//! `newshound backup FILE`: a consistent copy of the database, taken while
//! the daemon goes on writing to it.

use std::path::Path;

use crate::store::Store;

/// Writes the copy; returns the exit code.
pub fn backup(state_dir: &Path, to: &Path) -> super::Outcome {
    if to.exists() {
        return Err(super::invalid(format!(
            "{} exists; name a file that does not, so nothing is overwritten",
            to.display()
        )));
    }
    let db = super::database_path(state_dir);
    if !db.exists() {
        // Opening would create an empty database and back that up.
        return Err(anyhow::anyhow!(
            "no database at {}; name the state directory with --state-dir",
            db.display()
        ));
    }
    match Store::open_for_reading(&db).and_then(|store| store.backup_to(to)) {
        Ok(()) => {
            let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
            println!("{} copied to {} ({size} bytes)", db.display(), to.display());
            Ok(0)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "cannot copy {} to {}",
            db.display(),
            to.display()
        ))),
    }
}
