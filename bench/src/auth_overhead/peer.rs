//! The peer of each backend: what a developer would otherwise write — the usual setup of the stack's JWT
//! library as its docs show it (bench/peers/<stack>), the same routes (`GET /health`, `GET /api/me`
//! answering `{id, email}` from the claims). Copied into the run's folder, installed the way our backend
//! is (uv, npm ci, cargo build --release --locked) and started the same way, so only the verification
//! code differs.

use std::path::{Path, PathBuf};

use anyhow::Context;
use project_xtask::project::Backend;
use project_xtask::tools::python::Python;

use super::backend::{self, Prepared};
use super::server::Launch;

pub struct Peer {
    pub launch: Launch,
    /// What the peer is, for the report.
    pub setup: &'static str,
    /// What a reader would type, for the report.
    pub start_shown: &'static str,
}

/// The peer's folder in this repository.
fn source(backend: Backend) -> PathBuf {
    xtask::project_root()
        .join("bench")
        .join("peers")
        .join(backend::name(backend))
}

/// Copies the peer of `ours` under `work` and installs what it needs to run, with our backend's tools.
pub fn prepare(ours: &Prepared, work: &Path) -> anyhow::Result<Peer> {
    let name = backend::name(ours.backend);
    let dir = work.join(format!("{name}-peer"));
    copy_sources(&source(ours.backend), &dir)?;
    eprintln!("    installing the {name} peer");
    let peer = match ours.backend {
        Backend::Fastapi => {
            Python::ensure(&dir)?.install(&dir)?;
            Peer {
                launch: Launch {
                    program: dir.join(".venv").join("bin").join("python"),
                    args: vec!["main.py".into()],
                    dir,
                },
                setup: "FastAPI + PyJWT: a module-level `PyJWKClient`, `get_signing_key_from_jwt` and \
                        `jwt.decode(token, key, algorithms=[\"EdDSA\"], audience=…, issuer=…)` in a dependency",
                start_shown: "python main.py (uvicorn, one process, its default access log)",
            }
        }
        Backend::Express => {
            let node = ours.node.as_ref().context("express runs on a Node")?;
            let mut install = node.command("npm");
            install
                .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
                .current_dir(&dir);
            e2e::case::run_logged(install, &work.join("express-peer-npm-ci.log"))?;
            Peer {
                launch: Launch {
                    program: backend::node_binary(node),
                    args: vec!["server.js".into()],
                    dir,
                },
                setup: "Express + jose: `createRemoteJWKSet` created once at module scope, `jwtVerify` in a \
                        middleware",
                start_shown: "node server.js",
            }
        }
        Backend::Axum => {
            let target = backend::cargo_target_dir(work);
            let mut build = std::process::Command::new("cargo");
            build
                .args(["build", "--release", "--locked"])
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", &target);
            e2e::case::run_logged(build, &work.join("axum-peer-cargo-build.log"))?;
            Peer {
                launch: Launch {
                    program: target.join("release").join("axum-jsonwebtoken-peer"),
                    args: Vec::new(),
                    dir,
                },
                setup: "axum + jsonwebtoken: the key set fetched once at start (`DecodingKey::from_jwk`), \
                        `decode` with `Validation::new(Algorithm::EdDSA)` in an extractor",
                start_shown: "the release binary (cargo build --release --locked)",
            }
        }
    };
    Ok(peer)
}

/// The peer's own files, without what an earlier install in place left there.
fn copy_sources(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if ["node_modules", ".venv", "target", "__pycache__"].contains(&name.to_str().unwrap_or(""))
        {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_sources(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
