//! Maintainers' automation for the better-auth-v2 template, in the style of rust-analyzer's xtask:
//! `flags` describes the command line, one module per command with a `run` function.

pub mod add;
pub mod bench;
pub mod canary;
pub mod cleanup;
pub mod combination;
#[cfg(feature = "maintainer")]
pub mod conformance;
pub mod e2e;
pub mod engine;
pub mod engine_api;
pub mod engine_images;
pub mod flags;
pub mod generate;
pub mod input;
#[cfg(feature = "maintainer")]
pub mod lockfiles;
pub mod new;
#[cfg(feature = "maintainer")]
pub mod scratch_db;
#[cfg(feature = "maintainer")]
pub mod verify;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Entry point of the binary: parse the command line, run the command, turn errors into exit code 1.
pub fn main() -> ExitCode {
    provide_user_name();
    let flags = flags::Xtask::from_env_or_exit();
    let result = match flags.subcommand {
        flags::XtaskCmd::New(cmd) => new::run(cmd),
        flags::XtaskCmd::Add(cmd) => add::run(cmd),
        #[cfg(feature = "maintainer")]
        flags::XtaskCmd::Verify(cmd) => verify::run(cmd),
        #[cfg(not(feature = "maintainer"))]
        flags::XtaskCmd::Verify(_) => return run_with_maintainer_feature(),
        flags::XtaskCmd::E2e(cmd) => e2e::run(cmd),
        flags::XtaskCmd::Engine(cmd) => engine::run(cmd),
        flags::XtaskCmd::Bench(cmd) => bench::run(cmd),
        #[cfg(feature = "maintainer")]
        flags::XtaskCmd::Lockfiles(cmd) => lockfiles::run(cmd),
        #[cfg(feature = "maintainer")]
        flags::XtaskCmd::Conformance(cmd) => conformance::run(cmd),
        #[cfg(not(feature = "maintainer"))]
        flags::XtaskCmd::Lockfiles(_) | flags::XtaskCmd::Conformance(_) => {
            return run_with_maintainer_feature();
        }
        flags::XtaskCmd::Canary(cmd) => canary::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// cargo-generate refuses to run without a user name (it fills an `authors` variable this template does not
/// use); CI machines often have none, so provide a neutral one. Call it before any thread starts.
pub fn provide_user_name() {
    if !generate::has_user_name() {
        // SAFETY: called first thing in a `main`, before any other thread exists.
        unsafe { std::env::set_var("CARGO_NAME", "better-auth-v2") };
    }
}

/// The template repository's root folder (the one holding `template/` and `hooks/`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// Runs a binary of this workspace through cargo (`e2e` and `bench` link this crate, so they cannot be
/// linked back in) and fails with `what` when it fails.
pub fn run_workspace_binary(
    package: &str,
    release: bool,
    args: &[String],
    what: &str,
) -> anyhow::Result<()> {
    let options: &[&str] = if release { &["--release"] } else { &[] };
    let status = cargo_run(package, options, args)?;
    if !status.success() {
        anyhow::bail!("{what} failed ({status})");
    }
    Ok(())
}

/// This command again, built with the `maintainer` feature (see Cargo.toml), with its exit code.
#[cfg(not(feature = "maintainer"))]
fn run_with_maintainer_feature() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cargo_run("xtask", &["--features", "maintainer"], &args) {
        Ok(status) => status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn cargo_run(
    package: &str,
    options: &[&str],
    args: &[String],
) -> anyhow::Result<std::process::ExitStatus> {
    use anyhow::Context;
    std::process::Command::new(cargo())
        .args(["run", "--quiet"])
        .args(options)
        .args(["--package", package, "--"])
        .args(args)
        .current_dir(project_root())
        .status()
        .context("cannot run cargo")
}

/// The cargo that runs this binary (`cargo xtask` sets CARGO), else the one on PATH.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}
