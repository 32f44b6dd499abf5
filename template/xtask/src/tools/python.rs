//! Python for the FastAPI backend: a new enough interpreter, and `uv` to manage `backend/.venv` — or,
//! when uv cannot be had, the interpreter's own `venv` + `pip`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::tools::node::run_checked;

/// The oldest Python accepted when `pyproject.toml` does not say (`requires-python`).
const DEFAULT_MIN_PYTHON: (u32, u32) = (3, 10);

/// How the backend's environment is created and its programs run.
#[derive(Debug, Clone)]
pub enum Python {
    /// `uv sync` / `uv run …`: fast, and reads `pyproject.toml` (dependency groups included) itself.
    Uv { uv: PathBuf, version: String },
    /// `python -m venv backend/.venv` + pip, for machines where uv cannot be installed.
    Venv {
        python: PathBuf,
        version: (u32, u32, u32),
    },
}

impl Python {
    /// Finds uv (installing it with pip when missing) or falls back to a new enough Python with venv.
    pub fn ensure(backend_dir: &Path) -> anyhow::Result<Python> {
        if let Some(python) = Python::find_uv() {
            return Ok(python);
        }
        let (python, version) = find_interpreter(min_version(backend_dir)?)?;
        crate::ui::info(
            "uv is not installed: installing it with `python -m pip install --user uv`",
        );
        let mut install = Command::new(&python);
        install.args(["-m", "pip", "install", "--user", "--quiet", "uv"]);
        match run_checked(&mut install, "pip install uv") {
            Ok(_) => {
                if let Some(uv) = Python::find_uv() {
                    return Ok(uv);
                }
                crate::ui::info("uv was installed but is not on PATH; using venv + pip instead");
            }
            Err(err) => {
                // pip's reason (e.g. "externally-managed-environment"), not its whole output.
                let text = err.to_string();
                let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
                let reason = lines
                    .clone()
                    .find(|l| l.to_ascii_lowercase().starts_with("error"))
                    .or_else(|| lines.clone().next_back());
                crate::ui::info(&format!(
                    "could not install uv ({}); using venv + pip instead",
                    reason.unwrap_or("pip failed")
                ));
            }
        }
        Ok(Python::Venv { python, version })
    }

    /// Finds what an earlier `setup` used, without installing anything: uv, else `backend/.venv`.
    pub fn find(backend_dir: &Path) -> anyhow::Result<Python> {
        if let Some(uv) = Python::find_uv() {
            return Ok(uv);
        }
        let python = venv_python(backend_dir);
        match python_version(&python) {
            Some(version) => Ok(Python::Venv { python, version }),
            None => bail!(
                "neither uv nor {} found; run `cargo xtask setup` to create the backend's environment",
                python.display()
            ),
        }
    }

    fn find_uv() -> Option<Python> {
        let user_bin =
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/bin/uv"));
        [Some(PathBuf::from("uv")), user_bin]
            .into_iter()
            .flatten()
            .find_map(|uv| {
                let output = Command::new(&uv).arg("--version").output().ok()?;
                let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
                output
                    .status
                    .success()
                    .then_some(Python::Uv { uv, version })
            })
    }

    pub fn describe(&self) -> String {
        match self {
            Python::Uv { version, .. } => version.clone(),
            Python::Venv {
                version: (major, minor, patch),
                python,
            } => {
                format!(
                    "Python {major}.{minor}.{patch} ({}) with venv + pip (uv not available)",
                    python.display()
                )
            }
        }
    }

    /// Installs the backend's dependencies (dev group included) into `backend/.venv`.
    pub fn install(&self, backend_dir: &Path) -> anyhow::Result<()> {
        match self {
            Python::Uv { uv, .. } => {
                // Exactly the tree in uv.lock (the one the template tested), or an error if it is stale.
                run_checked(
                    Command::new(uv)
                        .args(["sync", "--locked"])
                        .current_dir(backend_dir),
                    "uv sync --locked",
                )?;
            }
            Python::Venv { python, .. } => {
                let venv = backend_dir.join(".venv");
                if python_version(&venv_python(backend_dir)).is_none() {
                    let mut create = Command::new(python);
                    create.args(["-m", "venv"]).arg(&venv);
                    run_checked(&mut create, "python -m venv")?;
                }
                // pip before 25.1 cannot read dependency groups, so the requirements are handed over by name.
                let requirements = requirements(backend_dir)?;
                let mut install = Command::new(venv_python(backend_dir));
                install
                    .args(["-m", "pip", "install", "--quiet"])
                    .args(&requirements);
                run_checked(&mut install, "pip install")?;
            }
        }
        Ok(())
    }

    /// How `command(args)` reads to a user, e.g. `uv run python -m app`.
    pub fn shown(&self, args: &[&str]) -> String {
        let python = match self {
            Python::Uv { .. } => "uv run python",
            Python::Venv { .. } => ".venv/bin/python",
        };
        format!("{python} {}", args.join(" "))
    }

    /// A command that runs `python <args>` inside the backend's environment, in `backend_dir`.
    pub fn command(&self, backend_dir: &Path, args: &[&str]) -> Command {
        let mut command = match self {
            Python::Uv { uv, .. } => {
                let mut command = Command::new(uv);
                command.args(["run", "python"]);
                command
            }
            Python::Venv { .. } => Command::new(venv_python(backend_dir)),
        };
        command.args(args).current_dir(backend_dir);
        command
    }
}

fn venv_python(backend_dir: &Path) -> PathBuf {
    backend_dir.join(".venv").join("bin").join("python")
}

/// `requires-python` from `pyproject.toml` (only the `>=X.Y` form), else `DEFAULT_MIN_PYTHON`.
fn min_version(backend_dir: &Path) -> anyhow::Result<(u32, u32)> {
    let pyproject = read_pyproject(backend_dir)?;
    let requires = pyproject
        .get("project")
        .and_then(|p| p.get("requires-python"))
        .and_then(|v| v.as_str());
    Ok(requires
        .and_then(parse_min_python)
        .unwrap_or(DEFAULT_MIN_PYTHON))
}

fn parse_min_python(spec: &str) -> Option<(u32, u32)> {
    let version = spec.trim().strip_prefix(">=")?.trim();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
}

/// `[project] dependencies` plus the `dev` dependency group.
fn requirements(backend_dir: &Path) -> anyhow::Result<Vec<String>> {
    let pyproject = read_pyproject(backend_dir)?;
    let list = |value: Option<&toml::Value>| -> Vec<String> {
        value
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut requirements = list(pyproject.get("project").and_then(|p| p.get("dependencies")));
    requirements.extend(list(
        pyproject
            .get("dependency-groups")
            .and_then(|g| g.get("dev")),
    ));
    Ok(requirements)
}

fn read_pyproject(backend_dir: &Path) -> anyhow::Result<toml::Table> {
    let path = backend_dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    text.parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))
}

/// The first of `python3`, `python` that is at least `min`.
fn find_interpreter(min: (u32, u32)) -> anyhow::Result<(PathBuf, (u32, u32, u32))> {
    let mut seen = Vec::new();
    for name in ["python3", "python"] {
        if let Some(version) = python_version(Path::new(name)) {
            if (version.0, version.1) >= min {
                return Ok((PathBuf::from(name), version));
            }
            seen.push(format!(
                "{name} is {}.{}.{}",
                version.0, version.1, version.2
            ));
        }
    }
    let found = if seen.is_empty() {
        "no python3 on PATH".to_string()
    } else {
        seen.join(", ")
    };
    bail!(
        "the FastAPI backend needs Python >= {}.{} ({found}); install it (e.g. `apt install python3`, `brew install python`, or https://www.python.org/downloads/) or install uv (https://docs.astral.sh/uv/), which fetches a Python itself",
        min.0,
        min.1
    )
}

fn python_version(program: &Path) -> Option<(u32, u32, u32)> {
    let output = Command::new(program).arg("--version").output().ok()?;
    // Python 2 printed its version to stderr.
    let text = [output.stdout, output.stderr].concat();
    parse_python_version(&String::from_utf8_lossy(&text))
}

fn parse_python_version(text: &str) -> Option<(u32, u32, u32)> {
    let version = text.trim().strip_prefix("Python ")?;
    let mut parts = version.split('.').map(|p| {
        p.trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse::<u32>()
            .ok()
    });
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_and_requirements() {
        assert_eq!(parse_python_version("Python 3.11.7\n"), Some((3, 11, 7)));
        assert_eq!(parse_python_version("Python 3.13.0rc1"), Some((3, 13, 0)));
        assert_eq!(parse_python_version("zsh: command not found"), None);
        assert_eq!(parse_min_python(">=3.11"), Some((3, 11)));
        assert_eq!(parse_min_python("~=3.11"), None);
    }
}
