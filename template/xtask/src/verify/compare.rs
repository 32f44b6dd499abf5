//! Expected schema vs live schema → the list of problems. Pure: no I/O, so every rule has a unit test.
//! Extra tables, columns and indexes are fine (a backend's `note` table, an index someone added).

use super::fix;
use super::problem::{Problem, ProblemKind};
use super::schema::{
    ExpectedField, ExpectedIndex, ExpectedSchema, ExpectedTable, LiveSchema, LiveTable,
};
use super::type_family;
use crate::project::DbFamily;

pub fn compare(expected: &ExpectedSchema, live: &LiveSchema, dialect: DbFamily) -> Vec<Problem> {
    let mut problems = Vec::new();
    for table in &expected.tables {
        match live.table(&table.name) {
            None => problems.push(Problem {
                table: table.name.clone(),
                column: None,
                kind: ProblemKind::MissingTable,
                expected: format!(
                    "table with columns {}",
                    names(table.fields.iter().map(|f| &f.name))
                ),
                found: "no such table".into(),
                fix: fix::MIGRATE.into(),
            }),
            Some(live_table) => compare_table(table, live_table, dialect, &mut problems),
        }
    }
    problems
}

fn compare_table(
    expected: &ExpectedTable,
    live: &LiveTable,
    dialect: DbFamily,
    problems: &mut Vec<Problem>,
) {
    for field in &expected.fields {
        compare_field(&expected.name, field, live, dialect, problems);
    }
    for index in &expected.indexes {
        compare_index(&expected.name, index, live, dialect, problems);
    }
}

fn compare_field(
    table: &str,
    field: &ExpectedField,
    live: &LiveTable,
    dialect: DbFamily,
    problems: &mut Vec<Problem>,
) {
    let mut problem = |kind, expected: String, found: String, fix: String| {
        problems.push(Problem {
            table: table.into(),
            column: Some(field.name.clone()),
            kind,
            expected,
            found,
            fix,
        })
    };
    let Some(column) = live.column(&field.name) else {
        problem(
            ProblemKind::MissingColumn,
            format!("{} column", field.family.name()),
            "no such column".into(),
            fix::MIGRATE.into(),
        );
        // Its constraints are created with it; reporting them too would only repeat this problem.
        return;
    };

    if !type_family::accepts(dialect, field.family, &column.data_type) {
        let suggested = type_family::suggested(dialect, field.family);
        problem(
            ProblemKind::WrongType,
            format!("{} ({suggested})", field.family.name()),
            column.data_type.clone(),
            fix::wrong_type(dialect, table, &field.name, suggested),
        );
    }

    // The primary key is NOT NULL by nature in every dialect, whatever the column metadata says.
    let nullable = column.nullable && field.name != "id";
    if field.required && nullable {
        problem(
            ProblemKind::Nullable,
            "NOT NULL".into(),
            "NULL allowed".into(),
            fix::nullability(dialect, table, &field.name, &column.data_type, true),
        );
    } else if !field.required && !nullable {
        problem(
            ProblemKind::NotNullable,
            "NULL allowed".into(),
            "NOT NULL".into(),
            fix::nullability(dialect, table, &field.name, &column.data_type, false),
        );
    }

    if let Some(reference) = &field.references {
        let add = fix::add_foreign_key(
            dialect,
            table,
            &field.name,
            &reference.table,
            &reference.column,
            &reference.on_delete,
        );
        let wanted = format!(
            "REFERENCES {}({}) ON DELETE {}",
            reference.table,
            reference.column,
            reference.on_delete.to_ascii_uppercase()
        );
        let keys: Vec<_> = live
            .foreign_keys
            .iter()
            .filter(|fk| fk.column == field.name)
            .collect();
        let matches = |fk: &&super::schema::LiveForeignKey| {
            fk.ref_table == reference.table
                && fk.ref_column == reference.column
                && fk.on_delete == reference.on_delete
        };
        if keys.is_empty() {
            problem(
                ProblemKind::MissingForeignKey,
                wanted,
                "no foreign key".into(),
                add,
            );
        } else if !keys.iter().any(matches) {
            let found = keys
                .iter()
                .map(|fk| {
                    format!(
                        "REFERENCES {}({}) ON DELETE {}",
                        fk.ref_table,
                        fk.ref_column,
                        fk.on_delete.to_ascii_uppercase()
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            problem(
                ProblemKind::WrongForeignKey,
                wanted,
                found,
                fix::replace_foreign_key(dialect, add),
            );
        }
    }

    // Any unique index or constraint on exactly this column will do: Better Auth creates an inline
    // UNIQUE with the table, or `<table>_<column>_uidx` when it adds the column later.
    if field.unique
        && !live
            .indexes
            .iter()
            .any(|index| index.unique && index.columns == [field.name.as_str()])
    {
        problem(
            ProblemKind::MissingUnique,
            format!("UNIQUE ({})", field.name),
            "no unique index or constraint on this column alone".into(),
            fix::add_unique(dialect, table, &field.name),
        );
    }
}

fn compare_index(
    table: &str,
    index: &ExpectedIndex,
    live: &LiveTable,
    dialect: DbFamily,
    problems: &mut Vec<Problem>,
) {
    let describe = |name: &str, columns: &[String], unique: bool| {
        format!(
            "{}index {name} on ({})",
            if unique { "unique " } else { "" },
            columns.join(", ")
        )
    };
    let expected = describe(&index.name, &index.columns, index.unique);
    if has_equivalent(live, index) {
        return;
    }
    // Same name, other definition: it must be replaced. No index on these columns at all: migrate
    // creates it.
    match live
        .indexes
        .iter()
        .find(|live| live.name.eq_ignore_ascii_case(&index.name))
    {
        None => problems.push(Problem {
            table: table.into(),
            column: (index.columns.len() == 1).then(|| index.columns[0].clone()),
            kind: ProblemKind::MissingIndex,
            expected,
            found: "no index on these columns".into(),
            fix: fix::MIGRATE.into(),
        }),
        Some(found) => problems.push(Problem {
            table: table.into(),
            column: (index.columns.len() == 1).then(|| index.columns[0].clone()),
            kind: ProblemKind::IndexMismatch,
            expected,
            found: describe(&found.name, &found.columns, found.unique),
            fix: fix::replace_index(dialect, table, &found.name),
        }),
    }
}

/// An index with the same columns in the same order and the same uniqueness serves the same queries,
/// whatever it is called (names differ between tools and hand-written migrations).
fn has_equivalent(live: &LiveTable, index: &ExpectedIndex) -> bool {
    live.indexes.iter().any(|found| {
        found.unique == index.unique
            && found.columns.len() == index.columns.len()
            && found
                .columns
                .iter()
                .zip(&index.columns)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    })
}

/// The expected indexes of existing tables that have no equivalent: what `migrate` creates after Better
/// Auth's migrator (which adds indexes only with new tables or columns).
pub fn missing_indexes<'a>(
    expected: &'a ExpectedSchema,
    live: &LiveSchema,
) -> Vec<(&'a str, &'a ExpectedIndex)> {
    let mut missing = Vec::new();
    for table in &expected.tables {
        let Some(live_table) = live
            .tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(&table.name))
        else {
            continue;
        };
        for index in &table.indexes {
            let name_taken = live_table
                .indexes
                .iter()
                .any(|l| l.name.eq_ignore_ascii_case(&index.name));
            if !has_equivalent(live_table, index) && !name_taken {
                missing.push((table.name.as_str(), index));
            }
        }
    }
    missing
}

fn names<'a>(names: impl Iterator<Item = &'a String>) -> String {
    names.map(String::as_str).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::schema::*;

    fn field(name: &str, family: TypeFamily, required: bool) -> ExpectedField {
        ExpectedField {
            name: name.into(),
            family,
            required,
            unique: false,
            references: None,
        }
    }

    /// A slice of Better Auth's schema: `user` and `session` with their constraints.
    fn expected() -> ExpectedSchema {
        let mut email = field("email", TypeFamily::String, true);
        email.unique = true;
        let mut user_id = field("userId", TypeFamily::String, true);
        user_id.references = Some(Reference {
            table: "user".into(),
            column: "id".into(),
            on_delete: "cascade".into(),
        });
        ExpectedSchema {
            better_auth_version: "1.7.25".into(),
            tables: vec![
                ExpectedTable {
                    name: "user".into(),
                    fields: vec![
                        field("id", TypeFamily::String, true),
                        email,
                        field("emailVerified", TypeFamily::Boolean, true),
                        field("image", TypeFamily::String, false),
                    ],
                    indexes: vec![],
                },
                ExpectedTable {
                    name: "session".into(),
                    fields: vec![
                        field("id", TypeFamily::String, true),
                        user_id,
                        field("expiresAt", TypeFamily::Date, true),
                    ],
                    indexes: vec![ExpectedIndex {
                        name: "session_userId_idx".into(),
                        columns: vec!["userId".into()],
                        unique: false,
                    }],
                },
            ],
        }
    }

    fn column(name: &str, data_type: &str, nullable: bool) -> LiveColumn {
        LiveColumn {
            name: name.into(),
            data_type: data_type.into(),
            nullable,
        }
    }

    /// What `auth migrate` creates in PostgreSQL for `expected()`, plus a backend's extra table.
    fn live() -> LiveSchema {
        LiveSchema {
            tables: vec![
                LiveTable {
                    name: "user".into(),
                    columns: vec![
                        column("id", "text", false),
                        column("email", "text", false),
                        column("emailVerified", "bool", false),
                        column("image", "text", true),
                    ],
                    foreign_keys: vec![],
                    indexes: vec![
                        LiveIndex {
                            name: "user_pkey".into(),
                            columns: vec!["id".into()],
                            unique: true,
                        },
                        LiveIndex {
                            name: "user_email_key".into(),
                            columns: vec!["email".into()],
                            unique: true,
                        },
                    ],
                },
                LiveTable {
                    name: "session".into(),
                    columns: vec![
                        column("id", "text", false),
                        column("userId", "text", false),
                        column("expiresAt", "timestamptz", false),
                    ],
                    foreign_keys: vec![LiveForeignKey {
                        column: "userId".into(),
                        ref_table: "user".into(),
                        ref_column: "id".into(),
                        on_delete: "cascade".into(),
                    }],
                    indexes: vec![LiveIndex {
                        name: "session_userId_idx".into(),
                        columns: vec!["userId".into()],
                        unique: false,
                    }],
                },
                LiveTable {
                    name: "note".into(),
                    ..LiveTable::default()
                },
            ],
        }
    }

    fn table<'a>(live: &'a mut LiveSchema, name: &str) -> &'a mut LiveTable {
        live.tables.iter_mut().find(|t| t.name == name).unwrap()
    }

    fn only_problem(live: &LiveSchema) -> Problem {
        let problems = compare(&expected(), live, DbFamily::Postgres);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        problems.into_iter().next().unwrap()
    }

    #[test]
    fn a_migrated_schema_with_extra_tables_has_no_problems() {
        assert_eq!(compare(&expected(), &live(), DbFamily::Postgres), vec![]);
    }

    #[test]
    fn a_missing_table_is_one_problem_fixed_by_migrate() {
        let mut live = live();
        live.tables.retain(|t| t.name != "session");
        let problem = only_problem(&live);
        assert_eq!(
            (
                problem.kind,
                problem.table.as_str(),
                problem.column.as_deref()
            ),
            (ProblemKind::MissingTable, "session", None)
        );
        assert!(problem.fix.contains("cargo xtask migrate"));
    }

    #[test]
    fn a_missing_column_is_named() {
        let mut live = live();
        table(&mut live, "user")
            .columns
            .retain(|c| c.name != "image");
        let problem = only_problem(&live);
        assert_eq!(
            (problem.kind, problem.column.as_deref()),
            (ProblemKind::MissingColumn, Some("image"))
        );
    }

    #[test]
    fn a_wrong_type_family_is_named_with_a_hand_fix() {
        let mut live = live();
        table(&mut live, "user").columns[2].data_type = "text".into();
        let problem = only_problem(&live);
        assert_eq!(
            (problem.kind, problem.column.as_deref()),
            (ProblemKind::WrongType, Some("emailVerified"))
        );
        assert!(
            problem
                .fix
                .contains("ALTER TABLE \"user\" ALTER COLUMN \"emailVerified\" TYPE boolean"),
            "{}",
            problem.fix
        );
    }

    #[test]
    fn nullability_is_checked_both_ways() {
        let mut live = live();
        table(&mut live, "session").columns[2].nullable = true;
        let problem = only_problem(&live);
        assert_eq!(
            (problem.kind, problem.column.as_deref()),
            (ProblemKind::Nullable, Some("expiresAt"))
        );
        assert!(problem.fix.contains("SET NOT NULL"));

        let mut live = self::live();
        table(&mut live, "user").columns[3].nullable = false;
        assert_eq!(only_problem(&live).kind, ProblemKind::NotNullable);
    }

    #[test]
    fn foreign_keys_must_exist_and_cascade() {
        let mut live = live();
        table(&mut live, "session").foreign_keys.clear();
        let problem = only_problem(&live);
        assert_eq!(
            (problem.kind, problem.column.as_deref()),
            (ProblemKind::MissingForeignKey, Some("userId"))
        );
        assert!(problem.expected.contains("ON DELETE CASCADE"));

        let mut live = self::live();
        table(&mut live, "session").foreign_keys[0].on_delete = "no action".into();
        let problem = only_problem(&live);
        assert_eq!(problem.kind, ProblemKind::WrongForeignKey);
        assert!(problem.found.contains("NO ACTION"), "{}", problem.found);
    }

    #[test]
    fn indexes_are_found_by_name_and_checked() {
        let mut live = live();
        table(&mut live, "session").indexes.clear();
        let problem = only_problem(&live);
        assert_eq!(problem.kind, ProblemKind::MissingIndex);
        assert!(problem.expected.contains("session_userId_idx"));

        let mut live = self::live();
        table(&mut live, "session").indexes[0].columns = vec!["expiresAt".into()];
        assert_eq!(only_problem(&live).kind, ProblemKind::IndexMismatch);
    }

    #[test]
    fn an_equivalent_index_under_another_name_is_accepted() {
        let mut live = live();
        table(&mut live, "session").indexes[0].name = "idx_session_user".into();
        assert_eq!(compare(&expected(), &live, DbFamily::Postgres), []);
        assert!(missing_indexes(&expected(), &live).is_empty());

        table(&mut live, "session").indexes.clear();
        let expected = expected();
        let missing = missing_indexes(&expected, &live);
        assert_eq!(missing.len(), 1);
        assert_eq!(
            (missing[0].0, missing[0].1.name.as_str()),
            ("session", "session_userId_idx")
        );
    }

    #[test]
    fn unique_needs_a_single_column_unique_index() {
        let mut live = live();
        table(&mut live, "user")
            .indexes
            .retain(|i| i.name != "user_email_key");
        let problem = only_problem(&live);
        assert_eq!(
            (problem.kind, problem.column.as_deref()),
            (ProblemKind::MissingUnique, Some("email"))
        );
        assert!(problem.fix.contains("CREATE UNIQUE INDEX"));

        let mut live = self::live();
        table(&mut live, "user").indexes[1].unique = false;
        assert_eq!(only_problem(&live).kind, ProblemKind::MissingUnique);
    }
}
