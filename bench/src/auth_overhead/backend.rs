//! One generated backend, ready to start: generated into a temporary folder (separate + backend + SQLite),
//! its dependencies installed (release build for axum), started with its production command pinned to a
//! core, and its floor measured with its own crypto library.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use e2e::server::{Server, free_port};
use project_xtask::Project;
use project_xtask::project::{Architecture, Backend, Database};
use project_xtask::tools::node::Node;
use project_xtask::tools::python::Python;
use xtask::combination::Choices;

use super::floor;

pub struct Prepared {
    pub backend: Backend,
    backend_dir: PathBuf,
    /// What starts the server (without taskset and the environment).
    program: PathBuf,
    args: Vec<String>,
    /// Node for express (the floor runs on it too).
    node: Option<PathBuf>,
    /// What a reader would type, for the report.
    pub start_shown: &'static str,
}

pub fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Fastapi => "fastapi",
        Backend::Express => "express",
        Backend::Axum => "axum",
    }
}

/// Generates the project under `work` and installs what its backend needs to run.
pub fn prepare(backend: Backend, base_url: &str, work: &Path) -> anyhow::Result<Prepared> {
    let mut choices = Choices::of(Architecture::Separate, Some(backend), Database::Sqlite);
    choices.frontend_url = Some(base_url.to_string());
    choices.backend_url = Some("http://localhost:8000".to_string());
    let dir = xtask::generate::generate(&choices, work)?;
    let project = Project::load(&dir)?;
    let backend_dir = project
        .backend_dir()
        .context("a separate project has a backend folder")?;
    eprintln!("    installing the {} backend", name(backend));
    let prepared = match backend {
        Backend::Fastapi => {
            Python::ensure(&backend_dir)?.install(&backend_dir)?;
            Prepared {
                backend,
                program: backend_dir.join(".venv").join("bin").join("python"),
                args: vec!["-m".into(), "app".into()],
                node: None,
                start_shown: "python -m app (uvicorn, one process)",
                backend_dir,
            }
        }
        Backend::Express => {
            let node = Node::ensure(&project)?;
            // From the lockfile the post hook put in place, as setup installs.
            let mut install = node.command("npm");
            install
                .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
                .current_dir(&backend_dir);
            e2e::case::run_logged(install, &work.join("express-npm-ci.log"))?;
            let node = node
                .bin_dir
                .map_or_else(|| PathBuf::from("node"), |dir| dir.join("node"));
            Prepared {
                backend,
                program: node.clone(),
                // What `npm start` runs, without npm's extra process.
                args: vec!["src/server.ts".into()],
                node: Some(node),
                start_shown: "node src/server.ts (what npm start runs)",
                backend_dir,
            }
        }
        Backend::Axum => {
            let target = std::env::var_os("GENERATED_CARGO_TARGET_DIR")
                .map_or_else(|| work.join("target"), PathBuf::from);
            let family = project.manifest.database.family();
            let mut build = project_xtask::tools::cargo::backend_command("build", family);
            build
                .arg("--release")
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", &target);
            e2e::case::run_logged(build, &work.join("axum-cargo-build.log"))?;
            Prepared {
                backend,
                program: target.join("release").join("backend"),
                args: Vec::new(),
                node: None,
                start_shown: "the release binary (cargo build --release -p backend)",
                backend_dir,
            }
        }
    };
    Ok(prepared)
}

/// Where a started server listens.
pub struct Running {
    pub base: String,
    /// Stopped (its whole process group) when dropped.
    _server: Server,
}

impl Prepared {
    /// Starts the server on `core` with the environment pointing it at the bench's JWKS and a fresh
    /// SQLite file, and waits until /health answers.
    pub fn start(
        &self,
        core: usize,
        base_url: &str,
        jwks_url: &str,
        work: &Path,
        label: &str,
    ) -> anyhow::Result<Running> {
        let port = free_port()?;
        let mut command = Command::new("taskset");
        command
            .args(["-c", &core.to_string()])
            .arg(&self.program)
            .args(&self.args)
            .current_dir(&self.backend_dir)
            // The process environment wins over backend/.env in every backend.
            .env("BETTER_AUTH_URL", base_url)
            .env("JWKS_URL", jwks_url)
            .env("JWT_ISSUER", base_url)
            .env("JWT_AUDIENCE", base_url)
            .env("FRONTEND_URL", base_url)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env(
                "DATABASE_URL",
                format!("file:{}", work.join(format!("{label}.db")).display()),
            );
        let mut logs = Vec::new();
        let server = Server::start(label, command, work, &mut logs)?;
        let base = format!("http://127.0.0.1:{port}");
        server.wait_ready(&format!("{base}/health"), 120)?;
        Ok(Running {
            base,
            _server: server,
        })
    }

    /// One Ed25519 verification in this backend's own crypto library, on `core`.
    pub fn floor_us(&self, core: usize, x: &str, token: &str, work: &Path) -> anyhow::Result<f64> {
        let pinned = |program: &Path, script: &str| {
            let mut command = Command::new("taskset");
            command
                .args(["-c", &core.to_string()])
                .arg(program)
                .arg(work.join(script));
            command
        };
        match self.backend {
            Backend::Fastapi => floor::script(pinned(&self.program, "floor.py"), x, token),
            Backend::Express => {
                let node = self.node.as_deref().expect("express has a node");
                floor::script(pinned(node, "floor.mjs"), x, token)
            }
            Backend::Axum => floor::ed25519_dalek(core, x, token),
        }
    }
}
