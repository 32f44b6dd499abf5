//! `cargo xtask dev` as a real process in a minimal monolithic project whose frontend "dev server" is a
//! shell that starts grandchildren: an app that exits makes `dev` fail, and a SIGKILLed `dev` leaves no
//! app process behind.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A folder holding `node` >= 22.13 (`dev` checks the frontend's Node).
fn node_bin() -> PathBuf {
    std::env::var_os("BA2_NODE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/better-auth-v2/node22/node_modules/.bin"))
}

/// A project whose `npm run dev` runs `script` (with `--port N` appended by `dev`).
struct FakeProject {
    root: PathBuf,
}

impl FakeProject {
    fn new(name: &str, script: &str) -> FakeProject {
        let root = std::env::temp_dir().join(format!("px-dev-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("frontend")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            root.join("better-auth.toml"),
            format!(
                "[project]\nname = \"dev-test\"\narchitecture = \"monolithic\"\nbackend = \"none\"\ndatabase = \"sqlite\"\n\n[urls]\nfrontend = \"http://localhost:{port}\"\n"
            ),
        )
        .unwrap();
        std::fs::write(
            root.join("frontend/.env"),
            format!("BETTER_AUTH_URL=http://localhost:{port}\nDATABASE_URL=file:./auth.db\n"),
        )
        .unwrap();
        let package = serde_json::json!({
            "name": "dev-test", "private": true, "scripts": { "dev": script }
        });
        std::fs::write(root.join("frontend/package.json"), package.to_string()).unwrap();
        FakeProject { root }
    }

    fn dev(&self) -> Child {
        let mut path = vec![node_bin()];
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        Command::new(env!("CARGO_BIN_EXE_project-xtask"))
            .arg("dev")
            .current_dir(&self.root)
            .env("PATH", std::env::join_paths(path).unwrap())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

impl Drop for FakeProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Pids of the processes whose command line is exactly `argv`.
fn processes_running(argv: &[&str]) -> Vec<u32> {
    let wanted: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline =
                std::fs::read(Path::new("/proc").join(pid.to_string()).join("cmdline")).ok()?;
            // A zombie has an empty command line: it is dead already.
            (cmdline == wanted).then_some(pid)
        })
        .collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_sigkilled_dev_leaves_no_app_process_behind() {
    // A duration no other process uses, so the check sees only this test's grandchildren.
    let marker = format!("{}", 40_000 + std::process::id() % 10_000);
    let project = FakeProject::new(
        "kill",
        &format!("sh -c 'sleep {marker} & sleep {marker} & wait' --"),
    );
    let mut dev = project.dev();
    wait_until("both grandchildren run", || {
        processes_running(&["sleep", &marker]).len() == 2
    });

    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(dev.id() as libc::pid_t, libc::SIGKILL) };
    dev.wait().unwrap();
    wait_until("no app process survives dev", || {
        processes_running(&["sleep", &marker]).is_empty()
    });
}

#[test]
fn dev_fails_when_an_app_exits_on_its_own() {
    for script in ["sh -c 'sleep 1; exit 0' --", "sh -c 'sleep 1; exit 3' --"] {
        let project = FakeProject::new("exit", script);
        let output = project.dev().wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{script}: {stderr}");
        assert!(stderr.contains("exited on its own"), "{stderr}");
    }
}
