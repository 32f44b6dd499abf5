//! A server under load — one of our backends or its peer: how it is started (pinned to a core, pointed at
//! the bench's JWKS), and the check that its protected route answers as the contract says before any
//! load is measured.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::ensure;
use e2e::server::{Server, free_port};
use serde_json::Value;

/// What starts a server, without taskset and the environment.
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub dir: PathBuf,
}

/// The address every server listens on (`HOST`).
pub const HOST: &str = "127.0.0.1";

/// Where a started server listens.
pub struct Running {
    pub base: String,
    /// Stopped (its whole process group) when dropped.
    server: Server,
}

impl Launch {
    /// The same server started by `wrapper` (e.g. valgrind), which runs the program with its arguments.
    pub fn wrapped_in(&self, wrapper: &str, wrapper_args: &[String]) -> Launch {
        let mut args = wrapper_args.to_vec();
        args.push(self.program.display().to_string());
        args.extend(self.args.iter().cloned());
        Launch {
            program: PathBuf::from(wrapper),
            args,
            dir: self.dir.clone(),
        }
    }

    /// Starts the server on `core` with the environment pointing it at the bench's JWKS and a fresh
    /// SQLite file (the peers have no database and ignore it), and waits until /health answers.
    pub fn start(
        &self,
        core: usize,
        base_url: &str,
        jwks_url: &str,
        work: &Path,
        label: &str,
    ) -> anyhow::Result<Running> {
        let port = free_port()?;
        let mut command = Command::new("taskset");
        command
            .args(["-c", &core.to_string()])
            .arg(&self.program)
            .args(&self.args)
            .current_dir(&self.dir)
            // The process environment wins over backend/.env in every backend.
            .env("BETTER_AUTH_URL", base_url)
            .env("JWKS_URL", jwks_url)
            .env("JWT_ISSUER", base_url)
            .env("JWT_AUDIENCE", base_url)
            .env("FRONTEND_URL", base_url)
            .env("HOST", HOST)
            .env("PORT", port.to_string())
            .env(
                "DATABASE_URL",
                format!("file:{}", work.join(format!("{label}.db")).display()),
            );
        let mut logs = Vec::new();
        let server = Server::start(label, command, work, &mut logs)?;
        let base = format!("http://{HOST}:{port}");
        server.wait_ready(&format!("{base}/health"), 120)?;
        Ok(Running { base, server })
    }
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// `GET /api/me` answers `{id, email}` from the token's claims, and 401 without a token: both servers
    /// of a comparison do the same work, and a broken one fails here, not as a fast error under load.
    pub fn check_protected_route(&self, token: &str, id: &str, email: &str) -> anyhow::Result<()> {
        let agent = e2e::http::agent();
        let url = format!("{}/api/me", self.base);
        let mut response = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string()?;
        ensure!(
            status == 200,
            "{url} with a valid token answered {status}: {body}"
        );
        let body: Value = serde_json::from_str(&body)?;
        ensure!(
            body["id"] == id && body["email"] == email,
            "{url} answered {body}, not the token's id {id} and email {email}"
        );
        let status = agent.get(&url).call()?.status().as_u16();
        ensure!(
            status == 401,
            "{url} without a token answered {status}, not 401"
        );
        Ok(())
    }
}
