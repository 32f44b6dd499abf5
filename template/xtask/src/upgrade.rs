//! `cargo xtask upgrade [--to VERSION] [--dry-run] [--yes]`: moves `better-auth` and its `auth` CLI (and any
//! `@better-auth/*` package) to a new release together, with npm keeping package-lock.json, and shows the
//! schema change the target needs as SQL before the database is touched.
//!
//! Order: refuse known-bad targets → keep copies of package.json/package-lock.json → install the target →
//! `auth generate` (the target's schema against the live database: the SQL it would run) → `--dry-run`
//! restores the package files and stops → back up (SQLite: a copy of the file; servers: the dump command,
//! asked) → `auth migrate --yes` → `verify`. A failure after the install restores the package files and
//! says what state the database is in.

mod backfill;
mod choose;

pub use backfill::{RequiredColumn, required_columns};
pub use choose::tested_version;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::Project;
use crate::project::DbFamily;
use crate::project::url::redact;
use crate::tools::node::{Node, run_checked};
use crate::ui::{info, step};
use crate::verify::target::Target;

/// Releases a project must not move to, with the reason shown to the user.
pub const KNOWN_BAD: &[(&str, &str)] = &[
    (
        "1.7.0",
        "requires a new NOT NULL `account.issuer` column that `auth migrate` refuses to add to a table with rows (sign-in outages reported); fixed in 1.7.3",
    ),
    (
        "1.7.1",
        "same required `account.issuer` column as 1.7.0; fixed in 1.7.3",
    ),
    (
        "1.7.2",
        "same required `account.issuer` column as 1.7.0; fixed in 1.7.3",
    ),
];

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub to: Option<String>,
    pub dry_run: bool,
    pub yes: bool,
}

/// `major.minor.patch` without a pre-release part (pre-releases are not offered).
pub fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.trim().trim_start_matches('v').split('.');
    let version = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    parts.next().is_none().then_some(version)
}

/// Why `target` cannot be the upgrade target from `installed`, if it cannot.
pub fn refusal(installed: &str, target: &str) -> Option<String> {
    let Some(wanted) = parse_version(target) else {
        return Some(format!(
            "`{target}` is not a release version (MAJOR.MINOR.PATCH, e.g. 1.7.29)"
        ));
    };
    if let Some((_, why)) = KNOWN_BAD.iter().find(|(bad, _)| *bad == target) {
        return Some(format!(
            "better-auth {target} is a known-bad release: {why}"
        ));
    }
    match parse_version(installed) {
        Some(current) if wanted == current => {
            Some(format!("better-auth {target} is already installed"))
        }
        Some(current) if wanted < current => Some(format!(
            "{target} is older than the installed {installed}: downgrades are not supported (the schema only grows)"
        )),
        _ => None,
    }
}

/// The packages to move: better-auth, its CLI, and every `@better-auth/*` dependency the project has.
pub fn packages_to_move(manifest: &serde_json::Value) -> Vec<String> {
    let mut names = vec!["better-auth".to_string()];
    for section in ["dependencies", "devDependencies"] {
        if let Some(deps) = manifest[section].as_object() {
            names.extend(
                deps.keys()
                    .filter(|k| k.starts_with("@better-auth/"))
                    .cloned(),
            );
        }
    }
    names
}

pub fn run(project: &Project, options: &Options) -> anyhow::Result<()> {
    let frontend = project.frontend_dir();
    let manifest_path = frontend.join("package.json");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path)?)
            .with_context(|| format!("{} is not JSON", manifest_path.display()))?;
    let installed = manifest["dependencies"]["better-auth"]
        .as_str()
        .context("frontend/package.json has no better-auth dependency")?
        .trim_start_matches(['^', '~', '='])
        .to_string();
    let node = Node::find(project)?;
    let database = database(project)?;

    let target = match &options.to {
        Some(version) => version.clone(),
        None => {
            let newest = npm_view(&node, &frontend, "better-auth", "version")?;
            let tested = choose::tested_version(&project.root)?;
            let offers = choose::offers(&installed, &newest, tested.as_deref());
            let Some(first) = offers.first() else {
                eprintln!(
                    "better-auth {installed} is installed; the newest release is {newest}: nothing to upgrade to."
                );
                return Ok(());
            };
            eprint!("{}", choose::menu(&installed, &offers));
            let picked = if options.yes {
                Some(first.version.clone())
            } else {
                choose::pick(
                    &ask(&format!("[1-{}, Enter: stay]", offers.len()))?,
                    &offers,
                )
            };
            picked.with_context(|| {
                format!("no upgrade: kept better-auth {installed} (pass --to VERSION for another release)")
            })?
        }
    };
    if let Some(why) = refusal(&installed, &target) {
        bail!("refusing to upgrade: {why}. Fix: pick another release with --to VERSION");
    }
    let cli = cli_version(&node, &frontend, &target)?;
    eprintln!("Upgrade better-auth {installed} -> {target} (auth CLI -> {cli})");

    let backup = PackageBackup::take(&frontend)?;
    let result = (|| -> anyhow::Result<bool> {
        step(
            "Install the target release (npm, keeping package-lock.json)",
            || {
                let mut npm = node.command("npm");
                npm.args(["install", "--save-exact", "--no-audit", "--no-fund"])
                    .args(
                        packages_to_move(&manifest)
                            .iter()
                            .map(|p| format!("{p}@{target}")),
                    )
                    .current_dir(&frontend);
                run_checked(&mut npm, "npm install")?;
                let mut cli_install = node.command("npm");
                cli_install
                    .args([
                        "install",
                        "--save-exact",
                        "--save-dev",
                        "--no-audit",
                        "--no-fund",
                    ])
                    .arg(format!("auth@{cli}"))
                    .current_dir(&frontend);
                run_checked(&mut cli_install, "npm install auth").map(drop)
            },
        )?;
        let sql = step(
            "Schema change the target needs (auth generate, read-only)",
            || schema_change(project, &node),
        )?;
        match &sql {
            Some(sql) => {
                info("SQL the migration will run:");
                for line in sql.lines() {
                    info(&format!("  {line}"));
                }
            }
            None => info("no schema change: the database already has what the target needs"),
        }
        let required = backfill::required_columns(sql.as_deref().unwrap_or_default())?;
        if let Some(family) = database.target.family() {
            for column in &required {
                info(&format!(
                    "{}.{} is required and {} has rows: `auth migrate` refuses it. Instead (asks for the value):",
                    column.table, column.column, column.table
                ));
                for statement in
                    backfill::safe_sequence(family, column, "<value for existing rows>")?
                {
                    info(&format!("  {statement};"));
                }
            }
        }
        if options.dry_run {
            return Ok(false);
        }
        if let (true, Some(column)) = (options.yes, required.first()) {
            bail!(
                "{}.{} needs a value for the rows {} already has: run the upgrade in a terminal without --yes to enter it",
                column.table,
                column.column,
                column.table
            );
        }
        backup_database(&database, options.yes)?;
        add_required_columns(project, &required, options.yes, &mut |column| {
            Ok(ask(&format!(
                "Value for {}.{} in existing rows:",
                column.table, column.column
            ))?
            .trim_end_matches(['\r', '\n'])
            .to_string())
        })?;
        crate::migrate::run(project)?;
        crate::verify::run(project, false)?;
        Ok(true)
    })();
    match result {
        Ok(true) => {
            backup.discard();
            eprintln!(
                "Upgraded to better-auth {target}. Commit frontend/package.json and package-lock.json."
            );
            Ok(())
        }
        Ok(false) => {
            step(
                "--dry-run: restore package.json, package-lock.json and node_modules",
                || backup.restore(&node, &frontend),
            )?;
            eprintln!("Dry run: nothing was changed (database untouched).");
            Ok(())
        }
        Err(err) => {
            let restored = backup.restore(&node, &frontend);
            bail!(
                "{err:#}\nThe upgrade stopped. Package files: {}. Database: the migration above shows what ran; \
                 anything it migrated stays (the added tables/columns are unused by {installed}); restore the backup \
                 named above to return to the exact previous state.",
                match restored {
                    Ok(()) => format!("restored to better-auth {installed}"),
                    Err(e) => format!(
                        "NOT restored ({e:#}); copies are in {}",
                        backup.dir.display()
                    ),
                }
            )
        }
    }
}

/// Adds each required column the target's CLI refused with the safe sequence (add nullable, backfill,
/// constrain), after showing it and asking (`yes` accepts); `value_for` gives each column's value for the
/// rows the table already has.
pub fn add_required_columns(
    project: &Project,
    columns: &[RequiredColumn],
    yes: bool,
    value_for: &mut dyn FnMut(&RequiredColumn) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let target = database(project)?.target;
    let family = target.family().with_context(|| {
        format!("{} cannot be altered from here (sqlx has no remote libSQL driver): add the required columns with your provider's console", target.describe())
    })?;
    for column in columns {
        let statements = backfill::safe_sequence(family, column, &value_for(column)?)?;
        info(&format!(
            "{}.{}: the safe sequence",
            column.table, column.column
        ));
        for statement in &statements {
            info(&format!("  {statement};"));
        }
        if !yes && !confirm("Run these statements?")? {
            bail!(
                "stopped before migrating: {}.{} is still missing (the database is as the backup left it)",
                column.table,
                column.column
            );
        }
        step(
            &format!("Add {}.{} safely", column.table, column.column),
            || crate::verify::introspect::execute(&target, &statements),
        )?;
    }
    Ok(())
}

fn confirm(question: &str) -> anyhow::Result<bool> {
    Ok(matches!(
        ask(&format!("{question} [y/N]"))?.trim(),
        "y" | "Y" | "yes"
    ))
}

/// One line from the terminal; without one, the question says to pass --yes.
fn ask(question: &str) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        bail!("{question} needs an answer: run in a terminal or pass --yes");
    }
    eprint!("{question} ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer)
}

/// `npm view SPEC FIELD`; an empty string when no release matches (npm answers E404 then).
fn npm_view(node: &Node, dir: &Path, spec: &str, field: &str) -> anyhow::Result<String> {
    let mut npm = node.command("npm");
    npm.args(["view", spec, field, "--json"]).current_dir(dir);
    let output = npm
        .output()
        .with_context(|| format!("cannot run npm view {spec}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        if stdout.contains("E404") {
            return Ok(String::new());
        }
        bail!(
            "npm view {spec} {field} failed ({}): {}{}",
            output.status,
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let value: serde_json::Value =
        serde_json::from_str(stdout.trim()).unwrap_or(serde_json::Value::Null);
    Ok(match value {
        serde_json::Value::String(s) => s,
        // A range matches several releases: npm lists them oldest first.
        serde_json::Value::Array(items) => items
            .last()
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    })
}

/// The `auth` CLI release for a better-auth release: the same number when published, else the newest of
/// the same minor not newer than it (the two are released together but not always with the same patch
/// number; the CLI migrates with its own nested better-auth, which must not be ahead of the app's).
fn cli_version(node: &Node, dir: &Path, target: &str) -> anyhow::Result<String> {
    let same = npm_view(node, dir, &format!("auth@{target}"), "version")?;
    if !same.is_empty() {
        return Ok(same);
    }
    let (major, minor, _) = parse_version(target).context("target is a version")?;
    let newest = npm_view(
        node,
        dir,
        &format!("auth@>={major}.{minor}.0 <={target}"),
        "version",
    )?;
    if newest.is_empty() {
        bail!("no `auth` CLI release for better-auth {major}.{minor}.x on the registry");
    }
    Ok(newest)
}

/// `auth generate` with the target installed: the SQL for the live database (`None`: nothing to do).
pub fn schema_change(project: &Project, node: &Node) -> anyhow::Result<Option<String>> {
    let frontend = project.frontend_dir();
    let out = std::env::temp_dir().join(format!("better-auth-upgrade-{}.sql", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut cli = node.command(frontend.join("node_modules/.bin/auth"));
    cli.arg("generate")
        .arg("--output")
        .arg(&out)
        .arg("--yes")
        .current_dir(&frontend)
        .envs(project.frontend_env()?.vars_for_child())
        .env("NO_COLOR", "1");
    let printed = run_checked(&mut cli, "auth generate")?;
    let sql = std::fs::read_to_string(&out)
        .ok()
        .filter(|s| !s.trim().is_empty());
    let _ = std::fs::remove_file(&out);
    if sql.is_none()
        && !printed.to_lowercase().contains("up to date")
        && !printed.to_lowercase().contains("no changes")
    {
        info(&format!("auth generate said: {}", printed.trim()));
    }
    Ok(sql)
}

/// The live database: its URL (for the dump command) and where it is.
struct Database {
    url: String,
    target: Target,
}

fn database(project: &Project) -> anyhow::Result<Database> {
    let url = project
        .frontend_env()?
        .get_non_empty("DATABASE_URL")
        .context("DATABASE_URL is empty in frontend/.env")?;
    let target = Target::from_url(&url, &project.frontend_dir())?;
    Ok(Database { url, target })
}

fn backup_database(database: &Database, yes: bool) -> anyhow::Result<()> {
    let url = &database.url;
    match database.target.clone() {
        Target::SqliteFile(path) if path.exists() => step("Back up the SQLite database", || {
            let copy = PathBuf::from(format!("{}.before-upgrade", path.display()));
            std::fs::copy(&path, &copy)
                .with_context(|| format!("cannot copy {}", path.display()))?;
            crate::credentials::set_owner_only(&copy)?;
            info(&format!(
                "{} -> {} (restore: cp it back)",
                path.display(),
                copy.display()
            ));
            Ok(())
        }),
        Target::SqliteFile(_) => Ok(()),
        target => {
            let command = match target.family() {
                Some(DbFamily::Postgres) => {
                    format!("pg_dump '{}' > before-upgrade.sql", redact(url))
                }
                Some(DbFamily::Mysql) => mysqldump_command(url),
                _ => "your provider's backup (a remote libSQL database)".to_string(),
            };
            eprintln!("Back up the database before migrating, e.g.:\n    {command}");
            if !yes
                && !confirm("Is the database backed up (or may the migration run without one)?")?
            {
                bail!("stopped before migrating: back the database up, then run the upgrade again");
            }
            Ok(())
        }
    }
}

/// `mysqldump` for a `mysql://USER[:PASSWORD]@HOST[:PORT]/DB` URL; `-p` makes it ask for the password
/// instead of printing it.
fn mysqldump_command(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (user_info, rest) = rest.rsplit_once('@').unwrap_or(("", rest));
    let (host_port, database) = rest.split_once('/').unwrap_or((rest, ""));
    let database = database.split('?').next().unwrap_or_default();
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
    let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
    let user = if user.is_empty() { "root" } else { user };
    let ask = if password.is_empty() { "" } else { " -p" };
    format!(
        "mysqldump --single-transaction -h {host} -P {port} -u {user}{ask} {database} > before-upgrade.sql"
    )
}

/// Copies of package.json and package-lock.json taken before npm touched them.
struct PackageBackup {
    dir: PathBuf,
}

const PACKAGE_FILES: [&str; 2] = ["package.json", "package-lock.json"];

impl PackageBackup {
    fn take(frontend: &Path) -> anyhow::Result<PackageBackup> {
        let dir = frontend.join(".upgrade-backup");
        std::fs::create_dir_all(&dir)?;
        for file in PACKAGE_FILES {
            std::fs::copy(frontend.join(file), dir.join(file))
                .with_context(|| format!("cannot back up frontend/{file}"))?;
        }
        Ok(PackageBackup { dir })
    }

    /// Puts the files back and reinstalls exactly what they lock (`npm ci`).
    fn restore(&self, node: &Node, frontend: &Path) -> anyhow::Result<()> {
        for file in PACKAGE_FILES {
            std::fs::copy(self.dir.join(file), frontend.join(file))?;
        }
        let mut npm = node.command("npm");
        npm.args(["ci", "--no-audit", "--no-fund"])
            .current_dir(frontend);
        run_checked(&mut npm, "npm ci")?;
        self.discard();
        Ok(())
    }

    fn discard(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_known_bad_releases_with_the_reason() {
        for bad in ["1.7.0", "1.7.1", "1.7.2"] {
            let why = refusal("1.6.34", bad).unwrap();
            assert!(
                why.contains("known-bad") && why.contains("account.issuer"),
                "{why}"
            );
        }
        assert_eq!(refusal("1.6.34", "1.7.3"), None);
        assert_eq!(refusal("1.7.25", "1.7.29"), None);
    }

    #[test]
    fn refuses_non_versions_same_and_older_releases() {
        assert!(
            refusal("1.7.25", "latest")
                .unwrap()
                .contains("not a release version")
        );
        assert!(
            refusal("1.7.25", "1.8.0-beta.1")
                .unwrap()
                .contains("not a release version")
        );
        assert!(
            refusal("1.7.25", "1.7.25")
                .unwrap()
                .contains("already installed")
        );
        assert!(refusal("1.7.25", "1.6.34").unwrap().contains("older"));
    }

    #[test]
    fn the_mysqldump_command_names_the_database_and_never_the_password() {
        assert_eq!(
            mysqldump_command("mysql://root@127.0.0.1:3306/my_app"),
            "mysqldump --single-transaction -h 127.0.0.1 -P 3306 -u root my_app > before-upgrade.sql"
        );
        let with_password = mysqldump_command("mysql://app:s3cret@db.example.com/my_app?ssl=true");
        assert_eq!(
            with_password,
            "mysqldump --single-transaction -h db.example.com -P 3306 -u app -p my_app > before-upgrade.sql"
        );
    }

    #[test]
    fn moves_better_auth_and_its_scoped_packages() {
        let manifest = serde_json::json!({
            "dependencies": {"better-auth": "1.7.25", "next": "16.4.6", "@better-auth/passkey": "1.7.25"},
            "devDependencies": {"auth": "1.7.7"}
        });
        assert_eq!(
            packages_to_move(&manifest),
            ["better-auth", "@better-auth/passkey"]
        );
    }
}
