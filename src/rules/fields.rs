//! Field scopes of query terms: `title:`, `summary:`, `body:`.

use crate::model::Field;

/// A set of article fields a term may hit in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldSet(u8);

impl FieldSet {
    /// Every field: a term without a scope.
    pub const ALL: FieldSet = FieldSet(0b111);

    /// Only `field`.
    pub fn only(field: Field) -> FieldSet {
        FieldSet(bit(field))
    }

    /// The fields in both sets.
    pub fn and(self, other: FieldSet) -> FieldSet {
        FieldSet(self.0 & other.0)
    }

    /// True when the set holds no field.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when `field` is in the set.
    pub fn contains(self, field: Field) -> bool {
        self.0 & bit(field) != 0
    }
}

fn bit(field: Field) -> u8 {
    match field {
        Field::Title => 1,
        Field::Summary => 2,
        Field::Body => 4,
    }
}

/// The field called `name`, or an error that suggests the closest one.
pub fn field_named(name: &str) -> Result<Field, String> {
    if let Some(field) = Field::ALL.into_iter().find(|f| f.name() == name) {
        return Ok(field);
    }
    let closest = Field::ALL
        .into_iter()
        .map(|f| (edit_distance(name, f.name()), f.name()))
        .min()
        .filter(|(d, _)| *d <= 2);
    Err(match closest {
        Some((_, suggestion)) => {
            format!("unknown field \"{name}\" (did you mean \"{suggestion}\"?)")
        }
        None => format!("unknown field \"{name}\" (fields are title, summary and body)"),
    })
}

/// Levenshtein distance between two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_field() {
        assert_eq!(field_named("title"), Ok(Field::Title));
        assert_eq!(
            field_named("titel").unwrap_err(),
            "unknown field \"titel\" (did you mean \"title\"?)"
        );
        assert_eq!(
            field_named("author").unwrap_err(),
            "unknown field \"author\" (fields are title, summary and body)"
        );
    }

    #[test]
    fn sets_hold_their_fields() {
        assert!(FieldSet::ALL.contains(Field::Body));
        assert!(FieldSet::only(Field::Title).contains(Field::Title));
        assert!(!FieldSet::only(Field::Title).contains(Field::Summary));
    }
}
