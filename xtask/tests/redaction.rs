//! Issue 13 item 1: a password or token in the database URL reaches only the git-ignored `.env` files. Every
//! case of the one redaction rule (`project_xtask::project::url::REDACTION_CASES`) is rendered through the
//! real template, whose hook redacts with its own copy of the rule: the committed files must show exactly
//! `redact(input)`, and the secret must appear nowhere else, on the terminal neither.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use project_xtask::project::EnvFile;
use project_xtask::project::url::{MASK, REDACTION_CASES, redact};

/// The database each URL is rendered with: one that accepts its form.
fn database_for(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        if url.contains("neon.tech") {
            "neon"
        } else {
            "postgres"
        }
    } else if url.starts_with("mysql://") {
        "mysql"
    } else if url.starts_with("file:") {
        "sqlite"
    } else {
        "turso"
    }
}

/// The parts of `input` that `redact` replaces with `***`, each with the `:` or `=` before it (so a short
/// token such as `abc` is not found in unrelated words).
fn secrets(input: &str) -> Vec<String> {
    let redacted = redact(input);
    let pieces: Vec<&str> = redacted.split(MASK).collect();
    let mut secrets = Vec::new();
    let mut at = pieces[0].len();
    for piece in &pieces[1..] {
        let end = if piece.is_empty() {
            input.len()
        } else {
            at + 1
                + input[at + 1..]
                    .find(piece)
                    .expect("the rest of the URL is kept")
        };
        secrets.push(input[at - 1..end].to_string());
        at = end + piece.len();
    }
    secrets
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// `key` in the env file at `path`, read as the project's own xtask reads it.
fn env_value(path: &Path, key: &str) -> String {
    EnvFile::load(path)
        .unwrap()
        .get(key)
        .unwrap_or_else(|| panic!("{} has no {key}", path.display()))
}

#[test]
fn the_cases_have_secrets_to_find() {
    assert_eq!(
        secrets("postgres://u:p%40ss@w@host/db"),
        [":p%40ss@w"],
        "the secret finder itself"
    );
    assert!(
        REDACTION_CASES
            .iter()
            .filter(|(input, _)| !secrets(input).is_empty())
            .count()
            >= 5
    );
}

#[test]
fn committed_files_and_the_terminal_show_database_urls_redacted_and_only_env_files_hold_them() {
    let root = xtask::project_root();
    // A file copied byte for byte from the template cannot carry the input (the template's own sources hold
    // the test cases, secrets included): only files the rendering wrote are searched.
    let verbatim: HashSet<Vec<u8>> = files_below(&root.join("template"))
        .iter()
        .filter_map(|file| std::fs::read(file).ok())
        .collect();
    for (index, (input, expected)) in REDACTION_CASES.iter().enumerate() {
        let database = database_for(input);
        let dest = tempfile::tempdir().unwrap();
        let name = format!("case{index}");
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["new", &name, "--backend", "express", "--database", database])
            .args(["--database-url", input, "--no-setup", "--dest"])
            .arg(dest.path())
            .output()
            .unwrap();
        let terminal = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{input}: {terminal}");
        let project = dest.path().join(&name);

        // The .env files hold the URL as given (a file: URL is the frontend's; the backend has its own).
        assert_eq!(
            env_value(&project.join("frontend/.env"), "DATABASE_URL"),
            *input
        );
        // The committed ones show exactly what the Rust rule shows.
        assert_eq!(
            env_value(&project.join("frontend/.env.example"), "DATABASE_URL"),
            *expected,
            "{input}"
        );
        if database != "sqlite" && database != "turso" {
            assert_eq!(
                env_value(&project.join("backend/.env"), "DATABASE_URL"),
                *input
            );
            assert_eq!(
                env_value(&project.join("backend/.env.example"), "DATABASE_URL"),
                *expected
            );
        }
        for secret in secrets(input) {
            assert!(
                !terminal.contains(&secret),
                "{input}: the terminal shows {secret}:\n{terminal}"
            );
            for file in files_below(&project) {
                let bytes = std::fs::read(&file).unwrap();
                let is_env = file.file_name().is_some_and(|name| name == ".env");
                if is_env || verbatim.contains(&bytes) {
                    continue;
                }
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(&secret),
                    "{input}: {} holds {secret}",
                    file.display()
                );
            }
        }
    }
}
