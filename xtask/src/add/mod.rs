//! `cargo xtask add <APP_DIR>`: Better Auth integrated into a Next.js app that already exists.
//!
//! detect (what the app is, with evidence) → decide (flags, then detection, then `new`'s questions when a
//! terminal is attached, else the defaults) → plan (every file change, shown as a unified diff) → apply
//! (with a backup of every touched file, restored on any failure) → set up (the app's own `cargo xtask
//! setup`: secret, migrate, verify; without the automation, secret and migrate in this process).

pub mod apply;
mod automation;
pub mod backend;
mod backend_express;
mod backend_fastapi;
pub mod backend_install;
pub mod detect;
pub mod frontend;
pub mod plan;
mod setup;

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::project::{Architecture, AuthFlows, Backend, Database};

use crate::combination::{Choices, architecture_name};
use crate::flags;
use crate::generate::{Interaction, generate_named};
use detect::App;
use plan::Plan;

/// The decisions `add` integrates with, after detection and flags.
#[derive(Debug, Clone)]
pub struct Decision {
    pub choices: Choices,
    pub backend: Option<backend::DetectedBackend>,
    /// With the project automation (`better-auth.toml`, `xtask/`): not `--no-xtask`.
    pub with_xtask: bool,
}

pub fn run(cmd: flags::Add) -> anyhow::Result<()> {
    run_to(cmd, &mut std::io::stdout()).map(drop)
}

/// `add` with the plan's diff written to `out`; returns the plan (what it wrote, or would write).
pub fn run_to(cmd: flags::Add, out: &mut dyn Write) -> anyhow::Result<Plan> {
    let mut given = Choices::parse(
        cmd.architecture.as_deref(),
        cmd.backend.as_deref(),
        cmd.database.as_deref(),
    )?;
    given.auth_flows = cmd
        .auth_flows
        .as_deref()
        .map(AuthFlows::parse)
        .transpose()?;
    refuse_axum(given.backend)?;
    let app = detect::detect(&cmd.app_dir)?;
    eprintln!("Detected in {}:", cmd.app_dir.display());
    print_findings(&app.findings);
    // Like `new`: ask for what flags and detection left open when someone is there to answer.
    let ask = !cmd.yes && std::io::stdin().is_terminal();
    let mut decision = choose(
        &app,
        given,
        cmd.backend_dir.as_deref(),
        cmd.database_url,
        ask,
    )?;
    decision.with_xtask = !cmd.no_xtask;
    if let Some(found) = &decision.backend {
        print_findings(&found.findings);
    }
    if !cmd.allow_dirty {
        refuse_dirty_tree(&app.root)?;
    }

    let interaction = if ask {
        Interaction::Prompts
    } else {
        Interaction::Quiet
    };
    let rendered = render_as(&app, &decision.choices, interaction)?;
    let decision = answered(&app, decision, rendered.path())?;
    eprintln!("Decision: {}", summary(&decision.choices));
    let with_xtask = decision.with_xtask;
    let plan = plan_for(&app, &decision, rendered.path())?;
    refuse_other_better_auth(&app, &plan)?;
    write!(out, "{}", plan.diff())?;
    out.flush()?;
    for file in &plan.tool_writes {
        eprintln!("also: {} (updated by the install)", file.display());
    }
    for line in &plan.by_hand {
        eprintln!("by hand: {line}");
    }
    if plan.is_empty() {
        eprintln!("Nothing to change: Better Auth is already added here as planned.");
    }
    if cmd.dry_run {
        eprintln!("--dry-run: nothing was changed.");
        return Ok(plan);
    }
    if !plan.is_empty() && ask && !confirm()? {
        bail!("declined; nothing was changed");
    }
    apply::transaction(|undo| {
        apply::write_plan(&app.root, &plan, undo)?;
        backend_install::run(&plan.installs, undo)?;
        setup::run(&app, with_xtask, undo)
    })?;
    let shown = cmd.app_dir.display();
    if with_xtask {
        eprintln!("Ready: cd {shown} && cargo xtask dev, then open /sign-up");
    } else {
        eprintln!("--no-xtask: no project automation written");
        eprintln!(
            "Ready: cd {shown} && {} run dev, then open /sign-up",
            app.package_manager.name()
        );
    }
    Ok(plan)
}

fn refuse_axum(backend: Option<Backend>) -> anyhow::Result<()> {
    if backend == Some(Backend::Axum) {
        bail!(
            "--backend axum: `add` wires existing FastAPI or Express backends; use fastapi or express"
        );
    }
    Ok(())
}

/// The choices for this app without a terminal: flags first, then what detection found, then the
/// template's defaults.
pub fn decide(
    app: &App,
    given: Choices,
    backend_dir: Option<&Path>,
    database_url: Option<String>,
) -> anyhow::Result<Decision> {
    choose(app, given, backend_dir, database_url, false)
}

/// As `decide`; `ask`: what flags and detection leave open stays open for `new`'s questions.
fn choose(
    app: &App,
    given: Choices,
    backend_dir: Option<&Path>,
    database_url: Option<String>,
    ask: bool,
) -> anyhow::Result<Decision> {
    let mut choices = given;
    let config = crate::generate::template_config(&crate::project_root())?;
    let default = |placeholder: &str| crate::generate::placeholder_default(&config, placeholder);
    if choices.auth_flows.is_none() && !ask {
        let flows = default("auth_flows").context("the template has no auth_flows default")?;
        choices.auth_flows = Some(AuthFlows::parse(&flows)?);
    }
    let found = match choices.architecture {
        Some(Architecture::Monolithic) => None,
        _ => backend::detect(&app.root, backend_dir),
    };
    if let Some(dir) = backend_dir
        && found.is_none()
        && choices.architecture != Some(Architecture::Monolithic)
    {
        bail!(
            "--backend-dir {}: no FastAPI app (fastapi in pyproject.toml/requirements.txt) or Express app (express in package.json) there",
            dir.display()
        );
    }
    if found.is_some() && choices.architecture.is_none() {
        choices.architecture = Some(Architecture::Separate);
    } else if choices.architecture.is_none() && !ask {
        choices.architecture = Some(Architecture::Monolithic);
    }
    choices.backend = choices
        .backend
        .or(found.as_ref().map(|found| found.backend));
    check_backend(app, &choices, found.as_ref())?;
    let detected = app.database.clone();
    if choices.database.is_none() {
        choices.database = detected
            .as_ref()
            .map(|found| found.database)
            .or((!ask).then_some(Database::Sqlite));
    }
    choices.database_url = database_url.or_else(|| {
        detected
            .filter(|found| Some(found.database) == choices.database)
            .and_then(|found| found.url)
    });
    // Checks the URLs like `new` does (and a --database-url against the database).
    choices.check(default)?;
    Ok(Decision {
        choices,
        backend: found,
        with_xtask: true,
    })
}

/// A separate architecture needs the existing backend, of the kind named.
fn check_backend(
    app: &App,
    choices: &Choices,
    found: Option<&backend::DetectedBackend>,
) -> anyhow::Result<()> {
    if let (Some(found), Some(wanted)) = (found, choices.backend)
        && found.backend != wanted
    {
        bail!(
            "--backend {} but {} holds a {} app: pass --backend-dir for the right folder",
            wanted.name(),
            found.dir.display(),
            found.backend.name()
        );
    }
    if choices.architecture == Some(Architecture::Separate) && found.is_none() {
        bail!(
            "--architecture separate needs an existing FastAPI or Express backend: pass --backend-dir DIR (nothing was found beside {})",
            app.root.display()
        );
    }
    refuse_axum(choices.backend)
}

/// The decision with the answers to the questions (`Interaction::Prompts`), read back from the rendered
/// project's better-auth.toml, and checked like the flags.
fn answered(app: &App, mut decision: Decision, rendered: &Path) -> anyhow::Result<Decision> {
    let project = project_xtask::Project::load(&rendered.join(&app.name))?;
    let manifest = project.manifest;
    let choices = &mut decision.choices;
    choices.architecture = Some(manifest.architecture);
    choices.backend = manifest.backend;
    choices.database = Some(manifest.database);
    choices.auth_flows = Some(manifest.auth_flows);
    check_backend(app, choices, decision.backend.as_ref())?;
    Ok(decision)
}

/// Renders the template for `choices` into a temp folder with the generator `new` uses.
pub fn render(app: &App, choices: &Choices) -> anyhow::Result<tempfile::TempDir> {
    render_as(app, choices, Interaction::Quiet)
}

/// As `render`; `Interaction::Prompts` asks for what `choices` leaves open.
fn render_as(
    app: &App,
    choices: &Choices,
    interaction: Interaction,
) -> anyhow::Result<tempfile::TempDir> {
    let scratch = tempfile::Builder::new()
        .prefix("better-auth-v2-add-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    generate_named(&app.name, choices, scratch.path(), interaction)
        .context("cannot render the template for this app")?;
    Ok(scratch)
}

/// The whole plan for `app`, from the project rendered into `rendered` (by `render`).
pub fn plan_for(app: &App, decision: &Decision, rendered: &Path) -> anyhow::Result<Plan> {
    let with_xtask = decision.with_xtask;
    let project = rendered.join(&app.name);
    let mut plan = Plan::default();
    frontend::plan(app, &project.join("frontend"), &mut plan)?;
    if !plan.is_empty() {
        plan.tool_writes.push(app.package_manager.lockfile().into());
    }
    if with_xtask {
        let backend_dir = decision.backend.as_ref().map(|found| found.dir.as_path());
        automation::plan(app, backend_dir, &project, &mut plan)?;
    }
    frontend::plan_gitignore(app, &project, with_xtask, &mut plan)?;
    if let Some(found) = &decision.backend {
        backend::plan(app, found, &project.join("backend"), &mut plan)?;
    }
    Ok(plan)
}

/// Better Auth already set up by someone else (not by an earlier `add`): its `auth.ts` is not ours.
fn refuse_other_better_auth(app: &App, plan: &Plan) -> anyhow::Result<()> {
    let ours = !plan.by_hand.iter().any(|line| {
        line.contains(&format!(
            "kept your {}",
            app.src_dir.join("lib/auth.ts").display()
        ))
    });
    if app.has_better_auth && !ours {
        bail!(
            "{}: Better Auth is already set up in this app; run `cargo xtask doctor` in a better-auth-v2 project to check it, or remove it before add",
            app.root.display()
        );
    }
    Ok(())
}

fn print_findings(findings: &[detect::Finding]) {
    for finding in findings {
        eprintln!("  {:<58} ({})", finding.what, finding.evidence);
    }
}

fn summary(choices: &Choices) -> String {
    let mut text = choices
        .architecture
        .map_or("?", architecture_name)
        .to_string();
    if let Some(backend) = choices.backend {
        text.push_str(&format!(", {} backend", backend.name()));
    }
    if let Some(database) = choices.database {
        text.push_str(&format!(", {}", database.name()));
    }
    if let Some(flows) = &choices.auth_flows {
        text.push_str(&format!(", auth flows {}", flows.to_list()));
    }
    text
}

/// A git work tree with uncommitted changes is refused: the plan's diff must be all `git diff` shows.
pub fn refuse_dirty_tree(root: &Path) -> anyhow::Result<()> {
    let output = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=normal"])
        .current_dir(root)
        .output();
    match output {
        Ok(output) if output.status.success() => {
            if !output.stdout.is_empty() {
                let first = String::from_utf8_lossy(&output.stdout);
                bail!(
                    "{} has uncommitted changes ({}): commit or stash them so add's changes stand alone, or pass --allow-dirty",
                    root.display(),
                    first.lines().next().unwrap_or("").trim()
                );
            }
            Ok(())
        }
        // Not a git work tree (or no git): nothing to compare against; the backups still undo a failure.
        _ => {
            eprintln!(
                "note: {} is not a git work tree; no clean-tree check",
                root.display()
            );
            Ok(())
        }
    }
}

fn confirm() -> anyhow::Result<bool> {
    eprint!("Apply this plan? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
