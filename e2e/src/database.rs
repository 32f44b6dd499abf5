//! Where each case's database comes from: an external server given in the environment (a fresh database
//! per case, dropped afterwards), or an embedded file (SQLite, libSQL).

use project_xtask::project::{Database, DbFamily};
use xtask::scratch_db::ScratchDb;

use crate::neon_proxy::NeonProxy;

pub enum Provider {
    /// The template's default `file:` URL inside the generated project.
    Embedded,
    /// A server URL without a database name, e.g. `postgresql://postgres@127.0.0.1:5432`.
    External {
        family: DbFamily,
        server: String,
        style: UrlStyle,
    },
}

/// How the connection string handed to the project looks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UrlStyle {
    Plain,
    /// What Supabase's dashboard hands out: `postgresql://postgres:<password>@host:port/db`.
    Supabase,
    /// Neon: a PostgreSQL URL, reached by Neon's WebSocket driver through a local proxy.
    Neon,
}

/// A database made for one case.
pub struct Provisioned {
    /// The URL the generated project gets; `None` keeps the template's default.
    pub url: Option<String>,
    /// Environment for the case's processes (the Neon proxy's address).
    pub env: Vec<(String, String)>,
    /// The server database, dropped with this value.
    _scratch: Option<ScratchDb>,
}

impl Provider {
    /// The provider for `database`, or why there is none (said in the summary; the run then fails).
    pub fn for_database(database: Database) -> Result<Provider, String> {
        let (variable, family) = match database.family() {
            DbFamily::Sqlite => return Ok(Provider::Embedded),
            DbFamily::Postgres => ("E2E_POSTGRES_URL", DbFamily::Postgres),
            DbFamily::Mysql => ("E2E_MYSQL_URL", DbFamily::Mysql),
        };
        match std::env::var(variable) {
            Ok(server) if !server.is_empty() => Ok(Provider::External {
                family,
                server: server.trim_end_matches('/').to_string(),
                style: match database {
                    Database::Supabase => UrlStyle::Supabase,
                    Database::Neon => UrlStyle::Neon,
                    _ => UrlStyle::Plain,
                },
            }),
            _ => Err(format!(
                "no {} server: set {variable} (e.g. {}); no Docker engine for testcontainers here",
                family.name(),
                match family {
                    DbFamily::Mysql => "mysql://root@127.0.0.1:3306",
                    _ => "postgresql://postgres@127.0.0.1:5432",
                }
            )),
        }
    }

    pub fn provision(&self, case: &str) -> anyhow::Result<Provisioned> {
        let Provider::External {
            family,
            server,
            style,
        } = self
        else {
            return Ok(Provisioned {
                url: None,
                env: Vec::new(),
                _scratch: None,
            });
        };
        let scratch = ScratchDb::create(*family, server, &format!("e2e_{case}"))?;
        let mut env = Vec::new();
        let url = match style {
            UrlStyle::Supabase => {
                // The local server's trust auth ignores the password; the shape is what matters.
                let authority = server
                    .split_once("://")
                    .map_or(server.as_str(), |(_, rest)| rest);
                let host = authority
                    .rsplit_once('@')
                    .map_or(authority, |(_, host)| host);
                format!("postgresql://postgres:postgres@{host}/{}", scratch.name)
            }
            UrlStyle::Neon => {
                let proxy = neon_proxy()?;
                env.push(("NEON_WS_PROXY".to_string(), proxy.url()));
                scratch.url()
            }
            UrlStyle::Plain => scratch.url(),
        };
        Ok(Provisioned {
            url: Some(url),
            env,
            _scratch: Some(scratch),
        })
    }
}

/// One proxy for the whole run, started on first use.
fn neon_proxy() -> anyhow::Result<&'static NeonProxy> {
    static PROXY: std::sync::OnceLock<NeonProxy> = std::sync::OnceLock::new();
    if let Some(proxy) = PROXY.get() {
        return Ok(proxy);
    }
    let proxy = NeonProxy::start()?;
    Ok(PROXY.get_or_init(|| proxy))
}
