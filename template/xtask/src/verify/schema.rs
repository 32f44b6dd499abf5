//! The two sides of the comparison: what Better Auth expects and what the database holds. Plain data,
//! so the comparison can be tested without a database or Node.

/// The kind of value a column holds, as Better Auth's field types name it. Each dialect stores a family
/// in its own column types (see `type_family`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeFamily {
    String,
    Number,
    Boolean,
    Date,
    Json,
}

impl TypeFamily {
    /// Better Auth's field type names; arrays are stored as JSON.
    pub fn parse(name: &str) -> Option<TypeFamily> {
        Some(match name {
            "string" => TypeFamily::String,
            "number" => TypeFamily::Number,
            "boolean" => TypeFamily::Boolean,
            "date" => TypeFamily::Date,
            "json" | "string[]" | "number[]" => TypeFamily::Json,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TypeFamily::String => "string",
            TypeFamily::Number => "number",
            TypeFamily::Boolean => "boolean",
            TypeFamily::Date => "date",
            TypeFamily::Json => "json",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedSchema {
    /// The installed `better-auth` package version the expectation came from.
    pub better_auth_version: String,
    pub tables: Vec<ExpectedTable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedTable {
    pub name: String,
    pub fields: Vec<ExpectedField>,
    pub indexes: Vec<ExpectedIndex>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedField {
    pub name: String,
    pub family: TypeFamily,
    /// Required fields must be NOT NULL; optional ones must accept NULL.
    pub required: bool,
    pub unique: bool,
    pub references: Option<Reference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub table: String,
    pub column: String,
    /// Lowercase SQL action: `cascade`, `set null`, `restrict`, `no action`, `set default`.
    pub on_delete: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedIndex {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSchema {
    pub tables: Vec<LiveTable>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveTable {
    pub name: String,
    pub columns: Vec<LiveColumn>,
    pub foreign_keys: Vec<LiveForeignKey>,
    /// Every index, including those behind UNIQUE and PRIMARY KEY constraints.
    pub indexes: Vec<LiveIndex>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveColumn {
    pub name: String,
    /// The declared type as the database reports it (`text`, `timestamptz`, `varchar(36)`, `tinyint(1)`).
    pub data_type: String,
    pub nullable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveForeignKey {
    pub column: String,
    pub ref_table: String,
    pub ref_column: String,
    /// Lowercase SQL action, as in `Reference::on_delete`.
    pub on_delete: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveIndex {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

impl LiveSchema {
    pub fn table(&self, name: &str) -> Option<&LiveTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

impl LiveTable {
    pub fn column(&self, name: &str) -> Option<&LiveColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}
