//! The load generator: wrk on its own core, driven by bench/auth/load.lua, whose `done()` prints one
//! line of exact figures (requests, duration, p50/p99, errors, token-list wraps) that is parsed here.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail, ensure};

/// wrk's script, written next to the token files.
pub const LOAD_LUA: &str = include_str!("../../auth/load.lua");

/// Threads and connections of every load: one wrk thread saturates a one-core server from one core.
pub const THREADS: usize = 1;
pub const CONNECTIONS: usize = 8;
/// Seconds before wrk counts a request as timed out (an error): a server under callgrind pauses for
/// seconds while its JIT compiles; at native speed no request comes near it.
const TIMEOUT_S: u32 = 30;

/// What a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No Authorization header.
    None,
    /// The first token of the file, on every request.
    One,
    /// Each token of the file once.
    Distinct,
}

impl Mode {
    fn arg(self) -> &'static str {
        match self {
            Mode::None => "none",
            Mode::One => "one",
            Mode::Distinct => "distinct",
        }
    }
}

/// One wrk run's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    pub requests: u64,
    pub rps: f64,
    pub p50_us: f64,
    pub p99_us: f64,
}

impl Load {
    /// Several runs of the same load as one: requests added up over the time they took together,
    /// latencies averaged.
    pub fn pooled(loads: &[Load]) -> Load {
        let count = loads.len() as f64;
        let requests: u64 = loads.iter().map(|load| load.requests).sum();
        let seconds: f64 = loads
            .iter()
            .map(|load| load.requests as f64 / load.rps)
            .sum();
        Load {
            requests,
            rps: requests as f64 / seconds,
            p50_us: loads.iter().map(|load| load.p50_us).sum::<f64>() / count,
            p99_us: loads.iter().map(|load| load.p99_us).sum::<f64>() / count,
        }
    }
}

/// Fails with the install command when wrk is missing.
pub fn ensure_installed() -> anyhow::Result<()> {
    match Command::new("wrk").arg("--version").output() {
        Ok(_) => Ok(()),
        Err(_) => bail!("wrk is not installed: install wrk: apt-get install wrk"),
    }
}

/// The command line shown to readers (cores, threads, connections, duration).
pub fn shown(core: usize, seconds: u32) -> String {
    format!(
        "taskset -c {core} wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s --timeout {TIMEOUT_S}s --latency -s bench/auth/load.lua"
    )
}

/// Loads `url` for `seconds` from `core`; any non-2xx answer, socket error or reused distinct token fails.
/// In distinct mode the first `skip` tokens of the file are left out (earlier slices sent them).
pub fn run(
    core: usize,
    seconds: u32,
    url: &str,
    mode: Mode,
    script: &Path,
    tokens: Option<&Path>,
    skip: usize,
) -> anyhow::Result<Load> {
    let mut command = Command::new("taskset");
    command
        .args(["-c", &core.to_string(), "wrk"])
        .args(["-t", &THREADS.to_string(), "-c", &CONNECTIONS.to_string()])
        .args([
            "-d",
            &format!("{seconds}s"),
            "--timeout",
            &format!("{TIMEOUT_S}s"),
        ])
        .args(["--latency", "-s"])
        .arg(script)
        .args([url, "--", mode.arg()]);
    if let Some(tokens) = tokens {
        command
            .arg(tokens)
            .arg(THREADS.to_string())
            .arg(skip.to_string());
    }
    let output = command
        .output()
        .context("cannot run wrk (install wrk: apt-get install wrk)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "wrk failed ({}): {stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    parse(&stdout).with_context(|| format!("wrk's output for {url}:\n{stdout}"))
}

/// Reads the AUTH-BENCH line of load.lua's `done()`.
pub fn parse(output: &str) -> anyhow::Result<Load> {
    let line = output
        .lines()
        .find_map(|line| line.strip_prefix("AUTH-BENCH "))
        .context("no AUTH-BENCH line (is load.lua the script?)")?;
    let field = |name: &str| -> anyhow::Result<f64> {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .with_context(|| format!("no {name} in `{line}`"))?
            .parse::<f64>()
            .with_context(|| format!("{name} is not a number in `{line}`"))
    };
    let requests = field("requests")?;
    let duration_us = field("duration_us")?;
    ensure!(requests > 0.0 && duration_us > 0.0, "no request completed");
    let status_errors = field("status_errors")?;
    ensure!(
        status_errors == 0.0,
        "{status_errors} answers were not 2xx (a token was refused?)"
    );
    let socket_errors = field("socket_errors")?;
    ensure!(
        socket_errors == 0.0,
        "{socket_errors} socket errors or timeouts"
    );
    let wrapped = field("wrapped")?;
    ensure!(
        wrapped == 0.0,
        "the distinct tokens ran out and were reused; mint more"
    );
    Ok(Load {
        requests: requests as u64,
        rps: requests / (duration_us / 1e6),
        p50_us: field("p50_us")?,
        p99_us: field("p99_us")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
Running 5s test @ http://127.0.0.1:41234/api/me
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   381.21us  100.23us   3.21ms   90.12%
    Req/Sec    20.97k     1.20k   22.50k    80.00%
  Latency Distribution
     50%  366.00us
     75%  400.00us
     90%  450.00us
     99%    1.00ms
  104321 requests in 5.00s, 14.23MB read
Requests/sec:  20860.12
Transfer/sec:      2.85MB
AUTH-BENCH requests=104321 duration_us=5001000 p50_us=366.0 p99_us=1004.5 status_errors=0 socket_errors=0 wrapped=0
";

    #[test]
    fn reads_the_done_line() {
        let load = parse(OUTPUT).unwrap();
        assert_eq!(load.requests, 104_321);
        assert!((load.rps - 20_860.0).abs() < 1.0, "{}", load.rps);
        assert_eq!((load.p50_us, load.p99_us), (366.0, 1004.5));
    }

    #[test]
    fn pooled_loads_weigh_each_by_its_time() {
        let load = |requests, rps| Load {
            requests,
            rps,
            p50_us: 100.0,
            p99_us: 300.0,
        };
        // 1000 requests in 1 s and 1000 in 0.5 s: 2000 in 1.5 s, not the mean of 1000 and 2000.
        let pooled = Load::pooled(&[load(1000, 1000.0), load(1000, 2000.0)]);
        assert_eq!(pooled.requests, 2000);
        assert!((pooled.rps - 2000.0 / 1.5).abs() < 1e-9, "{}", pooled.rps);
        assert_eq!((pooled.p50_us, pooled.p99_us), (100.0, 300.0));
    }

    #[test]
    fn refuses_errors_and_reused_tokens() {
        let refused = OUTPUT.replace("status_errors=0", "status_errors=12");
        assert!(parse(&refused).unwrap_err().to_string().contains("not 2xx"));
        let wrapped = OUTPUT.replace("wrapped=0", "wrapped=1");
        assert!(parse(&wrapped).unwrap_err().to_string().contains("reused"));
        let timeouts = OUTPUT.replace("socket_errors=0", "socket_errors=3");
        assert!(parse(&timeouts).is_err());
        assert!(parse("Requests/sec: 1\n").is_err());
    }
}
