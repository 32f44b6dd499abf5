//! `cargo xtask engine start|status|stop|images`: a private Docker engine for the e2e run's testcontainers
//! on a machine with Debian's `docker.io` and no image registry. Everything it keeps (data root, exec root,
//! pidfile, socket, log) is under `$BETTER_AUTH_V2_CACHE/docker`, so it never touches a system engine and
//! its images survive between runs.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::engine_api;
use crate::flags;

/// The label testcontainers puts on every container it starts; `stop` removes those.
pub const TESTCONTAINERS_LABEL: &str = "org.testcontainers.managed-by=testcontainers";

pub fn run(cmd: flags::Engine) -> anyhow::Result<()> {
    let engine = Engine::from_env();
    match cmd.subcommand {
        flags::EngineCmd::Start(_) => {
            engine.start()?;
            // The one stdout line, for `eval "$(cargo xtask engine start)"`.
            println!("export DOCKER_HOST={}", engine.host());
            Ok(())
        }
        flags::EngineCmd::Status(_) => engine.status(),
        flags::EngineCmd::Stop(_) => engine.stop(),
        flags::EngineCmd::Images(_) => crate::engine_images::build(&engine),
    }
}

/// Where this project's engine lives.
pub struct Engine {
    pub dir: PathBuf,
}

impl Engine {
    /// `$BETTER_AUTH_V2_CACHE/docker`, default `~/.cache/better-auth-v2/docker`.
    pub fn from_env() -> Engine {
        let cache = std::env::var_os("BETTER_AUTH_V2_CACHE")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let home =
                    std::env::var_os("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from);
                home.join(".cache/better-auth-v2")
            });
        Engine {
            dir: cache.join("docker"),
        }
    }

    /// `unix://…/docker.sock`, what DOCKER_HOST should say.
    pub fn host(&self) -> String {
        format!("unix://{}", self.dir.join("docker.sock").display())
    }

    fn pidfile(&self) -> PathBuf {
        self.dir.join("docker.pid")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("dockerd.log")
    }

    pub fn answers(&self) -> bool {
        engine_api::ping(&self.host(), Duration::from_secs(2)).is_ok()
    }

    /// The pid in the pidfile when that process still runs.
    fn pid(&self) -> Option<u32> {
        let pid: u32 = std::fs::read_to_string(self.pidfile())
            .ok()?
            .trim()
            .parse()
            .ok()?;
        PathBuf::from(format!("/proc/{pid}"))
            .exists()
            .then_some(pid)
    }

    /// Starts dockerd unless this engine already answers (or is still starting); installs nothing.
    pub fn start(&self) -> anyhow::Result<()> {
        if self.answers() {
            eprintln!("engine already running at {}", self.host());
            return Ok(());
        }
        let began = Instant::now();
        if self.pid().is_none() {
            let dockerd = find_dockerd().context(
                "dockerd is not installed; install Debian's engine with `apt-get install docker.io` \
                 (as root), then run this again",
            )?;
            std::fs::create_dir_all(&self.dir)
                .with_context(|| format!("cannot create {}", self.dir.display()))?;
            // A pidfile or socket left by an engine that died would stop dockerd from starting.
            let _ = std::fs::remove_file(self.pidfile());
            let _ = std::fs::remove_file(self.dir.join("docker.sock"));
            let log = std::fs::File::create(self.log())?;
            eprintln!(
                "starting {} (data under {}, log {})",
                dockerd.display(),
                self.dir.display(),
                self.log().display()
            );
            // In a session of its own (util-linux's `setsid`, on every Debian): neither a Ctrl-C nor the
            // end of the shell or terminal that started it stops it; `engine stop` does.
            Command::new("setsid")
                .arg(&dockerd)
                .arg("--data-root")
                .arg(self.dir.join("root"))
                .arg("--exec-root")
                .arg(self.dir.join("exec"))
                .arg("--pidfile")
                .arg(self.pidfile())
                .arg("--host")
                .arg(self.host())
                // Published ports bind to loopback only (testcontainers asks for 0.0.0.0).
                .args(["--ip", "127.0.0.1"])
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .with_context(|| format!("cannot run {}", dockerd.display()))?;
        } else {
            eprintln!("engine is starting (pid file {})", self.pidfile().display());
        }
        while !self.answers() {
            if began.elapsed() > Duration::from_secs(60) {
                bail!(
                    "the engine did not answer /_ping at {} within 60 s; its log ends with:\n{}",
                    self.host(),
                    log_tail(&self.log())
                );
            }
            // Give dockerd a moment to write its pidfile before asking whether it died.
            if began.elapsed() > Duration::from_secs(3) && self.pid().is_none() {
                bail!(
                    "dockerd exited while starting (not root? `--data-root` on an unsupported file \
                     system?); its log ends with:\n{}",
                    log_tail(&self.log())
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        eprintln!(
            "engine answers at {} ({:.1}s)",
            self.host(),
            began.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// Says whether the engine answers, and what it holds; fails when it does not answer.
    fn status(&self) -> anyhow::Result<()> {
        if !self.answers() {
            bail!(
                "not running (no engine answers at {}); start it with `eval \"$(cargo xtask engine start)\"`",
                self.host()
            );
        }
        println!("running: DOCKER_HOST={}", self.host());
        if let Some(pid) = self.pid() {
            println!("pid: {pid}");
        }
        let containers = engine_api::containers_with_label(&self.host(), TESTCONTAINERS_LABEL)?;
        println!("testcontainers containers: {}", containers.len());
        for image in &crate::engine_images::IMAGES {
            let state = match crate::engine_images::state(self, image)? {
                crate::engine_images::State::Current => "built, current",
                crate::engine_images::State::Stale => {
                    "built from an older recipe (run `cargo xtask engine images`)"
                }
                crate::engine_images::State::Missing => {
                    "not built (run `cargo xtask engine images`)"
                }
            };
            println!("{}: {state}", image.tag);
        }
        Ok(())
    }

    /// Removes the testcontainers containers and stops the engine; images stay in the data root.
    fn stop(&self) -> anyhow::Result<()> {
        if self.answers() {
            for id in engine_api::containers_with_label(&self.host(), TESTCONTAINERS_LABEL)? {
                eprintln!("removing container {}", &id[..12.min(id.len())]);
                engine_api::remove_container(&self.host(), &id)?;
            }
        }
        let Some(pid) = self.pid() else {
            eprintln!("engine not running");
            return Ok(());
        };
        eprintln!("stopping dockerd (pid {pid})");
        let status = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()?;
        if !status.success() {
            bail!("cannot signal dockerd (pid {pid})");
        }
        let began = Instant::now();
        while PathBuf::from(format!("/proc/{pid}")).exists() {
            if began.elapsed() > Duration::from_secs(30) {
                bail!("dockerd (pid {pid}) did not stop within 30 s");
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        eprintln!(
            "engine stopped; images kept in {}",
            self.dir.join("root").display()
        );
        Ok(())
    }

    /// A `docker` CLI command aimed at this engine.
    pub fn docker(&self) -> Command {
        let mut command = Command::new("docker");
        command.env("DOCKER_HOST", self.host());
        command
    }
}

/// Debian's dockerd, on PATH or in /usr/sbin (root's PATH may lack it).
fn find_dockerd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("dockerd"))
        .find(|candidate| candidate.is_file())
}

/// The last lines of a log, for an error message.
fn log_tail(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_lives_under_the_cache_folder() {
        let engine = Engine {
            dir: PathBuf::from("/c/docker"),
        };
        assert_eq!(engine.host(), "unix:///c/docker/docker.sock");
        assert_eq!(engine.pidfile(), PathBuf::from("/c/docker/docker.pid"));
    }
}
