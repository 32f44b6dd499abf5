//! The generated frontend builds the way CI and container builds from git do: no `frontend/.env`, no runtime
//! settings in the environment. `next build` must succeed and create no database file; the built app reads
//! its settings at request time and fails the first request with the same one-line cause as before.
//! With the settings given (as a deployment does), the separate frontend signs `iss`/`aud` with the origin of
//! a `BETTER_AUTH_URL` written as people type it, and a session check mints no JWT.
//!
//! Real installs (`npm ci` from the variant's lockfile), real `next build` and `next start`, real HTTP.

mod support;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use project_xtask::project::{Architecture, AuthFlows, Backend, Database};
use support::{node_bin, path_env};
use xtask::combination::Choices;

const MISSING_URL: &str = "BETTER_AUTH_URL is not set: add it to frontend/.env (see .env.example)";

/// A rendered project whose frontend has no `.env` and a real `npm ci` install.
struct Frontend {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Frontend {
    fn render(choices: &Choices) -> Frontend {
        let dir = tempfile::Builder::new()
            .prefix("ba2-build-")
            .tempdir()
            .unwrap();
        let root = xtask::generate::generate(choices, dir.path()).expect("generation works");
        let path = root.join("frontend");
        // As in a clone: .env is git-ignored, so a CI or container build never has it.
        std::fs::remove_file(path.join(".env")).unwrap();
        let frontend = Frontend { _dir: dir, path };
        frontend.run(
            "npm",
            &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
            &[],
        );
        frontend
    }

    /// A command in frontend/ with an empty environment (no settings at all) but for Node 22 first on PATH,
    /// HOME (npm's cache) and `env`.
    fn command(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(&self.path)
            .env_clear()
            .env("PATH", path_env())
            .env("HOME", std::env::var_os("HOME").unwrap_or_default())
            .env("NEXT_TELEMETRY_DISABLED", "1")
            .envs(env.iter().copied());
        command
    }

    /// Runs to completion; panics with the output on failure, returns stdout + stderr.
    fn run(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
        let output = self.command(program, args, env).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success(),
            "{program} {args:?} failed:\n{text}"
        );
        text
    }

    fn next_build(&self) {
        let started = Instant::now();
        self.run("node", &["node_modules/next/dist/bin/next", "build"], &[]);
        eprintln!(
            "next build without .env: {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }

    /// Database files anywhere in frontend/ outside node_modules.
    fn database_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if entry.file_name() != "node_modules" {
                        walk(&path, found);
                    }
                } else if path
                    .extension()
                    .is_some_and(|e| e == "db" || e == "db-journal")
                {
                    found.push(path);
                }
            }
        }
        let mut found = Vec::new();
        walk(&self.path, &mut found);
        found
    }

    /// `next start` on a free port.
    fn start(&self, env: &[(&str, &str)]) -> Server {
        self.start_on(free_port(), env)
    }

    /// `next start` on `port` (127.0.0.1); stopped, with its process group, on drop.
    fn start_on(&self, port: u16, env: &[(&str, &str)]) -> Server {
        let log = self.path.join(format!("next-start-{port}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let mut command = self.command(
            "node",
            &[
                "node_modules/next/dist/bin/next",
                "start",
                "-p",
                &port.to_string(),
                "-H",
                "127.0.0.1",
            ],
            env,
        );
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let server = Server { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "next start did not listen within 60 s:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    /// Runs an ES module with `args` in frontend/ (Node's fetch for HTTP); returns its stdout as JSON.
    fn node_json(&self, code: &str, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
        let mut all = vec!["--input-type=module", "-e", code, "--"];
        all.extend_from_slice(args);
        let node = node_bin().join("node");
        let out = self.run(node.to_str().unwrap(), &all, env);
        let line = out
            .lines()
            .rev()
            .find(|line| line.starts_with('{'))
            .unwrap_or_else(|| panic!("no JSON line in:\n{out}"));
        serde_json::from_str(line).unwrap()
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            // procps' kill reads a negative number after the signal as an option unless `--` comes first.
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

/// GET `url`, printing `{ status }`.
const GET_STATUS: &str = r#"
const response = await fetch(process.argv[1]);
console.log(JSON.stringify({ status: response.status }));
"#;

/// Signs up, checks the session and mints a token; prints what a backend and the browser would see.
/// argv: the server's address, the app's origin (the browser's Origin header).
const SIGN_UP_AND_MINT: &str = r#"
const [server, origin] = process.argv.slice(1);
const signUp = await fetch(`${server}/api/auth/sign-up/email`, {
  method: "POST",
  headers: { "content-type": "application/json", origin },
  body: JSON.stringify({ name: "Ada", email: `ada-${Date.now()}@example.com`, password: "correct-horse-battery" }),
});
if (!signUp.ok) throw new Error(`sign-up answered ${signUp.status}: ${await signUp.text()}`);
const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
const session = await fetch(`${server}/api/auth/get-session`, { headers: { cookie } });
const token = await fetch(`${server}/api/auth/token`, { headers: { cookie } });
const { token: jwt } = await token.json();
const claims = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
console.log(JSON.stringify({
  sessionStatus: session.status,
  setAuthJwt: session.headers.get("set-auth-jwt"),
  tokenStatus: token.status,
  iss: claims.iss,
  aud: claims.aud,
}));
"#;

/// Without any settings the built app starts, and the first auth request fails with the missing setting.
fn first_request_names_the_missing_setting(frontend: &Frontend) {
    let server = frontend.start(&[]);
    let origin = format!("http://127.0.0.1:{}", server.port);
    let answer = frontend.node_json(
        GET_STATUS,
        &[&format!("{origin}/api/auth/get-session")],
        &[],
    );
    assert_eq!(answer["status"], 500, "{}", server.log());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.log().contains(MISSING_URL) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        server.log().contains(MISSING_URL),
        "the server log does not name the missing setting:\n{}",
        server.log()
    );
}

/// GET `url`, printing `{ status, html }`.
const GET_PAGE: &str = r#"
const response = await fetch(process.argv[1]);
console.log(JSON.stringify({ status: response.status, html: await response.text() }));
"#;

/// The sign-in page of the built app (issue 17): a social button per provider whose keys are set in the
/// environment of the running server, decided per request, none while they are empty.
fn sign_in_buttons(frontend: &Frontend, env: &[(&str, &str)]) -> Vec<&'static str> {
    let server = frontend.start(env);
    let page = frontend.node_json(
        GET_PAGE,
        &[&format!("http://127.0.0.1:{}/sign-in", server.port)],
        &[],
    );
    assert_eq!(page["status"], 200, "{}", server.log());
    let html = page["html"].as_str().unwrap();
    ["social-github", "social-google", "social-oidc"]
        .into_iter()
        .filter(|id| html.contains(&format!("data-testid=\"{id}\"")))
        .collect()
}

#[test]
fn monolithic_sqlite_builds_without_env_and_fails_on_the_first_request() {
    let mut choices = Choices::of(Architecture::Monolithic, None, Database::Sqlite);
    choices.auth_flows = Some(AuthFlows::parse("reset,github,google,oidc").unwrap());
    let frontend = Frontend::render(&choices);
    frontend.next_build();
    assert_eq!(frontend.database_files(), Vec::<PathBuf>::new());
    first_request_names_the_missing_setting(&frontend);
    assert_eq!(sign_in_buttons(&frontend, &[]), Vec::<&str>::new());
    assert_eq!(
        sign_in_buttons(
            &frontend,
            &[
                ("GITHUB_CLIENT_ID", "gh-id"),
                ("GITHUB_CLIENT_SECRET", "gh-secret"),
                ("GOOGLE_CLIENT_ID", "g-id")
            ]
        ),
        ["social-github"],
        "a provider with a key missing (Google's secret) shows no button"
    );
    assert_eq!(
        frontend.database_files(),
        Vec::<PathBuf>::new(),
        "a failed start must not create the database either"
    );
}

#[test]
fn separate_builds_without_env_then_signs_tokens_with_the_normalised_origin() {
    let frontend = Frontend::render(&Choices::of(
        Architecture::Separate,
        Some(Backend::Express),
        Database::Sqlite,
    ));
    frontend.next_build();
    assert_eq!(frontend.database_files(), Vec::<PathBuf>::new());
    first_request_names_the_missing_setting(&frontend);

    // The deployment gives the settings through the environment, BETTER_AUTH_URL as people type it.
    let port = free_port();
    let typed_url = format!("HTTP://LOCALHOST:{port}/");
    let settings = [
        ("BETTER_AUTH_URL", typed_url.as_str()),
        (
            "BETTER_AUTH_SECRET",
            "3b9f0c2e7a4d6f8b1c3e5a7d9f0b2c4e6a8d0f1b",
        ),
        ("DATABASE_URL", "file:./auth.db"),
    ];
    // The `auth` CLI and the xtask's scripts still load src/lib/auth.ts and see the whole instance.
    let migrated = frontend.run(
        "npx",
        &["--no-install", "auth", "migrate", "--yes"],
        &settings,
    );
    assert!(migrated.contains("completed successfully"), "{migrated}");
    let schema = frontend.node_json(
        "await import('./scripts/expected-schema.mjs')",
        &[],
        &settings,
    );
    let tables: Vec<&str> = schema["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(tables.contains(&"jwks"), "{tables:?}");
    let keys = frontend.node_json(
        "await import('./scripts/check-jwks-secret.mjs')",
        &[],
        &settings,
    );
    assert_eq!(keys["undecryptable"], 0, "{keys}");

    // `next start` on the port the typed URL names (free a moment ago).
    let server = frontend.start_on(port, &settings);
    let origin = format!("http://localhost:{port}");
    let seen = frontend.node_json(
        SIGN_UP_AND_MINT,
        &[&format!("http://127.0.0.1:{port}"), &origin],
        &[],
    );
    assert_eq!(seen["sessionStatus"], 200, "{seen}\n{}", server.log());
    assert_eq!(
        seen["setAuthJwt"],
        serde_json::Value::Null,
        "get-session must not mint a JWT"
    );
    assert_eq!(seen["tokenStatus"], 200, "{seen}");
    assert_eq!(seen["iss"], origin.as_str(), "{seen}");
    assert_eq!(seen["aud"], origin.as_str(), "{seen}");
}
