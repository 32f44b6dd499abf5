//! The providers' keys a case's app starts with when its project has social sign-in: made-up GitHub and
//! Google client ids and secrets (their authorize URLs are only looked at, never called), and for `oidc` the
//! run's own provider with its client.

use std::path::{Path, PathBuf};

use project_xtask::project::{AuthFlow, AuthFlows};

use crate::oidc::OidcProvider;

pub struct SocialKeys {
    /// The variables the app reads (GITHUB_CLIENT_ID, …, OIDC_ISSUER, …).
    pub env: Vec<(String, String)>,
    _oidc: Option<OidcProvider>,
}

/// Whether the project has any social sign-in flow.
pub fn any(flows: &AuthFlows) -> bool {
    [AuthFlow::Github, AuthFlow::Google, AuthFlow::Oidc]
        .into_iter()
        .any(|flow| flows.contains(flow))
}

impl SocialKeys {
    pub fn start(
        flows: &AuthFlows,
        origin: &str,
        logs_dir: &Path,
        logs: &mut Vec<PathBuf>,
    ) -> anyhow::Result<SocialKeys> {
        let mut env = Vec::new();
        for (flow, prefix) in [(AuthFlow::Github, "GITHUB"), (AuthFlow::Google, "GOOGLE")] {
            if flows.contains(flow) {
                let id = format!(
                    "e2e-{}-{}",
                    flow.name(),
                    &project_xtask::secret::generate()?[..12]
                );
                env.push((format!("{prefix}_CLIENT_ID"), id));
                env.push((
                    format!("{prefix}_CLIENT_SECRET"),
                    project_xtask::secret::generate()?,
                ));
            }
        }
        let oidc = if flows.contains(AuthFlow::Oidc) {
            let provider = OidcProvider::start(origin, logs_dir, logs)?;
            env.extend(provider.env.iter().cloned());
            Some(provider)
        } else {
            None
        };
        Ok(SocialKeys { env, _oidc: oidc })
    }

    /// The same variables, empty: an app started with these shows no provider's button.
    pub fn emptied(&self) -> Vec<(String, String)> {
        self.env
            .iter()
            .map(|(name, _)| (name.clone(), String::new()))
            .collect()
    }
}
