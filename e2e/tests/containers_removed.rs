//! The run's containers are gone when the run ends, after a failed case and after Ctrl-C: the real e2e
//! binary against the real Docker engine (`DOCKER_HOST`, e.g. `eval "$(cargo xtask engine start)"`), with
//! the image from `E2E_POSTGRES_IMAGE` (`.ci/run` uses the local `better-auth-v2/postgres:15`).
//! Without an engine these tests say so and pass, unless `E2E_PROVIDER=testcontainers` says one is expected
//! (`.ci/run` sets it when its engine started): then no engine is a failure.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use e2e::containers;
use xtask::engine_api;

/// Whether to run: an engine answers; panics when one is demanded and none answers.
fn engine_answers(test: &str) -> bool {
    if containers::docker_answers() {
        return true;
    }
    let demanded = std::env::var("E2E_PROVIDER").is_ok_and(|p| p.trim() == "testcontainers");
    assert!(
        !demanded,
        "E2E_PROVIDER=testcontainers but no Docker engine answers at {}",
        engine_api::docker_host()
    );
    eprintln!(
        "{test}: NOT RUN, no Docker engine answers at {} (start one: eval \"$(cargo xtask engine start)\")",
        engine_api::docker_host()
    );
    false
}

/// The e2e binary on one PostgreSQL case through testcontainers, in its own process group (so a Ctrl-C
/// can be sent to the whole run, as a terminal does), its stderr lines sent to the returned channel.
/// The case's project folder (kept by a failed case) goes to `tmp`.
fn start_case(path: &str, tmp: &std::path::Path) -> (Child, mpsc::Receiver<String>) {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_e2e"))
        .args(["--database", "postgres", "--architecture", "monolithic"])
        .env("E2E_PROVIDER", "testcontainers")
        .env("PATH", path)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("the e2e binary starts");
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("  | {line}");
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    (child, received)
}

/// Reads lines until one contains `needle` (returned); panics after `timeout` or when the output ends.
fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(err) => panic!("no line with {needle:?} ({err})"),
        }
    }
}

/// The container id from `… answers at 127.0.0.1:PORT (container ID, …)`.
fn started_container(lines: &mpsc::Receiver<String>) -> String {
    let line = wait_for_line(lines, "answers at 127.0.0.1:", Duration::from_secs(180));
    let id = line
        .split("(container ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no container id in {line:?}"))
        .to_string();
    assert!(
        containers_alive()
            .iter()
            .any(|alive| alive.starts_with(&id)),
        "container {id} runs during the case"
    );
    id
}

fn containers_alive() -> Vec<String> {
    engine_api::containers_with_label(
        &engine_api::docker_host(),
        xtask::engine::TESTCONTAINERS_LABEL,
    )
    .expect("the engine lists its containers")
}

fn wait_for_exit(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the e2e run did not end within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_container_is_removed_after_a_failed_case() {
    if !engine_answers("the_container_is_removed_after_a_failed_case") {
        return;
    }
    // No `cargo` on PATH: the case fails at its setup step, after its database was made in the container.
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, lines) = start_case("/nonexistent", tmp.path());
    let id = started_container(&lines);
    wait_for_line(&lines, "FAIL", Duration::from_secs(300));
    let status = wait_for_exit(&mut child, Duration::from_secs(120));
    assert!(!status.success(), "a failed case fails the run");
    assert!(
        !containers_alive()
            .iter()
            .any(|alive| alive.starts_with(&id)),
        "container {id} is still there after the failed run"
    );
}

#[test]
fn the_container_is_removed_after_ctrl_c() {
    if !engine_answers("the_container_is_removed_after_ctrl_c") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, lines) = start_case(&std::env::var("PATH").unwrap_or_default(), tmp.path());
    let id = started_container(&lines);
    // Mid-case (setup takes minutes), Ctrl-C to the run's process group, as a terminal sends it.
    wait_for_line(&lines, "-> cargo xtask setup", Duration::from_secs(120));
    let group = format!("-{}", child.id());
    let sent = Command::new("kill")
        .args(["-INT", "--", &group])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -INT {group}");
    let status = wait_for_exit(&mut child, Duration::from_secs(120));
    assert!(!status.success(), "an interrupted run is not a success");
    assert!(
        !containers_alive()
            .iter()
            .any(|alive| alive.starts_with(&id)),
        "container {id} is still there after Ctrl-C"
    );
}
