//! Node.js >= 22.13 for every npm/npx/node call: the system one when new enough, else a project-local
//! Node 22 LTS installed from the npm registry's `node` package into `.tools/node`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::Project;
use crate::project::Backend;

/// The oldest Node the pinned `auth` CLI and `node:sqlite` accept.
pub const MIN_NODE: (u32, u32) = (22, 13);

/// The Express backend runs its TypeScript directly, which needs Node's type stripping on by default.
const MIN_NODE_EXPRESS: (u32, u32) = (22, 18);

/// The npm package `setup` installs when the system Node is too old: the current Node 22 LTS.
const LOCAL_NODE_PACKAGE: &str = "node@22";

/// The oldest Node this project runs on.
pub fn min_version(project: &Project) -> (u32, u32) {
    match project.manifest.backend {
        Some(Backend::Express) => MIN_NODE_EXPRESS,
        _ => MIN_NODE,
    }
}

/// Where `setup` installs the project-local Node (its `node_modules/.bin` holds `node`).
pub fn local_node_prefix(project: &Project) -> PathBuf {
    project.root.join(".tools").join("node")
}

/// A Node.js installation that is new enough.
#[derive(Debug, Clone)]
pub struct Node {
    /// The folder holding the `node` binary, put first on PATH for npm/npx so they run on this Node.
    pub bin_dir: Option<PathBuf>,
    pub version: (u32, u32, u32),
}

impl Node {
    /// Finds a usable Node without installing anything: the project-local one, else the system one.
    pub fn find(project: &Project) -> anyhow::Result<Node> {
        let min = min_version(project);
        let local_bin = local_node_prefix(project).join("node_modules").join(".bin");
        if let Some(version) = version_of(&local_bin.join("node"))
            && version_ok(version, min)
        {
            return Ok(Node {
                bin_dir: Some(local_bin),
                version,
            });
        }
        match version_of(Path::new("node")) {
            Some(version) if version_ok(version, min) => Ok(Node {
                bin_dir: None,
                version,
            }),
            Some((major, minor, patch)) => bail!(
                "Node {major}.{minor}.{patch} is too old (this project needs >= {}.{}: Better Auth's `auth` CLI and node:sqlite); run `cargo xtask setup`, which installs a project-local Node 22",
                min.0,
                min.1
            ),
            None => bail!(
                "Node.js is not installed; install Node >= {}.{} (https://nodejs.org) or npm, then run `cargo xtask setup`",
                min.0,
                min.1
            ),
        }
    }

    /// Finds a usable Node, installing the project-local Node 22 with the system npm when the system
    /// Node is missing or too old.
    pub fn ensure(project: &Project) -> anyhow::Result<Node> {
        if let Ok(node) = Node::find(project) {
            return Ok(node);
        }
        let prefix = local_node_prefix(project);
        crate::ui::info(&format!(
            "the system Node is missing or older than {}.{}: installing {LOCAL_NODE_PACKAGE} from the npm registry into {}",
            min_version(project).0,
            min_version(project).1,
            prefix.display()
        ));
        std::fs::create_dir_all(&prefix)
            .with_context(|| format!("cannot create {}", prefix.display()))?;
        let mut install = Command::new("npm");
        install
            .args(["install", "--prefix"])
            .arg(&prefix)
            .arg(LOCAL_NODE_PACKAGE);
        run_checked(&mut install, "npm install node@22").map_err(|err| {
            if version_of(Path::new("npm")).is_none() {
                anyhow::anyhow!(
                    "npm is not installed, so a project-local Node cannot be fetched; install Node 22 LTS (https://nodejs.org, `nvm install 22`, or your package manager)"
                )
            } else {
                err
            }
        })?;
        Node::find(project)
    }

    /// One line saying which Node runs npm/npx/node, and why when it is the project-local one.
    pub fn describe(&self) -> String {
        let (major, minor, patch) = self.version;
        match &self.bin_dir {
            Some(bin_dir) => format!(
                "Node {major}.{minor}.{patch}, project-local ({}), first on PATH for npm/npx/node because the system Node is missing or too old",
                bin_dir.display()
            ),
            None => format!("Node {major}.{minor}.{patch} (system)"),
        }
    }

    /// A command for `program` (`node`, `npm`, `npx`, or a bin in node_modules/.bin) running on this Node.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let program = program.as_ref();
        let mut command = Command::new(program);
        if let Some(bin_dir) = &self.bin_dir {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![bin_dir.clone()];
            dirs.extend(std::env::split_paths(&path));
            command.env(
                "PATH",
                std::env::join_paths(dirs).expect("PATH entries are valid"),
            );
            if program == "node" {
                command = rebase(command, bin_dir.join("node"));
            }
        }
        command
    }
}

/// Replaces the program of `command` while keeping its environment.
fn rebase(command: Command, program: PathBuf) -> Command {
    let mut rebased = Command::new(program);
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => rebased.env(key, value),
            None => rebased.env_remove(key),
        };
    }
    rebased
}

pub fn version_ok((major, minor, _): (u32, u32, u32), min: (u32, u32)) -> bool {
    (major, minor) >= min
}

/// `node --version` of `program`, parsed; `None` when it does not run.
pub fn version_of(program: &Path) -> Option<(u32, u32, u32)> {
    let output = Command::new(program).arg("--version").output().ok()?;
    parse_version(String::from_utf8_lossy(&output.stdout).trim())
}

fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text
        .trim_start_matches('v')
        .splitn(3, '.')
        .map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// Runs `command` to completion, failing with its output when it exits non-zero.
pub fn run_checked(command: &mut Command, what: &str) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("cannot start {what}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_node_versions() {
        assert_eq!(parse_version("v22.23.3"), Some((22, 23, 3)));
        assert_eq!(parse_version("v20.20.2"), Some((20, 20, 2)));
        assert_eq!(parse_version("garbage"), None);
        assert!(version_ok((22, 13, 0), MIN_NODE));
        assert!(
            !version_ok((22, 12, 0), MIN_NODE),
            "node:sqlite needs 22.13"
        );
        assert!(!version_ok((22, 11, 9), MIN_NODE));
        assert!(!version_ok((20, 20, 2), MIN_NODE));
        assert!(!version_ok((22, 17, 0), MIN_NODE_EXPRESS));
    }
}
