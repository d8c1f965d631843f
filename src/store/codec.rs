//! How the model's closed sets are written to and read from SQL columns:
//! as their stored names, read back only when the name is one of theirs.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::model::{Channel, DigestKey};

/// `ToSql` and `FromSql` for a type stored as the text `$write` gives, and
/// read back by `$parse` (None for a name that is not one of its own).
macro_rules! stored_as_text {
    ($type:ty, $what:literal, $write:expr, $parse:path) => {
        impl ToSql for $type {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from($write(self)))
            }
        }

        impl FromSql for $type {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $parse(text).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} {text:?}", $what).into())
                })
            }
        }
    };
}

stored_as_text!(
    Channel,
    "delivery channel",
    |c: &Channel| c.as_str(),
    Channel::parse
);
stored_as_text!(
    DigestKey,
    "digest key",
    DigestKey::to_string,
    DigestKey::parse
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back_and_unknown_ones_are_refused() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let key = DigestKey::Overflow("ceasefire".into());
        let back: (Channel, DigestKey) = db
            .query_row(
                "SELECT ?1, ?2",
                rusqlite::params![Channel::Webhook, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(back, (Channel::Webhook, key));
        let unknown = db.query_row("SELECT 'sms'", [], |r| r.get::<_, Channel>(0));
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown delivery channel")
        );
    }
}
