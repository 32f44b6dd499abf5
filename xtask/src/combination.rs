//! The choices a project is generated with, and the list of every valid combination.

use std::fmt;

use anyhow::bail;
use project_xtask::project::{Architecture, AuthFlows, Backend, Database};

use crate::input::{AppUrl, check_database_url};

/// One generation request. `None` means "ask, or take the template's default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub architecture: Option<Architecture>,
    pub backend: Option<Backend>,
    pub database: Option<Database>,
    pub frontend_url: Option<String>,
    pub backend_url: Option<String>,
    pub database_url: Option<String>,
    pub auth_flows: Option<AuthFlows>,
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

    /// Checks the URLs against the choices and each other before anything is copied, and drops a trailing
    /// slash from the app URLs. `template_default` gives the template's default for a placeholder.
    pub fn check(
        &mut self,
        template_default: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<()> {
        if self.backend_url.is_some() {
            match self.architecture {
                Some(Architecture::Monolithic) => bail!(
                    "--backend-url is only for --architecture separate (a monolithic project has no backend): drop it or add --architecture separate"
                ),
                // Like --backend, a backend URL implies the architecture that has a backend.
                None => self.architecture = Some(Architecture::Separate),
                Some(Architecture::Separate) => {}
            }
        }
        let app_url = |flag: &str, given: &Option<String>, placeholder: &str| match given {
            Some(url) => AppUrl::parse(flag, url).map(Some),
            None => template_default(placeholder)
                .map(|url| AppUrl::parse(placeholder, &url))
                .transpose(),
        };
        let frontend = app_url("--frontend-url", &self.frontend_url, "frontend_url")?;
        if self.frontend_url.is_some() {
            self.frontend_url = frontend.as_ref().map(|url| url.url.clone());
        }
        if self.architecture == Some(Architecture::Separate) {
            let backend = app_url("--backend-url", &self.backend_url, "backend_url")?;
            if let (Some(frontend), Some(backend)) = (&frontend, &backend)
                && frontend.same_listener(backend)
            {
                let default = |given: &Option<String>| {
                    if given.is_some() {
                        ""
                    } else {
                        " (the default)"
                    }
                };
                bail!(
                    "--frontend-url {}{} and --backend-url {}{} would listen on the same port: give each app its own (e.g. http://localhost:3000 and http://localhost:8000)",
                    frontend.url,
                    default(&self.frontend_url),
                    backend.url,
                    default(&self.backend_url)
                );
            }
            if self.backend_url.is_some() {
                self.backend_url = backend.map(|url| url.url);
            }
        }
        if let Some(url) = &self.database_url {
            let Some(database) = self.database else {
                bail!(
                    "--database-url needs --database (sqlite, postgres, mysql, neon, supabase or turso) to know which form to expect"
                );
            };
            check_database_url(database, url)?;
        }
        Ok(())
    }

    /// The values cargo-generate's placeholders take, as `(name, value)` pairs.
    pub fn values(&self) -> Vec<(&'static str, String)> {
        let mut values = Vec::new();
        if let Some(architecture) = self.architecture {
            values.push(("architecture", architecture_name(architecture).to_string()));
        }
        if let Some(backend) = self.backend {
            values.push(("backend", backend.name().to_string()));
        }
        if let Some(database) = self.database {
            values.push(("database", database.name().to_string()));
        }
        if let Some(flows) = &self.auth_flows {
            values.push(("auth_flows", flows.to_list()));
        }
        for (key, value) in [
            ("frontend_url", &self.frontend_url),
            ("backend_url", &self.backend_url),
            ("database_url", &self.database_url),
        ] {
            if let Some(value) = value {
                values.push((key, value.clone()));
            }
        }
        values
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
