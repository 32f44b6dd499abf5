//! Generation through cargo-generate's library: the same output as `cargo generate --path <repo>`.
//!
//! The project is expanded into a hidden staging folder beside its destination and moved into place only
//! when everything succeeded, so a failure or a declined confirmation leaves the destination untouched.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use cargo_generate::{GenerateArgs, TemplatePath, Vcs};

use crate::combination::Choices;

/// How to talk to the person running the generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interaction {
    /// Prompt for missing choices and confirm the summary (needs a terminal).
    Interactive,
    /// Take defaults for missing choices; print the summary; no questions.
    Silent,
    /// Like `Silent`, without the summary (for rendering many combinations).
    Quiet,
}

/// Generates the project `name` into `dest/name` and returns its path.
pub fn generate_named(
    name: &str,
    choices: &Choices,
    dest: &Path,
    interaction: Interaction,
) -> anyhow::Result<PathBuf> {
    ensure_user_identity()?;
    let target = dest.join(name);
    if target.exists() {
        bail!(
            "{} already exists; nothing was changed. Pick another name, another --dest, or remove that folder first.",
            target.display()
        );
    }
    std::fs::create_dir_all(dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".better-auth-v2-")
        .tempdir_in(dest)
        .with_context(|| format!("cannot create a staging folder in {}", dest.display()))?;

    let mut define = choices.defines();
    if interaction != Interaction::Interactive {
        define.push("confirm=true".to_string());
    }
    if interaction == Interaction::Quiet {
        define.push("summary=false".to_string());
    }
    let args = GenerateArgs {
        template_path: TemplatePath {
            path: Some(crate::project_root().display().to_string()),
            // Naming the sub-template skips cargo-generate's one-choice "which sub-template?" prompt. With
            // `path` set, cargo-generate reads the subfolder from `auto_path` (the CLI's positional argument).
            auto_path: Some("template".to_string()),
            ..TemplatePath::default()
        },
        name: Some(name.to_string()),
        destination: Some(staging.path().to_path_buf()),
        silent: interaction != Interaction::Interactive,
        // Without this, cargo-generate lists every file it copies: hundreds of lines.
        quiet: true,
        define,
        // Never add the output to an enclosing Cargo workspace (cargo-generate would rewrite its Cargo.toml).
        no_workspace: true,
        // The library is built without git; users run `git init` themselves.
        vcs: Some(Vcs::None),
        ..GenerateArgs::default()
    };
    let generated =
        cargo_generate::generate(args).context("generation failed; nothing was written")?;
    std::fs::rename(&generated, &target).with_context(|| {
        format!(
            "cannot move {} to {}",
            generated.display(),
            target.display()
        )
    })?;
    Ok(target)
}

/// Generates `choices` non-interactively and quietly into `dest/<combination name>`: for tests and `verify`.
pub fn generate(choices: &Choices, dest: &Path) -> anyhow::Result<PathBuf> {
    generate_named(&choices.to_string(), choices, dest, Interaction::Quiet)
}

/// True when one of the variables cargo-generate takes the user's name from is set.
pub fn has_user_name() -> bool {
    [
        "CARGO_NAME",
        "GIT_AUTHOR_NAME",
        "GIT_COMMITTER_NAME",
        "USER",
        "USERNAME",
        "NAME",
    ]
    .iter()
    .any(|var| std::env::var_os(var).is_some())
}

/// cargo-generate fills an `authors` variable and fails without a user name; say how to fix that.
fn ensure_user_identity() -> anyhow::Result<()> {
    if !has_user_name() {
        bail!(
            "cargo-generate needs a user name: set USER or CARGO_NAME (e.g. `export USER=$(whoami)`)"
        );
    }
    Ok(())
}
