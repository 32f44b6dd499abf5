//! A command in a pseudo-terminal, driven like a person at the keyboard (through `relay.py`, Python's `pty`).

#![allow(dead_code)] // each test file uses a different part

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const DOWN: &str = "\x1b[B";
pub const ENTER: &str = "\r";

pub struct Terminal {
    child: Child,
    keyboard: Option<ChildStdin>,
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of the plain screen text `expect` has consumed.
    seen: usize,
    pub pid: u32,
}

impl Terminal {
    pub fn spawn(program: &Path, args: &[&str], cwd: &Path, envs: &[(&str, &Path)]) -> Terminal {
        let relay = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/terminal/relay.py");
        let mut command = Command::new("python3");
        command
            .arg(relay)
            .arg(program)
            .args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        for (key, value) in envs {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("python3 runs relay.py");
        let keyboard = child.stdin.take();
        let mut stdout = child.stdout.take().unwrap();
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        let mut terminal = Terminal {
            child,
            keyboard,
            screen,
            seen: 0,
            pid: 0,
        };
        let line = terminal.expect("\n");
        terminal.pid = line
            .trim()
            .strip_prefix("PID ")
            .and_then(|pid| pid.parse().ok())
            .unwrap_or_else(|| panic!("relay did not report a pid: {line:?}"));
        terminal
    }

    /// Waits (at most 60 s) until `text` appears after what was already expected; returns the screen text up
    /// to and including it.
    pub fn expect(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.text();
            if let Some(at) = screen[self.seen..].find(text) {
                let end = self.seen + at + text.len();
                let part = screen[self.seen..end].to_string();
                self.seen = end;
                return part;
            }
            if Instant::now() > deadline {
                panic!(
                    "waited 60 s for {text:?}; the screen after the last match:\n{}",
                    &screen[self.seen..]
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send(&mut self, keys: &str) {
        // A command that already ended cannot read keys; the next `expect` shows why it ended.
        if let Some(keyboard) = self.keyboard.as_mut() {
            let _ = keyboard
                .write_all(keys.as_bytes())
                .and_then(|()| keyboard.flush());
        }
    }

    /// Sends a real signal (e.g. "INT", "TERM") to the command.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} {}", self.pid);
    }

    /// Closes the terminal, as closing its window does: the command gets SIGHUP.
    pub fn close(mut self) {
        drop(self.keyboard.take());
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits for the command to end; returns its exit code (negative: the signal that killed it) and the
    /// whole screen text.
    pub fn finish(mut self) -> (i32, String) {
        drop(self.keyboard.take());
        self.expect("\nEXIT ");
        let code_line = self.expect("\n");
        self.child.wait().unwrap();
        let code = code_line.trim().parse().expect("exit code");
        (code, self.text())
    }

    /// Everything shown so far, without colours and cursor movements.
    pub fn text(&self) -> String {
        plain(&self.screen.lock().unwrap())
    }
}

impl Drop for Terminal {
    /// A failed test must not leave the command waiting at a question.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Terminal output as text: ANSI escape sequences and carriage returns removed.
pub fn plain(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                // CSI: parameters, then one final byte in @..~
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: up to BEL
                Some(']') => {
                    for c in chars.by_ref() {
                        if c == '\x07' {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The questions the template asks after the database URL (e.g. optional features), in the order of
/// template/cargo-generate.toml: the first line of each prompt. The product's six questions (architecture,
/// backend, database, frontend_url, backend_url, database_url) are the ones the order tests spell out.
pub fn later_questions() -> Vec<String> {
    const SPELLED_OUT: [&str; 6] = [
        "architecture",
        "backend",
        "database",
        "frontend_url",
        "backend_url",
        "database_url",
    ];
    let config = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../template/cargo-generate.toml"),
    )
    .unwrap();
    let mut questions = Vec::new();
    let mut current: Option<&str> = None;
    for line in config.lines() {
        if line.starts_with('[') {
            current = line
                .trim_end_matches(']')
                .rsplit_once(".placeholders.")
                .map(|(_, name)| name)
                .filter(|name| !SPELLED_OUT.contains(name));
        } else if let (Some(_), Some(prompt)) = (current, line.strip_prefix("prompt = ")) {
            let first_line = prompt.trim_start_matches('"').lines().next().unwrap_or("");
            questions.push(first_line.trim_end_matches('"').to_string());
            current = None;
        }
    }
    questions
}
