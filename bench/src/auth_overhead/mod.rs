//! Part 3: what verifying Better Auth's JWTs costs each backend, beside its peer — the usual setup of the
//! same stack's JWT library (bench/peers/). On one core (wrk on another), `GET /api/me` with a valid token
//! against the unauthenticated `GET /health` of the same server, under the same load: one token repeated
//! (a signed-in user's page) and many distinct tokens (first sight of each), beside the floor — one
//! Ed25519 verification in the backend's own crypto library, measured in the same run. Our server, the
//! peer and a second copy of the peer (the A/A comparison: how far two identical servers' figures differ
//! in one run) run side by side and take turns, slice by slice, with the same tokens. The bench is the
//! token issuer and the JWKS endpoint (one per server), and counts each server's JWKS fetches.
//! The part "auth-instructions" (instructions.rs) counts the same servers' work in CPU instructions.

mod backend;
mod floor;
pub mod instructions;
mod issuer;
mod peer;
mod server;
mod summary;
mod wrk;

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, ensure};
use project_xtask::project::Backend;
use serde_json::{Map, Value, json};

use crate::Settings;
use crate::machine::load_average;
use backend::Prepared;
use issuer::{Issuer, JwksServer};
use peer::Peer;
use server::{Launch, Running};
use summary::{
    DISTINCT_VS_PEER_MAX, Described, JWKS_FETCHES_PER_RUN, Loads, ONE_TOKEN_VS_FLOOR_MAX, Run,
};
use wrk::Mode;

/// The servers' core and the load generator's.
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
    // One endpoint per server, so each server's fetches are counted apart.
    let jwks = [
        JwksServer::start(issuer.jwks())?,
        JwksServer::start(issuer.jwks())?,
        JwksServer::start(issuer.jwks())?,
    ];

    let mut object = Map::new();
    object.insert("command".into(), json!(COMMAND));
    let (slices, slice_s) = slicing(settings.duration_s);
    object.insert(
        "load".into(),
        json!(format!(
            "{} (servers: taskset -c {SERVER_CORE}); our server, the peer and a second copy of the peer started \
             side by side, {WARM_UP_S}s warm-up of each path of each first; then {slices} rounds, each server in \
             turn (which goes first rotates) loading /health, /api/me one token, /api/me distinct tokens, \
             {slice_s}s each, and /health once more; each load's rounds pooled",
            wrk::shown(LOAD_CORE, slice_s)
        )),
    );
    object.insert("duration_s".into(), json!(settings.duration_s));
    let load_at_start = load_average();
    for &backend in &settings.backends {
        let name = backend::name(backend);
        eprintln!("  -> {name}");
        let value = measure(backend, settings, &issuer, &jwks, &script, work.path())
            .with_context(|| format!("auth overhead of the {name} backend and its peer"))?;
        object.insert(name.into(), value);
    }
    // Other work on the machine is the main source of noise: the reader sees how busy it was.
    object.insert(
        "load_average".into(),
        json!({"start": load_at_start, "end": load_average()}),
    );
    Ok(Value::Object(object))
}

/// How many slices each load is split into, and their seconds.
fn slicing(duration_s: u32) -> (u32, u32) {
    let slices = duration_s.clamp(1, SLICES);
    (slices, duration_s / slices)
}

/// The backend generated and installed as a user's project, and its peer, in `work/<backend>` (returned).
fn prepare_with_peer(backend: Backend, work: &Path) -> anyhow::Result<(PathBuf, Prepared, Peer)> {
    let dir = work.join(backend::name(backend));
    std::fs::create_dir_all(&dir)?;
    let prepared = backend::prepare(backend, BASE_URL, &dir)?;
    let peer = peer::prepare(&prepared, &dir)?;
    Ok((dir, prepared, peer))
}

/// Every run of one backend and its peer: fresh servers per run (empty caches), the floor, then the loads.
fn measure(
    backend: Backend,
    settings: &Settings,
    issuer: &Issuer,
    jwks: &[JwksServer; 3],
    script: &Path,
    work: &Path,
) -> anyhow::Result<Value> {
    let name = backend::name(backend);
    let (dir, prepared, peer) = prepare_with_peer(backend, work)?;
    let mut runs: Vec<Run> = Vec::new();
    for number in 1..=settings.runs {
        // Tokens minted per run: a whole bench outlasts their 15 minutes.
        let run_dir = dir.join(format!("run{number}"));
        std::fs::create_dir_all(&run_dir)?;
        let tokens = &mut Tokens::new(issuer, &run_dir)?;
        let start = |launch, jwks, who| {
            let label = format!("{name}-{who}-run{number}");
            Side::start(launch, jwks, tokens, &dir, &label)
                .with_context(|| format!("the {who} server"))
        };
        let mut sides = [
            start(&prepared.launch, &jwks[0], "ours")?,
            start(&peer.launch, &jwks[1], "peer")?,
            start(&peer.launch, &jwks[2], "peer-twin")?,
        ];
        let (public_x, one_token) = (tokens.issuer.public_x(), tokens.one_token.clone());
        let floor = || prepared.floor_us(SERVER_CORE, &public_x, &one_token, work);
        let floor_before = floor()?;
        let (slices, slice_s) = slicing(settings.duration_s);
        // No server verifies faster than its crypto library: enough distinct tokens for that rate, plus
        // the ones each slice may have sent without counting them (in flight when it stopped). Both
        // servers get the same tokens (each has its own caches).
        let per_second = 1e6 / floor_before * TOKEN_MARGIN;
        tokens.ensure(
            (per_second * f64::from(WARM_UP_S)) as usize,
            (per_second * f64::from(slice_s * slices)) as usize + UNCOUNTED * slices as usize,
        )?;
        // Every path of every server warmed up before any is measured (a JIT keeps optimising shared
        // code for seconds).
        for side in &sides {
            side.warm_up(script, tokens).context("warm-up")?;
        }
        // Then the loads in interleaved slices, /health first and last, the servers taking turns
        // (which goes first rotates): this machine's speed drifts by tens of percent within a
        // minute, and every server and load should see the same machine.
        for round in 0..slices as usize {
            for turn in 0..sides.len() {
                let side = (round + turn) % sides.len();
                sides[side].slice(slice_s, script, tokens)?;
            }
        }
        for side in &mut sides {
            side.health_slice(slice_s, script)?;
        }
        // The floor again, for the same reason: the ratio to it should not depend on when it was taken.
        let floor_us = (floor_before + floor()?) / 2.0;
        let [ours, peer_side, twin] = sides;
        let run = Run {
            ours: ours.finish(),
            peer: peer_side.finish(),
            twin: twin.finish(),
            floor_us,
        };
        eprintln!(
            "    run {number}: ours: /health {:.0}/s, added {:.1} µs (one token) / {:.1} µs (distinct), {} JWKS \
             fetch(es); peer: /health {:.0}/s, added {:.1} µs / {:.1} µs, {} JWKS fetch(es); second peer: \
             added {:.1} µs (distinct); floor {:.1} µs",
            run.ours.health.rps,
            run.ours.added_us(&run.ours.one),
            run.ours.added_us(&run.ours.distinct),
            run.ours.jwks_fetches,
            run.peer.health.rps,
            run.peer.added_us(&run.peer.one),
            run.peer.added_us(&run.peer.distinct),
            run.peer.jwks_fetches,
            run.twin.added_us(&run.twin.distinct),
            run.floor_us,
        );
        runs.push(run);
    }
    Ok(summary::summarize(
        &runs,
        &Described {
            ours_started_with: prepared.start_shown,
            peer_setup: peer.setup,
            peer_started_with: peer.start_shown,
        },
    ))
}

/// Distinct tokens a slice may send without counting them (in flight when it stopped).
const UNCOUNTED: usize = 2 * wrk::CONNECTIONS;

/// One server's share of a run: where it listens, its JWKS endpoint, and its slices so far.
struct Side<'a> {
    running: Running,
    jwks: &'a JwksServer,
    health: Vec<wrk::Load>,
    one: Vec<wrk::Load>,
    distinct: Vec<wrk::Load>,
    /// Distinct tokens already sent to this server, never sent to it again.
    sent: usize,
}

impl<'a> Side<'a> {
    /// Starts the server with a fresh JWKS count and checks its protected route with the one token.
    fn start(
        launch: &Launch,
        jwks: &'a JwksServer,
        tokens: &Tokens,
        dir: &Path,
        label: &str,
    ) -> anyhow::Result<Side<'a>> {
        jwks.reset();
        let running = launch.start(SERVER_CORE, BASE_URL, &jwks.url, dir, label)?;
        let (id, email) = tokens.issuer.identity(0);
        running.check_protected_route(&tokens.one_token, &id, &email)?;
        Ok(Side {
            running,
            jwks,
            health: Vec::new(),
            one: Vec::new(),
            distinct: Vec::new(),
            sent: 0,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base)
    }

    fn warm_up(&self, script: &Path, tokens: &Tokens) -> anyhow::Result<()> {
        let (health, me) = (self.url("/health"), self.url("/api/me"));
        for (url, mode, file) in [
            (&health, Mode::None, None),
            (&me, Mode::One, Some(tokens.one.as_path())),
            (&me, Mode::Distinct, Some(tokens.warm.as_path())),
        ] {
            wrk::run(LOAD_CORE, WARM_UP_S, url, mode, script, file, 0)?;
        }
        Ok(())
    }

    fn health_slice(&mut self, seconds: u32, script: &Path) -> anyhow::Result<()> {
        let url = self.url("/health");
        let load = wrk::run(LOAD_CORE, seconds, &url, Mode::None, script, None, 0)?;
        self.health.push(load);
        Ok(())
    }

    /// One round: /health, /api/me with the one token, /api/me with tokens this server has not seen.
    fn slice(&mut self, seconds: u32, script: &Path, tokens: &Tokens) -> anyhow::Result<()> {
        self.health_slice(seconds, script)?;
        let me = self.url("/api/me");
        let (one, distinct) = (Some(tokens.one.as_path()), Some(tokens.distinct.as_path()));
        self.one.push(wrk::run(
            LOAD_CORE,
            seconds,
            &me,
            Mode::One,
            script,
            one,
            0,
        )?);
        let load = wrk::run(
            LOAD_CORE,
            seconds,
            &me,
            Mode::Distinct,
            script,
            distinct,
            self.sent,
        )?;
        self.sent += load.requests as usize + UNCOUNTED;
        self.distinct.push(load);
        Ok(())
    }

    /// Stops the server and pools each load's slices.
    fn finish(self) -> Loads {
        let jwks_fetches = self.jwks.fetches();
        drop(self.running);
        Loads {
            health: wrk::Load::pooled(&self.health),
            one: wrk::Load::pooled(&self.one),
            distinct: wrk::Load::pooled(&self.distinct),
            jwks_fetches,
        }
    }
}

/// One run's token files for wrk: one token (user 0), warm-up tokens and measured tokens, all distinct
/// users, minted as the run needs them (so none expires before the run ends). Every server of the run
/// gets the same tokens, each server starting with empty caches; no token is sent twice to a server in
/// the distinct loads.
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
    let load_line = value["load"].as_str().unwrap_or("wrk");
    format!(
        "## Auth overhead per backend, beside its peer\n\n\
         Each backend generated as separate + SQLite and started with its production command on one core, \
         and beside it its **peer**: the usual setup of the same stack's JWT library as its docs show it, \
         with the same routes (bench/peers/), installed and started the same way. The bench issues Better \
         Auth–shaped EdDSA tokens and serves their JWKS. `GET /api/me` with a valid token against the \
         unauthenticated `GET /health` of the same server, under the same load ({load_line}). Two loads: one \
         token repeated (what a signed-in user's page sends) and a distinct token per request (first sight of \
         each; never repeated to a server within a run; every server gets the same tokens). Fresh servers per \
         run. Request logs as each stack runs by default: ours write one line per request (to a file, as in \
         production); the FastAPI peer runs uvicorn's default access log, the Express and axum peers log \
         nothing (their stacks log nothing unless told to).\n\n\
         - **ratio** = req/s of `/api/me` ÷ req/s of `/health` (1.0 = authentication is free).\n\
         - **added µs** = 1e6/req/s(`/api/me`) − 1e6/req/s(`/health`): server time a protected request adds.\n\
         - **floor** = one Ed25519 signature verification in the backend's own crypto library on the \
         server's core, same run, before and after the loads (mean): `cryptography` (what PyJWT verifies \
         with) for FastAPI, `node:crypto` (OpenSSL, under jose) for Express, `ed25519-dalek` (under \
         jsonwebtoken) for axum. Ours and the peer use the same library.\n\
         - **ours ÷ peer** = our added µs ÷ the peer's for distinct tokens, within each run (both saw the \
         same machine).\n\
         - **A/A** = the same ratio between a second copy of the peer and the peer, same run: what two \
         identical servers score on this machine. An ours ÷ peer within its spread is no difference this \
         machine can measure. Not a target.\n\
         - Targets: one token ≤ {ONE_TOKEN_VS_FLOOR_MAX} × floor (a verified-token cache); distinct tokens ≤ \
         {DISTINCT_VS_PEER_MAX} × the peer's added µs (no slower than the usual setup); {JWKS_FETCHES_PER_RUN} \
         JWKS fetch per run (the peers' fetches are shown beside ours).\n\n\
         {}Median (min–max) over runs.\n\n{}\n\
         Command: `{COMMAND}` (`--runs N`, `--duration SECONDS`, `--backend NAME` for one backend)\n",
        load_note(value),
        summary::tables(value)
    )
}

/// How busy the machine was during the part, when it was recorded.
fn load_note(value: &Value) -> String {
    let (Some(start), Some(end)) = (
        value["load_average"]["start"].as_f64(),
        value["load_average"]["end"].as_f64(),
    ) else {
        return String::new();
    };
    format!(
        "Machine load: 1-minute load average {start:.2} at the start of the part and {end:.2} at its end \
         (other work shared the cores; the larger it is, the noisier the figures, which is why ours and the \
         peer take turns within each run).\n\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_says_how_busy_the_machine_was() {
        let busy = json!({"load": "wrk", "load_average": {"start": 6.37, "end": 4.8}});
        assert!(
            markdown(&busy)
                .contains("load average 6.37 at the start of the part and 4.80 at its end"),
            "{}",
            markdown(&busy)
        );
        assert!(!markdown(&json!({"load": "wrk"})).contains("Machine load"));
        assert!(load_average().is_some_and(|load| load >= 0.0));
    }
}
