//! `cargo xtask setup`: from a freshly generated project to a migrated, verified database.
//!
//! Every step checks before it acts, so a second run redoes nothing that is done and takes seconds.

pub(crate) mod database;
mod social;

use std::time::Instant;

use anyhow::Context;

use crate::Project;
pub use crate::credentials::secure_credential_files;
use crate::install;
use crate::project::Backend;
use crate::project::url::redact;
use crate::secret::{self, SecretState};
use crate::tools::node::Node;
use crate::tools::{cargo, python::Python};
use crate::ui::{info, step};

/// Choices of a setup run (the command line's flags, or the template repo's `cargo xtask new`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Skip `npm`/`uv`/`cargo` installs (dependencies already present).
    pub no_install: bool,
}

pub fn run(project: &Project, options: &Options) -> anyhow::Result<()> {
    let started = Instant::now();
    let manifest = &project.manifest;
    eprintln!(
        "Setting up {} ({}, {}{})",
        project.root.display(),
        match manifest.backend {
            Some(backend) => format!("separate, {} backend", backend.name()),
            None => "monolithic".to_string(),
        },
        manifest.database.name(),
        if manifest.uses_jwt() {
            ", JWT plugin on"
        } else {
            ""
        },
    );

    let node = step("Check prerequisites", || prerequisites(project, options))?;

    step("Write BETTER_AUTH_SECRET into frontend/.env", || {
        let mut env = project.frontend_env()?;
        if secret::current(&env)?.is_none() {
            secret::refuse_to_orphan_keys(project)?;
        }
        match secret::ensure(&mut env)? {
            SecretState::Generated => {
                info("wrote a new random secret (32 bytes from the OS CSPRNG; not shown)")
            }
            SecretState::Kept => info("kept the existing secret"),
        }
        Ok(())
    })?;
    step("Restrict credential files to their owner (0600)", || {
        crate::credentials::secure_and_report(project)
    })?;

    if options.no_install {
        info("--no-install: skipping dependency installs");
    } else {
        install::dependencies(project, &node)?;
    }
    if manifest.backend == Some(Backend::Axum) && !options.no_install {
        step("Build the backend (cargo build)", || {
            info(&install::backend(project, Backend::Axum, &node)?.describe());
            Ok(())
        })?;
    }

    step("Create the database if a local server lacks it", || {
        create_databases(project)
    })?;
    // Both print their own steps.
    crate::migrate::run(project)?;
    crate::verify::run(project, false)?;
    let callbacks = social::callback_lines(&manifest.auth_flows, &project.frontend_env()?);
    if !callbacks.is_empty() {
        step("Social sign-in: register these callback URLs", || {
            callbacks.iter().for_each(|line| info(line));
            Ok(())
        })?;
    }

    eprintln!(
        "Setup done in {:.1}s. Start the app with `cargo xtask dev`.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Node (installed project-locally when the system one is too old) and the backend's toolchain.
fn prerequisites(project: &Project, options: &Options) -> anyhow::Result<Node> {
    let node = if options.no_install {
        Node::find(project)?
    } else {
        Node::ensure(project)?
    };
    info(&node.describe());
    match project.manifest.backend {
        Some(Backend::Fastapi) if options.no_install => {
            info(&Python::find(&project.backend_dir().context("no backend folder")?)?.describe())
        }
        // `Python::ensure` may install uv: that happens in the backend install step.
        Some(Backend::Fastapi) => {
            info("Python: checked when the backend's dependencies are installed")
        }
        Some(Backend::Axum) => info(&cargo::version()?),
        Some(Backend::Express) | None => {}
    }
    Ok(node)
}

/// The frontend's database, and the backend's when it is a different one.
fn create_databases(project: &Project) -> anyhow::Result<()> {
    let database = project.manifest.database;
    let frontend_env = project.frontend_env()?;
    let frontend_url = frontend_env
        .get_non_empty("DATABASE_URL")
        .with_context(|| format!("DATABASE_URL is empty in {}", frontend_env.path().display()))?;
    let state = database::ensure(database, &frontend_url, &project.frontend_dir())?;
    info(&state.describe(&redact(&frontend_url)));

    if let (Some(backend_dir), Some(backend_env)) = (project.backend_dir(), project.backend_env()?)
        && let Some(backend_url) = backend_env
            .get_non_empty("DATABASE_URL")
            .filter(|url| *url != frontend_url)
    {
        let state = database::ensure(database, &backend_url, &backend_dir)?;
        info(&state.describe(&redact(&backend_url)));
    }
    Ok(())
}
