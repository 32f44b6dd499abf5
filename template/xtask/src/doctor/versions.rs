//! Tool and package versions: Node for the frontend, Python for FastAPI, the `auth` CLI vs `better-auth`.

use super::finding::{Finding, Severity};

/// The oldest Python the FastAPI backend supports.
pub const MIN_PYTHON: (u32, u32) = (3, 10);

pub fn python(version: Option<(u32, u32)>) -> Option<Finding> {
    match version {
        Some(v) if v >= MIN_PYTHON => None,
        Some((major, minor)) => Some(Finding::new(
            "python-version",
            Severity::Error,
            format!(
                "Python {major}.{minor} is too old for the FastAPI backend (needs >= {}.{})",
                MIN_PYTHON.0, MIN_PYTHON.1
            ),
            "the backend's dependencies and type syntax need a newer Python",
            "install Python >= 3.10 (or `pip install uv`; uv can fetch one), then `cargo xtask setup`",
        )),
        None => Some(Finding::new(
            "python-missing",
            Severity::Error,
            "Python is not installed (python3 not found)",
            "the FastAPI backend cannot run",
            "install Python >= 3.10, then `cargo xtask setup`",
        )),
    }
}

/// `auth` (the CLI that migrates) vs `better-auth` (what the app runs): versions from node_modules.
pub fn cli_vs_library(cli: Option<&str>, library: Option<&str>) -> Option<Finding> {
    let (Some(cli), Some(library)) = (cli, library) else {
        return Some(Finding::new(
            "auth-cli-missing",
            Severity::Warning,
            "the `auth` CLI or `better-auth` is not installed in frontend/node_modules",
            "`cargo xtask migrate` runs the project's pinned `auth` CLI",
            "run `cargo xtask setup`",
        ));
    };
    let (a, b) = (major_minor(cli)?, major_minor(library)?);
    if a == b {
        return None;
    }
    let severity = if a.0 != b.0 {
        Severity::Error
    } else {
        Severity::Warning
    };
    Some(Finding::new(
        "auth-cli-version",
        severity,
        format!("the `auth` CLI is {cli} but the app runs better-auth {library}"),
        "the CLI migrates with its own copy of Better Auth: a different minor version may create an outdated schema",
        "pin `auth` to the same major.minor as `better-auth` in frontend/package.json, then `cargo xtask setup` and `cargo xtask verify`",
    ))
}

fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version
        .trim_start_matches(['^', '~', 'v'])
        .split('.')
        .map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// `Python 3.11.2` → (3, 11).
pub fn parse_python_version(text: &str) -> Option<(u32, u32)> {
    major_minor(text.trim().strip_prefix("Python ")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_versions() {
        assert!(python(Some((3, 11))).is_none());
        assert_eq!(python(Some((3, 9))).unwrap().id, "python-version");
        assert_eq!(python(None).unwrap().id, "python-missing");
        assert_eq!(parse_python_version("Python 3.11.2\n"), Some((3, 11)));
    }

    #[test]
    fn cli_and_library_versions() {
        assert!(cli_vs_library(Some("1.7.7"), Some("1.7.25")).is_none());
        assert_eq!(
            cli_vs_library(Some("1.6.0"), Some("1.7.25"))
                .unwrap()
                .severity,
            Severity::Warning
        );
        assert_eq!(
            cli_vs_library(Some("2.0.0"), Some("1.7.25"))
                .unwrap()
                .severity,
            Severity::Error
        );
        assert_eq!(
            cli_vs_library(None, Some("1.7.25")).unwrap().id,
            "auth-cli-missing"
        );
    }
}
