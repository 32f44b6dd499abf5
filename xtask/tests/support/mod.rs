//! Shared by the tests of the generated project's `verify` and `doctor`: real generated projects, real
//! `npm install` (one per distinct package.json, kept in target/tmp across runs), real `auth migrate`,
//! real database servers. A missing tool or server fails the test loudly, never skips it.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use project_xtask::Project;
use project_xtask::project::{Architecture, Backend, Database, EnvFile};
use xtask::combination::Choices;

/// A folder holding `node` >= 22.12 (the system Node here is 20); npm and npx run on it from PATH.
pub fn node_bin() -> PathBuf {
    let dir = std::env::var_os("BA2_NODE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/better-auth-v2/node22/node_modules/.bin"));
    assert!(
        dir.join("node").exists(),
        "no Node 22 at {}: set BA2_NODE_BIN to a folder holding node >= 22.12",
        dir.display()
    );
    dir
}

/// PATH with Node 22 first.
pub fn path_env() -> std::ffi::OsString {
    let mut dirs = vec![node_bin()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// A generated project in its own temp folder (removed on drop), with its frontend dependencies
/// linked from a shared install and Node 22 as its project-local Node.
pub struct TestProject {
    _dir: tempfile::TempDir,
    pub project: Project,
}

pub fn separate(database: Database) -> Choices {
    Choices::of(Architecture::Separate, Some(Backend::Fastapi), database)
}

pub fn monolithic(database: Database) -> Choices {
    Choices::of(Architecture::Monolithic, None, database)
}

impl TestProject {
    pub fn new(choices: &Choices) -> TestProject {
        let dir = tempfile::Builder::new()
            .prefix("ba2-px-")
            .tempdir()
            .unwrap();
        let root = xtask::generate::generate(choices, dir.path()).expect("generation works");
        let frontend = root.join("frontend");
        let read = |name: &str| std::fs::read_to_string(frontend.join(name)).unwrap();
        let installed = shared_install(&read("package.json"), &read("package-lock.json"));
        std::os::unix::fs::symlink(
            installed.join("node_modules"),
            frontend.join("node_modules"),
        )
        .unwrap();
        // Node::find prefers the project-local Node that `setup` would install here.
        let local = root.join(".tools/node/node_modules");
        std::fs::create_dir_all(&local).unwrap();
        std::os::unix::fs::symlink(node_bin(), local.join(".bin")).unwrap();
        let project = Project::load(&root).unwrap();
        let test = TestProject { _dir: dir, project };
        test.secure_credential_files();
        test.set_frontend_env(
            "BETTER_AUTH_SECRET",
            "8f3a1c9e2b7d4f6a0c5e9b1d3f7a2c4e6b8d0f1a3c5e7b9d",
        );
        test
    }

    pub fn root(&self) -> &Path {
        &self.project.root
    }

    pub fn frontend(&self) -> PathBuf {
        self.project.frontend_dir()
    }

    pub fn set_frontend_env(&self, key: &str, value: &str) {
        let mut env = self.project.frontend_env().unwrap();
        env.set(key, value);
        env.save().unwrap();
    }

    pub fn set_backend_env(&self, key: &str, value: &str) {
        let path = self.root().join("backend/.env");
        let mut env = EnvFile::load(&path).unwrap();
        env.set(key, value);
        env.save().unwrap();
    }

    /// `auth migrate --yes` with the pinned CLI, as `cargo xtask migrate` runs it.
    pub fn migrate(&self) {
        let output = Command::new("npx")
            .args(["--no-install", "auth", "migrate", "--yes"])
            .current_dir(self.frontend())
            .env("PATH", path_env())
            .envs(self.project.frontend_env().unwrap().vars())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success() && text.contains("completed successfully"),
            "auth migrate failed:\n{text}"
        );
        self.secure_credential_files();
    }

    /// What `cargo xtask new` and `migrate` do after writing the .env files or creating the database.
    pub fn secure_credential_files(&self) {
        project_xtask::setup::secure_credential_files(&self.project).unwrap();
    }

    /// Gives this SQLite project a migrated `auth.db`: migrated once per test process, then copied
    /// (the schema does not depend on the project's path).
    pub fn migrate_sqlite_from_copy(&self) {
        static MIGRATED: Mutex<Option<PathBuf>> = Mutex::new(None);
        let mut migrated = MIGRATED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let target = self.frontend().join("auth.db");
        match migrated.as_ref() {
            Some(file) => drop(std::fs::copy(file, &target).unwrap()),
            None => {
                self.migrate();
                let file = Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("ba2-migrated-{}.db", std::process::id()));
                std::fs::copy(&target, &file).unwrap();
                *migrated = Some(file);
            }
        }
        self.secure_credential_files();
    }

    /// Runs a small ES module inside frontend/ (it can import ./scripts/load-auth.mjs); returns its stdout.
    pub fn node_eval(&self, code: &str) -> String {
        let output = Command::new(node_bin().join("node"))
            .args(["--input-type=module", "-e", code])
            .current_dir(self.frontend())
            .env("PATH", path_env())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "node failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// The verify report as its `--json` shape.
    pub fn verify_json(&self) -> serde_json::Value {
        project_xtask::verify::inspect(&self.project)
            .expect("verify runs")
            .to_json()
    }
}

/// One `npm ci` per distinct package.json and lockfile (as setup installs), reused by every project with
/// the same pair (and by later test runs: it lives in target/tmp).
fn shared_install(package_json: &str, lockfile: &str) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    (package_json, lockfile).hash(&mut hasher);
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ba2-npm-{:016x}", hasher.finish()));
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    // A file lock, not a Mutex: other test binaries (or a second `cargo test`) may install the same set.
    let lock = std::fs::File::create(dir.with_extension("lock")).unwrap();
    lock.lock().unwrap();
    if dir.join("node_modules/.bin/auth").exists() {
        return dir;
    }
    let staging = dir.with_extension(format!("partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join("package.json"), package_json).unwrap();
    std::fs::write(staging.join("package-lock.json"), lockfile).unwrap();
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&staging)
        .env("PATH", path_env())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "npm ci failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&staging, &dir).unwrap_or_else(|err| {
        panic!(
            "cannot move {} to {}: {err}",
            staging.display(),
            dir.display()
        )
    });
    dir
}

/// A unique name for a test database.
pub fn database_name(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A PostgreSQL database created for one test and dropped with it.
pub struct PgDatabase {
    pub name: String,
}

pub const PG_SERVER: &str = "postgresql://postgres@127.0.0.1:5432";

impl PgDatabase {
    pub fn create() -> PgDatabase {
        let name = database_name("ba2_px");
        psql("postgres", &format!("CREATE DATABASE {name}"));
        PgDatabase { name }
    }

    /// A new database with the same schema and rows (PostgreSQL's template copy).
    pub fn copy(&self) -> PgDatabase {
        let name = database_name("ba2_px");
        psql(
            "postgres",
            &format!("CREATE DATABASE {name} TEMPLATE {}", self.name),
        );
        PgDatabase { name }
    }

    pub fn url(&self) -> String {
        format!("{PG_SERVER}/{}", self.name)
    }

    pub fn exec(&self, sql: &str) {
        psql(&self.name, sql);
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

fn psql(database: &str, sql: &str) {
    let output = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            database,
            "-c",
            sql,
        ])
        .output()
        .expect("psql is needed to reach the PostgreSQL server at 127.0.0.1:5432");
    assert!(
        output.status.success(),
        "psql `{sql}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A MariaDB/MySQL database created for one test and dropped with it.
pub struct MyDatabase {
    pub name: String,
}

impl MyDatabase {
    pub fn create() -> MyDatabase {
        let name = database_name("ba2_px");
        mysql(None, &format!("CREATE DATABASE {name}"));
        MyDatabase { name }
    }

    /// A new database with the same schema and rows (mysqldump piped into mysql).
    pub fn copy(&self) -> MyDatabase {
        let copy = MyDatabase::create();
        let dump = Command::new("mysqldump")
            .args(["-h", "127.0.0.1", "-P", "3306", "-u", "root", &self.name])
            .output()
            .expect("mysqldump is needed to copy a MariaDB database");
        assert!(
            dump.status.success(),
            "mysqldump failed: {}",
            String::from_utf8_lossy(&dump.stderr)
        );
        mysql(Some(&copy.name), &String::from_utf8_lossy(&dump.stdout));
        copy
    }

    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:3306/{}", self.name)
    }

    pub fn exec(&self, sql: &str) -> String {
        mysql(Some(&self.name), sql)
    }
}

impl Drop for MyDatabase {
    fn drop(&mut self) {
        let _ = Command::new("mysql")
            .args(["-h", "127.0.0.1", "-P", "3306", "-u", "root", "-e"])
            .arg(format!("DROP DATABASE IF EXISTS {}", self.name))
            .output();
    }
}

fn mysql(database: Option<&str>, sql: &str) -> String {
    let mut command = Command::new("mysql");
    command.args(["-h", "127.0.0.1", "-P", "3306", "-u", "root", "-N", "-B"]);
    command.args(database);
    let output = command
        .args(["-e", sql])
        .output()
        .expect("the mysql client is needed to reach the MariaDB server at 127.0.0.1:3306");
    assert!(
        output.status.success(),
        "mysql `{sql}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Runs SQL on a SQLite file with the sqlite3 shell.
pub fn sqlite(file: &Path, sql: &str) {
    let output = Command::new("sqlite3")
        .arg(file)
        .arg(sql)
        .output()
        .expect("the sqlite3 shell is needed");
    assert!(
        output.status.success(),
        "sqlite3 `{sql}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
