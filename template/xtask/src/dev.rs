//! `cargo xtask dev`: the frontend and the backend side by side, logs prefixed with the app's name.
//!
//! Each app runs in its own process group, so stopping it reaches what it started too (npm → next →
//! its workers, uv → python): Ctrl-C or SIGTERM here sends SIGTERM to every group, then SIGKILL to
//! whatever is still there after a grace period. If `dev` itself dies without stopping them (SIGKILL,
//! a crash), a watchdog process kills the groups: it reads their ids from a pipe only `dev` holds, so
//! it sees end-of-file exactly when `dev` is gone, whatever killed it.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::Project;
use crate::project::Backend;
use crate::tools::node::Node;
use crate::tools::{cargo, python::Python};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    Frontend,
    Backend,
}

impl App {
    pub fn parse(name: &str) -> anyhow::Result<App> {
        match name {
            "frontend" => Ok(App::Frontend),
            "backend" => Ok(App::Backend),
            other => bail!("--only takes `frontend` or `backend`, not `{other}`"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            App::Frontend => "frontend",
            App::Backend => "backend",
        }
    }

    /// `frontend | ` in cyan, `backend  | ` in magenta (colors only on a terminal without NO_COLOR).
    fn prefix(self, colored: bool) -> String {
        let label = format!("{:<8} | ", self.name());
        if !colored {
            return label;
        }
        let color = match self {
            App::Frontend => "36",
            App::Backend => "35",
        };
        format!("\u{1b}[{color}m{label}\u{1b}[0m")
    }
}

/// An app about to start: the command, and the port it will listen on.
struct Service {
    app: App,
    command: Command,
    port: u16,
    /// Where the port comes from, for the "port busy" error.
    port_source: String,
    /// What the user would type to run it alone.
    shown_as: String,
}

/// A started app.
struct Running {
    app: App,
    child: Child,
}

/// How long apps get to exit after SIGTERM before they are killed.
const GRACE: Duration = Duration::from_secs(5);

pub fn run(project: &Project, only: Option<&str>) -> anyhow::Result<()> {
    let only = only.map(App::parse).transpose()?;
    if only == Some(App::Backend) && project.manifest.backend.is_none() {
        bail!(
            "this project is monolithic: it has no separate backend (`--only frontend`, or no flag)"
        );
    }
    let mut services = Vec::new();
    if only != Some(App::Backend) {
        services.push(frontend(project)?);
    }
    if let (Some(backend), true) = (project.manifest.backend, only != Some(App::Frontend)) {
        services.push(self::backend(project, backend)?);
    }
    // Before anything starts: a busy port would otherwise surface as one app crashing amid the other's logs.
    for service in &services {
        if port_in_use(service.port) {
            bail!(
                "port {} is already in use ({}); stop whatever listens there (`lsof -i :{}` shows it) or change {}",
                service.port,
                service.port_source,
                service.port,
                service.port_source
            );
        }
    }

    signals::install();
    let colored = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut watchdog = Watchdog::start()?;
    let mut running = Vec::new();
    for mut service in services {
        eprintln!(
            "{}starting on port {}: {}",
            service.app.prefix(colored),
            service.port,
            service.shown_as
        );
        let started = start(&mut service, colored).and_then(|child| {
            let app = Running {
                app: service.app,
                child,
            };
            let guarded = watchdog.guard(&app.child);
            running.push(app);
            guarded
        });
        if let Err(err) = started {
            stop_all(&mut running);
            watchdog.dismiss();
            return Err(err);
        }
    }
    let result = supervise(&mut running);
    stop_all(&mut running);
    watchdog.dismiss();
    result
}

/// Kills the apps' process groups when `dev` dies without stopping them (see the module comment).
struct Watchdog {
    process: Child,
}

impl Watchdog {
    /// `sh` collects group ids until its stdin closes, then SIGKILLs each group. It runs in a process
    /// group of its own so a Ctrl-C in the terminal does not end it before `dev` has stopped the apps.
    fn start() -> anyhow::Result<Watchdog> {
        let process = Command::new("sh")
            .args([
                "-c",
                r#"groups=""; while read -r group; do groups="$groups $group"; done; for group in $groups; do kill -KILL "-$group" 2>/dev/null; done"#,
            ])
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start the watchdog process (sh)")?;
        Ok(Watchdog { process })
    }

    /// Hands the watchdog the process group of a started app.
    fn guard(&mut self, app: &Child) -> anyhow::Result<()> {
        let stdin = self.process.stdin.as_mut().expect("stdin is piped");
        writeln!(stdin, "{}", app.id())
            .and_then(|()| stdin.flush())
            .context("the watchdog process died")
    }

    /// The apps are stopped: end the watchdog without letting it act (their group ids may be reused).
    fn dismiss(mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn frontend(project: &Project) -> anyhow::Result<Service> {
    let node = Node::find(project)?;
    let env = project.frontend_env()?;
    let url = env
        .get_non_empty("BETTER_AUTH_URL")
        .unwrap_or_else(|| project.manifest.frontend_url.clone());
    let port =
        url_port(&url).with_context(|| format!("BETTER_AUTH_URL `{url}` has no usable port"))?;
    if node.bin_dir.is_some() {
        eprintln!("{}", node.describe());
    }
    let manager = project.package_manager();
    let port_text = port.to_string();
    let args = manager.run_args("dev", &["--port", port_text.as_str()]);
    let mut command = node.command(manager.name());
    // Next.js listens where Better Auth believes it lives.
    command.args(&args).current_dir(project.frontend_dir());
    Ok(Service {
        app: App::Frontend,
        command,
        port,
        port_source: "BETTER_AUTH_URL in frontend/.env".to_string(),
        shown_as: format!("{} {}", manager.name(), args.join(" ")),
    })
}

/// The commands `dev` starts the frontend and the backend with, for tools that run them themselves.
pub fn frontend_command(project: &Project) -> anyhow::Result<Command> {
    Ok(frontend(project)?.command)
}

pub fn backend_command(project: &Project, backend: Backend) -> anyhow::Result<Command> {
    Ok(self::backend(project, backend)?.command)
}

fn backend(project: &Project, backend: Backend) -> anyhow::Result<Service> {
    let dir = project
        .backend_dir()
        .context("a backend is configured but has no folder")?;
    let env = project.backend_env()?.context("the backend has no .env")?;
    let (port, port_source) = match env.get_non_empty("PORT") {
        Some(port) => (
            port.parse()
                .with_context(|| format!("PORT `{port}` in backend/.env is not a port number"))?,
            "PORT in backend/.env".to_string(),
        ),
        None => {
            let url = project.manifest.backend_url.clone().unwrap_or_default();
            (
                url_port(&url).unwrap_or(8000),
                "PORT in backend/.env (unset: the backend URL's port)".to_string(),
            )
        }
    };
    let (mut command, shown_as) = match backend {
        Backend::Fastapi => {
            let python = Python::find(&dir)?;
            (
                python.command(&dir, &["-m", "app"]),
                python.shown(&["-m", "app"]),
            )
        }
        Backend::Express => {
            let mut command = Node::find(project)?.command("npm");
            command.arg("start");
            (command, "npm start".to_string())
        }
        Backend::Axum => {
            let family = project.manifest.database.family();
            let shown = format!(
                "cargo run -p backend --no-default-features --features {}",
                family.name()
            );
            (cargo::backend_command("run", family), shown)
        }
    };
    command.current_dir(&dir);
    Ok(Service {
        app: App::Backend,
        command,
        port,
        port_source,
        shown_as,
    })
}

/// Spawns the service in its own process group with its output forwarded line by line.
fn start(service: &mut Service, colored: bool) -> anyhow::Result<Child> {
    let command = &mut service.command;
    command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if colored {
        // Piped output makes most tools drop their colors; the prefixed lines still go to a terminal.
        command.env("FORCE_COLOR", "1");
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start the {}", service.app.name()))?;
    let prefix = service.app.prefix(colored);
    forward(
        child.stdout.take().expect("stdout is piped"),
        prefix.clone(),
    );
    forward(child.stderr.take().expect("stderr is piped"), prefix);
    Ok(child)
}

/// Copies `stream` to our stdout, each line prefixed. The thread ends when the stream closes.
fn forward(stream: impl Read + Send + 'static, prefix: String) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).split(b'\n').map_while(Result::ok) {
            let line = String::from_utf8_lossy(&line);
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{prefix}{}", line.trim_end_matches('\r'));
        }
    });
}

/// Waits for a stop signal or for one app to exit; either way the caller stops the rest.
fn supervise(running: &mut [Running]) -> anyhow::Result<()> {
    loop {
        if signals::received() {
            eprintln!("stopping (signal received)…");
            return Ok(());
        }
        for app in running.iter_mut() {
            if let Some(status) = app.child.try_wait()? {
                let name = app.app.name();
                // An app that ends on its own is a failure even with status 0: `dev` is meant to keep
                // both running until it is stopped, and scripts waiting on it must see that it broke.
                bail!(
                    "the {name} exited on its own ({status}; see its log lines above); stopped the others"
                );
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// SIGTERM to every app's process group, SIGKILL to those still alive after `GRACE`, then reaps.
fn stop_all(running: &mut [Running]) {
    for app in running.iter() {
        signals::signal_group(&app.child, libc::SIGTERM);
    }
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline {
        for app in running.iter_mut() {
            let _ = app.child.try_wait(); // reap the leader, or it counts as alive
        }
        if !running.iter().any(|app| signals::group_alive(&app.child)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for app in running.iter_mut() {
        if signals::group_alive(&app.child) {
            eprintln!(
                "{} did not stop within {}s: killing it",
                app.app.name(),
                GRACE.as_secs()
            );
            signals::signal_group(&app.child, libc::SIGKILL);
        }
        let _ = app.child.wait();
    }
}

/// The port of an `http(s)://host[:port]/…` URL; the scheme's default when none is written.
pub fn url_port(url: &str) -> Option<u16> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    // An IPv6 literal (`[::1]:3000`) has colons of its own.
    let after_host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']')?.1,
        None => host_port.find(':').map_or("", |i| &host_port[i..]),
    };
    match after_host.strip_prefix(':') {
        Some(port) => port.parse().ok(),
        None => match scheme {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        },
    }
}

/// True when something listens on `port` here, or the port cannot be bound.
pub fn port_in_use(port: u16) -> bool {
    let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&loopback, Duration::from_millis(300)).is_ok()
        || TcpListener::bind(loopback).is_err()
}

/// The few signal calls std lacks.
mod signals {
    use super::*;

    static STOP: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_stop_signal(_: libc::c_int) {
        // Only an atomic store: the one kind of work that is safe inside a signal handler.
        STOP.store(true, Ordering::SeqCst);
    }

    /// Ctrl-C (SIGINT), SIGTERM and a closed terminal (SIGHUP) ask `supervise` to stop.
    pub fn install() {
        let handler = on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
            unsafe { libc::signal(signal, handler) };
        }
    }

    pub fn received() -> bool {
        STOP.load(Ordering::SeqCst)
    }

    /// Sends `signal` to the process group the child leads (it was spawned with `process_group(0)`).
    pub fn signal_group(child: &Child, signal: libc::c_int) {
        // SAFETY: kill(2) with a negative pid targets a process group; no memory is involved.
        unsafe { libc::kill(-group_id(child), signal) };
    }

    /// Whether any process of the child's group still exists.
    pub fn group_alive(child: &Child) -> bool {
        // SAFETY: signal 0 only checks that the group exists.
        unsafe { libc::kill(-group_id(child), 0) == 0 }
    }

    fn group_id(child: &Child) -> libc::pid_t {
        libc::pid_t::try_from(child.id()).expect("process ids fit in pid_t")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ports_from_urls() {
        assert_eq!(url_port("http://localhost:3000"), Some(3000));
        assert_eq!(url_port("http://127.0.0.1:8001/api"), Some(8001));
        assert_eq!(url_port("http://[::1]:4000/"), Some(4000));
        assert_eq!(url_port("https://app.example.com"), Some(443));
        assert_eq!(url_port("http://localhost"), Some(80));
        assert_eq!(url_port("localhost:3000"), None);
    }

    #[test]
    fn a_listening_port_is_busy_and_a_released_one_is_free() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(port_in_use(port));
        drop(listener);
        assert!(!port_in_use(port));
    }

    #[test]
    fn only_accepts_the_two_apps() {
        assert_eq!(App::parse("backend").unwrap(), App::Backend);
        assert!(
            App::parse("api")
                .unwrap_err()
                .to_string()
                .contains("`frontend` or `backend`")
        );
    }

    #[test]
    fn stopping_reaches_grandchildren() {
        // `sh` starts a `sleep` of its own: both are in the group that stop_all signals.
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 300 & echo started; wait"]);
        let mut service = Service {
            app: App::Backend,
            command,
            port: 0,
            port_source: String::new(),
            shown_as: String::new(),
        };
        let child = start(&mut service, false).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let mut running = vec![Running {
            app: App::Backend,
            child,
        }];
        let started = Instant::now();
        stop_all(&mut running);
        assert!(
            started.elapsed() < GRACE,
            "stopped by SIGTERM, not after the grace period"
        );
        assert!(!signals::group_alive(&running[0].child));
    }
}
