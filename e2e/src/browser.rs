//! The browser case: `browser/sign-up-flow.mjs` drives the running app in headless Chromium (Debian's
//! `chromium` package, through playwright-core) and leaves a screenshot in `target/e2e-artifacts/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::Project;
use project_xtask::project::Architecture;
use xtask::combination::Choices;

use crate::case::run_logged;

pub fn sign_up_flow(origin: &str, choices: &Choices, log: &Path) -> anyhow::Result<()> {
    let artifacts = xtask::project_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    let screenshot = artifacts.join(format!("{choices}-dashboard.png"));
    let architecture = match choices.architecture {
        Some(Architecture::Separate) => "separate",
        _ => "monolithic",
    };
    run_script(
        "sign-up-flow.mjs",
        &[origin, &screenshot.display().to_string(), architecture],
        log,
    )?;
    eprintln!("     screenshot: {}", screenshot.display());
    Ok(())
}

/// The email flows (password reset, email verification) the project was generated with, followed through
/// its development mail folder (`frontend/.mail/`: the e2e servers run without SMTP_URL).
pub fn auth_flows(
    origin: &str,
    project: &Project,
    choices: &Choices,
    log: &Path,
) -> anyhow::Result<()> {
    let artifacts = xtask::project_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    let screenshot = artifacts.join(format!("{choices}-auth-flows.png"));
    let mail_dir = project.frontend_dir().join(".mail");
    let flows = project.manifest.auth_flows.to_list();
    run_script(
        "auth-flows.mjs",
        &[
            origin,
            &mail_dir.display().to_string(),
            &flows,
            &screenshot.display().to_string(),
        ],
        log,
    )?;
    eprintln!("     screenshot: {}", screenshot.display());
    Ok(())
}

/// Runs one of `e2e/browser/`'s scripts with Node against Debian's Chromium (installing playwright-core
/// on first use); its output goes to `log`, whose last line is the script's JSON verdict.
pub fn run_script(script: &str, args: &[&str], log: &Path) -> anyhow::Result<()> {
    ensure_chromium()?;
    let dir = browser_dir()?;
    if !dir.join("node_modules/playwright-core").is_dir() {
        let mut install = Command::new("npm");
        install
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir);
        run_logged(install, &log.with_file_name("browser-npm-install.log"))
            .context("cannot install playwright-core")?;
    }
    let mut node = Command::new("node");
    node.arg(script).args(args).current_dir(&dir);
    run_logged(node, log)
}

/// Fails with the fix when there is no Chromium to drive (checked before any slow step that needs it).
pub fn ensure_chromium() -> anyhow::Result<()> {
    let chromium =
        std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    if !Path::new(&chromium).exists() {
        bail!(
            "no Chromium at {chromium}: install Debian's package (`apt-get install -y chromium`) or set CHROMIUM_PATH"
        );
    }
    Ok(())
}

/// A copy of `e2e/browser/` under target/: its node_modules must stay out of the repository folder, which
/// cargo-generate copies on every generation.
fn browser_dir() -> anyhow::Result<PathBuf> {
    let source = xtask::project_root().join("e2e/browser");
    let dir = xtask::project_root().join("target/e2e-browser");
    std::fs::create_dir_all(&dir)?;
    for file in [
        "package.json",
        "launch.mjs",
        "sign-up-flow.mjs",
        "token-reuse.mjs",
        "auth-flows.mjs",
    ] {
        std::fs::copy(source.join(file), dir.join(file))
            .with_context(|| format!("cannot copy e2e/browser/{file}"))?;
    }
    Ok(dir)
}
