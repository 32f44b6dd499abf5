//! The benchmark runner's command line: bad input is refused before anything runs, and a real (small) run
//! writes both outputs with figures shaped as the issue asks.

use std::process::Command;

fn bench() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bench"));
    command.env(
        "USER",
        std::env::var("USER").unwrap_or_else(|_| "root".to_string()),
    );
    command
}

/// Runs the bench with `args` and an empty output folder; it must fail without writing anything. Its stderr.
fn refused(args: &[&str]) -> String {
    let out = tempfile::tempdir().unwrap();
    let output = bench()
        .args(args)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        !out.path().join("results.json").exists(),
        "nothing is written"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_unknown_part_is_refused_with_the_list_of_parts() {
    let stderr = refused(&["--only", "speed"]);
    assert!(
        stderr.contains("unknown part `speed`")
            && stderr.contains(
                "generation, first-200, cold-start, auth, auth-instructions, token-reuse"
            ),
        "{stderr}"
    );
}

#[test]
fn an_unknown_backend_is_refused_with_the_list_of_backends() {
    let stderr = refused(&["--only", "auth", "--backend", "django"]);
    assert!(
        stderr.contains("backend `django`") && stderr.contains("fastapi, express, axum"),
        "{stderr}"
    );
}

#[test]
fn a_backend_without_the_auth_part_is_refused() {
    let stderr = refused(&["--only", "generation", "--backend", "axum"]);
    assert!(
        stderr.contains("add `--only auth`") && stderr.contains("`--only auth-instructions`"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_backend_is_refused_by_the_instructions_part_too() {
    let stderr = refused(&["--only", "auth-instructions", "--backend", "django"]);
    assert!(stderr.contains("backend `django`"), "{stderr}");
}

#[test]
fn zero_runs_is_refused() {
    let output = bench().args(["--runs", "0"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--runs must be at least 1"));
}

#[test]
fn the_generation_part_writes_json_and_markdown_and_keeps_other_parts() {
    let out = tempfile::tempdir().unwrap();
    // An earlier run's result for another part must survive a run of one part.
    std::fs::write(
        out.path().join("results.json"),
        r#"{"token_reuse": {"token_requests": 1, "stats": {}}}"#,
    )
    .unwrap();
    let output = bench()
        .args(["--only", "generation", "--runs", "1", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    let generation = &json["generation"];
    assert_eq!(generation["combinations"], 24);
    for figure in ["one_project_s", "all_combinations_s"] {
        let median = generation[figure].as_f64().unwrap();
        let stats = &generation["stats"][figure];
        assert!(median > 0.0, "{figure}: {generation}");
        assert!(
            stats["min"].as_f64().unwrap() <= median && median <= stats["max"].as_f64().unwrap()
        );
    }
    // Rendering 24 projects one after another takes longer than rendering one.
    assert!(generation["all_combinations_s"].as_f64() > generation["one_project_s"].as_f64());
    assert_eq!(
        json["token_reuse"]["token_requests"], 1,
        "other parts are kept"
    );
    assert!(json["machine"]["cores"].as_u64().unwrap() >= 1);

    let markdown = std::fs::read_to_string(out.path().join("BENCHMARKS.md")).unwrap();
    assert!(markdown.contains("## Generation"), "{markdown}");
    assert!(markdown.contains("cargo xtask bench --only generation"));
}
