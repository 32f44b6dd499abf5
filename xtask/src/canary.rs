//! `cargo xtask canary`: the e2e set on the newest upstream releases instead of the locked ones, so an
//! upstream release that breaks generated projects shows up within a day (`.github/workflows/canary.yml`).
//!
//! The e2e binary does the work: with `E2E_LATEST_DEPENDENCIES=<dir>` each case re-resolves its lockfiles
//! right after generation (e2e/src/latest.rs) and records what moved and how it ended in `<dir>`. This
//! command reads those records and prints one screen: what moved from which version to which, which case
//! failed at which step, and the first error. When it is green, raise the pins in the template's manifests
//! to the versions it lists and run `cargo xtask lockfiles`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::flags;

/// The report's first line starts with this; the workflow copies the report from there to the run's page.
pub const REPORT_MARKER: &str = "=== canary:";

/// The e2e binary's variable (e2e/src/latest.rs reads it).
const LATEST_ENV: &str = "E2E_LATEST_DEPENDENCIES";

pub fn run(cmd: flags::Canary) -> anyhow::Result<()> {
    let records = crate::project_root().join("target/canary");
    if records.exists() {
        std::fs::remove_dir_all(&records)
            .with_context(|| format!("cannot clear {}", records.display()))?;
    }
    std::fs::create_dir_all(&records)?;

    let mut args: Vec<String> = Vec::new();
    for (flag, value) in [
        ("--database", &cmd.database),
        ("--architecture", &cmd.architecture),
        ("--backend", &cmd.backend),
    ] {
        if let Some(value) = value {
            args.extend([flag.to_string(), value.clone()]);
        }
    }
    if cmd.all {
        args.push("--all".to_string());
    }
    // SAFETY: set before this process starts any thread; the e2e binary inherits it.
    unsafe { std::env::set_var(LATEST_ENV, &records) };
    let run = crate::run_workspace_binary("e2e", false, &args, "the canary's e2e run");

    let report = Report::read(&records)?;
    println!("{}", report.render(&records));
    match (run, report.failed()) {
        (Ok(()), 0) => Ok(()),
        (_, 0) if report.cases.is_empty() => {
            bail!("the canary ran no case (see the e2e output above)")
        }
        (Err(err), 0) => {
            Err(err.context("a part of the e2e run outside the recorded cases failed (see above)"))
        }
        (_, failed) => bail!("{failed} canary case(s) failed on the newest releases"),
    }
}

/// One case's record: its name, whether it passed, and if not the step and the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub case: String,
    pub passed: bool,
    pub step: Option<String>,
    pub error: Option<String>,
}

/// What moved (package, from, to → the cases that saw it) and how each case ended.
#[derive(Debug, Default)]
pub struct Report {
    pub moves: BTreeMap<(String, String, String), Vec<String>>,
    pub cases: Vec<CaseRecord>,
}

impl Report {
    pub fn read(dir: &Path) -> anyhow::Result<Report> {
        let mut report = Report::default();
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().to_string();
            let text = std::fs::read_to_string(entry.path())?;
            let value: Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", entry.path().display()))?;
            if let Some(case) = name.strip_suffix(".versions.json") {
                for moved in value.as_array().into_iter().flatten() {
                    let field = |key: &str| moved[key].as_str().unwrap_or("(none)").to_string();
                    let package = format!("{} {}", field("part"), field("package"));
                    report
                        .moves
                        .entry((package, field("from"), field("to")))
                        .or_default()
                        .push(case.to_string());
                }
            } else if name.ends_with(".outcome.json") {
                report.cases.push(CaseRecord {
                    case: value["case"].as_str().unwrap_or_default().to_string(),
                    passed: value["passed"].as_bool().unwrap_or(false),
                    step: value["step"].as_str().map(str::to_string),
                    error: value["error"].as_str().map(str::to_string),
                });
            }
        }
        Ok(report)
    }

    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed).count()
    }

    /// One screen: the verdict, the moved packages, the failures with their first error.
    pub fn render(&self, records: &Path) -> String {
        let mut out = String::new();
        let failed = self.failed();
        out.push_str(&format!(
            "\n{REPORT_MARKER} {} case(s) on the newest releases, {} failed ({}) ===\n",
            self.cases.len(),
            failed,
            if failed == 0 { "GREEN" } else { "RED" }
        ));
        out.push_str("moved (locked -> newest):\n");
        if self.moves.is_empty() {
            out.push_str("  nothing: the locks are the newest releases\n");
        }
        let total = self.cases.len();
        for ((package, from, to), cases) in &self.moves {
            let seen = if cases.len() == total {
                "all cases".to_string()
            } else {
                cases.join(", ")
            };
            out.push_str(&format!(
                "  {package:<38} {from:>10} -> {to:<10} ({seen})\n"
            ));
        }
        for case in &self.cases {
            match (&case.passed, &case.step) {
                (true, _) => out.push_str(&format!("PASS {}\n", case.case)),
                (false, step) => {
                    out.push_str(&format!(
                        "FAIL {} at step `{}`\n",
                        case.case,
                        step.as_deref().unwrap_or("?")
                    ));
                    out.push_str(&format!(
                        "     first error: {}\n",
                        first_error(case.error.as_deref().unwrap_or_default())
                    ));
                }
            }
        }
        if failed == 0 && total > 0 {
            out.push_str(
                "next: raise the pins in template/frontend/package.json.liquid (better-auth's: hooks/pre.rhai) and the \
                 backends' manifests to the versions above, then `cargo xtask lockfiles` and `cargo xtask e2e`\n",
            );
        } else if failed > 0 {
            out.push_str(&format!(
                "records and kept projects: {} and the `kept …` lines above\n",
                records.display()
            ));
        }
        out
    }
}

/// The error's first line, plus the first line of the log tail it carries that names an error, when that
/// says more than the first line (a failed command's own message).
pub fn first_error(error: &str) -> String {
    let mut lines = error.lines();
    let head = lines.next().unwrap_or_default().trim();
    let cause = lines.map(str::trim).find(|line| {
        let lower = line.to_ascii_lowercase();
        lower.contains("error") || lower.contains("failed") || lower.contains("err!")
    });
    let shorten = |s: &str| {
        if s.chars().count() > 220 {
            format!("{}…", s.chars().take(220).collect::<String>())
        } else {
            s.to_string()
        }
    };
    match cause {
        Some(cause) => format!("{}\n                  {}", shorten(head), shorten(cause)),
        None => shorten(head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, value: serde_json::Value) {
        std::fs::write(dir.join(name), value.to_string()).unwrap();
    }

    #[test]
    fn report_names_what_moved_which_case_failed_and_the_first_error() {
        let dir = tempfile::tempdir().unwrap();
        let moved = serde_json::json!([{"part": "frontend", "package": "better-auth", "from": "1.7.25", "to": "1.8.0"}]);
        write(dir.path(), "monolithic-sqlite.versions.json", moved.clone());
        write(dir.path(), "separate-fastapi-postgres.versions.json", moved);
        write(
            dir.path(),
            "monolithic-sqlite.outcome.json",
            serde_json::json!({"case": "monolithic-sqlite", "passed": true}),
        );
        write(
            dir.path(),
            "separate-fastapi-postgres.outcome.json",
            serde_json::json!({"case": "separate-fastapi-postgres", "passed": false, "step": "cargo xtask setup",
                "error": "step `cargo xtask setup` failed: exit status: 1; last lines of x.log:\nmigrating\nERROR: column \"issuer\" of relation \"account\" does not exist"}),
        );
        let report = Report::read(dir.path()).unwrap();
        assert_eq!(report.failed(), 1);
        let text = report.render(dir.path());
        assert!(text.contains("1 failed (RED)"), "{text}");
        assert!(text.contains("frontend better-auth"), "{text}");
        assert!(text.contains("1.7.25 -> 1.8.0"), "{text}");
        assert!(text.contains("(all cases)"), "{text}");
        assert!(text.contains("PASS monolithic-sqlite"), "{text}");
        assert!(
            text.contains("FAIL separate-fastapi-postgres at step `cargo xtask setup`"),
            "{text}"
        );
        assert!(
            text.contains("column \"issuer\" of relation \"account\" does not exist"),
            "{text}"
        );
        assert!(text.lines().count() < 25, "one screen: {text}");
    }

    #[test]
    fn green_report_says_how_to_take_the_new_versions() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "monolithic-sqlite.versions.json",
            serde_json::json!([]),
        );
        write(
            dir.path(),
            "monolithic-sqlite.outcome.json",
            serde_json::json!({"case": "monolithic-sqlite", "passed": true}),
        );
        let text = Report::read(dir.path()).unwrap().render(dir.path());
        assert!(
            text.contains("GREEN") && text.contains("cargo xtask lockfiles"),
            "{text}"
        );
        assert!(
            text.contains("nothing: the locks are the newest releases"),
            "{text}"
        );
    }
}
