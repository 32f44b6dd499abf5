//! The published numbers (bench/results.json, BENCHMARKS.md, committed after a full `cargo xtask bench`)
//! carry every figure the benchmark issue names, each with its min/median/max.

use std::path::Path;

use serde_json::Value;

fn results() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("results.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}; run `cargo xtask bench`", path.display()));
    serde_json::from_str(&text).expect("results.json is JSON")
}

/// A figure is a number with its range beside it (see `stats::put_figure`).
fn assert_figure(object: &Value, name: &str, context: &str) {
    let median = object[name]
        .as_f64()
        .unwrap_or_else(|| panic!("{context}.{name} is not a number: {object}"));
    let stats = &object["stats"][name];
    let (min, max) = (stats["min"].as_f64(), stats["max"].as_f64());
    assert!(
        min.is_some_and(|min| min <= median) && max.is_some_and(|max| median <= max),
        "{context}.stats.{name} has no min ≤ median ≤ max: {stats}"
    );
}

#[test]
fn auth_overhead_has_every_figure_per_backend() {
    let results = results();
    for backend in ["fastapi", "express", "axum"] {
        let context = format!("auth_overhead.{backend}");
        let figures = &results["auth_overhead"][backend];
        for name in ["ratio", "added_us", "added_us_distinct", "floor_us"] {
            assert_figure(figures, name, &context);
        }
        assert!(
            figures["jwks_fetches"].as_u64().is_some(),
            "{context}.jwks_fetches is not a count: {figures}"
        );
        assert!(figures["floor_us"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn auth_overhead_has_the_peer_of_every_backend_from_the_same_run() {
    let results = results();
    let load = &results["auth_overhead"]["load_average"];
    assert!(
        load["start"].is_f64() && load["end"].is_f64(),
        "auth_overhead.load_average (how busy the machine was) is missing: {load}"
    );
    for backend in ["fastapi", "express", "axum"] {
        let context = format!("auth_overhead.{backend}");
        let ours = &results["auth_overhead"][backend];
        let peer = &ours["peer"];
        for name in [
            "ratio",
            "added_us",
            "added_us_distinct",
            "added_distinct_vs_floor",
            "distinct_twin_vs_peer",
        ] {
            assert_figure(peer, name, &format!("{context}.peer"));
        }
        assert!(
            peer["jwks_fetches"].as_u64().is_some_and(|n| n >= 1),
            "{context}.peer.jwks_fetches is not a count of fetches: {peer}"
        );
        assert!(
            peer["setup"].is_string() && peer["started_with"].is_string(),
            "{context}.peer does not say what it is: {peer}"
        );
        // Measured in the same runs as ours, and compared within each of them.
        assert_eq!(
            peer["stats"]["added_us_distinct"]["runs"], ours["stats"]["added_us_distinct"]["runs"],
            "{context}: ours and the peer come from different runs"
        );
        assert_figure(ours, "distinct_vs_peer", &context);
        assert!(
            ours["targets_met"].is_boolean(),
            "{context}.targets_met: {ours}"
        );
    }
}

#[test]
fn auth_instructions_count_ours_the_peer_and_its_twin_per_backend() {
    let results = results();
    for backend in ["fastapi", "express", "axum"] {
        let context = format!("auth_instructions.{backend}");
        let counted = &results["auth_instructions"][backend];
        for server in ["ours", "peer", "peer_twin"] {
            let figures = &counted[server];
            let number = |name: &str| {
                figures[name].as_f64().unwrap_or_else(|| {
                    panic!("{context}.{server}.{name} is not a count: {counted}")
                })
            };
            let (health, distinct) = (
                number("instructions_health"),
                number("instructions_distinct"),
            );
            assert!(
                health > 0.0 && distinct > health,
                "{context}.{server}: {figures}"
            );
            // Each figure is rounded on its own.
            let added = number("added_instructions_distinct");
            assert!(
                (added - (distinct - health)).abs() <= 1.0,
                "{context}.{server}: added {added} is not distinct - health"
            );
        }
        let peer_added = counted["peer"]["added_instructions_distinct"]
            .as_f64()
            .unwrap();
        for (ratio, server) in [("distinct_vs_peer", "ours"), ("twin_vs_peer", "peer_twin")] {
            let added = counted[server]["added_instructions_distinct"]
                .as_f64()
                .unwrap();
            let published = counted[ratio].as_f64().unwrap();
            assert!(
                (published - added / peer_added).abs() < 0.001,
                "{context}.{ratio} is {published}, not {added} / {peer_added}"
            );
        }
    }
}

#[test]
fn time_to_first_200_has_a_total_and_every_step() {
    let results = results();
    for combo in ["monolithic", "separate+fastapi", "separate+axum"] {
        let context = format!("time_to_first_200.{combo}");
        let figures = &results["time_to_first_200"][combo];
        assert_figure(figures, "total_s", &context);
        let steps = &figures["steps"];
        let mut sum = 0.0;
        for step in ["generate", "setup", "build", "start", "first_request"] {
            assert_figure(steps, step, &format!("{context}.steps"));
            sum += steps[step].as_f64().unwrap();
        }
        // Medians of steps need not add up to the median total exactly, but closely.
        let total = figures["total_s"].as_f64().unwrap();
        assert!(
            (sum - total).abs() <= total * 0.25,
            "{context}: steps sum to {sum}, total {total}"
        );
    }
}

#[test]
fn cold_start_has_a_total_every_step_and_its_target() {
    let results = results();
    let context = "cold_start.monolithic+sqlite";
    let figures = &results["cold_start"]["monolithic+sqlite"];
    assert_figure(figures, "total_s", context);
    let steps = &figures["steps"];
    let mut sum = 0.0;
    for step in ["build_xtask", "new", "start", "first_request"] {
        assert_figure(steps, step, &format!("{context}.steps"));
        sum += steps[step].as_f64().unwrap();
    }
    let total = figures["total_s"].as_f64().unwrap();
    assert!(
        (sum - total).abs() <= total * 0.25,
        "{context}: steps sum to {sum}, total {total}"
    );
    assert_eq!(figures["target_s"], 120.0, "{context}: {figures}");
    assert_eq!(
        figures["target_met"].as_bool(),
        Some(total <= 120.0),
        "{context}: {figures}"
    );
    let load = &results["cold_start"]["load_average"];
    assert!(
        load["start"].is_f64() && load["end"].is_f64(),
        "cold_start.load_average (how busy the machine was) is missing: {load}"
    );
}

#[test]
fn generation_and_token_reuse_are_published() {
    let results = results();
    assert_figure(&results["generation"], "one_project_s", "generation");
    assert_figure(&results["generation"], "all_combinations_s", "generation");
    assert_figure(&results["token_reuse"], "token_requests", "token_reuse");
    assert_figure(&results["token_reuse"], "mint_ms", "token_reuse");
    assert!(results["machine"]["cpu"].is_string());
}

#[test]
fn the_markdown_names_the_command_of_every_part() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
    let markdown = std::fs::read_to_string(path).expect("BENCHMARKS.md exists");
    for part in [
        "generation",
        "first-200",
        "cold-start",
        "auth",
        "auth-instructions",
        "token-reuse",
    ] {
        assert!(
            markdown.contains(&format!("cargo xtask bench --only {part}`")),
            "BENCHMARKS.md does not name the command for {part}"
        );
    }
    // The auth part shows ours beside the peer and the targets that replaced "distinct ≤ 1.5 × floor".
    for shown in [
        "fastapi peer",
        "express peer",
        "axum peer",
        "target ≤ 1.05",
        "target ≤ 0.5",
    ] {
        assert!(
            markdown.contains(shown),
            "BENCHMARKS.md does not show `{shown}`"
        );
    }
    assert!(
        !markdown.contains("target ≤ 1.5"),
        "BENCHMARKS.md still shows the old distinct target"
    );
}
