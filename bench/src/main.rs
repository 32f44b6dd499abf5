//! `cargo xtask bench` runs this binary (release build): it measures what a user of the template gets —
//! how fast a project is generated and answers its first authenticated request, and what verifying
//! Better Auth's JWTs costs each backend — and writes bench/results.json and BENCHMARKS.md.

mod auth_overhead;
mod cold_start;
mod first_200;
mod flags;
mod generation;
mod journey;
mod machine;
mod report;
mod stats;
mod token_reuse;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use project_xtask::project::Backend;
use serde_json::Value;
use xtask::combination::{BACKENDS, parse_backend};

/// What every part is told: how often to repeat a figure, how long to load a server.
pub struct Settings {
    pub runs: usize,
    pub duration_s: u32,
    /// The backends the auth part measures (`--backend`; all three by default).
    pub backends: Vec<Backend>,
}

/// A part of the benchmark: its command-line name, its key in results.json, how to run and show it.
pub struct Part {
    pub name: &'static str,
    pub key: &'static str,
    pub run: fn(&Settings) -> anyhow::Result<Value>,
    pub markdown: fn(&Value) -> String,
}

/// The parts `--backend` applies to.
const AUTH: &str = "auth";
const AUTH_INSTRUCTIONS: &str = "auth-instructions";
const AUTH_PARTS: [&str; 2] = [AUTH, AUTH_INSTRUCTIONS];

pub const PARTS: [Part; 6] = [
    Part {
        name: "generation",
        key: "generation",
        run: generation::run,
        markdown: generation::markdown,
    },
    Part {
        name: "first-200",
        key: "time_to_first_200",
        run: first_200::run,
        markdown: first_200::markdown,
    },
    Part {
        name: "cold-start",
        key: "cold_start",
        run: cold_start::run,
        markdown: cold_start::markdown,
    },
    Part {
        name: AUTH,
        key: "auth_overhead",
        run: auth_overhead::run,
        markdown: auth_overhead::markdown,
    },
    Part {
        name: AUTH_INSTRUCTIONS,
        key: "auth_instructions",
        run: auth_overhead::instructions::run,
        markdown: auth_overhead::instructions::markdown,
    },
    Part {
        name: "token-reuse",
        key: "token_reuse",
        run: token_reuse::run,
        markdown: token_reuse::markdown,
    },
];

fn main() -> ExitCode {
    xtask::provide_user_name();
    // A generated project compiles into its own target folder, as a user's new project does; an inherited
    // CARGO_TARGET_DIR would hand the axum journey a warm build.
    // SAFETY: first thing in `main`, before any other thread exists.
    unsafe { std::env::remove_var("CARGO_TARGET_DIR") };
    let flags = flags::Bench::from_env_or_exit();
    match run(flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(flags: flags::Bench) -> anyhow::Result<()> {
    for name in &flags.only {
        if !PARTS.iter().any(|part| part.name == name) {
            let known: Vec<&str> = PARTS.iter().map(|part| part.name).collect();
            bail!(
                "unknown part `{name}` for --only; the parts are: {}",
                known.join(", ")
            );
        }
    }
    let runs = flags.runs.unwrap_or(3);
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let duration_s = flags.duration.unwrap_or(5);
    if duration_s == 0 {
        bail!("--duration must be at least 1 second");
    }
    let backends = if flags.backend.is_empty() {
        BACKENDS.to_vec()
    } else {
        let auth_runs =
            flags.only.is_empty() || flags.only.iter().any(|n| AUTH_PARTS.contains(&n.as_str()));
        if !auth_runs {
            bail!(
                "--backend chooses backends for the auth parts; add `--only {AUTH}` or `--only {AUTH_INSTRUCTIONS}`"
            );
        }
        let chosen = flags
            .backend
            .iter()
            .map(|name| parse_backend(name))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Each once, in the usual order, however often and in whatever order they were named.
        BACKENDS
            .into_iter()
            .filter(|backend| chosen.contains(backend))
            .collect()
    };
    // With --backend, the auth parts keep the other backends' results.
    let partial_auth = backends.len() < BACKENDS.len();
    let settings = Settings {
        runs,
        duration_s,
        backends,
    };
    let root = xtask::project_root();
    let (json_path, markdown_path) = match &flags.out {
        Some(dir) => (dir.join("results.json"), dir.join("BENCHMARKS.md")),
        None => (
            root.join("bench").join("results.json"),
            root.join("BENCHMARKS.md"),
        ),
    };
    let mut results = report::Results::load(&json_path)?;
    for part in PARTS
        .iter()
        .filter(|part| flags.only.is_empty() || flags.only.iter().any(|n| n == part.name))
    {
        eprintln!("==> bench {}", part.name);
        let value = (part.run)(&settings)?;
        if AUTH_PARTS.contains(&part.name) && partial_auth {
            results.merge(part.key, value);
        } else {
            results.set(part.key, value);
        }
        // Written after every part: a late failure keeps what was measured.
        results.write(&json_path, &markdown_path)?;
    }
    eprintln!(
        "wrote {} and {}",
        display(&json_path),
        display(&markdown_path)
    );
    Ok(())
}

fn display(path: &std::path::Path) -> String {
    let root: PathBuf = xtask::project_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}
