//! cargo for the axum backend: the same cargo that runs this xtask.

use std::process::Command;

use anyhow::Context;

use crate::project::DbFamily;

/// A `cargo` command; `$CARGO` (set by `cargo run`) names the cargo that started us.
pub fn command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo --version`, e.g. `cargo 1.95.0 (…)`.
pub fn version() -> anyhow::Result<String> {
    let output = command().arg("--version").output().context(
        "cargo is not installed; install Rust with https://rustup.rs (the axum backend is built with it)",
    )?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// `<subcommand> --locked -p backend --no-default-features --features <family>`: the backend with only the
/// database driver this project uses, built from the versions in Cargo.lock (the ones the template tested).
pub fn backend_command(subcommand: &str, family: DbFamily) -> Command {
    let mut command = command();
    command.args([
        subcommand,
        "--locked",
        "-p",
        "backend",
        "--no-default-features",
        "--features",
        family.name(),
    ]);
    command
}
