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

#[test]
fn an_unreachable_database_fails_with_the_cli_output() {
    let test = TestProject::new(&monolithic(Database::Postgres));
    // Port 1: nothing listens there.
    test.set_frontend_env("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere");
    let err = format!("{:#}", migrate::run(&test.project).unwrap_err());
    assert!(
        err.contains("migration failed") && err.contains("CLI output"),
        "{err}"
    );
    assert!(
        err.contains("ECONNREFUSED"),
        "the CLI's own reason is shown: {err}"
    );
}
