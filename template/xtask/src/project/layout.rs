//! `[layout]` in better-auth.toml: where the Next.js app and the backend live and which package manager
//! installs and runs the app. A generated project has no `[layout]` (frontend/, backend/, npm); `cargo xtask
//! add` writes one for an app that already exists (the app at the root, its own package manager).

use std::path::{Path, PathBuf};

use anyhow::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Npm,
    Pnpm,
    Yarn,
    Bun,
}

impl PackageManager {
    pub const ALL: [PackageManager; 4] = [
        PackageManager::Npm,
        PackageManager::Pnpm,
        PackageManager::Yarn,
        PackageManager::Bun,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Pnpm => "pnpm",
            PackageManager::Yarn => "yarn",
            PackageManager::Bun => "bun",
        }
    }

    pub fn parse(name: &str) -> anyhow::Result<PackageManager> {
        PackageManager::ALL
            .into_iter()
            .find(|manager| manager.name() == name)
            .with_context(|| {
                format!("package_manager `{name}` is not one of: npm, pnpm, yarn, bun")
            })
    }

    /// The lockfile this manager writes.
    pub fn lockfile(self) -> &'static str {
        match self {
            PackageManager::Npm => "package-lock.json",
            PackageManager::Pnpm => "pnpm-lock.yaml",
            PackageManager::Yarn => "yarn.lock",
            PackageManager::Bun => "bun.lock",
        }
    }

    /// The install that keeps the lockfile as it is (`npm ci`), or creates it when there is none.
    pub fn install_args(self, has_lock: bool) -> &'static [&'static str] {
        match (self, has_lock) {
            (_, false) => &["install"],
            (PackageManager::Npm, true) => &["ci"],
            (PackageManager::Pnpm | PackageManager::Yarn | PackageManager::Bun, true) => {
                &["install", "--frozen-lockfile"]
            }
        }
    }

    /// The install that may rewrite the lockfile (after `cargo xtask add` changed package.json). pnpm
    /// freezes the lockfile by itself when `CI` is set, so it is told not to.
    pub fn lock_updating_install_args(self) -> &'static [&'static str] {
        match self {
            PackageManager::Pnpm => &["install", "--no-frozen-lockfile"],
            PackageManager::Npm | PackageManager::Yarn | PackageManager::Bun => &["install"],
        }
    }

    /// `<manager> run <script> <args>`: npm alone needs `--` before the script's own arguments.
    pub fn run_args<'a>(self, script: &'a str, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["run", script];
        if self == PackageManager::Npm && !args.is_empty() {
            all.push("--");
        }
        all.extend_from_slice(args);
        all
    }
}

/// The folder of a Next.js app that holds `app/` (and, in this template, `lib/`): `<frontend>/src` when
/// `src/app/` exists and `app/` does not (Next.js ignores `src/app` beside a root `app/`), else the app's
/// own folder. `cargo xtask add` decides the same way.
pub fn source_dir(frontend: &Path) -> PathBuf {
    let src = frontend.join("src");
    if src.join("app").is_dir() && !frontend.join("app").is_dir() {
        src
    } else {
        frontend.to_path_buf()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The Next.js app's folder, relative to the project root.
    pub frontend: String,
    /// The separate backend's folder, relative to the project root.
    pub backend: String,
    pub package_manager: PackageManager,
}

impl Default for Layout {
    /// A generated project's layout.
    fn default() -> Layout {
        Layout {
            frontend: "frontend".to_string(),
            backend: "backend".to_string(),
            package_manager: PackageManager::Npm,
        }
    }
}

impl Layout {
    /// Reads `[layout]`; each key that is absent keeps the generated project's value.
    pub fn parse(table: &toml::Table) -> anyhow::Result<Layout> {
        let mut layout = Layout::default();
        let Some(section) = table.get("layout") else {
            return Ok(layout);
        };
        let get = |key: &str| -> anyhow::Result<Option<&str>> {
            match section.get(key) {
                None => Ok(None),
                Some(value) => value
                    .as_str()
                    .map(Some)
                    .with_context(|| format!("`{key}` in [layout] must be a string")),
            }
        };
        if let Some(frontend) = get("frontend")? {
            layout.frontend = frontend.to_string();
        }
        if let Some(backend) = get("backend")? {
            layout.backend = backend.to_string();
        }
        if let Some(manager) = get("package_manager")? {
            layout.package_manager = PackageManager::parse(manager)?;
        }
        Ok(layout)
    }

    /// The `[layout]` section that `parse` reads back (written by `cargo xtask add`).
    pub fn to_toml(&self, with_backend: bool) -> String {
        let mut text = String::from(
            "\n# Where this project's parts live, relative to this file, and the package manager of the Next.js\n# app (written by `cargo xtask add` for an app that already existed).\n[layout]\n",
        );
        text.push_str(&format!("frontend = {:?}\n", self.frontend));
        if with_backend {
            text.push_str(&format!("backend = {:?}\n", self.backend));
        }
        text.push_str(&format!(
            "package_manager = \"{}\"\n",
            self.package_manager.name()
        ));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_keys_keep_the_generated_layout_and_to_toml_reads_back() {
        let none: toml::Table = "[project]\nname = \"x\"\n".parse().unwrap();
        assert_eq!(Layout::parse(&none).unwrap(), Layout::default());
        let added = Layout {
            frontend: ".".to_string(),
            backend: "../api".to_string(),
            package_manager: PackageManager::Pnpm,
        };
        let table: toml::Table = added.to_toml(true).parse().unwrap();
        assert_eq!(Layout::parse(&table).unwrap(), added);
        let bad: toml::Table = "[layout]\npackage_manager = \"pip\"\n".parse().unwrap();
        let err = Layout::parse(&bad).unwrap_err().to_string();
        assert!(err.contains("npm, pnpm, yarn, bun"), "{err}");
    }

    #[test]
    fn only_pnpm_is_told_not_to_freeze_the_lockfile_when_add_rewrites_it() {
        assert_eq!(
            PackageManager::Pnpm.lock_updating_install_args(),
            ["install", "--no-frozen-lockfile"]
        );
        assert_eq!(
            PackageManager::Npm.lock_updating_install_args(),
            ["install"]
        );
    }

    #[test]
    fn the_source_folder_is_src_only_when_src_app_exists() {
        let dir = std::env::temp_dir().join(format!("px-layout-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("app")).unwrap();
        assert_eq!(source_dir(&dir), dir);
        // src/ alone (e.g. only src/lib) is not the src layout.
        std::fs::create_dir_all(dir.join("src/lib")).unwrap();
        assert_eq!(source_dir(&dir), dir);
        // Next.js ignores src/app beside a root app/.
        std::fs::create_dir_all(dir.join("src/app")).unwrap();
        assert_eq!(source_dir(&dir), dir);
        std::fs::remove_dir_all(dir.join("app")).unwrap();
        assert_eq!(source_dir(&dir), dir.join("src"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_npm_needs_a_separator_before_the_scripts_arguments() {
        assert_eq!(
            PackageManager::Npm.run_args("dev", &["--port", "3000"]),
            ["run", "dev", "--", "--port", "3000"]
        );
        assert_eq!(
            PackageManager::Pnpm.run_args("dev", &["--port", "3000"]),
            ["run", "dev", "--port", "3000"]
        );
        assert_eq!(
            PackageManager::Npm.run_args("typecheck", &[]),
            ["run", "typecheck"]
        );
    }
}
