//! `cargo xtask verify`: render every valid combination and prove the template's invariants; with
//! `--build`, also install, type-check and build the variants.

mod build;
mod checks;
mod report;
pub mod variant_text;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::combination::Choices;
use crate::flags;
use crate::generate::generate;
use report::{Report, Row};

pub use checks::{check_project, liquid_leftover};

pub fn run(cmd: flags::Verify) -> anyhow::Result<()> {
    let mut report = Report::default();

    let started = Instant::now();
    let tidy = tidy_problems(&crate::project_root());
    report.push(Row::new(
        "repository",
        "one cargo-generate.toml",
        tidy,
        started,
    ));

    // Outside the repository: generating below a Cargo workspace would be picked up by it.
    let out = tempfile::Builder::new()
        .prefix("better-auth-v2-verify-")
        .tempdir()?;
    eprintln!(
        "==> rendering {} combinations into {}",
        Choices::all().len(),
        out.path().display()
    );
    let mut rendered = Vec::new();
    for choices in Choices::all() {
        let started = Instant::now();
        let (dir, problems) = match generate(&choices, out.path()) {
            Ok(dir) => {
                let problems = check_project(&dir, &choices);
                (Some(dir), problems)
            }
            Err(err) => (None, vec![format!("generation failed: {err:#}")]),
        };
        report.push(Row::new(
            &choices.to_string(),
            "render + static checks",
            problems,
            started,
        ));
        if let Some(dir) = dir {
            rendered.push((choices, dir));
        }
    }

    let started = Instant::now();
    let python = python_compiles(&rendered);
    report.push(Row::new(
        "fastapi variants",
        "python -m compileall",
        python,
        started,
    ));

    if cmd.build {
        build::run(&rendered, cmd.full, &mut report)?;
    }

    report.print();
    if cmd.keep {
        let kept = out.keep();
        eprintln!("rendered projects kept in {}", kept.display());
    }
    if report.failed() > 0 {
        bail!("{} of {} checks failed", report.failed(), report.count());
    }
    eprintln!("all {} checks passed", report.count());
    Ok(())
}

/// Repository invariants that do not need a rendering.
pub fn tidy_problems(root: &Path) -> Vec<String> {
    let configs = find_files(root, "cargo-generate.toml");
    if configs.len() == 1 {
        Vec::new()
    } else {
        vec![format!(
            "expected exactly one cargo-generate.toml (a second one turns generation into a template-choice prompt), found {}: {:?}",
            configs.len(),
            configs
        )]
    }
}

/// Every file called `name` below `root`, skipping build output, dependencies and git data.
fn find_files(root: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let file_name = entry.file_name();
            if path.is_dir() {
                if !matches!(
                    file_name.to_str(),
                    Some(".git" | "target" | "node_modules" | ".venv")
                ) {
                    stack.push(path);
                }
            } else if file_name == name {
                found.push(path);
            }
        }
    }
    found
}

/// `python3 -m compileall` over every rendered FastAPI backend.
fn python_compiles(rendered: &[(Choices, PathBuf)]) -> Vec<String> {
    let backends: Vec<PathBuf> = rendered
        .iter()
        .filter(|(choices, _)| choices.backend == Some(project_xtask::project::Backend::Fastapi))
        .map(|(_, dir)| dir.join("backend"))
        .collect();
    if backends.is_empty() {
        return vec!["no FastAPI variant was rendered".to_string()];
    }
    match std::process::Command::new("python3")
        .args(["-m", "compileall", "-q"])
        .args(&backends)
        .output()
        .context("cannot run python3 (install Python >= 3.10)")
    {
        Ok(output) if output.status.success() => Vec::new(),
        Ok(output) => vec![format!(
            "python -m compileall failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )],
        Err(err) => vec![format!("{err:#}")],
    }
}
