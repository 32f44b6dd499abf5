//! `better-auth.toml`: the decisions a project was generated with.

use anyhow::{Context, bail};

use super::auth_flows::AuthFlows;
use super::layout::Layout;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Next.js holds the session; requests carry the cookie.
    Monolithic,
    /// Next.js issues JWTs; a separate backend verifies them against the JWKS.
    Separate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Fastapi,
    Express,
    Axum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Sqlite,
    Postgres,
    Mysql,
    Neon,
    Supabase,
    Turso,
}

/// The wire protocol behind a database choice: what sqlx connects with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFamily {
    Sqlite,
    Postgres,
    Mysql,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub name: String,
    pub architecture: Architecture,
    /// `None` exactly when the architecture is monolithic.
    pub backend: Option<Backend>,
    pub database: Database,
    pub frontend_url: String,
    /// `None` exactly when the architecture is monolithic.
    pub backend_url: Option<String>,
    /// `[project] auth_flows`; absent (projects made before the key existed) means none.
    pub auth_flows: AuthFlows,
    /// `[layout]`; absent in a generated project (frontend/, backend/, npm).
    pub layout: Layout,
}

impl Manifest {
    pub fn parse(text: &str) -> anyhow::Result<Manifest> {
        let table: toml::Table = text.parse().context("not TOML")?;
        let get =
            |section: &str, key: &str| -> Option<&str> { table.get(section)?.get(key)?.as_str() };
        let require = |section: &str, key: &str| -> anyhow::Result<&str> {
            get(section, key).with_context(|| format!("missing `{key}` in [{section}]"))
        };

        let architecture = match require("project", "architecture")? {
            "monolithic" => Architecture::Monolithic,
            "separate" => Architecture::Separate,
            other => bail!("architecture `{other}` is not one of: monolithic, separate"),
        };
        let backend = match (architecture, get("project", "backend").unwrap_or("none")) {
            (Architecture::Monolithic, "none") => None,
            (Architecture::Monolithic, other) => {
                bail!("backend `{other}` given for a monolithic project; use backend = \"none\"")
            }
            (Architecture::Separate, "fastapi") => Some(Backend::Fastapi),
            (Architecture::Separate, "express") => Some(Backend::Express),
            (Architecture::Separate, "axum") => Some(Backend::Axum),
            (Architecture::Separate, other) => {
                bail!("backend `{other}` is not one of: fastapi, express, axum")
            }
        };
        let database = Database::parse(require("project", "database")?)?;
        let backend_url = match architecture {
            Architecture::Monolithic => None,
            Architecture::Separate => Some(require("urls", "backend")?.to_string()),
        };
        let auth_flows = AuthFlows::parse(get("project", "auth_flows").unwrap_or("none"))?;
        Ok(Manifest {
            name: require("project", "name")?.to_string(),
            architecture,
            backend,
            database,
            frontend_url: require("urls", "frontend")?.to_string(),
            backend_url,
            auth_flows,
            layout: Layout::parse(&table)?,
        })
    }

    /// True when the JWT plugin is on: exactly the separate architecture.
    pub fn uses_jwt(&self) -> bool {
        self.architecture == Architecture::Separate
    }
}

/// Every database driver package a generated frontend may list; exactly `Database::frontend_drivers` of
/// them must be there.
pub const FRONTEND_DRIVERS: [&str; 7] = [
    "pg",
    "mysql2",
    "@neondatabase/serverless",
    "ws",
    "@libsql/kysely-libsql",
    "@libsql/client",
    "better-sqlite3",
];

impl Database {
    /// The driver packages the frontend needs in package.json (SQLite uses the built-in node:sqlite).
    pub fn frontend_drivers(self) -> &'static [&'static str] {
        match self {
            Database::Sqlite => &[],
            Database::Postgres | Database::Supabase => &["pg"],
            Database::Mysql => &["mysql2"],
            Database::Neon => &["@neondatabase/serverless", "ws"],
            Database::Turso => &["@libsql/kysely-libsql"],
        }
    }

    pub const ALL: [Database; 6] = [
        Database::Sqlite,
        Database::Postgres,
        Database::Mysql,
        Database::Neon,
        Database::Supabase,
        Database::Turso,
    ];

    pub fn parse(name: &str) -> anyhow::Result<Database> {
        Database::ALL
            .into_iter()
            .find(|db| db.name() == name)
            .with_context(|| {
                format!("database `{name}` is not one of: sqlite, postgres, mysql, neon, supabase, turso")
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Postgres => "postgres",
            Database::Mysql => "mysql",
            Database::Neon => "neon",
            Database::Supabase => "supabase",
            Database::Turso => "turso",
        }
    }

    pub fn family(self) -> DbFamily {
        match self {
            Database::Sqlite | Database::Turso => DbFamily::Sqlite,
            Database::Postgres | Database::Neon | Database::Supabase => DbFamily::Postgres,
            Database::Mysql => DbFamily::Mysql,
        }
    }
}

impl DbFamily {
    /// Also the cargo feature name that enables this family's sqlx driver.
    pub fn name(self) -> &'static str {
        match self {
            DbFamily::Sqlite => "sqlite",
            DbFamily::Postgres => "postgres",
            DbFamily::Mysql => "mysql",
        }
    }
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Fastapi => "fastapi",
            Backend::Express => "express",
            Backend::Axum => "axum",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEPARATE: &str = r#"
[project]
name = "demo"
architecture = "separate"
backend = "fastapi"
database = "neon"

[urls]
frontend = "http://localhost:3000"
backend = "http://localhost:8000"
"#;

    #[test]
    fn parses_a_separate_project() {
        let manifest = Manifest::parse(SEPARATE).unwrap();
        assert_eq!(manifest.backend, Some(Backend::Fastapi));
        assert_eq!(manifest.database.family(), DbFamily::Postgres);
        assert_eq!(
            manifest.backend_url.as_deref(),
            Some("http://localhost:8000")
        );
        assert!(manifest.uses_jwt());
        // Written before auth_flows existed: none.
        assert_eq!(manifest.auth_flows.to_list(), "none");
        let with_flows =
            SEPARATE.replace("database = ", "auth_flows = \"reset,github\"\ndatabase = ");
        let flows = Manifest::parse(&with_flows).unwrap().auth_flows;
        assert_eq!(flows.to_list(), "reset,github");
    }

    #[test]
    fn rejects_a_backend_for_a_monolithic_project() {
        let text = SEPARATE.replace("\"separate\"", "\"monolithic\"");
        let err = Manifest::parse(&text).unwrap_err();
        assert!(err.to_string().contains("monolithic"), "{err}");
    }

    #[test]
    fn names_the_choices_for_an_unknown_database() {
        let text = SEPARATE.replace("\"neon\"", "\"oracle\"");
        let err = format!("{:#}", Manifest::parse(&text).unwrap_err());
        assert!(err.contains("sqlite, postgres, mysql"), "{err}");
    }
}
