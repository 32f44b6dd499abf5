//! PostgreSQL and MySQL servers in containers (testcontainers), for runs without a server URL in the
//! environment: one container per server kind, started on first use, shared by the run's cases (each case
//! still gets its own database on it through `ScratchDb`), removed when the run ends.

use std::io::{Read, Write};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use project_xtask::project::DbFamily;
use testcontainers_modules::mysql::Mysql;
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::testcontainers::runners::SyncRunner;
use testcontainers_modules::testcontainers::{Container, Image, ImageExt};

/// The images, as the former CI service containers had them. PostgreSQL must be 13+ (`ScratchDb` drops
/// with `WITH (FORCE)`; the module's default tag is 11); MySQL 8 with `root` and an empty password.
pub const POSTGRES_IMAGE: (&str, &str) = ("postgres", "16-alpine");
pub const MYSQL_IMAGE: (&str, &str) = ("mysql", "8.4");

/// A running container and the server URL (no database name) that reaches it.
pub struct Server {
    pub url: String,
    /// e.g. `testcontainers postgres:16-alpine at 127.0.0.1:32768`.
    pub description: String,
    /// The container's id, for `remove_all`.
    id: String,
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

/// Removes the run's containers; `main` calls it once the run is over, whatever its outcome (Ctrl-C is
/// covered by testcontainers' watchdog). The containers live in a static, which Rust never drops; the engine
/// is asked directly, the same way `docker_answers` asks it, and the handles are leaked, because
/// testcontainers' own drop needs a tokio runtime that may be gone by then.
/// `TESTCONTAINERS_COMMAND=keep` keeps them, as testcontainers would.
pub fn remove_all() {
    let taken = {
        let mut containers = CONTAINERS.lock().unwrap_or_else(|e| e.into_inner());
        [containers.postgres.take(), containers.mysql.take()]
    };
    let keep = std::env::var("TESTCONTAINERS_COMMAND").is_ok_and(|c| c.trim() == "keep");
    for server in taken.into_iter().flatten().flatten() {
        if keep {
            eprintln!(
                "keeping the {} container (TESTCONTAINERS_COMMAND=keep)",
                server.description
            );
        } else {
            eprintln!("removing the {} container", server.description);
            let path = format!("/containers/{}?force=true&v=true", server.id);
            match request(&docker_host(), "DELETE", &path, Duration::from_secs(60)) {
                Ok(status) if status == 204 || status == 404 => {}
                Ok(status) => eprintln!("warning: removing {} answered {status}", server.id),
                Err(err) => eprintln!("warning: cannot remove container {}: {err:#}", server.id),
            }
        }
        std::mem::forget(server);
    }
}

/// A started container, type-erased, with its id, host and the host port mapped to `port`.
fn handle<I: Image + 'static>(
    container: Container<I>,
    port: u16,
) -> anyhow::Result<(Box<dyn Send>, String, String, u16)> {
    let host = container.get_host()?.to_string();
    let mapped = container.get_host_port_ipv4(port)?;
    let id = container.id().to_string();
    Ok((Box::new(container), id, host, mapped))
}

fn start(family: DbFamily) -> anyhow::Result<Server> {
    let ((name, tag), port) = match family {
        DbFamily::Postgres => (POSTGRES_IMAGE, 5432),
        _ => (MYSQL_IMAGE, 3306),
    };
    eprintln!(
        "     starting testcontainers {name}:{tag} (once for this run; the first start pulls the image)"
    );
    let began = Instant::now();
    // Trust auth for PostgreSQL, so the URL needs no password (like the local default server);
    // the module's MySQL has `root` with an empty password.
    let (container, id, host, mapped) = match family {
        DbFamily::Postgres => handle(
            Postgres::default()
                .with_host_auth()
                .with_tag(tag)
                .start()
                .with_context(|| format!("cannot start {name}:{tag}"))?,
            port,
        )?,
        _ => handle(
            Mysql::default()
                .with_tag(tag)
                .start()
                .with_context(|| format!("cannot start {name}:{tag}"))?,
            port,
        )?,
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
    // The module waits for the server's log line; a first statement proves it takes connections.
    wait_for_sql(family, &url, Duration::from_secs(60))?;
    eprintln!(
        "     {name}:{tag} answers at {host}:{mapped} ({:.1}s)",
        began.elapsed().as_secs_f64()
    );
    Ok(Server {
        description: format!("testcontainers {name}:{tag} at {host}:{mapped}"),
        url,
        id,
        _container: container,
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

/// Whether a Docker engine answers; asked once per run.
///
/// It asks the engine itself: `GET /_ping` on the socket testcontainers will use (`DOCKER_HOST`, else the
/// first existing of /var/run/docker.sock, `$XDG_RUNTIME_DIR/.docker/run/docker.sock`,
/// `~/.docker/run/docker.sock`, `~/.docker/desktop/docker.sock` — testcontainers' own order), with a
/// 2-second timeout. Not `docker info`: testcontainers needs no docker CLI (a machine may have the CLI and
/// no engine, like this one, or an engine and no CLI), the CLI follows `docker context`, which
/// testcontainers ignores, and a process is slower to ask. Not the socket file's existence alone: a stale
/// socket with no daemon behind it is common. Engines behind TLS (`DOCKER_TLS_VERIFY`) or SSH do not count:
/// testcontainers is built here without its TLS feature.
pub fn docker_answers() -> bool {
    static ANSWERS: OnceLock<bool> = OnceLock::new();
    *ANSWERS.get_or_init(|| ping(&docker_host(), Duration::from_secs(2)).is_ok())
}

/// The Docker endpoint testcontainers connects to.
pub fn docker_host() -> String {
    if let Some(host) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return host;
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
    let candidates = [
        Some(std::path::PathBuf::from("/var/run/docker.sock")),
        runtime.map(|dir| dir.join(".docker/run/docker.sock")),
        home.as_ref().map(|dir| dir.join(".docker/run/docker.sock")),
        home.as_ref()
            .map(|dir| dir.join(".docker/desktop/docker.sock")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|path| path.exists())
        .map_or("unix:///var/run/docker.sock".to_string(), |path| {
            format!("unix://{}", path.display())
        })
}

/// One `GET /_ping`; the engine answers `200 OK`.
fn ping(host: &str, timeout: Duration) -> anyhow::Result<()> {
    match request(host, "GET", "/_ping", timeout)? {
        200 => Ok(()),
        status => bail!("{host} answered {status} to /_ping"),
    }
}

/// One bodyless request to the Docker engine at `host`, in plain std (no tokio); its HTTP status.
fn request(host: &str, method: &str, path: &str, timeout: Duration) -> anyhow::Result<u16> {
    let request = format!("{method} {path} HTTP/1.0\r\nHost: docker\r\nConnection: close\r\n\r\n");
    let mut response = Vec::new();
    if let Some(socket) = host.strip_prefix("unix://") {
        let mut stream = std::os::unix::net::UnixStream::connect(socket)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.write_all(request.as_bytes())?;
        stream.take(4096).read_to_end(&mut response)?;
    } else if let Some(authority) = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))
    {
        use std::net::ToSocketAddrs;
        let authority = authority.split('/').next().unwrap_or_default();
        let address = authority.to_socket_addrs()?.next().context("no address")?;
        let mut stream = std::net::TcpStream::connect_timeout(&address, timeout)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.write_all(request.as_bytes())?;
        stream.take(4096).read_to_end(&mut response)?;
    } else {
        bail!("unsupported DOCKER_HOST {host}");
    }
    let response = String::from_utf8_lossy(&response);
    let status_line = response.lines().next().unwrap_or_default();
    status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|status| status.parse().ok())
        .with_context(|| format!("{host} is not an HTTP server (answered {status_line:?})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot HTTP server on a Unix socket, answering `answer` to whatever it is sent.
    fn fake_engine(answer: &'static str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 256];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (dir, format!("unix://{}", path.display()))
    }

    #[test]
    fn ping_accepts_an_engine_that_answers_ok() {
        let (_dir, host) = fake_engine("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
        ping(&host, Duration::from_secs(2)).unwrap();
    }

    #[test]
    fn ping_rejects_an_error_answer_a_missing_socket_and_tls() {
        let (_dir, host) = fake_engine("HTTP/1.1 500 Internal Server Error\r\n\r\n");
        assert!(ping(&host, Duration::from_secs(2)).is_err());
        assert!(ping("unix:///nonexistent/docker.sock", Duration::from_secs(2)).is_err());
        assert!(ping("https://example.invalid:2376", Duration::from_secs(2)).is_err());
    }
}
