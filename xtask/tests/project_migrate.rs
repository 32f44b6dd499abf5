//! The generated project's `cargo xtask migrate`: a real `auth migrate --yes` on real databases.
//! Running it twice changes nothing the second time and loses no rows.

mod support;

use project_xtask::Project;
use project_xtask::migrate::{self, Outcome};
use project_xtask::project::Database;
use support::{MyDatabase, PgDatabase, TestProject, monolithic, separate};

/// `verify` finds nothing wrong with the live schema.
fn assert_schema_verified(project: &Project) {
    let report = project_xtask::verify::inspect(project).expect("verify runs");
    assert!(report.problems().is_empty(), "{}", report.to_text());
}

/// Signs a user up through the app's own Better Auth, then prints how many users the database holds.
const SIGN_UP_AND_COUNT: &str = r#"
import { loadAuth, main } from "./scripts/load-auth.mjs";
const auth = await loadAuth();
await main(async () => {
  await auth.api.signUpEmail({ body: { email: "ann@example.com", password: "a-long-password-1", name: "Ann" } });
  return (await auth.$context).adapter.count({ model: "user" });
});
"#;

const COUNT_USERS: &str = r#"
import { loadAuth, main } from "./scripts/load-auth.mjs";
const auth = await loadAuth();
await main(async () => (await auth.$context).adapter.count({ model: "user" }));
"#;

fn migrate_twice_keeps_rows(test: &TestProject, expected_tables: &[&str]) {
    let first = migrate::run(&test.project).expect("the first migration works");
    let Outcome::Migrated(changes) = first else {
        panic!("the first run must migrate, got {first:?}")
    };
    for table in expected_tables {
        assert!(
            changes
                .iter()
                .any(|change| change.ends_with(&format!(" {table} table."))),
            "no change on `{table}` in {changes:?}"
        );
    }
    assert_eq!(test.node_eval(SIGN_UP_AND_COUNT), "1");

    assert_eq!(
        migrate::run(&test.project).expect("the second migration works"),
        Outcome::UpToDate
    );
    assert_eq!(
        test.node_eval(COUNT_USERS),
        "1",
        "the second migration lost the user row"
    );
    assert_schema_verified(&test.project);
}

#[test]
fn sqlite_migrates_once_then_changes_nothing() {
    let test = TestProject::new(&monolithic(Database::Sqlite));
    migrate_twice_keeps_rows(&test, &["user", "session", "account", "verification"]);
}

#[test]
fn postgres_with_jwt_migrates_once_then_changes_nothing() {
    let db = PgDatabase::create();
    let test = TestProject::new(&separate(Database::Postgres));
    test.set_frontend_env("DATABASE_URL", &db.url());
    migrate_twice_keeps_rows(
        &test,
        &["user", "session", "account", "verification", "jwks"],
    );
}

#[test]
fn mysql_migrates_once_then_changes_nothing() {
    let db = MyDatabase::create();
    let test = TestProject::new(&monolithic(Database::Mysql));
    test.set_frontend_env("DATABASE_URL", &db.url());
    migrate_twice_keeps_rows(&test, &["user", "session", "account", "verification"]);
}

/// The error of a migration against `url`: one line naming the cause and the fix, no CLI stack.
fn migrate_error(database: Database, url: &str) -> String {
    let test = TestProject::new(&monolithic(database));
    test.set_frontend_env("DATABASE_URL", url);
    let err = format!("{:#}", migrate::run(&test.project).unwrap_err());
    assert_eq!(err.lines().count(), 1, "one line, no Node stack: {err}");
    assert!(!err.contains("    at "), "{err}");
    err
}

#[test]
fn an_unreachable_server_is_named_in_one_line_with_how_to_start_it() {
    // Port 1: nothing listens there.
    let err = migrate_error(
        Database::Postgres,
        "postgresql://postgres@127.0.0.1:1/nowhere",
    );
    assert!(
        err.contains("127.0.0.1:1") && err.contains("start PostgreSQL"),
        "{err}"
    );
    let err = migrate_error(Database::Mysql, "mysql://root@127.0.0.1:1/nowhere");
    assert!(
        err.contains("127.0.0.1:1") && err.contains("start MySQL"),
        "{err}"
    );
}

#[test]
fn a_refused_login_is_named_in_one_line() {
    let err = migrate_error(
        Database::Postgres,
        "postgresql://no_such_role_ba2@127.0.0.1:5432/postgres",
    );
    assert!(
        err.contains("refused the connection") && err.contains("no_such_role_ba2"),
        "{err}"
    );
    let err = migrate_error(
        Database::Mysql,
        "mysql://no_such_user_ba2:wrong@127.0.0.1:3306/mysql",
    );
    assert!(
        err.contains("refused the connection") && err.contains("Access denied"),
        "{err}"
    );
}

#[test]
fn a_missing_database_names_setup_as_the_fix() {
    let err = migrate_error(
        Database::Postgres,
        "postgresql://postgres@127.0.0.1:5432/ba2_no_such_database",
    );
    assert!(
        err.contains("no database `ba2_no_such_database`") && err.contains("cargo xtask setup"),
        "{err}"
    );
    let err = migrate_error(
        Database::Mysql,
        "mysql://root@127.0.0.1:3306/ba2_no_such_database",
    );
    assert!(
        err.contains("no database `ba2_no_such_database`") && err.contains("cargo xtask setup"),
        "{err}"
    );
}

/// Whether verify reports the dropped `verification.identifier` index.
fn verify_misses_the_identifier_index(test: &TestProject) -> bool {
    let json = test.verify_json();
    json["problems"].as_array().unwrap().iter().any(|p| {
        p["kind"] == "missing_index" && p["table"] == "verification" && p["column"] == "identifier"
    })
}

/// What verify names as the fix for a dropped index (`cargo xtask migrate`) fixes it, and an equivalent
/// index under another name is accepted (and not duplicated by migrate).
fn migrate_fixes_a_dropped_index(
    test: &TestProject,
    exec: impl Fn(&str),
    drop_index: &str,
    drop_renamed: &str,
) {
    migrate::run(&test.project).expect("the first migration works");
    exec(drop_index);
    assert!(verify_misses_the_identifier_index(test));
    let Outcome::Migrated(changes) = migrate::run(&test.project).expect("migrate works") else {
        panic!("migrate must create the dropped index")
    };
    assert!(
        changes
            .iter()
            .any(|c| c.contains("verification_identifier_idx")),
        "{changes:?}"
    );
    assert_schema_verified(&test.project);

    exec(drop_index);
    exec("CREATE INDEX idx_verification_by_identifier ON verification (identifier)");
    assert_schema_verified(&test.project);
    assert_eq!(migrate::run(&test.project).unwrap(), Outcome::UpToDate);
    exec(drop_renamed);
}

#[test]
fn sqlite_migrate_recreates_a_dropped_index() {
    let test = TestProject::new(&monolithic(Database::Sqlite));
    let file = test.frontend().join("auth.db");
    migrate_fixes_a_dropped_index(
        &test,
        |sql| support::sqlite(&file, sql),
        "DROP INDEX verification_identifier_idx",
        "DROP INDEX idx_verification_by_identifier",
    );
}

#[test]
fn postgres_migrate_recreates_a_dropped_index() {
    let db = PgDatabase::create();
    let test = TestProject::new(&monolithic(Database::Postgres));
    test.set_frontend_env("DATABASE_URL", &db.url());
    migrate_fixes_a_dropped_index(
        &test,
        |sql| db.exec(sql),
        "DROP INDEX \"verification_identifier_idx\"",
        "DROP INDEX idx_verification_by_identifier",
    );
}

#[test]
fn mariadb_migrate_recreates_a_dropped_index() {
    let db = MyDatabase::create();
    let test = TestProject::new(&monolithic(Database::Mysql));
    test.set_frontend_env("DATABASE_URL", &db.url());
    migrate_fixes_a_dropped_index(
        &test,
        |sql| drop(db.exec(sql)),
        "DROP INDEX verification_identifier_idx ON verification",
        "DROP INDEX idx_verification_by_identifier ON verification",
    );
}
