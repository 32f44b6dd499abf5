//! The generated project's `cargo xtask setup`, run the way `cargo xtask new` runs it (linked, not
//! compiled again): a fresh project ends with a verified schema, a re-run is fast and keeps the secret,
//! and a database missing from a local server is created.

mod support;

use std::time::Instant;

use project_xtask::Project;
use project_xtask::project::Database;
use project_xtask::setup::Options;
use support::{MyDatabase, PgDatabase, TestProject, database_name, monolithic};

/// `verify` finds nothing wrong with the live schema.
fn assert_schema_verified(project: &Project) {
    let report = project_xtask::verify::inspect(project).expect("verify runs");
    assert!(report.problems().is_empty(), "{}", report.to_text());
}

fn secret_of(project: &Project) -> String {
    project
        .frontend_env()
        .unwrap()
        .get_non_empty("BETTER_AUTH_SECRET")
        .expect("setup wrote a secret")
}

#[test]
fn setup_on_a_fresh_default_project_reaches_a_verified_schema() {
    let dir = tempfile::Builder::new()
        .prefix("ba2-setup-")
        .tempdir()
        .unwrap();
    // The default choices: monolithic + SQLite.
    let root = xtask::generate::generate(&monolithic(Database::Sqlite), dir.path()).unwrap();
    let project = Project::load(&root).unwrap();
    assert_eq!(
        project
            .frontend_env()
            .unwrap()
            .get_non_empty("BETTER_AUTH_SECRET"),
        None
    );

    // Everything for real: Node 22 (project-local when the system one is older), npm install, migrate.
    let started = Instant::now();
    project_xtask::setup(&project, &Options::default()).expect("setup succeeds");
    eprintln!("first setup: {:.1}s", started.elapsed().as_secs_f64());
    let secret = secret_of(&project);
    assert_eq!(project_xtask::secret::check_strength(&secret), Ok(()));
    assert_schema_verified(&project);

    let started = Instant::now();
    project_xtask::setup(&project, &Options::default()).expect("a second setup succeeds");
    let second = started.elapsed();
    eprintln!("second setup: {:.1}s", second.as_secs_f64());
    assert_eq!(secret_of(&project), secret, "an existing secret is kept");
    // Nothing is installed again: only the migration check and the schema check run (~4 s here).
    assert!(second.as_secs() < 30, "a re-run took {second:?}");
}

#[test]
fn setup_creates_a_missing_local_postgres_database() {
    let test = TestProject::new(&monolithic(Database::Postgres));
    // Dropped at the end of the test whether or not setup created it.
    let db = PgDatabase {
        name: database_name("ba2_px_setup"),
    };
    test.set_frontend_env("DATABASE_URL", &db.url());
    project_xtask::setup(&test.project, &Options { no_install: true })
        .expect("setup creates and migrates it");
    assert_schema_verified(&test.project);
}

#[test]
fn setup_creates_a_missing_local_mysql_database() {
    let test = TestProject::new(&monolithic(Database::Mysql));
    let db = MyDatabase {
        name: database_name("ba2_px_setup"),
    };
    test.set_frontend_env("DATABASE_URL", &db.url());
    project_xtask::setup(&test.project, &Options { no_install: true })
        .expect("setup creates and migrates it");
    assert_schema_verified(&test.project);
}

#[test]
fn setup_names_an_unreachable_database_server_and_how_to_start_it() {
    let test = TestProject::new(&monolithic(Database::Postgres));
    test.set_frontend_env(
        "DATABASE_URL",
        "postgresql://postgres@127.0.0.1:1/better_auth",
    );
    let err = format!(
        "{:#}",
        project_xtask::setup(&test.project, &Options { no_install: true }).unwrap_err()
    );
    assert!(
        err.contains("127.0.0.1:1") && err.contains("start PostgreSQL"),
        "{err}"
    );
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn credential_files_end_owner_only_and_setup_says_which_it_tightened() {
    let test = TestProject::new(&support::separate(Database::Sqlite));
    let frontend_env = test.frontend().join(".env");
    let backend_env = test.root().join("backend/.env");
    let database = test.frontend().join("auth.db");

    // A database the first migration creates is 0600 (SQLite itself would use the umask's 0644).
    project_xtask::migrate::run(&test.project).expect("migrates");
    assert_eq!(mode(&database), 0o600);

    // Files loosened by hand (or by an older version) are found by the doctor and tightened by setup.
    for file in [&frontend_env, &backend_env, &database] {
        chmod(file, 0o644);
    }
    let warned: Vec<String> = project_xtask::doctor::diagnose(&test.project)
        .into_iter()
        .filter(|f| f.id == "credential-file-readable")
        .map(|f| f.what)
        .collect();
    assert_eq!(warned.len(), 3, "{warned:?}");
    let described: Vec<String> = project_xtask::setup::secure_credential_files(&test.project)
        .unwrap()
        .iter()
        .map(|file| file.describe_tightened())
        .collect();
    assert_eq!(
        described,
        [
            "tightened frontend/.env from 0644 to 0600",
            "tightened backend/.env from 0644 to 0600",
            "tightened frontend/auth.db from 0644 to 0600",
        ]
    );

    for file in [&frontend_env, &backend_env, &database] {
        chmod(file, 0o664);
    }
    project_xtask::setup(&test.project, &Options { no_install: true }).expect("setup works");
    for file in [&frontend_env, &backend_env, &database] {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    assert!(
        project_xtask::setup::secure_credential_files(&test.project)
            .unwrap()
            .is_empty(),
        "nothing left to tighten"
    );
}
