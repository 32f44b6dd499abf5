//! One end-to-end case: generate → `cargo xtask setup` → `next build` → start Next.js and the backend →
//! prove over real HTTP that a signed-in user gets 200 and everyone else 401.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use project_xtask::Project;
use project_xtask::project::{Architecture, AuthFlow, AuthFlows, Database};
use xtask::combination::Choices;

use crate::database::Provider;
use crate::flags;
use crate::http::Client;
use crate::server::{Server, free_port};
use crate::social::SocialKeys;

/// What one case produced: each step's name and seconds, and the error if one failed.
pub struct Outcome {
    pub steps: Vec<(String, f64)>,
    pub error: Option<anyhow::Error>,
    pub logs: Vec<PathBuf>,
}

/// The representative set every CI run proves (the nightly workflow runs `--all`).
pub fn representative() -> Vec<Choices> {
    use project_xtask::project::Backend::*;
    vec![
        Choices::of(Architecture::Separate, Some(Fastapi), Database::Postgres),
        Choices::of(Architecture::Separate, Some(Express), Database::Mysql),
        Choices::of(Architecture::Separate, Some(Axum), Database::Sqlite),
        Choices::of(Architecture::Separate, Some(Fastapi), Database::Neon),
        Choices::of(Architecture::Monolithic, None, Database::Turso),
        Choices::of(Architecture::Monolithic, None, Database::Supabase),
    ]
}

/// The flows of the default run's first case, the one it drives in the browser: reset (with the 429) and
/// social sign-in (GitHub and Google up to their authorize URLs, OIDC against the run's own provider).
pub const BROWSER_CASE_FLOWS: &str = "reset,github,google,oidc";

/// The flows of the default run's first monolithic case, also driven in the browser: email verification
/// (sign-up, the emailed link, the dashboard) changes sign-up, so it gets a case of its own.
pub const VERIFICATION_CASE_FLOWS: &str = "verification,reset";

pub fn select(flags: &flags::E2e) -> anyhow::Result<Vec<Choices>> {
    let filter = Choices::parse(
        flags.architecture.as_deref(),
        flags.backend.as_deref(),
        flags.database.as_deref(),
    )?;
    let filtering = filter != Choices::default();
    let auth_flows = flags
        .auth_flows
        .as_deref()
        .map(AuthFlows::parse)
        .transpose()?;
    ensure!(
        flags.browser
            || !auth_flows
                .as_ref()
                .is_some_and(|flows| flows.contains(AuthFlow::Verification)),
        "--auth-flows with verification needs --browser: sign-up then starts no session, so only the browser (following the emailed link) can prove sign-in"
    );
    let pool = if flags.all || filtering {
        Choices::all()
    } else {
        representative()
    };
    let mut cases: Vec<Choices> = pool
        .into_iter()
        .filter(|c| {
            filter
                .architecture
                .is_none_or(|a| c.architecture == Some(a))
        })
        .filter(|c| filter.backend.is_none_or(|b| c.backend == Some(b)))
        .filter(|c| filter.database.is_none_or(|d| c.database == Some(d)))
        .map(|c| Choices {
            auth_flows: auth_flows.clone(),
            ..c
        })
        .collect();
    ensure!(!cases.is_empty(), "no case matches those filters");
    if !(flags.all || filtering) && flags.auth_flows.is_none() {
        cases[0].auth_flows = Some(AuthFlows::parse(BROWSER_CASE_FLOWS)?);
        if let Some(monolithic) = cases
            .iter_mut()
            .find(|c| c.architecture == Some(Architecture::Monolithic))
        {
            monolithic.auth_flows = Some(AuthFlows::parse(VERIFICATION_CASE_FLOWS)?);
        }
    }
    Ok(cases)
}

pub fn run(choices: &Choices, provider: &Provider, browser: bool) -> Outcome {
    let mut steps = Vec::new();
    let mut logs = Vec::new();
    let result = run_steps(choices, provider, browser, &mut steps, &mut logs);
    if let Some(records) = crate::latest::records_dir() {
        crate::latest::record_outcome(&records, choices, &steps, result.as_ref().err());
    }
    Outcome {
        steps,
        error: result.err(),
        logs,
    }
}

/// Runs `work` as a named, timed step of the case.
pub(crate) fn step<T>(
    steps: &mut Vec<(String, f64)>,
    name: &str,
    work: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    eprintln!("  -> {name}");
    let started = Instant::now();
    let result = work();
    steps.push((name.to_string(), started.elapsed().as_secs_f64()));
    result.with_context(|| format!("step `{name}` failed"))
}

fn run_steps(
    choices: &Choices,
    provider: &Provider,
    browser: bool,
    steps: &mut Vec<(String, f64)>,
    logs: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    eprintln!("==> case {choices}");
    let work = tempfile::Builder::new()
        .prefix(&format!("e2e-{choices}-"))
        .tempdir()?;
    let database = step(steps, "database", || {
        provider.provision(&choices.to_string())
    })?;

    let frontend_port = free_port()?;
    let backend_port = free_port()?;
    let mut choices = choices.clone();
    choices.frontend_url = Some(format!("http://localhost:{frontend_port}"));
    // Only a separate project has a backend: generation refuses a backend URL for a monolithic one.
    choices.backend_url = choices
        .backend
        .map(|_| format!("http://localhost:{backend_port}"));
    choices.database_url = database.url.clone();

    let result = (|| {
        let dir = step(steps, "generate", || {
            xtask::generate::generate(&choices, work.path())
        })?;
        // The canary (`cargo xtask canary`): the newest releases instead of the locked ones.
        if let Some(records) = crate::latest::records_dir() {
            step(steps, "latest dependencies", || {
                crate::latest::refresh(&dir, &choices, &records)
            })?;
        }
        let project = Project::load(&dir)?;
        let env = &database.env;
        step(steps, "cargo xtask setup", || {
            cargo_xtask(&dir, "setup", work.path(), env)
        })?;
        let node = project_xtask::tools::node::Node::find(&project)?;
        step(steps, "next build", || {
            let mut build = node.command("npm");
            build
                .args(["run", "build"])
                .current_dir(project.frontend_dir())
                .env("NEXT_TELEMETRY_DISABLED", "1");
            build.envs(env.iter().cloned());
            run_logged(build, &work.path().join("next-build.log"))
        })?;

        let origin = choices.frontend_url.as_deref().unwrap_or_default();
        let flows = &project.manifest.auth_flows;
        // Social sign-in is proven in the browser only; its keys exist for that proof.
        let social = if browser && crate::social::any(flows) {
            Some(step(steps, "social providers' keys", || {
                SocialKeys::start(flows, origin, work.path(), logs)
            })?)
        } else {
            None
        };
        let next_start = |port: u16, extra: &[(String, String)]| {
            let mut command = node.command("npm");
            command
                .args(["run", "start", "--", "--port", &port.to_string()])
                .current_dir(project.frontend_dir())
                .envs(env.iter().cloned())
                .envs(extra.iter().cloned());
            command
        };
        let keys = social
            .as_ref()
            .map(|s| s.env.as_slice())
            .unwrap_or_default();
        let frontend = Server::start(
            "frontend",
            next_start(frontend_port, keys),
            work.path(),
            logs,
        )?;
        let backend = match choices.backend {
            Some(_) => {
                let mut command = Command::new("cargo");
                command
                    .args(["xtask", "dev", "--only", "backend"])
                    .current_dir(&dir);
                command.env("CARGO_TARGET_DIR", shared_target_dir(work.path()));
                Some(Server::start("backend", command, work.path(), logs)?)
            }
            None => None,
        };
        let frontend_url = format!("http://127.0.0.1:{frontend_port}");
        step(steps, "start", || {
            frontend.wait_ready(&format!("{frontend_url}/api/auth/ok"), 120)?;
            if let Some(backend) = &backend {
                backend.wait_ready(&format!("http://127.0.0.1:{backend_port}/health"), 300)?;
            }
            Ok(())
        })?;
        // With verification, sign-up starts no session: auth-flows.mjs proves sign-up (through the emailed
        // link) instead of sign-up-flow.mjs and the HTTP proof below.
        let verification = flows.contains(AuthFlow::Verification);
        if browser {
            if !verification {
                step(steps, "browser (headless Chromium)", || {
                    crate::browser::sign_up_flow(origin, &choices, &work.path().join("browser.log"))
                })?;
            }
            if flows.sends_mail() {
                step(steps, "browser: email flows", || {
                    crate::browser::auth_flows(
                        origin,
                        &project,
                        &choices,
                        &work.path().join("auth-flows.log"),
                    )
                })?;
            }
            if let Some(social) = &social {
                let api_me = match choices.backend {
                    Some(_) => format!("http://127.0.0.1:{backend_port}/api/me"),
                    None => format!("{origin}/api/me"),
                };
                step(steps, "browser: social sign-in", || {
                    crate::browser::social_flows(
                        origin,
                        &choices,
                        flows,
                        &api_me,
                        &social.env,
                        &work.path().join("social-flows.log"),
                    )
                })?;
                // The same build started again with the keys empty: no button.
                step(steps, "browser: no social button without keys", || {
                    let port = free_port()?;
                    let bare = Server::start(
                        "frontend-no-keys",
                        next_start(port, &social.emptied()),
                        work.path(),
                        logs,
                    )?;
                    bare.wait_ready(&format!("http://127.0.0.1:{port}/api/auth/ok"), 120)?;
                    crate::browser::no_social_buttons(
                        &format!("http://localhost:{port}"),
                        flows,
                        &work.path().join("social-no-keys.log"),
                    )
                })?;
            }
        }
        if verification {
            return Ok(());
        }
        let client = Client::new(&frontend_url, origin);
        match choices.backend {
            Some(_) => step(steps, "prove 200 vs 401 (backend)", || {
                prove_separate(&client, &format!("http://127.0.0.1:{backend_port}"))
            }),
            None => step(steps, "prove 200 vs 401 (route handler)", || {
                prove_monolithic(&client)
            }),
        }
    })();
    // The servers stopped when the closure returned; now the case's database can go.
    drop(database);
    // A failed case keeps its project and logs for inspection (the summary prints the logs' tails);
    // E2E_KEEP=1 keeps passing cases too.
    if result.is_err() || std::env::var_os("E2E_KEEP").is_some() {
        eprintln!("  kept {}", work.keep().display());
    }
    result
}

/// The shared cargo target dir for generated projects (one compile of sqlx/tokio for all cases).
fn shared_target_dir(fallback: &Path) -> PathBuf {
    std::env::var_os("GENERATED_CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| fallback.join("target"))
}

fn cargo_xtask(
    dir: &Path,
    command: &str,
    work: &Path,
    env: &[(String, String)],
) -> anyhow::Result<()> {
    let mut cargo = Command::new("cargo");
    cargo
        .args(["xtask", command])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target_dir(work))
        .envs(env.iter().cloned());
    run_logged(cargo, &work.join(format!("xtask-{command}.log")))
}

/// Runs `command` to completion with its output in `log`; on failure the error carries the log's tail.
pub fn run_logged(mut command: Command, log: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(log)?;
    let status = command
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .with_context(|| format!("cannot start {command:?}"))?;
    if !status.success() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        bail!(
            "{status}; last lines of {}:\n{}",
            log.display(),
            lines[lines.len().saturating_sub(40)..].join("\n")
        );
    }
    Ok(())
}

fn prove_monolithic(client: &Client) -> anyhow::Result<()> {
    let user = client.sign_up("alice")?;
    let (status, body) = client.get_frontend("/api/me", Some(&user))?;
    ensure!(
        status == 200,
        "/api/me with the session cookie: expected 200, got {status}: {body}"
    );
    ensure!(
        body["email"] == user.email,
        "/api/me returned {body}, expected {}",
        user.email
    );
    let (status, _) = client.get_frontend("/api/me", None)?;
    ensure!(
        status == 401,
        "/api/me without a session: expected 401, got {status}"
    );
    Ok(())
}

fn prove_separate(client: &Client, backend: &str) -> anyhow::Result<()> {
    let alice = client.sign_up("alice")?;
    let bob = client.sign_up("bob")?;
    let alice_token = client.token(&alice)?;
    let bob_token = client.token(&bob)?;

    let (status, me) = client.backend_get(backend, "/api/me", Some(&alice_token))?;
    ensure!(
        status == 200,
        "backend /api/me with alice's token: expected 200, got {status}: {me}"
    );
    ensure!(
        me["id"] == alice.id,
        "backend /api/me said {me}, expected id {}",
        alice.id
    );

    let (status, _) = client.backend_get(backend, "/api/me", None)?;
    ensure!(
        status == 401,
        "backend /api/me without a token: expected 401, got {status}"
    );
    let tampered = tamper(&alice_token);
    let (status, _) = client.backend_get(backend, "/api/me", Some(&tampered))?;
    ensure!(
        status == 401,
        "backend /api/me with a tampered token: expected 401, got {status}"
    );
    let (status, _) = client.backend_get_with_cookie(backend, "/api/me", &alice)?;
    ensure!(
        status == 401,
        "backend /api/me with the session cookie instead of a token: expected 401, got {status}"
    );

    let (status, note) = client.backend_post(
        backend,
        "/api/notes",
        &alice_token,
        serde_json::json!({"text": "alice's note"}),
    )?;
    ensure!(
        status == 201,
        "POST /api/notes: expected 201, got {status}: {note}"
    );
    let note_id = note["id"].to_string().trim_matches('"').to_string();
    let (status, bobs) = client.backend_get(backend, "/api/notes", Some(&bob_token))?;
    ensure!(
        status == 200,
        "bob's GET /api/notes: expected 200, got {status}"
    );
    ensure!(
        bobs.as_array().is_some_and(|notes| notes.is_empty()),
        "bob sees notes that are not his: {bobs}"
    );
    let status = client.backend_delete(backend, &format!("/api/notes/{note_id}"), &bob_token)?;
    ensure!(
        status == 404,
        "bob deleting alice's note: expected 404, got {status}"
    );
    let (_, alices) = client.backend_get(backend, "/api/notes", Some(&alice_token))?;
    ensure!(
        alices.as_array().is_some_and(|notes| notes.len() == 1),
        "alice's notes after bob's attempt: {alices}"
    );

    client.sign_out(&alice)?;
    let status = client.token_status(&alice)?;
    ensure!(
        status == 401,
        "a signed-out session minted a token (status {status})"
    );
    Ok(())
}

/// Flips one character in the signature part of a JWT.
fn tamper(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("JWTs are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> flags::E2e {
        let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        flags::E2e::from_vec(args).unwrap()
    }

    #[test]
    fn the_default_runs_browser_case_has_social_sign_in_and_reset() {
        let cases = select(&flags(&[])).unwrap();
        let flows = cases[0].auth_flows.as_ref().unwrap();
        for flow in [
            AuthFlow::Reset,
            AuthFlow::Github,
            AuthFlow::Google,
            AuthFlow::Oidc,
        ] {
            assert!(flows.contains(flow), "{}", flow.name());
        }
        // The first monolithic case proves email verification; the others keep the template's default.
        let verification: Vec<_> = cases
            .iter()
            .filter(|c| c.auth_flows.is_some())
            .skip(1)
            .collect();
        assert_eq!(verification.len(), 1);
        assert_eq!(verification[0].architecture, Some(Architecture::Monolithic));
        let flows = verification[0].auth_flows.as_ref().unwrap();
        assert!(flows.contains(AuthFlow::Verification) && flows.contains(AuthFlow::Reset));
        // Asked-for flows apply to every case.
        let asked = select(&flags(&["--auth-flows", "reset"])).unwrap();
        assert_eq!(
            asked[0].auth_flows,
            Some(AuthFlows::parse("reset").unwrap())
        );
        let filtered = select(&flags(&["--database", "sqlite"])).unwrap();
        assert!(filtered.iter().all(|c| c.auth_flows.is_none()));
    }
}
