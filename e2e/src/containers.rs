//! PostgreSQL and MySQL servers in containers (testcontainers), for runs without a server URL in the
//! environment: one container per server kind, started on first use, shared by the run's cases (each case
//! still gets its own database on it through `ScratchDb`), removed when the run ends.
//!
//! The image comes from `E2E_POSTGRES_IMAGE` / `E2E_MYSQL_IMAGE`: by default the public `postgres:16-alpine`
//! and `mysql:8.4` (the nightly workflow pulls them), or images built without a registry by
//! `cargo xtask engine images` (`better-auth-v2/postgres:15`, `better-auth-v2/mariadb:10.11`; how `.ci/run`
//! runs). Both kinds start the same way: a generic container with the public images' settings in its
//! environment (trust auth, empty root password), then an explicit wait until a first SQL statement over
//! the published port succeeds. That wait does not depend on log lines, which differ between the public
//! images (their init prints the ready line on stdout, the server on stderr) and Debian's servers (stderr
//! only), and it cannot be fooled by the public images' temporary init server, which does not listen on TCP.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use project_xtask::project::DbFamily;
use testcontainers_modules::testcontainers::core::IntoContainerPort;
use testcontainers_modules::testcontainers::runners::SyncRunner;
use testcontainers_modules::testcontainers::{GenericImage, ImageExt};
use xtask::engine_api;

/// The public images, as the former CI service containers had them. PostgreSQL must be 13+ (`ScratchDb`
/// drops with `WITH (FORCE)`); MySQL 8 with `root` and an empty password.
pub const DEFAULT_POSTGRES_IMAGE: &str = "postgres:16-alpine";
pub const DEFAULT_MYSQL_IMAGE: &str = "mysql:8.4";

/// The label on this run's containers (value: the run's id), so `remove_all` also finds a container whose
/// start failed half-way (left in "Created" state, before testcontainers handed back a handle).
pub const RUN_LABEL: &str = "better-auth-v2.e2e-run";

/// How long a server may take to take its first connection (the public MySQL image initialises its data
/// folder on first start, half a minute on a slow runner).
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// A running container and the server URL (no database name) that reaches it.
pub struct Server {
    pub url: String,
    /// e.g. `testcontainers postgres:16-alpine at 127.0.0.1:32768`.
    pub description: String,
    /// Keeps testcontainers' handle (and its log streams) alive for the run.
    _container: Box<dyn Send>,
}

/// The run's containers; a failed start is kept too, so later cases fail at once instead of retrying.
struct Containers {
    postgres: Option<Result<Server, String>>,
    mysql: Option<Result<Server, String>>,
}

static CONTAINERS: Mutex<Containers> = Mutex::new(Containers {
    postgres: None,
    mysql: None,
});

/// The image for `family`: its variable when set, else the public default.
pub fn image(family: DbFamily) -> String {
    let (variable, default) = match family {
        DbFamily::Mysql => ("E2E_MYSQL_IMAGE", DEFAULT_MYSQL_IMAGE),
        _ => ("E2E_POSTGRES_IMAGE", DEFAULT_POSTGRES_IMAGE),
    };
    std::env::var(variable)
        .ok()
        .map(|image| image.trim().to_string())
        .filter(|image| !image.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// `name:tag` split at the tag's colon (not a registry's port); no tag means `latest`.
pub fn split_image(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => (image, "latest"),
    }
}

/// This run's id, the value of `RUN_LABEL` on its containers.
fn run_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        format!("{}-{nanos}", std::process::id())
    })
}

/// The server URL and description of the run's container for `family`, started on first use.
pub fn server(family: DbFamily) -> anyhow::Result<(String, String)> {
    let mut containers = CONTAINERS.lock().unwrap_or_else(|e| e.into_inner());
    let slot = match family {
        DbFamily::Postgres => &mut containers.postgres,
        DbFamily::Mysql => &mut containers.mysql,
        DbFamily::Sqlite => bail!("SQLite needs no server"),
    };
    let started = slot.get_or_insert_with(|| start(family).map_err(|err| format!("{err:#}")));
    match started {
        Ok(server) => Ok((server.url.clone(), server.description.clone())),
        Err(why) => bail!("the {} container did not start: {why}", family.name()),
    }
}

/// Removes the run's containers (found by their label, so also those whose start failed); `main` calls it
/// once the run is over, whatever its outcome (Ctrl-C: `remove_on_interrupt`). The handles are leaked:
/// they live in a static, which Rust never drops, and testcontainers' own drop needs a tokio runtime that
/// may be gone by then. `TESTCONTAINERS_COMMAND=keep` keeps them, as testcontainers would.
pub fn remove_all() {
    let taken = {
        let mut containers = CONTAINERS.lock().unwrap_or_else(|e| e.into_inner());
        [containers.postgres.take(), containers.mysql.take()]
    };
    let started = taken.iter().any(Option::is_some);
    let keep = keep_containers();
    for server in taken.into_iter().flatten().flatten() {
        if keep {
            eprintln!(
                "keeping the {} container (TESTCONTAINERS_COMMAND=keep)",
                server.description
            );
        } else {
            eprintln!("removing the {} container", server.description);
        }
        std::mem::forget(server);
    }
    if started && !keep {
        remove_run_containers();
    }
}

/// From now on, SIGINT/SIGTERM/SIGQUIT remove the run's containers, then end the process as the signal
/// would (128 + its number). Not testcontainers' watchdog: it knows only containers that started, and it
/// panics when `remove_all` is already removing the same container. Call once, first thing in `main`.
pub fn remove_on_interrupt() -> anyhow::Result<()> {
    use signal_hook::consts::{SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGQUIT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            if !keep_containers() {
                remove_run_containers();
            }
            eprintln!("\ninterrupted; this run's containers are removed");
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

fn keep_containers() -> bool {
    std::env::var("TESTCONTAINERS_COMMAND").is_ok_and(|c| c.trim() == "keep")
}

/// Asks the engine to remove every container carrying this run's label (none is fine). One caller at a
/// time: when Ctrl-C lands while the run ends, the second caller waits for the first removal to finish
/// instead of letting the process exit under it (the engine abandons a removal whose client went away).
fn remove_run_containers() {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let host = engine_api::docker_host();
    let label = format!("{RUN_LABEL}={}", run_id());
    let removed = engine_api::containers_with_label(&host, &label).and_then(|ids| {
        ids.iter()
            .try_for_each(|id| engine_api::remove_container(&host, id))
    });
    if let Err(err) = removed {
        eprintln!("warning: cannot remove this run's containers ({label}) on {host}: {err:#}");
    }
}

fn start(family: DbFamily) -> anyhow::Result<Server> {
    let image = image(family);
    let (name, tag) = split_image(&image);
    let port = match family {
        DbFamily::Postgres => 5432,
        _ => 3306,
    };
    eprintln!("     starting testcontainers {image} (once for this run)");
    let began = Instant::now();
    // The public images' switches for a password-less server; the local images are built that way.
    let (variable, value) = match family {
        DbFamily::Postgres => ("POSTGRES_HOST_AUTH_METHOD", "trust"),
        _ => ("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"),
    };
    let container = GenericImage::new(name, tag)
        .with_exposed_port(port.tcp())
        .with_env_var(variable, value)
        .with_label(RUN_LABEL, run_id())
        .start()
        .with_context(|| format!("cannot start {image} (pull it, or build the local images with `cargo xtask engine images`)"))?;
    let mapped = container.get_host_port_ipv4(port)?;
    let id = container.id().to_string();
    // Where to reach it: the address the engine published the port on when it is one address (an engine
    // started with `--ip 127.0.0.1`, like `cargo xtask engine start`'s); else testcontainers' guess, which
    // inside a container (/.dockerenv) is the bridge's gateway, refused by a loopback-only binding.
    let published =
        engine_api::published_ip(&engine_api::docker_host(), &id, &format!("{port}/tcp"))?;
    let host = match published {
        Some(ip) => ip,
        None => container.get_host()?.to_string(),
    };
    // The port is mapped on IPv4; `localhost` may resolve to ::1 first in the project's Node drivers.
    let host = if host == "localhost" {
        "127.0.0.1".to_string()
    } else {
        host
    };
    let user = if family == DbFamily::Postgres {
        "postgres"
    } else {
        "root"
    };
    let url = format!("{}://{user}@{host}:{mapped}", scheme(family));
    wait_for_sql(family, &url, READY_TIMEOUT)?;
    eprintln!(
        "     {image} answers at {host}:{mapped} (container {}, {:.1}s)",
        &id[..12.min(id.len())],
        began.elapsed().as_secs_f64()
    );
    Ok(Server {
        description: format!("testcontainers {image} at {host}:{mapped}"),
        url,
        _container: Box::new(container),
    })
}

fn scheme(family: DbFamily) -> &'static str {
    match family {
        DbFamily::Mysql => "mysql",
        _ => "postgresql",
    }
}

fn wait_for_sql(family: DbFamily, url: &str, timeout: Duration) -> anyhow::Result<()> {
    let began = Instant::now();
    loop {
        match xtask::scratch_db::execute(family, url, "SELECT 1") {
            Ok(()) => return Ok(()),
            Err(err) if began.elapsed() > timeout => {
                return Err(err.context(format!("the container at {url} takes no connections")));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

/// Whether a Docker engine answers `GET /_ping` on the socket testcontainers will use (2-second timeout);
/// asked once per run. Not `docker info`: testcontainers needs no docker CLI, and the CLI follows
/// `docker context`, which testcontainers ignores.
pub fn docker_answers() -> bool {
    static ANSWERS: OnceLock<bool> = OnceLock::new();
    *ANSWERS.get_or_init(|| {
        engine_api::ping(&engine_api::docker_host(), Duration::from_secs(2)).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_splits_at_its_tag_not_at_a_registry_port() {
        assert_eq!(split_image("postgres:16-alpine"), ("postgres", "16-alpine"));
        assert_eq!(
            split_image("better-auth-v2/mariadb:10.11"),
            ("better-auth-v2/mariadb", "10.11")
        );
        assert_eq!(
            split_image("registry.local:5000/postgres"),
            ("registry.local:5000/postgres", "latest")
        );
        assert_eq!(split_image("mysql"), ("mysql", "latest"));
    }
}
