//! Runs a helper script from `frontend/scripts/` on Node >= 22.13, inside frontend/, with the project's
//! env file passed explicitly, so it sees exactly what the app and `auth` CLI see.

use std::io::Write;
use std::process::Stdio;

use anyhow::{Context, bail};

use crate::Project;
use crate::tools::node::Node;

/// Node strips TypeScript types by default from 22.18; 22.13–22.17 need the flag.
const DEFAULT_TYPE_STRIPPING: (u32, u32) = (22, 18);

/// Runs `node scripts/<script>` with `env` (on top of frontend/.env) and `stdin`; returns its stdout.
pub fn run(
    project: &Project,
    script: &str,
    env: &[(&str, &str)],
    stdin: &str,
) -> anyhow::Result<String> {
    let frontend = project.frontend_dir();
    if !frontend.join("node_modules").join("better-auth").is_dir() {
        bail!(
            "the frontend's dependencies are not installed ({} has no node_modules/better-auth): run `cargo xtask setup`",
            frontend.display()
        );
    }
    let node = Node::find(project)?;
    let mut command = node.command("node");
    if (node.version.0, node.version.1) < DEFAULT_TYPE_STRIPPING {
        command.arg("--experimental-strip-types");
    }
    command
        .arg("--disable-warning=ExperimentalWarning")
        .arg(format!("scripts/{script}"))
        .current_dir(&frontend)
        .envs(project.frontend_env()?.vars_for_child())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start node for scripts/{script}"))?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "frontend/scripts/{script} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).context("the script printed invalid UTF-8")
}
