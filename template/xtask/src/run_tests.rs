//! `cargo xtask test`: the project's own checks — the frontend's type-check and the backend's tests —
//! each as a step. All of them run even when one fails, so one run shows every failure.

use std::process::Command;

use anyhow::{Context, bail};

use crate::Project;
use crate::project::Backend;
use crate::tools::node::Node;
use crate::tools::{cargo, python::Python};
use crate::ui::step;

pub fn run(project: &Project) -> anyhow::Result<()> {
    if !project.frontend_dir().join("node_modules").is_dir() {
        bail!(
            "the frontend's dependencies are not installed (no frontend/node_modules): run `cargo xtask setup` first"
        );
    }
    let node = Node::find(project)?;
    if node.bin_dir.is_some() {
        eprintln!("{}", node.describe());
    }
    let mut checks: Vec<(String, Command)> = Vec::new();

    let manager = project.package_manager();
    let mut typecheck = node.command(manager.name());
    typecheck
        .args(manager.run_args("typecheck", &[]))
        .current_dir(project.frontend_dir());
    checks.push((
        format!("frontend: type-check ({} run typecheck)", manager.name()),
        typecheck,
    ));

    if let (Some(backend), Some(dir)) = (project.manifest.backend, project.backend_dir()) {
        let (title, mut command) = match backend {
            Backend::Fastapi => {
                let python = Python::find(&dir)?;
                (
                    python.shown(&["-m", "pytest"]),
                    python.command(&dir, &["-m", "pytest"]),
                )
            }
            Backend::Express => {
                let mut command = node.command("npm");
                command.arg("test");
                ("npm test".to_string(), command)
            }
            Backend::Axum => (
                "cargo test -p backend".to_string(),
                cargo::backend_command("test", project.manifest.database.family()),
            ),
        };
        command.current_dir(&dir);
        checks.push((format!("backend: tests ({title})"), command));
    }

    let mut failed = Vec::new();
    for (title, mut command) in checks {
        // Output streams straight through: test runners print their own progress.
        let passed = step(&title, || {
            let status = command
                .status()
                .with_context(|| format!("cannot start `{title}`"))?;
            if !status.success() {
                bail!("{status}");
            }
            Ok(())
        });
        if let Err(err) = passed {
            failed.push(format!("{title}: {err}"));
        }
    }
    if !failed.is_empty() {
        bail!(
            "{} check(s) failed:\n  {}",
            failed.len(),
            failed.join("\n  ")
        );
    }
    eprintln!("all checks passed");
    Ok(())
}
