//! `cargo xtask new`: generate a project, then set it up with its own `cargo xtask setup` code.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;

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
    let dir = generate_named(&cmd.name, &choices, &dest, interaction)?;
    eprintln!("Generated {}", dir.display());
    // cargo-generate writes the .env files 0644; they hold the database URL (and later the secret).
    project_xtask::setup::secure_credential_files(&project_xtask::Project::load(&dir)?)?;

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
