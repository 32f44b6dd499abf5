//! `cargo xtask new`, driven as a user drives it: the binary, without a terminal.

use std::path::Path;
use std::process::{Command, Output};

fn xtask_new(dest: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("new")
        .args(args)
        .arg("--dest")
        .arg(dest)
        .arg("--no-setup")
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn generates_the_choices_given_as_flags() {
    let dest = tempfile::tempdir().unwrap();
    let output = xtask_new(
        dest.path(),
        &[
            "demo",
            "--architecture",
            "separate",
            "--backend",
            "axum",
            "--database",
            "mysql",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest = std::fs::read_to_string(dest.path().join("demo/better-auth.toml")).unwrap();
    assert!(
        manifest.contains("backend = \"axum\"") && manifest.contains("database = \"mysql\""),
        "{manifest}"
    );
    assert!(dest.path().join("demo/backend/Cargo.toml").is_file());
    // Nothing but the project is left in the destination (no staging folder).
    let entries: Vec<_> = std::fs::read_dir(dest.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(entries, ["demo"]);
}

#[test]
fn without_a_terminal_missing_choices_take_the_defaults() {
    let dest = tempfile::tempdir().unwrap();
    let output = xtask_new(dest.path(), &["plain"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest = std::fs::read_to_string(dest.path().join("plain/better-auth.toml")).unwrap();
    assert!(
        manifest.contains("architecture = \"monolithic\"")
            && manifest.contains("database = \"sqlite\""),
        "{manifest}"
    );
    assert!(!dest.path().join("plain/backend").exists());
}

#[test]
fn an_existing_target_folder_is_an_error_that_leaves_it_untouched() {
    let dest = tempfile::tempdir().unwrap();
    let target = dest.path().join("taken");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("mine.txt"), "user data").unwrap();
    let output = xtask_new(dest.path(), &["taken"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("already exists"),
        "{}",
        stderr(&output)
    );
    let entries: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(entries, ["mine.txt"]);
    assert_eq!(
        std::fs::read_to_string(target.join("mine.txt")).unwrap(),
        "user data"
    );
}

#[test]
fn invalid_and_contradictory_choices_are_rejected_and_write_nothing() {
    let dest = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            &["x", "--database", "oracle"][..],
            "sqlite, postgres, mysql",
        ),
        (
            &["x", "--architecture", "monolithic", "--backend", "fastapi"][..],
            "--architecture separate",
        ),
        (&["x", "--backend", "django"][..], "fastapi, express, axum"),
        (
            &[
                "x",
                "--database",
                "postgres",
                "--database-url",
                "mysql://root@localhost/x",
            ][..],
            "database_url",
        ),
    ] {
        let output = xtask_new(dest.path(), args);
        assert!(!output.status.success(), "{args:?} was accepted");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            std::fs::read_dir(dest.path()).unwrap().count(),
            0,
            "{args:?} left files behind"
        );
    }
}
