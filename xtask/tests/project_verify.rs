//! The generated project's `cargo xtask verify` against real databases after a real `auth migrate`:
//! it passes, then each mutation of the schema (on a copy of the migrated database) makes it fail and
//! name exactly what is wrong.

mod support;

use project_xtask::project::{Database, DbFamily};
use support::{MyDatabase, PgDatabase, TestProject, separate, sqlite};

/// One schema mutation and the single problem verify must then report: (kind, table, column).
struct Mutation {
    name: &'static str,
    expected: (&'static str, &'static str, Option<&'static str>),
}

const DROP_JWKS: Mutation = Mutation {
    name: "drop the jwks table",
    expected: ("missing_table", "jwks", None),
};
// Not session_userId_idx: InnoDB refuses to drop the index its foreign key uses.
const DROP_INDEX: Mutation = Mutation {
    name: "drop an index",
    expected: ("missing_index", "verification", Some("identifier")),
};
const DROP_FOREIGN_KEY: Mutation = Mutation {
    name: "drop a foreign key",
    expected: ("missing_foreign_key", "account", Some("userId")),
};
const DROP_COLUMN: Mutation = Mutation {
    name: "drop a column",
    expected: ("missing_column", "user", Some("image")),
};
const MAKE_NULLABLE: Mutation = Mutation {
    name: "make a NOT NULL column nullable",
    expected: ("nullable", "session", Some("token")),
};

fn assert_clean(project: &TestProject) {
    let json = project.verify_json();
    assert_eq!(json["ok"], true, "a fresh migration must verify: {json:#}");
    assert_eq!(json["checked_remotely"], true);
    let tables: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut expected = vec!["user", "session", "account", "verification", "jwks"];
    // PostgreSQL/MySQL projects keep the rate limiter's counts in the database (shared by every instance).
    if matches!(
        project.project.manifest.database.family(),
        DbFamily::Postgres | DbFamily::Mysql
    ) {
        expected.push("rateLimit");
    }
    assert_eq!(tables, expected);
}

fn assert_names(project: &TestProject, mutation: &Mutation) {
    let json = project.verify_json();
    let problems: Vec<_> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap(),
                p["table"].as_str().unwrap(),
                p["column"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [mutation.expected],
        "after `{}`: {json:#}",
        mutation.name
    );
    assert_eq!(json["ok"], false);
    assert!(!json["problems"][0]["fix"].as_str().unwrap().is_empty());
}

#[test]
fn verify_sqlite_passes_then_names_each_mutation() {
    let project = TestProject::new(&separate(Database::Sqlite));
    project.migrate();
    assert_clean(&project);
    let migrated = project.frontend().join("auth.db");
    // SQLite cannot drop a constraint in place: those mutations edit the stored CREATE TABLE text.
    for (index, (mutation, sql)) in [
        (DROP_JWKS, "DROP TABLE jwks;"),
        (DROP_INDEX, "DROP INDEX verification_identifier_idx;"),
        (
            DROP_FOREIGN_KEY,
            "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql, ' references \"user\" (\"id\") on delete cascade', '') WHERE name = 'account'; PRAGMA writable_schema=OFF;",
        ),
        (DROP_COLUMN, "ALTER TABLE \"user\" DROP COLUMN image;"),
        (
            MAKE_NULLABLE,
            "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql, '\"token\" text not null', '\"token\" text') WHERE name = 'session'; PRAGMA writable_schema=OFF;",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let copy = project.frontend().join(format!("mutated-{index}.db"));
        std::fs::copy(&migrated, &copy).unwrap();
        sqlite(&copy, sql);
        project.set_frontend_env("DATABASE_URL", &format!("file:./mutated-{index}.db"));
        assert_names(&project, &mutation);
    }
}

#[test]
fn verify_postgres_passes_then_names_each_mutation() {
    let migrated = PgDatabase::create();
    let project = TestProject::new(&separate(Database::Postgres));
    project.set_frontend_env("DATABASE_URL", &migrated.url());
    project.migrate();
    assert_clean(&project);
    for (mutation, sql) in [
        (DROP_JWKS, "DROP TABLE jwks"),
        (DROP_INDEX, "DROP INDEX \"verification_identifier_idx\""),
        (
            DROP_FOREIGN_KEY,
            "DO $$ DECLARE c text; BEGIN FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'account'::regclass AND contype = 'f' LOOP EXECUTE format('ALTER TABLE account DROP CONSTRAINT %I', c); END LOOP; END $$",
        ),
        (DROP_COLUMN, "ALTER TABLE \"user\" DROP COLUMN image"),
        (
            MAKE_NULLABLE,
            "ALTER TABLE session ALTER COLUMN token DROP NOT NULL",
        ),
    ] {
        let copy = migrated.copy();
        copy.exec(sql);
        project.set_frontend_env("DATABASE_URL", &copy.url());
        assert_names(&project, &mutation);
    }
}

#[test]
fn verify_mariadb_passes_then_names_each_mutation() {
    let migrated = MyDatabase::create();
    let project = TestProject::new(&separate(Database::Mysql));
    project.set_frontend_env("DATABASE_URL", &migrated.url());
    project.migrate();
    assert_clean(&project);
    for mutation in [
        DROP_JWKS,
        DROP_INDEX,
        DROP_FOREIGN_KEY,
        DROP_COLUMN,
        MAKE_NULLABLE,
    ] {
        let copy = migrated.copy();
        let sql = match mutation.name {
            "drop the jwks table" => "DROP TABLE jwks".to_string(),
            "drop an index" => "DROP INDEX verification_identifier_idx ON verification".to_string(),
            "drop a foreign key" => format!(
                "ALTER TABLE account DROP FOREIGN KEY `{}`",
                copy.exec("SELECT constraint_name FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE() AND table_name = 'account'")
            ),
            "drop a column" => "ALTER TABLE `user` DROP COLUMN image".to_string(),
            "make a NOT NULL column nullable" => format!(
                "ALTER TABLE session MODIFY token {} NULL",
                copy.exec("SELECT column_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'session' AND column_name = 'token'")
            ),
            other => unreachable!("{other}"),
        };
        copy.exec(&sql);
        project.set_frontend_env("DATABASE_URL", &copy.url());
        assert_names(&project, &mutation);
    }
}

#[test]
fn verify_reports_a_remote_turso_database_as_not_checked() {
    let project = TestProject::new(&separate(Database::Sqlite));
    project.set_frontend_env("DATABASE_URL", "libsql://example-db.turso.io");
    let json = project.verify_json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["checked_remotely"], false);
    assert!(
        json["note"].as_str().unwrap().contains("not checked"),
        "{json:#}"
    );
}

#[test]
fn verify_reports_every_table_missing_before_migration() {
    let project = TestProject::new(&separate(Database::Sqlite));
    let json = project.verify_json();
    let missing: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "missing_table")
        .map(|p| p["table"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        ["user", "session", "account", "verification", "jwks"]
    );
    assert!(
        !project.frontend().join("auth.db").exists(),
        "verify must not create the database file"
    );
}

#[test]
fn verify_checks_a_local_libsql_file_as_sqlite() {
    let project = TestProject::new(&separate(Database::Turso));
    project.migrate();
    assert_clean(&project);
    sqlite(&project.frontend().join("auth.db"), "DROP TABLE jwks;");
    assert_names(&project, &DROP_JWKS);
}
