//! Part "auth-instructions": the work authentication adds in each backend and in its peer, counted in CPU
//! instructions by valgrind's callgrind instead of timed. A count does not move with the machine's speed or
//! load (the timed part's A/A figure, `peer.distinct_twin_vs_peer`, shows how much time does), so it tells a
//! difference in what our code does from this machine's noise. Each server — ours, the peer, a second copy
//! of the peer — runs under callgrind with counting off while it starts and warms up; counting is on only
//! for one wrk load of `/health` and one of distinct tokens: instructions ÷ requests. User-space
//! instructions of every thread of the server; not the kernel's share (socket and log writes) nor what
//! caches and scheduling add: those are in the timed part.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use project_xtask::project::Backend;
use serde_json::{Map, Value, json};

use super::issuer::{Issuer, JwksServer};
use super::server::{HOST, Launch};
use super::wrk::{self, Mode};
use super::{BASE_URL, LOAD_CORE, Side, Tokens, backend, prepare_with_peer};
use crate::Settings;

pub const COMMAND: &str = "cargo xtask bench --only auth-instructions";
/// Seconds of uncounted load on each path first: under valgrind a JIT needs long to settle.
const WARM_UP_S: u32 = 10;
/// Seconds of each counted load.
const COUNT_S: u32 = 10;
/// Distinct tokens for the warm-up and for the counted load each: more than a server under callgrind
/// verifies in those seconds (about 1 000 per second for the fastest, axum).
const TOKENS_PER_LOAD: usize = 30_000;

/// Instructions per request of one server: `/health` and `/api/me` with a token it has not seen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Counted {
    pub health: f64,
    pub distinct: f64,
}

impl Counted {
    /// What authentication adds to a request (the route's own work is alike on both paths).
    pub fn added(&self) -> f64 {
        self.distinct - self.health
    }

    fn figures(&self) -> Value {
        json!({
            "instructions_health": self.health.round(),
            "instructions_distinct": self.distinct.round(),
            "added_instructions_distinct": self.added().round(),
        })
    }
}

/// Fails with the install command when valgrind (and its callgrind_control) is missing.
fn ensure_installed() -> anyhow::Result<()> {
    for tool in ["valgrind", "callgrind_control"] {
        let installed = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success());
        ensure!(
            installed,
            "{tool} is not installed: install valgrind: apt-get install valgrind"
        );
    }
    Ok(())
}

pub fn run(settings: &Settings) -> anyhow::Result<Value> {
    ensure_installed()?;
    wrk::ensure_installed()?;
    let work = tempfile::Builder::new()
        .prefix("bench-instructions-")
        .tempdir()?;
    let script = work.path().join("load.lua");
    std::fs::write(&script, wrk::LOAD_LUA)?;
    let issuer = Issuer::new(BASE_URL)?;
    let jwks = JwksServer::start(issuer.jwks())?;

    let mut object = Map::new();
    object.insert("command".into(), json!(COMMAND));
    object.insert(
        "load".into(),
        json!(format!(
            "each server started alone under `valgrind --tool=callgrind --instr-atstart=no` (taskset -c \
             {}), {WARM_UP_S}s of /health and {WARM_UP_S}s of distinct tokens uncounted, then counted \
             (callgrind_control -i on / -i off / -d): {COUNT_S}s of /health, {COUNT_S}s of distinct tokens \
             ({}); instructions of every thread of the server ÷ requests",
            super::SERVER_CORE,
            wrk::shown(LOAD_CORE, COUNT_S)
        )),
    );
    for &backend in &settings.backends {
        let name = backend::name(backend);
        eprintln!("  -> {name}");
        let value = measure(backend, &issuer, &jwks, &script, work.path())
            .with_context(|| format!("instructions of the {name} backend and its peer"))?;
        object.insert(name.into(), value);
    }
    Ok(Value::Object(object))
}

/// Ours, the peer and the peer's twin, one after the other, with the same tokens.
fn measure(
    backend: Backend,
    issuer: &Issuer,
    jwks: &JwksServer,
    script: &Path,
    work: &Path,
) -> anyhow::Result<Value> {
    let name = backend::name(backend);
    let (dir, prepared, peer) = prepare_with_peer(backend, work)?;
    let mut tokens = Tokens::new(issuer, &dir)?;
    tokens.ensure(TOKENS_PER_LOAD, TOKENS_PER_LOAD)?;
    let count = |launch: &Launch, who: &str| {
        eprintln!("    counting {who} under callgrind");
        count_server(
            launch,
            jwks,
            &tokens,
            script,
            &dir,
            &format!("{name}-{who}"),
        )
        .with_context(|| format!("the {who} server"))
    };
    let ours = count(&prepared.launch, "ours")?;
    let peer_counted = count(&peer.launch, "peer")?;
    let twin = count(&peer.launch, "peer-twin")?;
    eprintln!(
        "    instructions per request: ours {:.0} at /health, {:.0} added (distinct); peer {:.0}, {:.0}; \
         second peer {:.0}, {:.0}",
        ours.health,
        ours.added(),
        peer_counted.health,
        peer_counted.added(),
        twin.health,
        twin.added()
    );
    Ok(summarize(ours, peer_counted, twin))
}

/// The backend's entry: each server's figures, ours ÷ peer and the A/A ratio (added, distinct tokens).
pub fn summarize(ours: Counted, peer: Counted, twin: Counted) -> Value {
    let ratio = |a: &Counted| (a.added() / peer.added() * 1000.0).round() / 1000.0;
    json!({
        "ours": ours.figures(),
        "peer": peer.figures(),
        "peer_twin": twin.figures(),
        "distinct_vs_peer": ratio(&ours),
        "twin_vs_peer": ratio(&twin),
    })
}

/// Starts the server under callgrind, warms it up uncounted, then counts a load of each path.
fn count_server(
    launch: &Launch,
    jwks: &JwksServer,
    tokens: &Tokens,
    script: &Path,
    dir: &Path,
    label: &str,
) -> anyhow::Result<Counted> {
    let dumps = dir.join(format!("{label}-callgrind"));
    std::fs::create_dir_all(&dumps)?;
    let under_callgrind = launch.wrapped_in(
        "valgrind",
        &[
            "--tool=callgrind".into(),
            "--instr-atstart=no".into(),
            format!(
                "--callgrind-out-file={}",
                dumps.join("callgrind.out").display()
            ),
        ],
    );
    let side = Side::start(&under_callgrind, jwks, tokens, dir, label)?;
    let callgrind = Callgrind {
        pid: side.running.pid(),
        dumps,
    };
    let (health, me) = (side.url("/health"), side.url("/api/me"));
    let load = |seconds, url: &str, mode, file: Option<&Path>| {
        wrk::run(LOAD_CORE, seconds, url, mode, script, file, 0)
    };
    load(WARM_UP_S, &health, Mode::None, None)?;
    load(WARM_UP_S, &me, Mode::Distinct, Some(&tokens.warm))?;
    let health = callgrind.per_request(|| load(COUNT_S, &health, Mode::None, None))?;
    let distinct =
        callgrind.per_request(|| load(COUNT_S, &me, Mode::Distinct, Some(&tokens.distinct)))?;
    Ok(Counted { health, distinct })
}

/// A server running under callgrind, driven through `callgrind_control`.
struct Callgrind {
    pid: u32,
    /// Where its dumps go (`callgrind.out.1`, `.2`, …).
    dumps: PathBuf,
}

impl Callgrind {
    /// Instructions per request of `load`: counting on only while it runs, then a dump read back.
    fn per_request(&self, load: impl FnOnce() -> anyhow::Result<wrk::Load>) -> anyhow::Result<f64> {
        self.control(&["-z"])?;
        self.control(&["-i", "on"])?;
        let loaded = load();
        self.control(&["-i", "off"])?;
        let loaded = loaded?;
        self.control(&["-d"])?;
        let instructions = totals(&std::fs::read_to_string(self.latest_dump()?)?)?;
        ensure!(loaded.requests > 0, "the counted load sent no request");
        Ok(instructions as f64 / loaded.requests as f64)
    }

    fn control(&self, args: &[&str]) -> anyhow::Result<()> {
        let output = Command::new("callgrind_control")
            .args(args)
            .arg(self.pid.to_string())
            // vgdb finds the server's pipes by the host name valgrind took from the server's $HOST.
            .env("HOST", HOST)
            .output()
            .context("cannot run callgrind_control (install valgrind: apt-get install valgrind)")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        // callgrind_control exits 0 even when it reached no process; it says "OK." when it did.
        ensure!(
            output.status.success() && stdout.contains("OK."),
            "callgrind_control {} {} failed: {stdout}{}",
            args.join(" "),
            self.pid,
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    /// The dump with the highest number: the one just written.
    fn latest_dump(&self) -> anyhow::Result<PathBuf> {
        let mut latest: Option<(u32, PathBuf)> = None;
        for entry in std::fs::read_dir(&self.dumps)? {
            let path = entry?.path();
            let number = path
                .extension()
                .and_then(|extension| extension.to_str()?.parse::<u32>().ok());
            if let Some(number) = number
                && latest.as_ref().is_none_or(|(highest, _)| number > *highest)
            {
                latest = Some((number, path));
            }
        }
        match latest {
            Some((_, path)) => Ok(path),
            None => bail!("callgrind wrote no dump into {}", self.dumps.display()),
        }
    }
}

/// The instruction total of a callgrind dump (its `totals:` line).
fn totals(dump: &str) -> anyhow::Result<u64> {
    let line = dump
        .lines()
        .find_map(|line| line.strip_prefix("totals:"))
        .context("the callgrind dump has no totals line")?;
    line.split_whitespace()
        .next()
        .context("the totals line is empty")?
        .parse()
        .context("the totals line is not a count")
}

pub fn markdown(value: &Value) -> String {
    let mut table = String::from(
        "| Backend | ours: /health | ours: added (distinct) | peer: /health | peer: added (distinct) | \
         ours ÷ peer (added) | A/A: second peer ÷ peer |\n|---|---|---|---|---|---|---|\n",
    );
    for backend in xtask::combination::BACKENDS {
        let name = backend::name(backend);
        let Some(row) = value.get(name) else {
            continue;
        };
        let count = |server: &str, figure: &str| {
            row[server][figure]
                .as_f64()
                .map_or_else(|| "–".to_string(), |n| format!("{:.0} k", n / 1000.0))
        };
        let ratio = |figure: &str| {
            row[figure]
                .as_f64()
                .map_or_else(|| "–".to_string(), |n| format!("{n:.3}"))
        };
        table.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} |\n",
            count("ours", "instructions_health"),
            count("ours", "added_instructions_distinct"),
            count("peer", "instructions_health"),
            count("peer", "added_instructions_distinct"),
            ratio("distinct_vs_peer"),
            ratio("twin_vs_peer"),
        ));
    }
    format!(
        "## Auth work per backend in instructions, beside its peer\n\n\
         The servers of the part above, counted instead of timed: CPU instructions per request, by valgrind's \
         callgrind ({}). A count does not move with the machine's speed or load, so ours ÷ peer here is the \
         difference in the work the two do per first-seen token, free of this machine's noise (the A/A column \
         shows how close two identical servers come). Not counted: the kernel's share (socket and log \
         writes) and what caches and scheduling add, which the timed part includes.\n\n\
         {table}\nCommand: `{COMMAND}` (`--backend NAME` for one backend)\n",
        value["load"].as_str().unwrap_or("callgrind")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_read_from_a_callgrind_dump() {
        let dump = "version: 1\ncreator: callgrind-3.19.0\npid: 1995\ncmd:  ./server\npart: 2\n\n\
                    events: Ir\n\nsummary: 0\ntotals: 2802581047\n\nfl=(1) ???\n";
        assert_eq!(totals(dump).unwrap(), 2_802_581_047);
        assert!(totals("events: Ir\nsummary: 5\n").is_err());
        assert!(totals("totals: many\n").is_err());
    }

    #[test]
    fn added_work_is_compared_with_the_peer_and_the_twin() {
        let ours = Counted {
            health: 43_500.0,
            distinct: 482_200.0,
        };
        let peer = Counted {
            health: 15_200.0,
            distinct: 446_700.0,
        };
        let twin = Counted {
            health: 15_300.0,
            distinct: 447_000.0,
        };
        let value = summarize(ours, peer, twin);
        assert_eq!(value["ours"]["added_instructions_distinct"], 438_700.0);
        assert_eq!(value["peer"]["instructions_health"], 15_200.0);
        // 438 700 ÷ 431 500: ours costs more at /health, which "added" leaves out.
        assert_eq!(value["distinct_vs_peer"], 1.017);
        assert_eq!(value["twin_vs_peer"], 1.0);
        let text = markdown(&json!({"load": "callgrind", "axum": value}));
        assert!(
            text.contains("| axum | 44 k | 439 k | 15 k | 432 k | 1.017 | 1.000 |"),
            "{text}"
        );
    }
}
