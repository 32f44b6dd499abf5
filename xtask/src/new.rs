//! `cargo xtask new`: generate a project, then set it up with its own `cargo xtask setup` code.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use project_xtask::project::AuthFlows;

use crate::cleanup::{RemoveOnInterrupt, remove_registered_on_interrupt, wait_if_interrupted};
use crate::combination::Choices;
use crate::flags;
use crate::generate::{Interaction, generate_named};

pub fn run(cmd: flags::New) -> anyhow::Result<()> {
    let mut choices = Choices::parse(
        cmd.architecture.as_deref(),
        cmd.backend.as_deref(),
        cmd.database.as_deref(),
    )?;
    choices.frontend_url = cmd.frontend_url;
    choices.backend_url = cmd.backend_url;
    choices.database_url = cmd.database_url;
    choices.auth_flows = cmd
        .auth_flows
        .as_deref()
        .map(AuthFlows::parse)
        .transpose()?;

    // cargo-generate copies the template into the temp folder and a signal skips its cleanup: give this run a
    // temp folder of its own, removed on success, failure and interrupt alike.
    let scratch = tempfile::Builder::new()
        .prefix("better-auth-v2-new-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    // SAFETY: no other thread exists yet (the signal thread starts below; `main` started none).
    unsafe { std::env::set_var("TMPDIR", scratch.path()) };
    let _remove_scratch = RemoveOnInterrupt::new(scratch.path());
    remove_registered_on_interrupt()?;

    // Like cargo-generate: ask for what is missing when someone is there to answer, else take defaults.
    let interaction = if !cmd.yes && std::io::stdin().is_terminal() {
        Interaction::Interactive
    } else {
        Interaction::Silent
    };
    let dest = match cmd.dest {
        Some(dest) => dest,
        None => PathBuf::from("."),
    };
    let dir = generate_named(&cmd.name, &choices, &dest, interaction).inspect_err(|_| {
        // A Ctrl-C at a question fails the question (EINTR); the signal thread finishes the job.
        wait_if_interrupted()
    })?;
    eprintln!("Generated {}", dir.display());

    if cmd.no_setup {
        eprintln!("Next: cd {} && cargo xtask setup", dir.display());
        return Ok(());
    }
    // Absolute, so every step of setup sees the same paths whatever folder it runs a tool in.
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    let project = project_xtask::Project::load(&dir)?;
    project_xtask::setup(
        &project,
        &project_xtask::setup::Options { no_install: false },
    )
    .map(drop)
    .with_context(|| {
        format!(
            "setup of {} failed; fix the cause above, then run `cargo xtask setup` inside it",
            dir.display()
        )
    })?;
    eprintln!("Ready: cd {} && cargo xtask dev", dir.display());
    Ok(())
}
