//! Generation through cargo-generate's library: the same output as `cargo generate --path <repo>`.
//!
//! Only the template's own files are rendered: `template/` (without the development leftovers its config
//! ignores) and `hooks/` are staged into a temporary folder, so generation takes the same time whatever else
//! the checkout holds (generated projects, `node_modules`, build output). The project is expanded into a
//! hidden staging folder beside its destination and moved into place only when everything succeeded, so a
//! failure or a declined confirmation leaves the destination as it was; a `--dest` this run created is
//! removed again.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use cargo_generate::{GenerateArgs, TemplatePath, Vcs};

use crate::cleanup::RemoveOnInterrupt;
use crate::combination::Choices;
use crate::input::check_project_name;

/// The folders of a checkout that generation reads.
const TEMPLATE_DIR: &str = "template";
const HOOKS_DIR: &str = "hooks";

/// How to talk to the person running the generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interaction {
    /// Prompt for missing choices and confirm the summary (needs a terminal).
    Interactive,
    /// Prompt for missing choices and print the summary; the caller confirms (`add`, after its diff).
    Prompts,
    /// Take defaults for missing choices; print the summary; no questions.
    Silent,
    /// Like `Silent`, without the summary (for rendering many combinations).
    Quiet,
}

/// Generates the project `name` into `dest/name` from this repository's template and returns its path.
pub fn generate_named(
    name: &str,
    choices: &Choices,
    dest: &Path,
    interaction: Interaction,
) -> anyhow::Result<PathBuf> {
    generate_from(&crate::project_root(), name, choices, dest, interaction)
}

/// Generates `choices` non-interactively and quietly into `dest/<combination name>`: for tests and `verify`.
pub fn generate(choices: &Choices, dest: &Path) -> anyhow::Result<PathBuf> {
    generate_named(&choices.to_string(), choices, dest, Interaction::Quiet)
}

/// Generates the project `name` into `dest/name` from the template of the checkout at `checkout`.
pub fn generate_from(
    checkout: &Path,
    name: &str,
    choices: &Choices,
    dest: &Path,
    interaction: Interaction,
) -> anyhow::Result<PathBuf> {
    // Every check comes before the first write.
    ensure_user_identity()?;
    check_project_name(name)?;
    let config = template_config(checkout)?;
    let mut choices = choices.clone();
    choices.check(|placeholder| placeholder_default(&config, placeholder))?;
    let target = dest.join(name);
    if target.exists() {
        bail!(
            "{} already exists; nothing was changed. Pick another name, another --dest, or remove that folder first.",
            target.display()
        );
    }

    let created = create_missing_dir(dest)?;
    let _remove_created = created.as_deref().map(RemoveOnInterrupt::new);
    let result = expand(checkout, &config, name, &choices, dest, interaction);
    if let (Err(_), Some(created)) = (&result, &created) {
        let _ = std::fs::remove_dir_all(created);
    }
    result
}

fn expand(
    checkout: &Path,
    config: &toml::Table,
    name: &str,
    choices: &Choices,
    dest: &Path,
    interaction: Interaction,
) -> anyhow::Result<PathBuf> {
    let work = tempfile::Builder::new()
        .prefix("better-auth-v2-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let _remove_work = RemoveOnInterrupt::new(work.path());
    let source = work.path().join("source");
    stage_template(checkout, &ignored_paths(config), &source)?;
    let values = write_values(work.path(), choices, interaction)?;

    let staging = tempfile::Builder::new()
        .prefix(".better-auth-v2-")
        .tempdir_in(dest)
        .with_context(|| format!("cannot create a staging folder in {}", dest.display()))?;
    let _remove_staging = RemoveOnInterrupt::new(staging.path());
    let args = GenerateArgs {
        template_path: TemplatePath {
            // The same resolution as `cargo generate --path <checkout>`: the one cargo-generate.toml below it.
            path: Some(source.display().to_string()),
            ..TemplatePath::default()
        },
        name: Some(name.to_string()),
        destination: Some(staging.path().to_path_buf()),
        silent: !matches!(interaction, Interaction::Interactive | Interaction::Prompts),
        // Without this, cargo-generate lists every file it copies: hundreds of lines.
        quiet: true,
        // A values file, not --define: cargo-generate echoes every --define, a database password included.
        template_values_file: Some(values.display().to_string()),
        // Never add the output to an enclosing Cargo workspace (cargo-generate would rewrite its Cargo.toml).
        no_workspace: true,
        // The library is built without git; users run `git init` themselves.
        vcs: Some(Vcs::None),
        ..GenerateArgs::default()
    };
    let generated =
        cargo_generate::generate(args).context("generation failed; nothing was written")?;
    let target = dest.join(name);
    std::fs::rename(&generated, &target).with_context(|| {
        format!(
            "cannot move {} to {}",
            generated.display(),
            target.display()
        )
    })?;
    Ok(target)
}

/// The template's cargo-generate.toml.
pub fn template_config(checkout: &Path) -> anyhow::Result<toml::Table> {
    let path = checkout.join(TEMPLATE_DIR).join("cargo-generate.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    text.parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))
}

/// The default of `placeholder`, wherever the config declares it (plain or in a conditional).
pub fn placeholder_default(config: &toml::Table, placeholder: &str) -> Option<String> {
    let plain = config.get("placeholders").into_iter();
    let conditional = config
        .get("conditional")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|table| table.values())
        .filter_map(|block| block.get("placeholders"));
    plain
        .chain(conditional)
        .find_map(|placeholders| placeholders.get(placeholder)?.get("default")?.as_str())
        .map(str::to_string)
}

/// The template's `[template] ignore` paths: development leftovers that must not even be copied.
fn ignored_paths(config: &toml::Table) -> Vec<PathBuf> {
    config
        .get("template")
        .and_then(|template| template.get("ignore"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .map(PathBuf::from)
        .collect()
}

/// Copies `template/` (without `ignored`) and `hooks/` of `checkout` into `into`.
fn stage_template(checkout: &Path, ignored: &[PathBuf], into: &Path) -> anyhow::Result<()> {
    copy_tree(
        &checkout.join(TEMPLATE_DIR),
        &into.join(TEMPLATE_DIR),
        Path::new(""),
        ignored,
    )?;
    copy_tree(
        &checkout.join(HOOKS_DIR),
        &into.join(HOOKS_DIR),
        Path::new(""),
        &[],
    )
}

fn copy_tree(from: &Path, to: &Path, relative: &Path, ignored: &[PathBuf]) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let entries =
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?;
    for entry in entries {
        let entry = entry?;
        let relative = relative.join(entry.file_name());
        if ignored.contains(&relative) {
            continue;
        }
        let (source, destination) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_tree(&source, &destination, &relative, ignored)?;
        } else {
            std::fs::copy(&source, &destination)
                .with_context(|| format!("cannot copy {}", source.display()))?;
        }
    }
    Ok(())
}

/// Writes the placeholder values for cargo-generate's `--template-values-file`, readable by the owner only (it
/// may hold a database password), and returns its path.
fn write_values(
    work: &Path,
    choices: &Choices,
    interaction: Interaction,
) -> anyhow::Result<PathBuf> {
    let mut values = toml::Table::new();
    for (key, value) in choices.values() {
        values.insert(key.to_string(), toml::Value::String(value));
    }
    let mut set = |key: &str, value: &str| {
        values.insert(key.to_string(), toml::Value::String(value.to_string()));
    };
    if interaction != Interaction::Interactive {
        set("confirm", "true");
    }
    if interaction == Interaction::Quiet {
        set("summary", "false");
    }
    // The hooks' words for the cargo-generate CLI user (the next step, the folder a decline leaves) are not
    // for `new`, which runs setup itself and generates into a staging folder it removes.
    set("driven_by_xtask", "true");
    let mut file = toml::Table::new();
    file.insert("values".to_string(), toml::Value::Table(values));

    let path = work.join("values.toml");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut out, toml::to_string(&file)?.as_bytes())?;
    Ok(path)
}

/// Creates `dir` and its missing parents; returns the topmost folder it created, if any.
fn create_missing_dir(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let mut topmost = None;
    let mut current = Some(dir);
    while let Some(path) = current.filter(|path| !path.as_os_str().is_empty() && !path.exists()) {
        topmost = Some(path.to_path_buf());
        current = path.parent();
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(topmost)
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
