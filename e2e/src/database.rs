//! Where each case's database comes from. SQLite and Turso: an embedded file. PostgreSQL (also behind Neon
//! and Supabase) and MySQL: a server, on which each case gets a fresh database, dropped afterwards
//! (`ScratchDb`). The server, in this order:
//!
//! 1. a URL in the environment (`E2E_POSTGRES_URL`, `E2E_MYSQL_URL`; with or without a database path);
//! 2. a container (testcontainers) when a Docker engine answers — how the nightly workflow and `.ci/run`
//!    run; one per server kind, started on first use and shared by the run's cases (image: see
//!    `containers`);
//! 3. the local default server (`postgresql://postgres@127.0.0.1:5432`, `mysql://root@127.0.0.1:3306`) when
//!    it accepts a connection;
//!
//! else no provider: the summary says so with the fixes, and the run fails unless the database was skipped.
//! `E2E_PROVIDER=testcontainers` demands the containers: the URLs and the local server are not used, and
//! no engine is a NO PROVIDER failure, never a quiet fallback (`.ci/run` sets it when its engine started).

use std::fmt;
use std::time::Duration;

use project_xtask::project::url::redact;
use project_xtask::project::{Database, DbFamily};
use xtask::scratch_db::ScratchDb;

use crate::containers;
use crate::neon_proxy::NeonProxy;

pub enum Provider {
    /// The template's default `file:` URL inside the generated project.
    Embedded,
    /// A server; each case gets its own database on it.
    Server {
        family: DbFamily,
        source: Source,
        style: UrlStyle,
    },
}

/// Which server a server database's cases use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A server URL without a database name from `variable`, e.g. `postgresql://postgres@127.0.0.1:5432`.
    External {
        variable: &'static str,
        server: String,
    },
    /// The run's testcontainers container for the family, started on first use.
    Container,
    /// The local default server.
    Local { server: String },
}

/// What `E2E_PROVIDER` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demand {
    /// Unset: the first provider that is there, in the module's order.
    Any,
    /// `testcontainers`: containers or nothing.
    Containers,
}

impl Demand {
    /// `E2E_PROVIDER` from the environment; a value other than `testcontainers` is refused.
    pub fn from_env() -> anyhow::Result<Demand> {
        match std::env::var("E2E_PROVIDER").as_deref().map(str::trim) {
            Err(_) | Ok("") => Ok(Demand::Any),
            Ok("testcontainers") => Ok(Demand::Containers),
            Ok(other) => anyhow::bail!(
                "E2E_PROVIDER={other} is not a provider; use E2E_PROVIDER=testcontainers or leave it unset"
            ),
        }
    }
}

/// The selection, decided without side effects (`choose`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Embedded,
    Server(Source),
    /// Why there is none, with the fixes.
    NoProvider(String),
}

/// How the connection string handed to the project looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The environment variable that names a family's server.
pub fn url_variable(family: DbFamily) -> Option<&'static str> {
    match family {
        DbFamily::Postgres => Some("E2E_POSTGRES_URL"),
        DbFamily::Mysql => Some("E2E_MYSQL_URL"),
        DbFamily::Sqlite => None,
    }
}

/// The local default server (the same as `xtask::scratch_db::server_url` without a variable).
pub fn local_server(family: DbFamily) -> Option<&'static str> {
    match family {
        DbFamily::Postgres => Some("postgresql://postgres@127.0.0.1:5432"),
        DbFamily::Mysql => Some("mysql://root@127.0.0.1:3306"),
        DbFamily::Sqlite => None,
    }
}

/// The provider for `database` given what the environment offers: the server URL from its variable,
/// whether a Docker engine answers, whether the local default server accepts connections.
pub fn choose(
    database: Database,
    demand: Demand,
    env_url: Option<&str>,
    docker: bool,
    local_answers: bool,
) -> Choice {
    let family = database.family();
    let (Some(variable), Some(local)) = (url_variable(family), local_server(family)) else {
        return Choice::Embedded;
    };
    if demand == Demand::Containers {
        return if docker {
            Choice::Server(Source::Container)
        } else {
            Choice::NoProvider(format!(
                "E2E_PROVIDER=testcontainers but no Docker engine answers at {}: start one with \
                 `eval \"$(cargo xtask engine start)\"`, or unset E2E_PROVIDER",
                xtask::engine_api::docker_host()
            ))
        };
    }
    if let Some(url) = env_url.map(str::trim).filter(|url| !url.is_empty()) {
        // With or without a database path: each case makes its own database on the server.
        return match xtask::scratch_db::server_of(url) {
            Ok(server) => Choice::Server(Source::External { variable, server }),
            Err(why) => Choice::NoProvider(format!("{variable}: {why}")),
        };
    }
    if docker {
        return Choice::Server(Source::Container);
    }
    if local_answers {
        return Choice::Server(Source::Local {
            server: local.to_string(),
        });
    }
    let server = match family {
        DbFamily::Mysql => "MySQL",
        _ => "PostgreSQL",
    };
    Choice::NoProvider(format!(
        "no {server} server for {db}: set {variable} (e.g. {local}), start a Docker engine \
         (testcontainers), start {server} at {address}, or pass --skip-database {db}",
        db = database.name(),
        address = local.rsplit_once('@').map_or(local, |(_, address)| address),
    ))
}

impl Provider {
    /// The provider for `database`, or why there is none (said in the summary; the run then fails).
    pub fn for_database(database: Database, demand: Demand) -> Result<Provider, String> {
        let family = database.family();
        let env_url = url_variable(family)
            .and_then(|variable| std::env::var(variable).ok())
            .filter(|url| !url.trim().is_empty() && demand == Demand::Any);
        // Each question is asked only when the ones before it found nothing.
        let server = url_variable(family).is_some();
        let docker = server && env_url.is_none() && containers::docker_answers();
        let local = server
            && demand == Demand::Any
            && env_url.is_none()
            && !docker
            && local_server(family).is_some_and(server_answers);
        let style = match database {
            Database::Supabase => UrlStyle::Supabase,
            Database::Neon => UrlStyle::Neon,
            _ => UrlStyle::Plain,
        };
        match choose(database, demand, env_url.as_deref(), docker, local) {
            Choice::Embedded => Ok(Provider::Embedded),
            Choice::Server(source) => Ok(Provider::Server {
                family,
                source,
                style,
            }),
            Choice::NoProvider(why) => Err(why),
        }
    }

    pub fn provision(&self, case: &str) -> anyhow::Result<Provisioned> {
        let Provider::Server {
            family,
            source,
            style,
        } = self
        else {
            eprintln!("     database: {self}");
            return Ok(Provisioned {
                url: None,
                env: Vec::new(),
                _scratch: None,
            });
        };
        let server = match source {
            Source::External { server, .. } | Source::Local { server } => {
                eprintln!("     database: {self}");
                server.clone()
            }
            Source::Container => {
                let (server, description) = containers::server(*family)?;
                eprintln!("     database: {description}");
                server
            }
        };
        let scratch = ScratchDb::create(*family, &server, &format!("e2e_{case}"))?;
        let mut env = Vec::new();
        let url = match style {
            UrlStyle::Supabase => {
                // The servers here trust local connections (the container's password is `postgres`
                // too); the shape is what matters.
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

/// Which provider serves the database, for the log and the summary: "embedded file:", "external
/// E2E_POSTGRES_URL (…)", "testcontainers postgres:16-alpine" (the address once started), "local …".
impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provider::Embedded => write!(f, "embedded file: (the template's default URL)"),
            Provider::Server { family, source, .. } => match source {
                Source::External { variable, server } => {
                    write!(f, "external {variable} ({})", redact(server))
                }
                Source::Container => write!(f, "testcontainers {}", containers::image(*family)),
                Source::Local { server } => write!(f, "local default server {server}"),
            },
        }
    }
}

/// Whether something accepts TCP connections at the URL's `host:port` (1-second timeout).
fn server_answers(url: &str) -> bool {
    use std::net::ToSocketAddrs;
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
    let address = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let address = address.split('/').next().unwrap_or_default();
    address.to_socket_addrs().is_ok_and(|mut addresses| {
        addresses.any(|address| {
            std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
        })
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER_DATABASES: [Database; 4] = [
        Database::Postgres,
        Database::Mysql,
        Database::Neon,
        Database::Supabase,
    ];

    #[test]
    fn an_environment_url_wins_over_docker_and_the_local_server() {
        for database in SERVER_DATABASES {
            let url = match database.family() {
                DbFamily::Mysql => "mysql://root@db.example:3306/",
                _ => "postgresql://postgres@db.example:5432/",
            };
            let Choice::Server(Source::External { variable, server }) =
                choose(database, Demand::Any, Some(url), true, true)
            else {
                panic!("{}: expected the environment's server", database.name());
            };
            assert_eq!(Some(variable), url_variable(database.family()));
            assert_eq!(server, url.trim_end_matches('/'), "trailing slash trimmed");
        }
    }

    #[test]
    fn docker_is_used_when_no_url_is_set() {
        for database in SERVER_DATABASES {
            for local_answers in [true, false] {
                assert_eq!(
                    choose(database, Demand::Any, None, true, local_answers),
                    Choice::Server(Source::Container)
                );
            }
            // An empty variable counts as unset.
            assert_eq!(
                choose(database, Demand::Any, Some(" "), true, true),
                Choice::Server(Source::Container)
            );
        }
    }

    #[test]
    fn the_local_default_server_is_the_last_resort() {
        assert_eq!(
            choose(Database::Supabase, Demand::Any, None, false, true),
            Choice::Server(Source::Local {
                server: "postgresql://postgres@127.0.0.1:5432".to_string()
            })
        );
        assert_eq!(
            choose(Database::Mysql, Demand::Any, None, false, true),
            Choice::Server(Source::Local {
                server: "mysql://root@127.0.0.1:3306".to_string()
            })
        );
    }

    #[test]
    fn no_url_no_docker_no_local_server_is_no_provider_naming_the_fixes() {
        for database in SERVER_DATABASES {
            let Choice::NoProvider(why) = choose(database, Demand::Any, None, false, false) else {
                panic!("{}: expected no provider", database.name());
            };
            let variable = url_variable(database.family()).unwrap();
            for fix in [
                format!("set {variable}"),
                "start a Docker engine".to_string(),
                format!("--skip-database {}", database.name()),
            ] {
                assert!(why.contains(&fix), "{why:?} does not say {fix:?}");
            }
        }
        let Choice::NoProvider(why) = choose(Database::Mysql, Demand::Any, None, false, false)
        else {
            unreachable!()
        };
        assert!(why.contains("MySQL at 127.0.0.1:3306"), "{why}");
    }

    #[test]
    fn sqlite_and_turso_are_always_embedded() {
        for database in [Database::Sqlite, Database::Turso] {
            for (url, docker, local) in [
                (None, false, false),
                (Some("postgresql://postgres@127.0.0.1:5432"), true, true),
            ] {
                assert_eq!(
                    choose(database, Demand::Any, url, docker, local),
                    Choice::Embedded
                );
            }
            assert!(matches!(
                Provider::for_database(database, Demand::Any),
                Ok(Provider::Embedded)
            ));
        }
    }

    #[test]
    fn the_local_defaults_are_the_scratch_db_defaults() {
        for family in [DbFamily::Postgres, DbFamily::Mysql] {
            if std::env::var_os(url_variable(family).unwrap()).is_none() {
                assert_eq!(
                    xtask::scratch_db::server_url(family).as_deref(),
                    local_server(family)
                );
            }
        }
    }

    #[test]
    fn the_description_names_the_provider() {
        let server = |source| Provider::Server {
            family: DbFamily::Postgres,
            source,
            style: UrlStyle::Plain,
        };
        assert!(Provider::Embedded.to_string().starts_with("embedded file:"));
        assert_eq!(
            server(Source::External {
                variable: "E2E_POSTGRES_URL",
                server: "postgresql://postgres@ci:5432".to_string()
            })
            .to_string(),
            "external E2E_POSTGRES_URL (postgresql://postgres@ci:5432)"
        );
        assert_eq!(
            server(Source::External {
                variable: "E2E_POSTGRES_URL",
                server: "postgresql://postgres:hunter2@ci:5432".to_string()
            })
            .to_string(),
            "external E2E_POSTGRES_URL (postgresql://postgres:***@ci:5432)"
        );
        assert_eq!(
            server(Source::Container).to_string(),
            format!("testcontainers {}", containers::image(DbFamily::Postgres))
        );
    }

    #[test]
    fn an_environment_url_is_taken_with_or_without_a_database_path() {
        for (database, url, server) in [
            (
                Database::Postgres,
                "postgresql://postgres@127.0.0.1:5432/postgres",
                "postgresql://postgres@127.0.0.1:5432",
            ),
            (
                Database::Neon,
                "postgresql://postgres@127.0.0.1:5432/",
                "postgresql://postgres@127.0.0.1:5432",
            ),
            (
                Database::Supabase,
                "postgresql://postgres@127.0.0.1:5432",
                "postgresql://postgres@127.0.0.1:5432",
            ),
            (
                Database::Mysql,
                "mysql://root@127.0.0.1:3306/mysql",
                "mysql://root@127.0.0.1:3306",
            ),
        ] {
            let Choice::Server(Source::External { server: got, .. }) =
                choose(database, Demand::Any, Some(url), false, false)
            else {
                panic!("{url}: expected the environment's server");
            };
            assert_eq!(got, server, "{url}");
        }
        let Choice::NoProvider(why) = choose(
            Database::Postgres,
            Demand::Any,
            Some("postgresql://u:hunter2@db/app?sslmode=require"),
            true,
            true,
        ) else {
            panic!("options must be refused");
        };
        assert!(
            why.starts_with("E2E_POSTGRES_URL: ") && !why.contains("hunter2"),
            "{why}"
        );
    }

    #[test]
    fn demanded_containers_are_containers_or_no_provider_never_a_fallback() {
        for database in SERVER_DATABASES {
            let url = Some("postgresql://postgres@127.0.0.1:5432");
            assert_eq!(
                choose(database, Demand::Containers, url, true, true),
                Choice::Server(Source::Container)
            );
            let Choice::NoProvider(why) = choose(database, Demand::Containers, url, false, true)
            else {
                panic!("{}: no engine must be no provider", database.name());
            };
            assert!(why.contains("cargo xtask engine start"), "{why}");
        }
        assert_eq!(
            choose(Database::Sqlite, Demand::Containers, None, false, false),
            Choice::Embedded
        );
    }
}
