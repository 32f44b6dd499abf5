//! `cargo xtask --help` inside a project mentions only what its variant has.

use std::process::Command;

fn help_in(architecture: &str, backend: &str, args: &[&str]) -> String {
    let root = std::env::temp_dir().join(format!(
        "px-help-{architecture}-{backend}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(root.join("frontend")).unwrap();
    std::fs::write(
        root.join("better-auth.toml"),
        format!(
            "[project]\nname = \"h\"\narchitecture = \"{architecture}\"\nbackend = \"{backend}\"\ndatabase = \"sqlite\"\n\n[urls]\nfrontend = \"http://localhost:3000\"\nbackend = \"http://localhost:8000\"\n"
        ),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_project-xtask"))
        .args(args)
        .current_dir(&root)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&root).unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_monolithic_projects_help_has_no_backend() {
    for args in [&["--help"][..], &["dev", "--help"], &["-h"]] {
        let help = help_in("monolithic", "none", args);
        for word in ["backend", "--only", "uv", "cargo build", "both"] {
            assert!(!help.contains(word), "`{word}` in: {help}");
        }
        assert!(
            help.contains("xtask dev") && help.contains("Start the frontend"),
            "{help}"
        );
    }
}

#[test]
fn a_separate_projects_help_names_its_backend_tool() {
    let help = help_in("separate", "fastapi", &["--help"]);
    assert!(help.contains("--only <app>"), "{help}");
    assert!(help.contains("the backend's (uv, or venv + pip)"), "{help}");
    assert!(!help.contains("[separate"), "{help}");
    let help = help_in("separate", "axum", &["--help"]);
    assert!(help.contains("the backend's (cargo build)"), "{help}");
}
