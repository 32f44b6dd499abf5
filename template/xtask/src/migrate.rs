//! `cargo xtask migrate`: Better Auth's pinned CLI (`auth migrate --yes`) with the environment of
//! `frontend/.env` passed explicitly, and its result read rather than trusted.
//!
//! The CLI exits 0 in cases that migrated nothing (no config found, prompt cancelled without a terminal),
//! so both its exit code and its output decide the outcome.

use std::process::Command;

use anyhow::{Context, bail};

use crate::Project;
use crate::tools::node::Node;

/// What `auth migrate --yes` reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The schema already matched: nothing ran.
    UpToDate,
    /// Tables, columns or indexes were created; one line per change, as the CLI listed them.
    Migrated(Vec<String>),
}

// The CLI's own words (auth 1.7.x, src/commands/migrate.ts).
const UP_TO_DATE: &str = "No migrations needed.";
const MIGRATED: &str = "migration was completed successfully";
const CHANGE_PREFIX: &str = "-> ";

/// Runs the migration as a step and prints which of "up to date", "migrated" or "failed" happened.
pub fn run(project: &Project) -> anyhow::Result<Outcome> {
    crate::ui::step("Migrate the database (auth migrate --yes)", || {
        let outcome = migrate(project)?;
        // A first migration creates the SQLite file with the umask's mode.
        crate::credentials::secure_and_report(project)?;
        Ok(outcome)
    })
}

fn migrate(project: &Project) -> anyhow::Result<Outcome> {
    let node = Node::find(project)?;
    let frontend = project.frontend_dir();
    let cli = frontend.join("node_modules").join(".bin").join("auth");
    if !cli.exists() {
        bail!(
            "the Better Auth CLI is not installed ({} is missing); run `cargo xtask setup` to install the frontend's dependencies",
            cli.display()
        );
    }
    let env = project.frontend_env()?;
    // The CLI reports an unreachable server or a refused login as a spinner and a Node stack: check
    // first with setup's code, which names the cause and the fix in one line.
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty());
    if let Some(url) = url.or_else(|| env.get_non_empty("DATABASE_URL")) {
        crate::setup::database::check(project.manifest.database, &url)?;
    }
    let mut command: Command = node.command(&cli);
    command.args(["migrate", "--yes"]).current_dir(&frontend);
    // Values from frontend/.env go into the process environment, which beats both .env and .env.local
    // inside the CLI: it migrates exactly the database the app uses, whatever the shell has set.
    command.envs(env.vars_for_child()).env("NO_COLOR", "1");
    let output = command
        .output()
        .with_context(|| format!("cannot start {}", cli.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    // What the CLI leaves out (an index dropped from an existing table), so that whatever `verify`
    // reports as "run cargo xtask migrate" is fixed by it.
    let classified = classify(output.status.success(), &stdout, &stderr).and_then(|outcome| {
        let created = crate::verify::create_missing_indexes(project)
            .map_err(|err| format!("creating the missing indexes failed: {err:#}"))?;
        Ok(match outcome {
            Outcome::UpToDate if created.is_empty() => Outcome::UpToDate,
            Outcome::UpToDate => Outcome::Migrated(created),
            Outcome::Migrated(mut changes) => {
                changes.extend(created);
                Outcome::Migrated(changes)
            }
        })
    });
    match classified {
        Ok(Outcome::UpToDate) => {
            crate::ui::info("up to date: no migrations needed");
            Ok(Outcome::UpToDate)
        }
        Ok(Outcome::Migrated(changes)) => {
            crate::ui::info(&format!("migrated ({} changes):", changes.len()));
            for change in &changes {
                crate::ui::info(&format!("  {change}"));
            }
            Ok(Outcome::Migrated(changes))
        }
        Err(reason) => bail!(
            "migration failed: {reason} (`auth migrate --yes` in {}, {})\n--- CLI output ---\n{}{}",
            frontend.display(),
            output.status,
            strip_ansi(&stdout),
            strip_ansi(&stderr)
        ),
    }
}

/// Reads the CLI's verdict from its exit status and output; `Err` carries why it counts as a failure.
pub fn classify(success: bool, stdout: &str, stderr: &str) -> Result<Outcome, String> {
    let stdout = strip_ansi(stdout);
    if !success {
        let stderr = strip_ansi(stderr);
        let first = stderr
            .lines()
            .chain(stdout.lines())
            .map(str::trim)
            .find(|l| !l.is_empty());
        return Err(format!(
            "the CLI exited with an error: {}",
            first.unwrap_or("no output")
        ));
    }
    if stdout.contains(UP_TO_DATE) {
        return Ok(Outcome::UpToDate);
    }
    if stdout.contains(MIGRATED) {
        let changes = stdout
            .lines()
            .filter_map(|line| line.trim().strip_prefix(CHANGE_PREFIX))
            .map(str::to_string)
            .collect();
        return Ok(Outcome::Migrated(changes));
    }
    // Exit 0 without either message: e.g. "No configuration file found" or "Migration cancelled".
    let said = strip_ansi(stderr)
        .lines()
        .chain(stdout.lines())
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string);
    Err(format!(
        "the CLI exited 0 but reported neither \"{UP_TO_DATE}\" nor \"{MIGRATED}\"{}",
        said.map(|line| format!(": {line}")).unwrap_or_default()
    ))
}

/// Removes terminal color codes (`ESC [ … letter`), in case the CLI colors its output anyway.
fn strip_ansi(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_nothing_to_do() {
        assert_eq!(
            classify(true, "🚀 No migrations needed.\n", ""),
            Ok(Outcome::UpToDate)
        );
    }

    #[test]
    fn recognizes_a_migration_and_lists_changes() {
        let stdout = "🔑 The migration will affect the following:\n\
                      -> \u{1b}[35mid, name, email\u{1b}[39m fields on \u{1b}[33muser\u{1b}[39m table.\n\
                      -> userId fields indexed on session table.\n\
                      🚀 migration was completed successfully!\n";
        assert_eq!(
            classify(true, stdout, ""),
            Ok(Outcome::Migrated(vec![
                "id, name, email fields on user table.".to_string(),
                "userId fields indexed on session table.".to_string(),
            ]))
        );
    }

    #[test]
    fn exit_zero_without_a_verdict_is_a_failure() {
        let err = classify(
            true,
            "",
            "No configuration file found. Add a `auth.ts` file\n",
        )
        .unwrap_err();
        assert!(err.contains("No configuration file found"), "{err}");
        let err = classify(true, "Migration cancelled.\n", "").unwrap_err();
        assert!(err.contains("Migration cancelled"), "{err}");
    }

    #[test]
    fn non_zero_exit_is_a_failure_even_with_success_words() {
        let err = classify(
            false,
            "🚀 No migrations needed.\n",
            "Error: connect ECONNREFUSED 127.0.0.1:5432\n",
        )
        .unwrap_err();
        assert!(err.contains("ECONNREFUSED"), "{err}");
    }
}
