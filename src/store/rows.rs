//! What several tables' readers share: the story an entry belongs to, and
//! the lists stored as JSON text.

use super::StoreError;

/// Every feed that carried an entry's story, by name (an entry waiting for
/// its page is in no story yet: only its own feed).
pub(super) const STORY_SOURCES: &str = "SELECT DISTINCT feed FROM entries
     WHERE id = ?1
        OR story_id = (SELECT story_id FROM entries WHERE id = ?1)
     ORDER BY feed";

/// A list of names stored as JSON text.
pub(super) fn parse_list(json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("{json}: {e}")))
}

/// `list` as the JSON text it is stored as.
pub(super) fn json_list(list: &[String]) -> String {
    serde_json::to_string(list).expect("a list of strings always serialises")
}
