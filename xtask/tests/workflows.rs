//! The GitHub workflows parse and do what they promise: this repository's `ci.yml` runs the same test command
//! as `.ci/run` and README, and every generated project's `ci.yml` installs from the lockfiles it ships,
//! migrates and verifies against a database service of its own kind, runs `cargo xtask test`, and builds the
//! frontend with no `.env` and no secrets. The `.env` step's shell is run for real on rendered projects.

use std::path::{Path, PathBuf};
use std::process::Command;

use project_xtask::project::{Backend, Database, DbFamily};
use serde_norway::Value;
use xtask::combination::Choices;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn parse(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
}

/// A job's steps, in order.
fn steps<'a>(workflow: &'a Value, job: &str) -> &'a Vec<Value> {
    workflow["jobs"][job]["steps"]
        .as_sequence()
        .unwrap_or_else(|| panic!("job `{job}` has no steps"))
}

/// The `run:` scripts of a job, in order.
fn runs(workflow: &Value, job: &str) -> Vec<String> {
    steps(workflow, job)
        .iter()
        .filter_map(|step| step["run"].as_str().map(str::trim).map(str::to_string))
        .collect()
}

/// The step whose `run:` contains `needle`, with its working directory.
fn step_running<'a>(workflow: &'a Value, job: &str, needle: &str) -> &'a Value {
    steps(workflow, job)
        .iter()
        .find(|step| step["run"].as_str().is_some_and(|run| run.contains(needle)))
        .unwrap_or_else(|| panic!("job `{job}` has no step running `{needle}`"))
}

/// Each step either uses a pinned action (`owner/name@ref`) or runs a script.
fn check_step_shapes(workflow: &Value, job: &str) {
    for step in steps(workflow, job) {
        match (step["uses"].as_str(), step["run"].as_str()) {
            (Some(action), None) => assert!(
                action.split_once('@').is_some_and(|(_, r)| !r.is_empty()),
                "{job}: action `{action}` is not pinned to a version"
            ),
            (None, Some(run)) => assert!(!run.trim().is_empty(), "{job}: empty run step"),
            other => panic!("{job}: a step must have exactly one of uses/run, got {other:?}"),
        }
    }
}

fn check_triggers(workflow: &Value, wanted: &[&str]) {
    // `on` is a plain string key in YAML 1.2 (serde_norway), as GitHub reads it.
    let on = workflow["on"]
        .as_mapping()
        .expect("the workflow has an `on:` mapping");
    for trigger in wanted {
        assert!(on.contains_key(*trigger), "`on:` lacks `{trigger}`: {on:?}");
    }
}

/// README's test command, the one line of the code block under "## Run the tests".
fn readme_test_command() -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme
        .split("## Run the tests")
        .nth(1)
        .expect("README has a `Run the tests` section");
    let block = section.split("```").nth(1).expect("a code block follows");
    block
        .lines()
        .skip(1)
        .map(str::trim)
        .find(|line| !line.is_empty())
        .expect("the block has a command")
        .to_string()
}

#[test]
fn repository_ci_runs_the_same_test_command_as_ci_run_and_readme() {
    let command = readme_test_command();
    let ci_run = std::fs::read_to_string(repo_root().join(".ci/run")).unwrap();
    assert!(
        ci_run
            .lines()
            .any(|line| line.trim_start().starts_with(&command)),
        ".ci/run does not run README's test command `{command}`"
    );

    let workflow = parse(&repo_root().join(".github/workflows/ci.yml"));
    check_triggers(&workflow, &["pull_request", "push"]);
    check_step_shapes(&workflow, "test");
    assert!(
        runs(&workflow, "test").contains(&command),
        "ci.yml's test job does not run `{command}`: {:?}",
        runs(&workflow, "test")
    );
    // The database tests and the e2e cases need both servers, named the way .ci/run names them.
    let job = &workflow["jobs"]["test"];
    for (service, variable, scheme) in [
        ("postgres", "E2E_POSTGRES_URL", "postgresql://"),
        ("mysql", "E2E_MYSQL_URL", "mysql://"),
    ] {
        assert!(
            job["services"][service]["image"].as_str().is_some(),
            "no {service} service"
        );
        assert!(
            job["env"][variable]
                .as_str()
                .is_some_and(|url| url.starts_with(scheme)),
            "{variable} is not a {scheme} URL"
        );
        assert!(ci_run.contains(variable), ".ci/run does not set {variable}");
    }
}

/// Issue 17: the nightly matrix proves every auth flow in the browser (the flows of each `--auth-flows`).
#[test]
fn nightly_proves_every_auth_flow_in_the_browser() {
    use project_xtask::project::{AuthFlow, AuthFlows};
    let workflow = parse(&repo_root().join(".github/workflows/nightly-e2e.yml"));
    let mut proven = Vec::new();
    for run in runs(&workflow, "e2e") {
        let words: Vec<&str> = run.split_whitespace().collect();
        if let Some(at) = words.iter().position(|word| *word == "--auth-flows") {
            assert!(
                words.contains(&"--browser"),
                "the flows of `{run}` are proven only with --browser"
            );
            proven.extend(AuthFlows::parse(words[at + 1]).unwrap().iter());
        }
    }
    for flow in AuthFlow::ALL {
        assert!(
            proven.contains(&flow),
            "no nightly e2e run has the `{}` flow",
            flow.name()
        );
    }
    let matrix = step_running(&workflow, "e2e", "--all --database ${{ matrix.database }}");
    assert!(
        matrix["run"].as_str().unwrap().contains("--browser"),
        "the nightly matrix does not drive its cases in the browser"
    );
}

#[test]
fn every_workflow_in_this_repository_parses() {
    let dir = repo_root().join(".github/workflows");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            let workflow = parse(&path);
            assert!(
                workflow["on"].as_mapping().is_some(),
                "{}: no `on:`",
                path.display()
            );
            let jobs = workflow["jobs"].as_mapping().expect("jobs");
            assert!(!jobs.is_empty(), "{}: no jobs", path.display());
            for name in jobs.keys() {
                check_step_shapes(&workflow, name.as_str().unwrap());
            }
            seen += 1;
        }
    }
    assert!(
        seen >= 2,
        "expected ci.yml and the nightly workflow in {}",
        dir.display()
    );
}

/// What each generated project's `ci.yml` must hold for its choices.
fn check_generated(dir: &Path, choices: &Choices) {
    let path = dir.join(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Liquid ran and left GitHub's own expressions alone.
    let outside_github_expressions = text.replace("${{", "");
    assert!(
        !outside_github_expressions.contains("{%") && !outside_github_expressions.contains("{{"),
        "leftover Liquid:\n{text}"
    );
    assert!(
        text.contains("${{ github.ref }}"),
        "the GitHub expression did not survive rendering"
    );
    let workflow = parse(&path);
    check_triggers(&workflow, &["pull_request", "push"]);
    check_step_shapes(&workflow, "test");
    check_step_shapes(&workflow, "build");

    let database = choices.database.unwrap();
    let family = database.family();
    let test_runs = runs(&workflow, "test");

    // Installs come from the lockfiles the project ships, before anything runs.
    let mut installs = vec![
        ("cargo fetch --locked", "Cargo.lock", None),
        ("npm ci", "frontend/package-lock.json", Some("frontend")),
    ];
    match choices.backend {
        Some(Backend::Express) => {
            installs.push(("npm ci", "backend/package-lock.json", Some("backend")))
        }
        Some(Backend::Fastapi) => {
            installs.push(("uv sync --locked", "backend/uv.lock", Some("backend")))
        }
        Some(Backend::Axum) => {
            installs.push(("cargo build --locked -p backend", "Cargo.lock", None))
        }
        None => {}
    }
    for (command, lockfile, working_directory) in installs {
        assert!(
            dir.join(lockfile).is_file(),
            "{choices}: `{command}` needs {lockfile}, which the project lacks"
        );
        let step = steps(&workflow, "test")
            .iter()
            .find(|step| {
                step["run"]
                    .as_str()
                    .is_some_and(|run| run.starts_with(command))
                    && step["working-directory"].as_str() == working_directory
            })
            .unwrap_or_else(|| {
                panic!("{choices}: no `{command}` step in {working_directory:?}: {test_runs:?}")
            });
        assert!(step["run"].as_str().is_some());
    }
    if choices.backend == Some(Backend::Axum) {
        assert!(
            test_runs
                .iter()
                .any(|run| run.ends_with(&format!("--features {}", family.name()))),
            "{choices}: the backend build picks another driver than {}",
            family.name()
        );
    }

    // Then setup (secret, database, migration), verify and the project's tests, in this order.
    let order: Vec<usize> = [
        "cargo xtask setup --no-install",
        "cargo xtask verify",
        "cargo xtask test",
    ]
    .iter()
    .map(|command| {
        test_runs
            .iter()
            .position(|run| run == command)
            .unwrap_or_else(|| panic!("{choices}: no `{command}` step: {test_runs:?}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "{choices}: steps out of order: {test_runs:?}"
    );

    // A database service of its kind, and a URL of that kind.
    let job = &workflow["jobs"]["test"];
    let url = job["env"]["CI_DATABASE_URL"]
        .as_str()
        .expect("CI_DATABASE_URL");
    match family {
        DbFamily::Postgres => {
            assert!(
                job["services"]["postgres"]["image"]
                    .as_str()
                    .is_some_and(|i| i.starts_with("postgres:"))
            );
            assert!(url.starts_with("postgresql://"), "{choices}: {url}");
        }
        DbFamily::Mysql => {
            assert!(
                job["services"]["mysql"]["image"]
                    .as_str()
                    .is_some_and(|i| i.starts_with("mysql:"))
            );
            assert!(url.starts_with("mysql://"), "{choices}: {url}");
        }
        DbFamily::Sqlite => {
            assert!(
                job["services"].is_null(),
                "{choices}: a file database needs no service"
            );
            assert!(url.starts_with("file:"), "{choices}: {url}");
        }
    }
    if database == Database::Neon {
        step_running(&workflow, "test", "NEON_WS_PROXY=127.0.0.1:5488");
    }

    // The build job: a clean checkout, `npm ci`, `next build`; no .env, no secret, no database.
    let build_runs = runs(&workflow, "build");
    assert_eq!(build_runs, ["npm ci", "npm run build"], "{choices}");
    let build = &workflow["jobs"]["build"];
    assert!(
        build["services"].is_null(),
        "{choices}: the build needs no database"
    );
    let build_env: Vec<&str> = build["env"]
        .as_mapping()
        .map(|env| env.keys().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let allowed: &[&str] = if choices.backend.is_some() {
        &["NEXT_PUBLIC_BACKEND_URL"]
    } else {
        &[]
    };
    assert_eq!(
        build_env, allowed,
        "{choices}: the build sets more than the public backend URL"
    );
    let build_text = serde_norway::to_string(build).unwrap();
    assert!(
        !build_text.contains("secrets."),
        "{choices}: the build reads a secret"
    );
    let package = std::fs::read_to_string(dir.join("frontend/package.json")).unwrap();
    assert!(
        package.contains("\"build\": \"next build\""),
        "{choices}: npm run build is not next build"
    );
}

/// Runs the workflow's `.env` step with bash in the rendered project, as the runner would.
fn run_env_step(dir: &Path, workflow: &Value, database_url: &str) {
    let step = step_running(workflow, "test", "cp frontend/.env.example frontend/.env");
    let status = Command::new("bash")
        .args(["-euo", "pipefail", "-c", step["run"].as_str().unwrap()])
        .env("CI_DATABASE_URL", database_url)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success());
}

fn env_value(path: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
        .next_back()
}

#[test]
fn every_generated_project_has_a_ci_workflow_for_its_choices() {
    let out = tempfile::Builder::new()
        .prefix("ba2-workflows-")
        .tempdir()
        .unwrap();
    for choices in Choices::all() {
        let dir = xtask::generate::generate(&choices, out.path()).expect("generation works");
        check_generated(&dir, &choices);

        // The `.env` step, run for real: both .env files point at this run's database.
        let workflow = parse(&dir.join(".github/workflows/ci.yml"));
        for file in ["frontend/.env", "backend/.env"] {
            let _ = std::fs::remove_file(dir.join(file));
        }
        let url = workflow["jobs"]["test"]["env"]["CI_DATABASE_URL"]
            .as_str()
            .unwrap()
            .to_string();
        run_env_step(&dir, &workflow, &url);
        assert_eq!(
            env_value(&dir.join("frontend/.env"), "DATABASE_URL").as_deref(),
            Some(url.as_str()),
            "{choices}"
        );
        assert_eq!(
            env_value(&dir.join("frontend/.env"), "BETTER_AUTH_SECRET").as_deref(),
            Some(""),
            "{choices}: setup writes the secret"
        );
        if choices.backend.is_some() {
            let backend = env_value(&dir.join("backend/.env"), "DATABASE_URL").unwrap();
            match choices.database.unwrap().family() {
                DbFamily::Sqlite => assert!(backend.starts_with("file:"), "{choices}: {backend}"),
                _ => assert_eq!(backend, url, "{choices}"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn canary_runs_daily_and_reports() {
    let workflow = parse(&repo_root().join(".github/workflows/canary.yml"));
    check_triggers(&workflow, &["schedule", "workflow_dispatch"]);
    let cron = workflow["on"]["schedule"][0]["cron"]
        .as_str()
        .expect("a cron schedule");
    let fields: Vec<&str> = cron.split_whitespace().collect();
    assert_eq!(fields.len(), 5, "cron `{cron}`");
    assert_eq!(
        &fields[2..],
        ["*", "*", "*"],
        "the canary runs every day: `{cron}`"
    );
    check_step_shapes(&workflow, "canary");
    let runs = runs(&workflow, "canary");
    assert!(
        runs.iter().any(|run| run.starts_with("cargo xtask canary")),
        "{runs:?}"
    );
    // The report (the text after `=== canary:`) lands on the run's page even when the run is red.
    let report = step_running(&workflow, "canary", "GITHUB_STEP_SUMMARY");
    assert_eq!(report["if"].as_str(), Some("always()"));
    assert!(
        report["run"]
            .as_str()
            .unwrap()
            .contains(xtask::canary::REPORT_MARKER)
    );
}
