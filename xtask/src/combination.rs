//! The choices a project is generated with, and the list of every valid combination.

use std::fmt;

use anyhow::bail;
use project_xtask::project::{Architecture, Backend, Database};

/// One generation request. `None` means "ask, or take the template's default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub architecture: Option<Architecture>,
    pub backend: Option<Backend>,
    pub database: Option<Database>,
    pub frontend_url: Option<String>,
    pub backend_url: Option<String>,
    pub database_url: Option<String>,
}

pub const BACKENDS: [Backend; 3] = [Backend::Fastapi, Backend::Express, Backend::Axum];

impl Choices {
    /// A fully specified combination (URLs left to the template's defaults).
    pub fn of(architecture: Architecture, backend: Option<Backend>, database: Database) -> Choices {
        Choices {
            architecture: Some(architecture),
            backend,
            database: Some(database),
            ..Choices::default()
        }
    }

    /// Every valid architecture × backend × database combination: 6 monolithic + 18 separate.
    pub fn all() -> Vec<Choices> {
        let mut all = Vec::new();
        for database in Database::ALL {
            all.push(Choices::of(Architecture::Monolithic, None, database));
            for backend in BACKENDS {
                all.push(Choices::of(Architecture::Separate, Some(backend), database));
            }
        }
        all
    }

    /// Parses the names given on a command line, rejecting contradictions with a message that names the fix.
    pub fn parse(
        architecture: Option<&str>,
        backend: Option<&str>,
        database: Option<&str>,
    ) -> anyhow::Result<Choices> {
        let architecture = architecture.map(parse_architecture).transpose()?;
        let backend = backend.map(parse_backend).transpose()?;
        let database = database.map(Database::parse).transpose()?;
        let architecture = match (architecture, backend) {
            (Some(Architecture::Monolithic), Some(backend)) => bail!(
                "--backend {} needs --architecture separate (a monolithic project has no separate backend)",
                backend.name()
            ),
            // Naming a backend implies the architecture that has one.
            (None, Some(_)) => Some(Architecture::Separate),
            (architecture, _) => architecture,
        };
        Ok(Choices {
            architecture,
            backend,
            database,
            ..Choices::default()
        })
    }

    /// The `--define` values for cargo-generate.
    pub fn defines(&self) -> Vec<String> {
        let mut defines = Vec::new();
        if let Some(architecture) = self.architecture {
            defines.push(format!("architecture={}", architecture_name(architecture)));
        }
        if let Some(backend) = self.backend {
            defines.push(format!("backend={}", backend.name()));
        }
        if let Some(database) = self.database {
            defines.push(format!("database={}", database.name()));
        }
        for (key, value) in [
            ("frontend_url", &self.frontend_url),
            ("backend_url", &self.backend_url),
            ("database_url", &self.database_url),
        ] {
            if let Some(value) = value {
                defines.push(format!("{key}={value}"));
            }
        }
        defines
    }

    /// True when nothing is left for cargo-generate to ask.
    pub fn is_complete(&self) -> bool {
        match self.architecture {
            Some(Architecture::Separate) => self.backend.is_some() && self.database.is_some(),
            Some(Architecture::Monolithic) => self.database.is_some(),
            None => false,
        }
    }
}

/// Short, path-friendly name such as `separate-fastapi-postgres` or `monolithic-sqlite`.
impl fmt::Display for Choices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let architecture = self.architecture.map_or("default", architecture_name);
        write!(f, "{architecture}")?;
        if let Some(backend) = self.backend {
            write!(f, "-{}", backend.name())?;
        }
        write!(f, "-{}", self.database.map_or("default", Database::name))
    }
}

pub fn architecture_name(architecture: Architecture) -> &'static str {
    match architecture {
        Architecture::Monolithic => "monolithic",
        Architecture::Separate => "separate",
    }
}

fn parse_architecture(name: &str) -> anyhow::Result<Architecture> {
    match name {
        "monolithic" => Ok(Architecture::Monolithic),
        "separate" => Ok(Architecture::Separate),
        other => bail!("architecture `{other}` is not one of: monolithic, separate"),
    }
}

pub fn parse_backend(name: &str) -> anyhow::Result<Backend> {
    BACKENDS
        .into_iter()
        .find(|backend| backend.name() == name)
        .ok_or_else(|| anyhow::anyhow!("backend `{name}` is not one of: fastapi, express, axum"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_24_valid_combinations() {
        let all = Choices::all();
        assert_eq!(all.len(), 24);
        assert!(all.iter().all(Choices::is_complete));
        let names: std::collections::HashSet<String> =
            all.iter().map(ToString::to_string).collect();
        assert_eq!(
            names.len(),
            24,
            "names must be unique: they become folder names"
        );
    }

    #[test]
    fn a_backend_implies_separate_and_contradictions_are_rejected() {
        let choices = Choices::parse(None, Some("axum"), None).unwrap();
        assert_eq!(choices.architecture, Some(Architecture::Separate));
        let err = Choices::parse(Some("monolithic"), Some("axum"), None).unwrap_err();
        assert!(err.to_string().contains("--architecture separate"), "{err}");
        let err = Choices::parse(None, None, Some("oracle")).unwrap_err();
        assert!(err.to_string().contains("sqlite, postgres"), "{err}");
    }
}
