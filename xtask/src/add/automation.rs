//! The project automation in the plan (unless `--no-xtask`): the files `new` writes for `cargo xtask` (the
//! Cargo workspace, its lockfile, the `.cargo/config.toml` alias, `xtask/`), `better-auth.toml` with a
//! `[layout]` naming where the app and its backend live and the app's package manager, and the helper
//! scripts `verify` runs in the app. All of it is taken from the project rendered for the same choices.

use std::path::{Path, PathBuf};

use anyhow::Context;
use project_xtask::project::{Layout, MANIFEST_FILE};

use super::detect::App;
use super::frontend::{list_files, read_if_exists};
use super::plan::Plan;

/// The rendered project's files that make up its automation, besides `xtask/` and the manifest.
const WORKSPACE_FILES: [&str; 3] = ["Cargo.toml", "Cargo.lock", ".cargo/config.toml"];

/// Adds the automation's files for `app` to `plan`, from the rendered project at `project`.
pub fn plan(
    app: &App,
    backend_dir: Option<&Path>,
    project: &Path,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    };
    for file in WORKSPACE_FILES {
        files.push((file.into(), read(&project.join(file))?));
    }
    let mut xtask = Vec::new();
    list_files(&project.join("xtask"), Path::new(""), &mut xtask)?;
    for file in xtask {
        let text = read(&project.join("xtask").join(&file))?;
        files.push((Path::new("xtask").join(file), text));
    }
    // `verify` and `secret` run these with node inside the app (frontend_dir).
    let mut scripts = Vec::new();
    list_files(
        &project.join("frontend/scripts"),
        Path::new(""),
        &mut scripts,
    )?;
    for file in scripts {
        let text = read(&project.join("frontend/scripts").join(&file))?;
        files.push((Path::new("scripts").join(file), text));
    }
    let layout = Layout {
        frontend: ".".to_string(),
        backend: match backend_dir {
            Some(dir) => super::backend::relative_path(&app.root, dir)?
                .display()
                .to_string(),
            None => Layout::default().backend,
        },
        package_manager: app.package_manager,
    };
    let manifest = format!(
        "{}{}",
        read(&project.join(MANIFEST_FILE))?,
        layout.to_toml(backend_dir.is_some())
    );
    files.push((MANIFEST_FILE.into(), manifest));

    for (file, text) in files {
        match read_if_exists(&app.root.join(&file))? {
            Some(before) if before != text => plan.by_hand.push(format!(
                "kept your {}: the project automation (`cargo xtask`) needs better-auth-v2's version; or pass --no-xtask",
                file.display()
            )),
            before => plan.write(file, before, text),
        }
    }
    Ok(())
}
