//! Cold start: a fresh clone of this repository, an empty cargo target folder and warm registry caches
//! (cargo, npm, uv), then the README's quick start to the first authenticated 200, timing every Rust build
//! a user waits for on the way.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use e2e::case::run_logged;
use e2e::http::Client;
use e2e::server::{Server, free_port};
use serde_json::{Map, Value, json};

use crate::Settings;
use crate::machine::load_average;
use crate::stats::{Stats, journey_table, put_figure, timed};

/// The combinations measured, keyed as in results.json, with their `new` flags and targets in seconds.
const COMBOS: [(&str, &[&str], f64); 1] = [(
    "monolithic+sqlite",
    &["--architecture", "monolithic", "--database", "sqlite"],
    120.0,
)];

/// The steps, in the order they run: `build_xtask` (cargo's compile of this repository's automation, the
/// first thing `cargo xtask new` waits for), `new` (`cargo xtask new my-app`: generate, then compile the
/// project's automation while its dependencies install, then the project's `cargo xtask setup`), `start` and
/// `first_request`.
pub const STEPS: [&str; 4] = ["build_xtask", "new", "start", "first_request"];

const NAME: &str = "my-app";

pub fn run(settings: &Settings) -> anyhow::Result<Value> {
    let mut all = Map::new();
    all.insert(
        "load_average".to_string(),
        json!({"start": load_average(), "end": Value::Null}),
    );
    for (name, flags, target) in COMBOS {
        let mut totals = Vec::new();
        let mut per_step: Vec<Vec<f64>> = vec![Vec::new(); STEPS.len()];
        for run in 1..=settings.runs {
            eprintln!("==> cold start: {name}, run {run} of {}", settings.runs);
            let steps = cold_start(flags)?;
            for (index, seconds) in steps.iter().enumerate() {
                per_step[index].push(*seconds);
            }
            let total: f64 = steps.iter().sum();
            totals.push(total);
            eprintln!(
                "    {name}: first 200 after {total:.1}s ({})",
                STEPS
                    .iter()
                    .zip(&steps)
                    .map(|(step, seconds)| format!("{step} {seconds:.1}s"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let mut combo = Map::new();
        let total = Stats::of(&totals);
        put_figure(&mut combo, "total_s", total);
        combo.insert("target_s".to_string(), target.into());
        combo.insert("target_met".to_string(), (total.median <= target).into());
        let mut steps = Map::new();
        for (step, samples) in STEPS.iter().zip(&per_step) {
            put_figure(&mut steps, step, Stats::of(samples));
        }
        combo.insert("steps".to_string(), Value::Object(steps));
        all.insert(name.to_string(), Value::Object(combo));
    }
    all["load_average"]["end"] = json!(load_average());
    Ok(Value::Object(all))
}

/// One cold start in a temporary folder, kept (with its logs) when a step fails.
fn cold_start(flags: &[&str]) -> anyhow::Result<Vec<f64>> {
    let work = tempfile::Builder::new().prefix("bench-cold-").tempdir()?;
    steps(work.path(), flags).map_err(|error| {
        let kept = work.keep();
        error.context(format!(
            "the clone, the project and the logs are kept in {}",
            kept.display()
        ))
    })
}

fn steps(work: &Path, flags: &[&str]) -> anyhow::Result<Vec<f64>> {
    let checkout = work.join("better-auth-v2");
    let mut clone = Command::new("git");
    clone
        .args(["clone", "--quiet"])
        .arg(xtask::project_root())
        .arg(&checkout);
    run_logged(clone, &work.join("clone.log")).context("git clone of this repository failed")?;
    let project = checkout.join(NAME);
    let port = free_port()?;
    let origin = format!("http://localhost:{port}");
    // Every build starts from an empty target folder: the clone's and the project's own `target/`.
    let cargo = |dir: &Path, args: &[&str]| {
        let mut command = Command::new("cargo");
        command
            .args(args)
            .current_dir(dir)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("GENERATED_CARGO_TARGET_DIR");
        command
    };
    let step = |name: &str, command: Command| {
        let (result, seconds) = timed(|| run_logged(command, &work.join(format!("{name}.log"))));
        result.with_context(|| format!("cold start step `{name}` failed"))?;
        anyhow::Ok(seconds)
    };

    let mut steps = vec![
        step(
            "build_xtask",
            cargo(
                &checkout,
                &["build", "--package", "xtask", "--bin", "xtask"],
            ),
        )?,
        step("new", {
            let mut new = cargo(&checkout, &["xtask", "new", NAME, "--yes"]);
            new.args(["--frontend-url", &origin]).args(flags);
            new
        })?,
    ];

    let mut logs = Vec::new();
    let (server, seconds) = timed(|| -> anyhow::Result<Server> {
        let mut dev = Server::start("dev", cargo(&project, &["xtask", "dev"]), work, &mut logs)?;
        // Listening, not answering: any request to `next dev` would compile a route inside this step.
        dev.wait_listening(port, 300)?;
        Ok(dev)
    });
    let _dev = server?;
    steps.push(seconds);

    let client = Client::new(&format!("http://127.0.0.1:{port}"), &origin);
    let (user, seconds) = timed(|| crate::journey::first_request(&client, None));
    user?;
    steps.push(seconds);
    Ok(steps)
}

pub fn markdown(value: &Value) -> String {
    let table = journey_table(value, COMBOS.iter().map(|(name, ..)| *name), &STEPS);
    let load = &value["load_average"];
    let shown = |key: &str| {
        load[key]
            .as_f64()
            .map_or("–".to_string(), |l| format!("{l:.1}"))
    };
    format!(
        "## Cold start\n\n\
         The first `cargo xtask new` on a fresh clone: `git clone` of this repository (not timed), an empty \
         cargo target folder, warm registry caches (cargo, npm, uv), then the README's path to the first \
         authenticated 200 (the route handler's `/api/me` with the session cookie), every Rust build \
         included: `build_xtask` (cargo compiling this repository's `cargo xtask`), `new` (`cargo xtask new \
         my-app`: generate, compile the project's automation — with only its database's sqlx driver — while \
         npm ci runs, then the project's `cargo xtask setup`: secret, migrate, verify), `start` (`cargo xtask \
         dev` until `next dev` listens) and `first_request` (sign up, then `/api/me`; includes `next dev` \
         compiling those routes). Seconds: total as median (min–max), steps as medians. Load \
         average during the run: {} at the start, {} at the end (other work on the machine slows every \
         build).\n\n{table}\nCommand: `cargo xtask bench --only cold-start`\n",
        shown("start"),
        shown("end"),
    )
}
