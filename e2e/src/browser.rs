//! The browser case: the scripts in `browser/` drive the running app in headless Chromium (Debian's
//! `chromium` package, through playwright-core) and leave screenshots in `target/e2e-artifacts/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::Project;
use project_xtask::project::{Architecture, AuthFlows};
use xtask::combination::Choices;

use crate::case::run_logged;

pub fn sign_up_flow(origin: &str, choices: &Choices, log: &Path) -> anyhow::Result<()> {
    let artifacts = xtask::project_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    let screenshot = artifacts.join(format!("{choices}-dashboard.png"));
    run_script(
        "sign-up-flow.mjs",
        &[
            origin,
            &screenshot.display().to_string(),
            architecture(choices),
        ],
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

/// GitHub and Google send the browser to their authorize URLs with the keys the app started with, and the
/// `oidc` button signs in through the run's own provider; then the protected API (`api_me`) answers 200 for
/// that user. `env` holds the providers' keys the app got (the script checks the client ids against them).
pub fn social_flows(
    origin: &str,
    choices: &Choices,
    flows: &AuthFlows,
    api_me: &str,
    env: &[(String, String)],
    log: &Path,
) -> anyhow::Result<()> {
    let artifacts = xtask::project_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    let screenshot = artifacts.join(format!("{choices}-social.png"));
    let mut node = node_script(
        "social-flows.mjs",
        &[
            "keys",
            origin,
            &flows.to_list(),
            architecture(choices),
            api_me,
            &screenshot.display().to_string(),
        ],
        log,
    )?;
    node.envs(env.iter().cloned());
    run_logged(node, log)
}

/// No provider's button on the sign-in page of an app started with the providers' keys empty.
pub fn no_social_buttons(origin: &str, flows: &AuthFlows, log: &Path) -> anyhow::Result<()> {
    run_script(
        "social-flows.mjs",
        &["no-keys", origin, &flows.to_list()],
        log,
    )
}

fn architecture(choices: &Choices) -> &'static str {
    match choices.architecture {
        Some(Architecture::Separate) => "separate",
        _ => "monolithic",
    }
}

/// Runs one of `e2e/browser/`'s scripts with Node against Debian's Chromium; its output goes to `log`,
/// whose last line is the script's JSON verdict.
pub fn run_script(script: &str, args: &[&str], log: &Path) -> anyhow::Result<()> {
    run_logged(node_script(script, args, log)?, log)
}

fn node_script(script: &str, args: &[&str], log: &Path) -> anyhow::Result<Command> {
    ensure_chromium()?;
    let logs_dir = log.parent().unwrap_or(Path::new("."));
    let mut node = Command::new("node");
    node.arg(script)
        .args(args)
        .current_dir(prepared_dir(logs_dir)?);
    Ok(node)
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

/// A copy of `e2e/browser/` under target/ with its npm dependencies installed from its lockfile (on first
/// use, or when package.json gained one; the install log goes to `logs_dir`). Its node_modules must stay out of the
/// repository folder, which cargo-generate copies on every generation.
pub fn prepared_dir(logs_dir: &Path) -> anyhow::Result<PathBuf> {
    let source = xtask::project_root().join("e2e/browser");
    let dir = xtask::project_root().join("target/e2e-browser");
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(&source)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name == "package.json" || name == "package-lock.json" || name.ends_with(".mjs") {
            std::fs::copy(&path, dir.join(&*name))
                .with_context(|| format!("cannot copy e2e/browser/{name}"))?;
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json"))?)
            .context("e2e/browser/package.json is not JSON")?;
    let missing = manifest["dependencies"]
        .as_object()
        .into_iter()
        .flatten()
        .any(|(name, _)| !dir.join("node_modules").join(name).is_dir());
    if missing {
        let mut install = Command::new("npm");
        install
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir);
        run_logged(install, &logs_dir.join("browser-npm-install.log"))
            .context("cannot install e2e/browser's packages")?;
    }
    Ok(dir)
}
