//! `newshound backup FILE`: a consistent copy of the database, taken while
//! the daemon goes on writing to it.

use std::path::Path;

use crate::store::Store;

/// Writes the copy; returns the exit code.
pub fn backup(state_dir: &Path, to: &Path) -> u8 {
    if to.exists() {
        eprintln!(
            "error: {} exists; name a file that does not, so nothing is overwritten",
            to.display()
        );
        return super::INVALID;
    }
    let db = super::database_path(state_dir);
    if !db.exists() {
        // Opening would create an empty database and back that up.
        eprintln!(
            "error: no database at {}; name the state directory with --state-dir",
            db.display()
        );
        return super::FAILED;
    }
    match Store::open_for_reading(&db).and_then(|store| store.backup_to(to)) {
        Ok(()) => {
            let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
            println!("{} copied to {} ({size} bytes)", db.display(), to.display());
            0
        }
        Err(e) => {
            eprintln!(
                "error: cannot copy {} to {}: {e}",
                db.display(),
                to.display()
            );
            super::FAILED
        }
    }
}
