//! `cargo xtask new`: generate a project, then set it up with its own `cargo xtask setup`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use project_xtask::project::AuthFlows;
use project_xtask::tools::node::Node;

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
    // The project's setup gets the user's own temp folder back (this one goes when `new` ends).
    let tmpdir = std::env::var_os("TMPDIR");
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
    // The project's own `cargo xtask setup`, as the user would run it: its first run compiles the project's
    // automation with only this database's driver, the build `cargo xtask dev` then reuses. The checkout's
    // crate links none of the drivers, so its own first build stays short. That compile keeps the CPUs
    // busy while the package installs mostly wait on the disk and the network, so they run side by side
    // first; setup then finds the dependencies up to date.
    let project_command = |args: &[&str]| {
        let mut command = Command::new(crate::cargo());
        command.args(args).current_dir(&dir);
        match &tmpdir {
            Some(tmpdir) => command.env("TMPDIR", tmpdir),
            None => command.env_remove("TMPDIR"),
        };
        command
    };
    eprintln!("Compiling the project's automation (`cargo xtask`) while its dependencies install");
    let project = project_xtask::Project::load(&dir)?;
    let (built, installed) = std::thread::scope(|scope| {
        // The alias itself, so exactly the build `cargo xtask setup` and `dev` reuse; the help it prints is not
        // needed.
        let build = scope.spawn(|| {
            project_command(&["xtask", "--help"])
                .stdout(Stdio::null())
                .status()
        });
        let installed = Node::ensure(&project)
            .and_then(|node| project_xtask::install::dependencies(&project, &node));
        (
            build.join().expect("the cargo build thread panicked"),
            installed,
        )
    });
    // A Ctrl-C reached cargo and the installs too: stop here, as the signal thread says.
    wait_if_interrupted();
    if !built.context("cannot run cargo")?.success() {
        bail!(
            "the project's automation did not compile (cargo's errors are above); fix the cause, then run `cargo xtask setup` inside {}",
            dir.display()
        );
    }
    if let Err(error) = installed {
        // setup installs again and reports the failure in its own words.
        eprintln!("  installing ahead of setup failed ({error:#}); setup tries again");
    }
    eprintln!("Setting up with the project's `cargo xtask setup`");
    let status = project_command(&["xtask", "setup"])
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        wait_if_interrupted();
        bail!(
            "setup of {} failed; fix the cause above, then run `cargo xtask setup` inside it",
            dir.display()
        );
    }
    eprintln!("Ready: cd {} && cargo xtask dev", dir.display());
    Ok(())
}
