//! One difference between the expected and the live schema, named precisely enough to act on.

/// What kind of difference; `as_str` is the stable `kind` of the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    MissingTable,
    MissingColumn,
    WrongType,
    /// Required by Better Auth but the column accepts NULL.
    Nullable,
    /// Optional in Better Auth but the column is NOT NULL: inserts without it fail.
    NotNullable,
    MissingForeignKey,
    /// A foreign key exists but points elsewhere or has another ON DELETE action.
    WrongForeignKey,
    MissingIndex,
    /// An index with the expected name covers other columns or differs in uniqueness.
    IndexMismatch,
    MissingUnique,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::MissingTable => "missing_table",
            ProblemKind::MissingColumn => "missing_column",
            ProblemKind::WrongType => "wrong_type",
            ProblemKind::Nullable => "nullable",
            ProblemKind::NotNullable => "not_nullable",
            ProblemKind::MissingForeignKey => "missing_foreign_key",
            ProblemKind::WrongForeignKey => "wrong_foreign_key",
            ProblemKind::MissingIndex => "missing_index",
            ProblemKind::IndexMismatch => "index_mismatch",
            ProblemKind::MissingUnique => "missing_unique",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub table: String,
    pub column: Option<String>,
    pub kind: ProblemKind,
    pub expected: String,
    pub found: String,
    /// The command or SQL that fixes it.
    pub fix: String,
}

impl Problem {
    /// One line for the human report: `session.userId: foreign key missing (expected …, found …)`.
    pub fn describe(&self) -> String {
        let place = match &self.column {
            Some(column) => format!("{}.{column}", self.table),
            None => self.table.clone(),
        };
        let what = match self.kind {
            ProblemKind::MissingTable => "table is missing",
            ProblemKind::MissingColumn => "column is missing",
            ProblemKind::WrongType => "column has the wrong type",
            ProblemKind::Nullable => "column accepts NULL but Better Auth requires a value",
            ProblemKind::NotNullable => "column is NOT NULL but Better Auth may leave it empty",
            ProblemKind::MissingForeignKey => "foreign key is missing",
            ProblemKind::WrongForeignKey => "foreign key differs",
            ProblemKind::MissingIndex => "index is missing",
            ProblemKind::IndexMismatch => "index differs",
            ProblemKind::MissingUnique => "unique constraint is missing",
        };
        format!(
            "{place}: {what} (expected {}; found {})",
            self.expected, self.found
        )
    }
}
