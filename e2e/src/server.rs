//! A server process of a case: its own process group (so teardown reaches npm's and uv's children), its
//! output in a log file, stopped when dropped — also when the case fails.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub struct Server {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Server {
    pub fn start(
        name: &str,
        mut command: Command,
        logs_dir: &Path,
        logs: &mut Vec<PathBuf>,
    ) -> anyhow::Result<Server> {
        let log = logs_dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log)?;
        let child = command
            .stdout(file.try_clone()?)
            .stderr(file)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start the {name}: {command:?}"))?;
        logs.push(log.clone());
        Ok(Server {
            name: name.to_string(),
            child,
            log,
        })
    }

    /// The process id of what `command` started (the program itself when it `exec`s, as taskset does).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls `url` until it answers 200, the process exits, or `seconds` pass.
    pub fn wait_ready(&self, url: &str, seconds: u64) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let agent = crate::http::agent();
        while Instant::now() < deadline {
            if let Ok(response) = agent.get(url).call()
                && response.status() == 200
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        bail!(
            "the {} did not answer 200 at {url} within {seconds}s (log: {})",
            self.name,
            self.log.display()
        )
    }
}

impl Server {
    /// Polls until something accepts connections on `port`, the process exits, or `seconds` pass.
    pub fn wait_listening(&mut self, port: u16, seconds: u64) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!(
                    "the {} exited ({status}); log: {}",
                    self.name,
                    self.log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "the {} did not listen on port {port} within {seconds}s (log: {})",
            self.name,
            self.log.display()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
