//! A user's journey from an empty folder to the first authenticated 200, step by step, exactly as the
//! README tells it: `cargo xtask new` (generate through the library, then the project's own setup:
//! install, build — axum only —, migrate, verify), then the servers `cargo xtask dev` starts (`next dev`
//! and the backend), then the first request.

use std::path::Path;

use anyhow::{Context, ensure};
use e2e::http::{Client, User};
use e2e::server::{Server, free_port};
use project_xtask::Project;
use project_xtask::project::{Architecture, Backend, Database};
use project_xtask::tools::node::Node;
use xtask::combination::Choices;

use crate::stats::timed;

/// Names of the steps, in the order they run; the breakdown.
/// "setup" is the project's whole `cargo xtask setup` (install, axum's build, migrate, verify), timed
/// from outside: the shipped xtask carries no benchmark hooks.
pub const STEPS: [&str; 5] = ["generate", "setup", "build", "start", "first_request"];

/// How Next.js runs: as `cargo xtask dev` starts it (what a user's first 200 goes through), or built
/// and started for production (what a deployed app's figures are measured on).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Dev,
    Production,
}

/// A project that answered its first authenticated request, with its servers still running (they stop,
/// and the folder goes, when this is dropped).
pub struct Journey {
    /// Seconds per step, in `STEPS` order.
    pub steps: Vec<(&'static str, f64)>,
    pub client: Client,
    pub user: User,
    /// `http://127.0.0.1:<port>` of the backend, when there is one.
    /// The app's and the backend's configured origins (what a browser uses; CORS allows the app's).
    pub origin: String,
    pub backend_origin: Option<String>,
    // Dropped in this order: servers first, then the folder.
    _backend: Option<Server>,
    _frontend: Server,
    pub work: tempfile::TempDir,
}

impl Journey {
    pub fn total_s(&self) -> f64 {
        self.steps.iter().map(|(_, seconds)| seconds).sum()
    }
}

pub fn run(
    architecture: Architecture,
    backend: Option<Backend>,
    mode: Mode,
) -> anyhow::Result<Journey> {
    let work = tempfile::Builder::new()
        .prefix("bench-journey-")
        .tempdir()?;
    match journey(work.path(), architecture, backend, mode) {
        Ok(finish) => Ok(finish(work)),
        Err(error) => {
            let kept = work.keep();
            Err(error.context(format!(
                "the project and its logs are kept in {}",
                kept.display()
            )))
        }
    }
}

/// Everything but the folder, which the caller keeps when a step fails.
fn journey(
    work: &Path,
    architecture: Architecture,
    backend: Option<Backend>,
    mode: Mode,
) -> anyhow::Result<impl FnOnce(tempfile::TempDir) -> Journey + use<>> {
    let frontend_port = free_port()?;
    let backend_port = free_port()?;
    let mut choices = Choices::of(architecture, backend, Database::Sqlite);
    let origin = format!("http://localhost:{frontend_port}");
    choices.frontend_url = Some(origin.clone());
    choices.backend_url = backend.map(|_| format!("http://localhost:{backend_port}"));
    let mut steps = Vec::new();

    let (dir, seconds) = timed(|| xtask::generate::generate(&choices, work));
    steps.push(("generate", seconds));
    let dir = dir?.canonicalize()?;
    let project = Project::load(&dir)?;

    // The setup prints its own steps (install, migrate, verify).
    let (set_up, seconds) =
        timed(|| project_xtask::setup(&project, &project_xtask::setup::Options::default()));
    set_up.with_context(|| format!("setup of {} failed", dir.display()))?;
    steps.push(("setup", seconds));

    // In dev mode nothing more is built before the servers start: `next dev` compiles on demand (that
    // cost lands in `first_request`); axum's compile is part of "setup".
    let node = Node::find(&project)?;
    let (built, seconds) = timed(|| match mode {
        Mode::Dev => Ok(()),
        Mode::Production => {
            let mut build = node.command("npm");
            build
                .args(["run", "build"])
                .current_dir(project.frontend_dir())
                .env("NEXT_TELEMETRY_DISABLED", "1");
            e2e::case::run_logged(build, &work.join("next-build.log"))
        }
    });
    built?;
    steps.push(("build", seconds));

    let mut logs = Vec::new();
    let (started, seconds) = timed(|| -> anyhow::Result<(Server, Option<Server>)> {
        let frontend_command = match mode {
            Mode::Dev => project_xtask::dev::frontend_command(&project)?,
            Mode::Production => {
                let mut start = node.command("npm");
                start
                    .args(["run", "start", "--", "--port", &frontend_port.to_string()])
                    .current_dir(project.frontend_dir())
                    .env("NEXT_TELEMETRY_DISABLED", "1");
                start
            }
        };
        let mut frontend = Server::start("frontend", frontend_command, work, &mut logs)?;
        let backend_server = match backend {
            Some(backend) => Some(Server::start(
                "backend",
                project_xtask::dev::backend_command(&project, backend)?,
                work,
                &mut logs,
            )?),
            None => None,
        };
        // Listening, not answering: any request to `next dev` would compile a route inside this step.
        frontend.wait_listening(frontend_port, 120)?;
        if let Some(server) = &backend_server {
            server.wait_ready(&format!("http://127.0.0.1:{backend_port}/health"), 300)?;
        }
        Ok((frontend, backend_server))
    });
    let (frontend, backend_server) = started?;
    steps.push(("start", seconds));

    let backend_origin = choices.backend_url.clone();
    let client = Client::new(&format!("http://127.0.0.1:{frontend_port}"), &origin);
    let backend_url = backend.map(|_| format!("http://127.0.0.1:{backend_port}"));
    let (user, seconds) = timed(|| first_request(&client, backend_url.as_deref()));
    let user = user?;
    steps.push(("first_request", seconds));

    debug_assert_eq!(
        steps.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        STEPS
    );
    Ok(move |work| Journey {
        steps,
        client,
        user,
        origin,
        backend_origin,
        _backend: backend_server,
        _frontend: frontend,
        work,
    })
}

/// Sign up, then the protected endpoint: the backend's /api/me with a Bearer token from /api/auth/token,
/// or the route handler's /api/me with the session cookie.
pub fn first_request(client: &Client, backend: Option<&str>) -> anyhow::Result<User> {
    let user = client.sign_up("first")?;
    let (status, body) = match backend {
        Some(backend) => {
            let token = client.token(&user)?;
            client.backend_get(backend, "/api/me", Some(&token))?
        }
        None => client.get_frontend("/api/me", Some(&user))?,
    };
    ensure!(
        status == 200 && body["email"] == user.email,
        "the first authenticated request answered {status}: {body}"
    );
    Ok(user)
}
