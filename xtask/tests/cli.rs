//! The cargo-generate CLI (0.26, built from the library by src/bin/cargo-generate.rs, since
//! `cargo install cargo-generate` fails on rustc 1.95) driven in a terminal through the template's questions,
//! exactly as `cargo generate --path <checkout> --name my-app` runs for a user.

mod terminal;

use std::path::Path;

use terminal::{DOWN, ENTER, Terminal};

const SECRET: &str = "S3cretPW";

fn cargo_generate(cwd: &Path) -> Terminal {
    let root = xtask::project_root();
    Terminal::spawn(
        Path::new(env!("CARGO_BIN_EXE_cargo-generate")),
        // The bare command a user types.
        &[
            "generate",
            "--path",
            root.to_str().unwrap(),
            "--name",
            "my-app",
        ],
        cwd,
        &[],
    )
}

/// Takes the default of every question after the database URL.
fn answer_later_questions(terminal: &mut Terminal) {
    for question in terminal::later_questions() {
        terminal.expect(&question);
        terminal.send(ENTER);
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The value of `KEY=` in an env file.
fn env_value(path: &Path, key: &str) -> String {
    read(path)
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{} has no {key}", path.display()))
        .to_string()
}

#[test]
fn separate_asks_architecture_backend_database_then_the_urls_and_says_the_next_step_once() {
    let cwd = tempfile::tempdir().unwrap();
    let mut terminal = cargo_generate(cwd.path());
    terminal.expect("Architecture?");
    terminal.send(&format!("{DOWN}{ENTER}")); // separate
    terminal.expect("Backend that verifies the JWTs?");
    terminal.send(&format!("{DOWN}{ENTER}")); // express
    terminal.expect("Database?");
    terminal.send(&format!("{DOWN}{ENTER}")); // postgres
    terminal.expect("URL of the Next.js app");
    terminal.send(ENTER);
    terminal.expect("URL of the backend");
    terminal.send(ENTER);
    terminal.expect("PostgreSQL URL");
    // A server URL without a database: the project gets its own, named after it.
    terminal.send(&format!(
        "postgresql://postgres:{SECRET}@127.0.0.1:5432{ENTER}"
    ));
    answer_later_questions(&mut terminal);
    let summary = terminal.expect("Generate this project?");
    assert!(
        summary.contains("postgresql://postgres:***@127.0.0.1:5432/my_app"),
        "the summary shows the URL redacted:\n{summary}"
    );
    terminal.send("y");
    let (code, screen) = terminal.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("sub-template"), "{screen}");
    assert_eq!(
        screen
            .matches("Next: cd my-app && cargo xtask setup")
            .count(),
        1,
        "{screen}"
    );

    assert_eq!(entries(cwd.path()), ["my-app"]);
    let project = cwd.path().join("my-app");
    let manifest = read(&project.join("better-auth.toml"));
    for line in [
        "architecture = \"separate\"",
        "backend = \"express\"",
        "database = \"postgres\"",
    ] {
        assert!(manifest.contains(line), "{manifest}");
    }
    assert!(project.join("backend/package.json").is_file());
    assert_eq!(
        env_value(&project.join("frontend/.env"), "DATABASE_URL"),
        format!("postgresql://postgres:{SECRET}@127.0.0.1:5432/my_app")
    );
    assert_eq!(
        env_value(&project.join("frontend/.env.example"), "DATABASE_URL"),
        "postgresql://postgres:***@127.0.0.1:5432/my_app"
    );
}

#[test]
fn monolithic_asks_no_backend_question_and_accepts_a_trailing_slash() {
    let cwd = tempfile::tempdir().unwrap();
    let mut terminal = cargo_generate(cwd.path());
    terminal.expect("Architecture?");
    terminal.send(ENTER); // monolithic
    terminal.expect("Database?");
    terminal.send(ENTER); // sqlite
    terminal.expect("URL of the Next.js app");
    terminal.send(&format!("http://localhost:3001/{ENTER}"));
    terminal.expect("SQLite database");
    terminal.send(ENTER);
    answer_later_questions(&mut terminal);
    terminal.expect("Generate this project?");
    terminal.send("y");
    let (code, screen) = terminal.finish();
    assert_eq!(code, 0, "{screen}");
    for absent in [
        "sub-template",
        "Backend that verifies",
        "URL of the backend",
    ] {
        assert!(!screen.contains(absent), "asked {absent:?}:\n{screen}");
    }
    assert_eq!(
        screen
            .matches("Next: cd my-app && cargo xtask setup")
            .count(),
        1,
        "{screen}"
    );
    let project = cwd.path().join("my-app");
    assert!(
        read(&project.join("better-auth.toml")).contains("frontend = \"http://localhost:3001\"")
    );
    assert_eq!(
        env_value(&project.join("frontend/.env"), "BETTER_AUTH_URL"),
        "http://localhost:3001"
    );
    assert!(!project.join("backend").exists());
}

/// Answers every question with its default and declines at the summary.
fn decline(terminal: &mut Terminal) {
    for question in [
        "Architecture?",
        "Database?",
        "URL of the Next.js app",
        "SQLite database",
    ] {
        terminal.expect(question);
        terminal.send(ENTER);
    }
    answer_later_questions(terminal);
    terminal.expect("Generate this project?");
    terminal.send("n");
}

#[test]
fn declining_leaves_nothing() {
    let cwd = tempfile::tempdir().unwrap();
    let mut terminal = cargo_generate(cwd.path());
    decline(&mut terminal);
    // cargo-generate made the project folder before the first question; removing it takes a command, and
    // cargo-generate asks before it runs one (choices: yes, no; the cursor starts on no).
    terminal.expect("rmdir");
    terminal.send(&format!("\x1b[A{ENTER}"));
    let (code, screen) = terminal.finish();
    assert_ne!(code, 0, "{screen}");
    assert!(
        screen.contains("Cancelled: nothing was generated."),
        "{screen}"
    );
    assert_eq!(entries(cwd.path()), Vec::<String>::new(), "{screen}");
}

#[test]
fn declining_and_refusing_the_cleanup_command_names_the_folder_left() {
    let cwd = tempfile::tempdir().unwrap();
    let mut terminal = cargo_generate(cwd.path());
    decline(&mut terminal);
    terminal.expect("rmdir");
    terminal.send(ENTER); // no
    let (code, screen) = terminal.finish();
    assert_ne!(code, 0, "{screen}");
    let folder = cwd.path().join("my-app");
    assert!(
        screen.contains(&format!("the empty folder {}", folder.display())),
        "{screen}"
    );
    assert_eq!(entries(&folder), Vec::<String>::new());
}

/// The CLI without a terminal (`--silent`, answers as `-d`), from `cwd`.
fn cargo_generate_silent(cwd: &Path, name: &str, defines: &[&str]) -> (bool, String) {
    let root = xtask::project_root();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-generate"));
    command
        .args([
            "generate",
            "--path",
            root.to_str().unwrap(),
            "--name",
            name,
            "--silent",
        ])
        .args(["-d", "confirm=true"])
        .current_dir(cwd)
        .stdin(std::process::Stdio::null());
    for define in defines {
        command.args(["-d", define]);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), terminal::plain(text.as_bytes()))
}

#[test]
fn the_cli_refuses_bad_input_with_the_expected_form_and_names_the_folder_it_cannot_remove() {
    for (name, defines, expected) in [
        (
            "appé",
            &[][..],
            "use lower-case ASCII letters, digits, - and _",
        ),
        ("1app", &[][..], "starting with a letter"),
        (
            "my-app",
            &["frontend_url=http://localhost:0"][..],
            "the port must be 1-65535; expected http(s)://HOST[:PORT]",
        ),
        (
            "my-app",
            &[
                "architecture=separate",
                "frontend_url=http://localhost:8000/",
            ][..],
            "use the same port",
        ),
        (
            "my-app",
            &[
                "architecture=monolithic",
                "backend_url=http://localhost:8000",
            ][..],
            "backend_url is only for architecture=separate",
        ),
        (
            "my-app",
            &["database=mysql", "database_url=postgresql://u:pw@h/db"][..],
            "mysql needs a database_url of the form mysql://USER[:PASSWORD]@HOST[:PORT][/DB], not postgresql://u:***@h/db",
        ),
    ] {
        let cwd = tempfile::tempdir().unwrap();
        let (success, screen) = cargo_generate_silent(cwd.path(), name, defines);
        assert!(!success, "{defines:?} was accepted:\n{screen}");
        assert!(screen.contains(expected), "{defines:?}:\n{screen}");
        // With --silent cargo-generate cannot ask to run `rmdir`: the message says what it left.
        let folder = cwd.path().join(name);
        assert!(
            screen.contains(&format!("the empty folder {}: rmdir it", folder.display())),
            "{screen}"
        );
        assert!(!folder.join("frontend").exists(), "nothing was rendered");
    }
}

#[test]
fn the_cli_names_the_database_after_the_project_and_keeps_secrets_in_env_files() {
    let cwd = tempfile::tempdir().unwrap();
    let (success, screen) = cargo_generate_silent(
        cwd.path(),
        "cli-app",
        &[
            "database=mysql",
            &format!("database_url=mysql://root:{SECRET}@127.0.0.1:3306"),
        ],
    );
    assert!(success, "{screen}");
    let project = cwd.path().join("cli-app");
    assert_eq!(
        env_value(&project.join("frontend/.env"), "DATABASE_URL"),
        format!("mysql://root:{SECRET}@127.0.0.1:3306/cli_app")
    );
    assert_eq!(
        env_value(&project.join("frontend/.env.example"), "DATABASE_URL"),
        "mysql://root:***@127.0.0.1:3306/cli_app"
    );
    let setup = read(&project.join("docs/SETUP.md"));
    assert!(setup.contains("CREATE DATABASE cli_app"), "{setup}");
}
