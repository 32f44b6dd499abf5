//! One generated backend, ready to start: generated into a temporary folder (separate + backend + SQLite),
//! its dependencies installed (release build for axum), started with its production command, and its
//! floor measured with its own crypto library.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use project_xtask::Project;
use project_xtask::project::{Architecture, Backend, Database};
use project_xtask::tools::node::Node;
use project_xtask::tools::python::Python;
use xtask::combination::Choices;

use super::floor;
use super::server::Launch;

pub struct Prepared {
    pub backend: Backend,
    pub launch: Launch,
    /// The Node express runs on (its floor and its peer run on it too).
    pub node: Option<Node>,
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
                launch: Launch {
                    program: backend_dir.join(".venv").join("bin").join("python"),
                    args: vec!["-m".into(), "app".into()],
                    dir: backend_dir,
                },
                node: None,
                start_shown: "python -m app (uvicorn, one process)",
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
            Prepared {
                backend,
                launch: Launch {
                    program: node_binary(&node),
                    // What `npm start` runs, without npm's extra process.
                    args: vec!["src/server.ts".into()],
                    dir: backend_dir,
                },
                node: Some(node),
                start_shown: "node src/server.ts (what npm start runs)",
            }
        }
        Backend::Axum => {
            let target = cargo_target_dir(work);
            let family = project.manifest.database.family();
            let mut build = project_xtask::tools::cargo::backend_command("build", family);
            build
                .arg("--release")
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", &target);
            e2e::case::run_logged(build, &work.join("axum-cargo-build.log"))?;
            Prepared {
                backend,
                launch: Launch {
                    program: target.join("release").join("backend"),
                    args: Vec::new(),
                    dir: backend_dir,
                },
                node: None,
                start_shown: "the release binary (cargo build --release -p backend)",
            }
        }
    };
    Ok(prepared)
}

impl Prepared {
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
            Backend::Fastapi => floor::script(pinned(&self.launch.program, "floor.py"), x, token),
            Backend::Express => floor::script(pinned(&self.launch.program, "floor.mjs"), x, token),
            Backend::Axum => floor::ed25519_dalek(core, x, token),
        }
    }
}

/// The `node` binary of `node`.
pub fn node_binary(node: &Node) -> PathBuf {
    node.bin_dir
        .as_ref()
        .map_or_else(|| PathBuf::from("node"), |dir| dir.join("node"))
}

/// Where release builds go: the generated projects' shared target folder when set (compiled
/// dependencies are reused across runs), else one under `work`.
pub fn cargo_target_dir(work: &Path) -> PathBuf {
    std::env::var_os("GENERATED_CARGO_TARGET_DIR")
        .map_or_else(|| work.join("target"), PathBuf::from)
}
