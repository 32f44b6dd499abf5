//! `cargo xtask e2e`: runs the `e2e` crate's binary (it links this crate for generation, so it cannot be
//! linked back in here).

use std::process::Command;

use anyhow::{Context, bail};

use crate::flags;

pub fn run(cmd: flags::E2e) -> anyhow::Result<()> {
    let mut args: Vec<String> = Vec::new();
    for (flag, value) in [
        ("--database", &cmd.database),
        ("--architecture", &cmd.architecture),
        ("--backend", &cmd.backend),
    ] {
        if let Some(value) = value {
            args.extend([flag.to_string(), value.clone()]);
        }
    }
    if cmd.all {
        args.push("--all".to_string());
    }
    if cmd.browser {
        args.push("--browser".to_string());
    }
    for database in &cmd.skip_database {
        args.extend(["--skip-database".to_string(), database.clone()]);
    }
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
        .args(["run", "--quiet", "--package", "e2e", "--"])
        .args(&args)
        .current_dir(crate::project_root())
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("end-to-end run failed ({status})");
    }
    Ok(())
}
