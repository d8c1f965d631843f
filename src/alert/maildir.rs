//! Delivery into a local Maildir: write in `tmp/`, then rename into `new/`,
//! so a reader never sees half a message.

use std::io::Write;
use std::path::PathBuf;

use lettre::message::Mailbox;

use super::AlertError;

/// A Maildir (`tmp/`, `new/`, `cur/`) created on first delivery.
#[derive(Clone)]
pub struct Maildir {
    pub root: PathBuf,
    pub from: Mailbox,
}

impl Maildir {
    /// A Maildir at `root`, its mails sent `from`.
    pub fn new(root: PathBuf, from: Mailbox) -> Maildir {
        Maildir { root, from }
    }

    /// Stores one message. The file name derives from the Message-ID, so
    /// delivering the same alert again replaces the file instead of adding
    /// a second copy.
    pub fn deliver(&self, message_id: &str, bytes: &[u8]) -> Result<(), AlertError> {
        let io = |source| AlertError::Maildir {
            path: self.root.clone(),
            source,
        };
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(self.root.join(sub)).map_err(io)?;
        }
        let name: String = message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{name}.newshound");
        let tmp = self.root.join("tmp").join(&name);
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, self.root.join("new").join(&name)).map_err(io)?;
        // The rename is durable only once the directory is synced; the
        // delivery is marked sent right after this returns.
        std::fs::File::open(self.root.join("new"))
            .and_then(|dir| dir.sync_all())
            .map_err(io)?;
        Ok(())
    }
}
