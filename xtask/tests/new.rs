//! `cargo xtask new`, driven as a user drives it: the binary, without a terminal (and in one, where it asks).

mod terminal;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use project_xtask::project::EnvFile;

use terminal::{DOWN, ENTER, Terminal};

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
            "postgres needs postgresql://USER[:PASSWORD]@HOST[:PORT][/DB]",
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

/// Runs `new` and expects a refusal: non-zero, one line naming `expected`, and nothing written in or beside
/// `dest` (which does not exist before).
fn assert_refused_before_any_work(args: &[&str], expected: &str) {
    let parent = tempfile::tempdir().unwrap();
    let dest = parent.path().join("dest");
    let output = xtask_new(&dest, args);
    let message = stderr(&output);
    assert!(!output.status.success(), "{args:?} was accepted");
    assert!(message.contains(expected), "{args:?}: {message}");
    assert_eq!(
        message.trim().lines().count(),
        1,
        "{args:?}: one line, got:\n{message}"
    );
    assert_eq!(
        std::fs::read_dir(parent.path()).unwrap().count(),
        0,
        "{args:?} wrote something"
    );
}

#[test]
fn names_that_are_not_a_package_name_in_every_language_are_refused_before_any_work() {
    for (name, expected) in [
        ("", "the project name is empty"),
        (
            "../x",
            "is a path: name the project (e.g. my-app) and choose its folder with --dest",
        ),
        ("a/b", "is a path"),
        (
            "appé",
            "use lower-case ASCII letters, digits, - and _, starting with a letter",
        ),
        ("MyApp", "has upper-case letters (npm refuses them)"),
    ] {
        assert_refused_before_any_work(&[name], expected);
    }
    // The suggestion is a name that works.
    assert_refused_before_any_work(&["MyApp"], "e.g. myapp");
}

#[test]
fn urls_are_checked_before_anything_is_copied() {
    let form = "expected http(s)://HOST[:PORT]";
    for (args, expected) in [
        (&["x", "--frontend-url", "http://localhost:0"][..], form),
        (&["x", "--frontend-url", "http://localhost:99999"][..], form),
        (
            &[
                "x",
                "--architecture",
                "separate",
                "--backend-url",
                "http://localhost:0",
            ][..],
            form,
        ),
        (
            &[
                "x",
                "--architecture",
                "separate",
                "--frontend-url",
                "http://localhost:8000",
            ][..],
            "would listen on the same port",
        ),
        (
            &[
                "x",
                "--backend",
                "axum",
                "--frontend-url",
                "http://127.0.0.1:9000",
                "--backend-url",
                "http://localhost:9000/",
            ][..],
            "would listen on the same port",
        ),
        (
            &[
                "x",
                "--architecture",
                "monolithic",
                "--backend-url",
                "http://localhost:8000",
            ][..],
            "--backend-url is only for --architecture separate",
        ),
        (
            &[
                "x",
                "--database",
                "mysql",
                "--database-url",
                "postgresql://u:pw@h/db",
            ][..],
            "mysql needs mysql://USER[:PASSWORD]@HOST[:PORT][/DB]",
        ),
        (
            &["x", "--database", "sqlite", "--database-url", "auth.db"][..],
            "sqlite needs file:PATH",
        ),
        (
            &[
                "x",
                "--database",
                "turso",
                "--database-url",
                "postgresql://h/db",
            ][..],
            "turso needs file:PATH, libsql://HOST or https://HOST",
        ),
    ] {
        assert_refused_before_any_work(args, expected);
    }
}

#[test]
fn a_trailing_slash_on_the_app_urls_is_accepted_and_dropped() {
    let dest = tempfile::tempdir().unwrap();
    let output = xtask_new(
        dest.path(),
        &[
            "slash",
            "--backend",
            "fastapi",
            "--frontend-url",
            "http://localhost:3100/",
            "--backend-url",
            "http://localhost:8100/",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let project = dest.path().join("slash");
    let manifest = std::fs::read_to_string(project.join("better-auth.toml")).unwrap();
    assert!(
        manifest.contains("frontend = \"http://localhost:3100\"")
            && manifest.contains("backend = \"http://localhost:8100\""),
        "{manifest}"
    );
    assert_eq!(env_value(&project.join("backend/.env"), "PORT"), "8100");
}

/// `key` in the env file at `path`, read as the project's own xtask reads it.
fn env_value(path: &Path, key: &str) -> String {
    EnvFile::load(path)
        .unwrap()
        .get(key)
        .unwrap_or_else(|| panic!("{} has no {key}", path.display()))
}

#[test]
fn server_databases_are_named_after_the_project() {
    let dest = tempfile::tempdir().unwrap();
    for (name, database, expected) in [
        (
            "my-app",
            "postgres",
            "postgresql://postgres@127.0.0.1:5432/my_app",
        ),
        (
            "other-app",
            "postgres",
            "postgresql://postgres@127.0.0.1:5432/other_app",
        ),
        ("my-app2", "mysql", "mysql://root@127.0.0.1:3306/my_app2"),
        (
            "neon_app",
            "neon",
            "postgresql://postgres@127.0.0.1:5432/neon_app",
        ),
        // The Supabase CLI's local stack has one database, `postgres`.
        (
            "supa",
            "supabase",
            "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
        ),
    ] {
        let output = xtask_new(dest.path(), &[name, "--database", database]);
        assert!(output.status.success(), "{}", stderr(&output));
        let env = dest.path().join(name).join("frontend/.env");
        assert_eq!(
            env_value(&env, "DATABASE_URL"),
            expected,
            "{name} on {database}"
        );
    }
    // A URL that names its database keeps it; one without gets the project's, before its query.
    for (url, expected) in [
        (
            "postgresql://u@db.example.com:5432/shared",
            "postgresql://u@db.example.com:5432/shared",
        ),
        (
            "postgresql://u@db.example.com:5432?sslmode=require",
            "postgresql://u@db.example.com:5432/given_url?sslmode=require",
        ),
    ] {
        let dest = tempfile::tempdir().unwrap();
        let output = xtask_new(
            dest.path(),
            &["given-url", "--database", "postgres", "--database-url", url],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let env = dest.path().join("given-url/frontend/.env");
        assert_eq!(env_value(&env, "DATABASE_URL"), expected);
    }
}

#[test]
fn with_no_setup_the_next_step_is_said_once() {
    let dest = tempfile::tempdir().unwrap();
    let output = xtask_new(dest.path(), &["once"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert_eq!(all.matches("Next: ").count(), 1, "{all}");
    assert!(all.contains("Next: cd "), "{all}");
}

/// Every file below `dir`, relative to it.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    files
}

/// `new` in a terminal, waiting at its first question (whichever it is: the staging folder and every copy exist
/// before cargo-generate asks anything). Its temp folder is `tmp`, so the test sees the copies made there.
fn new_in_a_terminal(dest: &Path, tmp: &Path) -> Terminal {
    let mut terminal = Terminal::spawn(
        Path::new(env!("CARGO_BIN_EXE_xtask")),
        &[
            "new",
            "asked",
            "--dest",
            dest.to_str().unwrap(),
            "--no-setup",
        ],
        tmp,
        &[("TMPDIR", tmp)],
    );
    // cargo-generate marks every question with this emoji.
    terminal.expect("🤷");
    terminal
}

#[test]
fn only_the_template_and_hooks_are_copied_whatever_else_the_checkout_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tempfile::tempdir().unwrap();
    let terminal = new_in_a_terminal(dest.path(), tmp.path());
    // Waiting at a question, generation has made every copy it makes.
    let copied = files_below(tmp.path());
    assert!(
        copied
            .iter()
            .any(|f| f.ends_with("template/frontend/package.json")),
        "{copied:?}"
    );
    // The old way copied the whole checkout: xtask/, e2e/, bench/, references/, generated projects...
    let outside: Vec<_> = copied
        .iter()
        .filter(|file| {
            !file.ends_with("values.toml")
                && !file
                    .components()
                    .any(|c| c.as_os_str() == "template" || c.as_os_str() == "hooks")
        })
        .collect();
    assert!(
        outside.is_empty(),
        "copied from outside template/ and hooks/: {outside:?}"
    );
    terminal.signal("TERM");
    terminal.finish();
}

#[test]
fn new_takes_the_same_time_whatever_else_is_in_the_checkout() {
    // A checkout with the template, and one that also holds a generated project with a large node_modules.
    let root = xtask::project_root();
    let clean = tempfile::tempdir().unwrap();
    for dir in ["template", "hooks"] {
        copy_dir(&root.join(dir), &clean.path().join(dir));
    }
    let busy = tempfile::tempdir().unwrap();
    for dir in ["template", "hooks"] {
        copy_dir(&root.join(dir), &busy.path().join(dir));
    }
    let junk = busy.path().join("old-app/frontend/node_modules");
    for package in 0..400 {
        let dir = junk.join(format!("package-{package}"));
        std::fs::create_dir_all(&dir).unwrap();
        for file in 0..50 {
            std::fs::write(dir.join(format!("f{file}.js")), [b'x'; 4096]).unwrap();
        }
    }
    let time = |checkout: &Path| {
        let dest = tempfile::tempdir().unwrap();
        let start = Instant::now();
        xtask::generate::generate_from(
            checkout,
            "timed",
            &xtask::combination::Choices::default(),
            dest.path(),
            xtask::generate::Interaction::Quiet,
        )
        .unwrap();
        start.elapsed()
    };
    let _warm_up = time(clean.path());
    let clean_time = time(clean.path());
    let busy_time = time(busy.path());
    // Copying 20 000 files (80 MB) alone takes longer than this margin.
    assert!(
        busy_time < clean_time * 2 + Duration::from_millis(500),
        "clean checkout {clean_time:?}, with a generated project {busy_time:?}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn assert_an_interrupt_leaves_nothing(signal: &str, code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tempfile::tempdir().unwrap();
    let dest = parent.path().join("made-by-new");
    let terminal = new_in_a_terminal(&dest, tmp.path());
    // Mid-generation: the staging folder and the temporary copies exist.
    assert_eq!(files_below(&dest).len(), 0, "nothing is in place yet");
    assert!(
        std::fs::read_dir(&dest).unwrap().count() > 0,
        "a staging folder exists"
    );
    assert!(
        !files_below(tmp.path()).is_empty(),
        "the temporary copies exist"
    );
    terminal.signal(signal);
    let (exit, screen) = terminal.finish();
    assert_eq!(exit, code, "{screen}");
    assert!(!dest.exists(), "the --dest new created is left:\n{screen}");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "temporary copies are left"
    );
}

#[test]
fn ctrl_c_during_new_leaves_nothing_behind() {
    assert_an_interrupt_leaves_nothing("INT", 130);
}

#[test]
fn sigterm_during_new_leaves_nothing_behind() {
    assert_an_interrupt_leaves_nothing("TERM", 143);
}

#[test]
fn closing_the_terminal_during_new_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tempfile::tempdir().unwrap();
    let dest = parent.path().join("made-by-new");
    let terminal = new_in_a_terminal(&dest, tmp.path());
    assert!(dest.exists());
    terminal.close();
    let deadline = Instant::now() + Duration::from_secs(20);
    while (dest.exists() || std::fs::read_dir(tmp.path()).unwrap().count() > 0)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!dest.exists(), "the --dest new created is left");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "temporary copies are left"
    );
}

#[test]
fn in_a_terminal_new_asks_in_the_cli_order_and_a_decline_removes_the_dest_it_created() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tempfile::tempdir().unwrap();
    let dest = parent.path().join("made-by-new");
    let mut terminal = Terminal::spawn(
        Path::new(env!("CARGO_BIN_EXE_xtask")),
        &[
            "new",
            "asked",
            "--dest",
            dest.to_str().unwrap(),
            "--no-setup",
        ],
        tmp.path(),
        &[("TMPDIR", tmp.path())],
    );
    for (question, keys) in [
        ("Architecture?", format!("{DOWN}{ENTER}")),
        ("Backend that verifies the JWTs?", ENTER.to_string()),
        ("Database?", ENTER.to_string()),
        ("URL of the Next.js app", ENTER.to_string()),
        ("URL of the backend", ENTER.to_string()),
        ("SQLite database", ENTER.to_string()),
    ] {
        terminal.expect(question);
        terminal.send(&keys);
    }
    for question in terminal::later_questions() {
        terminal.expect(&question);
        terminal.send(ENTER);
    }
    terminal.expect("Generate this project?");
    terminal.send("n");
    let (exit, screen) = terminal.finish();
    assert_eq!(exit, 1, "{screen}");
    assert!(
        screen.contains("Cancelled: nothing was generated."),
        "{screen}"
    );
    assert!(
        !screen.contains("rmdir"),
        "new removes its own staging folder:\n{screen}"
    );
    assert!(!dest.exists(), "{screen}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// `new` without `--no-setup`: the project's dependencies install while its automation compiles (two waits
/// of a first `new` that need different things: the network and disk vs the CPUs), then the project's own
/// `cargo xtask setup` finds them installed.
#[test]
fn new_installs_the_dependencies_while_the_projects_automation_compiles() {
    let dest = tempfile::tempdir().unwrap();
    let mut new = Command::new(env!("CARGO_BIN_EXE_xtask"));
    new.args(["new", "demo", "--architecture", "monolithic"])
        .args(["--database", "sqlite", "--yes", "--dest"])
        .arg(dest.path());
    // The generated projects' shared target folder when the run has one (.ci/run does): one sqlx compile.
    if let Some(dir) = std::env::var_os("GENERATED_CARGO_TARGET_DIR") {
        new.env("CARGO_TARGET_DIR", dir);
    }
    let output = new.output().unwrap();
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    let position = |text: &str| {
        err.find(text)
            .unwrap_or_else(|| panic!("`{text}` is missing from:\n{err}"))
    };
    let side_by_side = position(
        "Compiling the project's automation (`cargo xtask`) while its dependencies install",
    );
    let installed = position("Install frontend dependencies (npm)");
    let setup = position("Setting up with the project's `cargo xtask setup`");
    assert!(side_by_side < installed && installed < setup, "{err}");
    assert!(
        err[setup..].contains("already up to date"),
        "setup installed again:\n{err}"
    );
    assert!(
        dest.path()
            .join("demo/frontend/node_modules/.bin/next")
            .exists()
    );
}
