//! The e2e run's own OpenID Connect provider (`browser/oidc-provider.mjs`, panva's oidc-provider) on
//! 127.0.0.1: started only for a case whose project has the `oidc` flow, with a client id and secret made
//! for this run, and stopped with the case. The app finds it through `OIDC_ISSUER` (discovery).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::{Server, free_port};

/// The app's callback for the provider `oidc` (genericOAuth answers on Better Auth's social callback).
pub const CALLBACK_PATH: &str = "/api/auth/callback/oidc";

pub struct OidcProvider {
    /// OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET for the app.
    pub env: Vec<(String, String)>,
    _server: Server,
}

impl OidcProvider {
    /// Starts the provider for an app at `origin` and waits until its discovery document answers.
    pub fn start(origin: &str, logs_dir: &Path, logs: &mut Vec<PathBuf>) -> anyhow::Result<Self> {
        let port = free_port()?;
        let issuer = format!("http://127.0.0.1:{port}");
        let env = vec![
            ("OIDC_ISSUER".to_string(), issuer.clone()),
            (
                "OIDC_CLIENT_ID".to_string(),
                format!("e2e-{}", &project_xtask::secret::generate()?[..12]),
            ),
            (
                "OIDC_CLIENT_SECRET".to_string(),
                project_xtask::secret::generate()?,
            ),
        ];
        let mut node = Command::new("node");
        node.arg("oidc-provider.mjs")
            .arg(port.to_string())
            .arg(format!("{origin}{CALLBACK_PATH}"))
            .current_dir(crate::browser::prepared_dir(logs_dir)?)
            // The secret goes through the environment, not the command line others can read.
            .envs(env.iter().cloned());
        let server = Server::start("oidc-provider", node, logs_dir, logs)?;
        server.wait_ready(&format!("{issuer}/.well-known/openid-configuration"), 30)?;
        Ok(OidcProvider {
            env,
            _server: server,
        })
    }
}
