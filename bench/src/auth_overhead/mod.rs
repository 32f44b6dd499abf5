//! Part 3: what verifying Better Auth's JWTs costs each backend. On one server (pinned to one core, wrk on
//! another), `GET /api/me` with a valid token against the unauthenticated `GET /health`, under the same
//! load: one token repeated (a signed-in user's page) and many distinct tokens (first sight of each),
//! beside the floor — one Ed25519 verification in the backend's own crypto library, measured in the same
//! run. The bench is the token issuer and the JWKS endpoint, and counts the backend's JWKS fetches.

mod backend;
mod floor;
mod issuer;
mod wrk;

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, ensure};
use project_xtask::project::Backend;
use serde_json::{Map, Value, json};
use xtask::combination::BACKENDS;

use crate::Settings;
use crate::stats::{Stats, get_figure, put_figure};
use issuer::{Issuer, JwksServer};
use wrk::Mode;

/// The server's core and the load generator's.
const SERVER_CORE: usize = 0;
const LOAD_CORE: usize = 1;
/// Better Auth's base URL in the generated projects: the tokens' `iss` and `aud`.
const BASE_URL: &str = "http://localhost:3000";
/// Seconds of load on each path before the measured loads (JIT, connection setup, first JWKS fetch).
const WARM_UP_S: u32 = 1;
/// Each load's `--duration` is split into this many slices (at most; slices last whole seconds).
const SLICES: u32 = 5;
/// Distinct tokens minted beyond the most a server could verify in the time (1e6 / floor_us per second);
/// generous, because the floor is taken before the loads and this machine's speed drifts.
const TOKEN_MARGIN: f64 = 2.5;
pub const COMMAND: &str = "cargo xtask bench --only auth";

pub fn run(settings: &Settings) -> anyhow::Result<Value> {
    wrk::ensure_installed()?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    ensure!(
        cores > LOAD_CORE,
        "the auth part pins the server and the load generator to different cores; this machine has {cores}"
    );
    let work = tempfile::Builder::new().prefix("bench-auth-").tempdir()?;
    let script = work.path().join("load.lua");
    std::fs::write(&script, wrk::LOAD_LUA)?;
    floor::write_scripts(work.path())?;

    let issuer = Issuer::new(BASE_URL)?;
    let jwks = JwksServer::start(issuer.jwks())?;
    let mut tokens = Tokens::new(&issuer, work.path())?;

    let mut object = Map::new();
    object.insert("command".into(), json!(COMMAND));
    let (slices, slice_s) = slicing(settings.duration_s);
    object.insert(
        "load".into(),
        json!(format!(
            "{} (server: taskset -c {SERVER_CORE}); {WARM_UP_S}s warm-up of each path first; then {slices} rounds of \
             /health, /api/me one token, /api/me distinct tokens, {slice_s}s each, and /health once more; each load's \
             rounds pooled",
            wrk::shown(LOAD_CORE, slice_s)
        )),
    );
    object.insert("duration_s".into(), json!(settings.duration_s));
    for &backend in &settings.backends {
        let name = backend::name(backend);
        eprintln!("  -> {name}");
        let value = measure(backend, settings, &jwks, &mut tokens, &script, work.path())
            .with_context(|| format!("auth overhead of the {name} backend"))?;
        object.insert(name.into(), value);
    }
    Ok(Value::Object(object))
}

/// How many slices each load is split into, and their seconds.
fn slicing(duration_s: u32) -> (u32, u32) {
    let slices = duration_s.clamp(1, SLICES);
    (slices, duration_s / slices)
}

/// Every run of one backend: a fresh server per run (empty caches), the floor, then the three loads.
fn measure(
    backend: Backend,
    settings: &Settings,
    jwks: &JwksServer,
    tokens: &mut Tokens,
    script: &Path,
    work: &Path,
) -> anyhow::Result<Value> {
    let name = backend::name(backend);
    let dir = work.join(name);
    std::fs::create_dir_all(&dir)?;
    let prepared = backend::prepare(backend, BASE_URL, &dir)?;
    let mut runs: Vec<Run> = Vec::new();
    for number in 1..=settings.runs {
        jwks.reset();
        let running = prepared.start(
            SERVER_CORE,
            BASE_URL,
            &jwks.url,
            &dir,
            &format!("{name}-run{number}"),
        )?;
        let (public_x, one_token) = (tokens.issuer.public_x(), tokens.one_token.clone());
        let floor = || prepared.floor_us(SERVER_CORE, &public_x, &one_token, work);
        let floor_before = floor()?;
        let (slices, slice_s) = slicing(settings.duration_s);
        // No server verifies faster than its crypto library: enough distinct tokens for that rate, plus
        // the ones each slice may have sent without counting them (in flight when it stopped).
        let per_second = 1e6 / floor_before * TOKEN_MARGIN;
        let uncounted = 2 * wrk::CONNECTIONS;
        tokens.ensure(
            (per_second * f64::from(WARM_UP_S)) as usize,
            (per_second * f64::from(slice_s * slices)) as usize + uncounted * slices as usize,
        )?;
        let url = |path: &str| format!("{}{path}", running.base);
        let (me, health_url) = (url("/api/me"), url("/health"));
        // Every path warmed up before any is measured (a JIT keeps optimising shared code for
        // seconds).
        for (url, mode, file) in [
            (&health_url, Mode::None, None),
            (&me, Mode::One, Some(tokens.one.as_path())),
            (&me, Mode::Distinct, Some(tokens.warm.as_path())),
        ] {
            wrk::run(LOAD_CORE, WARM_UP_S, url, mode, script, file, 0).context("warm-up")?;
        }
        // Then the three loads in interleaved slices, /health first and last: this machine's speed
        // drifts by tens of percent within a minute, and each load should see the same machine.
        let (mut health, mut one, mut distinct) = (Vec::new(), Vec::new(), Vec::new());
        let health_slice =
            || wrk::run(LOAD_CORE, slice_s, &health_url, Mode::None, script, None, 0);
        let mut sent = 0;
        for _ in 0..slices {
            health.push(health_slice()?);
            let (file, mode) = (Some(tokens.one.as_path()), Mode::One);
            one.push(wrk::run(LOAD_CORE, slice_s, &me, mode, script, file, 0)?);
            let (file, mode) = (Some(tokens.distinct.as_path()), Mode::Distinct);
            let load = wrk::run(LOAD_CORE, slice_s, &me, mode, script, file, sent)?;
            sent += load.requests as usize + uncounted;
            distinct.push(load);
        }
        health.push(health_slice()?);
        let (health, one, distinct) = (
            wrk::Load::pooled(&health),
            wrk::Load::pooled(&one),
            wrk::Load::pooled(&distinct),
        );
        // The floor again, for the same reason: the ratio to it should not depend on when it was taken.
        let floor_us = (floor_before + floor()?) / 2.0;
        drop(running);
        let run = Run {
            health,
            one,
            distinct,
            floor_us,
            jwks_fetches: jwks.fetches(),
        };
        eprintln!(
            "    run {number}: /health {:.0}/s, /api/me {:.0}/s (one token), {:.0}/s (distinct); \
             added {:.1} µs / {:.1} µs, floor {:.1} µs, {} JWKS fetch(es)",
            run.health.rps,
            run.one.rps,
            run.distinct.rps,
            run.added_us(&run.one),
            run.added_us(&run.distinct),
            run.floor_us,
            run.jwks_fetches
        );
        runs.push(run);
    }
    Ok(summarize(&runs, prepared.start_shown))
}

struct Run {
    health: wrk::Load,
    one: wrk::Load,
    distinct: wrk::Load,
    floor_us: f64,
    jwks_fetches: usize,
}

impl Run {
    /// The time a protected request costs beyond an unprotected one: 1e6/rps difference.
    fn added_us(&self, protected: &wrk::Load) -> f64 {
        1e6 / protected.rps - 1e6 / self.health.rps
    }
}

fn summarize(runs: &[Run], started_with: &str) -> Value {
    let mut object = Map::new();
    let mut figure = |name: &str, of: &dyn Fn(&Run) -> f64| -> Stats {
        let stats = Stats::of(&runs.iter().map(of).collect::<Vec<_>>());
        put_figure(&mut object, name, stats);
        stats
    };
    figure("ratio", &|r| r.one.rps / r.health.rps);
    figure("ratio_distinct", &|r| r.distinct.rps / r.health.rps);
    figure("added_us", &|r| r.added_us(&r.one));
    figure("added_us_distinct", &|r| r.added_us(&r.distinct));
    figure("floor_us", &|r| r.floor_us);
    let one_vs_floor = figure("added_vs_floor", &|r| r.added_us(&r.one) / r.floor_us);
    let distinct_vs_floor = figure("added_distinct_vs_floor", &|r| {
        r.added_us(&r.distinct) / r.floor_us
    });
    for (suffix, load) in [
        ("health", (|r: &Run| r.health) as fn(&Run) -> wrk::Load),
        ("me", |r: &Run| r.one),
        ("me_distinct", |r: &Run| r.distinct),
    ] {
        figure(&format!("rps_{suffix}"), &|r| load(r).rps);
        figure(&format!("p50_us_{suffix}"), &|r| load(r).p50_us);
        figure(&format!("p99_us_{suffix}"), &|r| load(r).p99_us);
    }
    let jwks_fetches = runs.iter().map(|r| r.jwks_fetches).max().unwrap_or(0);
    object.insert("jwks_fetches".into(), json!(jwks_fetches));
    object.insert(
        "distinct_tokens_max".into(),
        json!(runs.iter().map(|r| r.distinct.requests).max().unwrap_or(0)),
    );
    object.insert(
        "targets_met".into(),
        json!(one_vs_floor.median <= 0.5 && distinct_vs_floor.median <= 1.5 && jwks_fetches == 1),
    );
    object.insert("started_with".into(), json!(started_with));
    Value::Object(object)
}

/// The token files wrk reads: one token (user 0), warm-up tokens and measured tokens, all distinct
/// users, grown as a faster backend needs more. Every server starts with empty caches, so runs and
/// backends can share them; within a run, no token is sent twice in the distinct loads.
struct Tokens<'a> {
    issuer: &'a Issuer,
    one_token: String,
    one: PathBuf,
    warm: PathBuf,
    distinct: PathBuf,
    warm_count: usize,
    distinct_count: usize,
    next_user: u64,
}

impl<'a> Tokens<'a> {
    fn new(issuer: &'a Issuer, dir: &Path) -> anyhow::Result<Tokens<'a>> {
        let one_token = issuer.token(0);
        let one = dir.join("one-token.txt");
        std::fs::write(&one, format!("{one_token}\n"))?;
        let (warm, distinct) = (dir.join("warm-tokens.txt"), dir.join("distinct-tokens.txt"));
        File::create(&warm)?;
        File::create(&distinct)?;
        Ok(Tokens {
            issuer,
            one_token,
            one,
            warm,
            distinct,
            warm_count: 0,
            distinct_count: 0,
            next_user: 1,
        })
    }

    fn ensure(&mut self, warm: usize, distinct: usize) -> anyhow::Result<()> {
        self.warm_count = self.append(&self.warm.clone(), self.warm_count, warm)?;
        self.distinct_count = self.append(&self.distinct.clone(), self.distinct_count, distinct)?;
        Ok(())
    }

    fn append(&mut self, path: &Path, have: usize, want: usize) -> anyhow::Result<usize> {
        if have >= want {
            return Ok(have);
        }
        eprintln!("    minting {} tokens", want - have);
        let mut file = BufWriter::new(OpenOptions::new().append(true).open(path)?);
        for _ in have..want {
            writeln!(file, "{}", self.issuer.token(self.next_user))?;
            self.next_user += 1;
        }
        file.flush()?;
        Ok(want)
    }
}

pub fn markdown(value: &Value) -> String {
    let show = |object: &Value, name: &str, decimals: usize| {
        get_figure(object, name).map_or_else(|| "–".to_string(), |stats| stats.show(decimals))
    };
    let mut overhead = String::from(
        "| Backend | ratio (one token) | added µs (one token) | added µs (distinct) | floor µs | \
         added / floor (one token, target ≤ 0.5) | added / floor (distinct, target ≤ 1.5) | \
         JWKS fetches per run (target 1) | targets |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut load = String::from(
        "| Backend | /health req/s | /api/me req/s (one token) | /api/me req/s (distinct) | \
         p50 / p99 µs /health | p50 / p99 µs /api/me (one token) | p50 / p99 µs /api/me (distinct) |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for backend in BACKENDS {
        let name = backend::name(backend);
        let Some(object) = value.get(name) else {
            continue;
        };
        let met = match object["targets_met"].as_bool() {
            Some(true) => "met",
            Some(false) => "**not met**",
            None => "–",
        };
        overhead.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {met} |\n",
            show(object, "ratio", 2),
            show(object, "added_us", 1),
            show(object, "added_us_distinct", 1),
            show(object, "floor_us", 1),
            show(object, "added_vs_floor", 2),
            show(object, "added_distinct_vs_floor", 2),
            object["jwks_fetches"],
        ));
        let latency = |suffix: &str| {
            format!(
                "{} / {}",
                show(object, &format!("p50_us_{suffix}"), 0),
                show(object, &format!("p99_us_{suffix}"), 0)
            )
        };
        load.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} |\n",
            show(object, "rps_health", 0),
            show(object, "rps_me", 0),
            show(object, "rps_me_distinct", 0),
            latency("health"),
            latency("me"),
            latency("me_distinct"),
        ));
    }
    let load_line = value["load"].as_str().unwrap_or("wrk");
    format!(
        "## Auth overhead per backend\n\n\
         Each backend generated as separate + SQLite and started with its production command on one core; \
         the bench issues Better Auth–shaped EdDSA tokens and serves their JWKS. `GET /api/me` with a valid \
         token against the unauthenticated `GET /health` of the same server, under the same load ({load_line}). \
         Two loads: one token repeated (what a signed-in user's page sends) and a distinct token per request \
         (first sight of each; never repeated within a run). A fresh server per run.\n\n\
         - **ratio** = req/s of `/api/me` ÷ req/s of `/health` (1.0 = authentication is free).\n\
         - **added µs** = 1e6/req/s(`/api/me`) − 1e6/req/s(`/health`): server time a protected request adds.\n\
         - **floor** = one Ed25519 signature verification in the backend's own crypto library on the \
         server's core, same run, before and after the loads (mean): `cryptography` (what PyJWT and the backend verify with) for FastAPI, `node:crypto` (OpenSSL, under \
         jose) for Express, `ed25519-dalek` (under jsonwebtoken) for axum.\n\
         - Targets: one token ≤ 0.5 × floor (a verified-token cache), distinct tokens ≤ 1.5 × floor, one \
         JWKS fetch per run.\n\n\
         Median (min–max) over runs.\n\n{overhead}\n{load}\n\
         Command: `{COMMAND}` (`--runs N`, `--duration SECONDS`, `--backend NAME` for one backend)\n"
    )
}
