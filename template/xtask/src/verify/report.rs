//! The verify result for people (a short report with fixes) and machines (`--json`, a stable shape).
//!
//! JSON: `{ ok, database: {kind, location}, checked_remotely, better_auth_version, note,
//!          tables: [{name, status: "ok"|"missing"|"problems", problems}],
//!          problems: [{table, column, kind, expected, found, fix}] }`.
//! `checked_remotely` is false only for a remote libSQL/Turso database, which verify cannot read: then
//! `ok` is true, `tables` and `problems` are empty and `note` says why.

use serde_json::{Value, json};

use super::problem::Problem;
use super::schema::ExpectedSchema;
use super::target::Target;

#[derive(Debug)]
pub struct Report {
    pub target: Target,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    Checked {
        expected: ExpectedSchema,
        problems: Vec<Problem>,
    },
    NotCheckedRemotely {
        reason: String,
    },
}

impl Report {
    pub fn ok(&self) -> bool {
        match &self.outcome {
            Outcome::Checked { problems, .. } => problems.is_empty(),
            Outcome::NotCheckedRemotely { .. } => true,
        }
    }

    pub fn problems(&self) -> &[Problem] {
        match &self.outcome {
            Outcome::Checked { problems, .. } => problems,
            Outcome::NotCheckedRemotely { .. } => &[],
        }
    }

    pub fn to_json(&self) -> Value {
        let database = json!({ "kind": self.target.kind(), "location": self.target.describe() });
        match &self.outcome {
            Outcome::NotCheckedRemotely { reason } => json!({
                "ok": true, "database": database, "checked_remotely": false, "better_auth_version": null,
                "note": reason, "tables": [], "problems": [],
            }),
            Outcome::Checked { expected, problems } => {
                let tables: Vec<Value> = expected
                    .tables
                    .iter()
                    .map(|table| {
                        let own: Vec<&Problem> =
                            problems.iter().filter(|p| p.table == table.name).collect();
                        let status = match own.first() {
                            None => "ok",
                            Some(p) if p.kind == super::problem::ProblemKind::MissingTable => {
                                "missing"
                            }
                            Some(_) => "problems",
                        };
                        json!({ "name": table.name, "status": status, "problems": own.len() })
                    })
                    .collect();
                json!({
                    "ok": problems.is_empty(), "database": database, "checked_remotely": true,
                    "better_auth_version": expected.better_auth_version, "note": null, "tables": tables,
                    "problems": problems.iter().map(problem_json).collect::<Vec<_>>(),
                })
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut text = String::new();
        match &self.outcome {
            Outcome::NotCheckedRemotely { reason } => {
                text.push_str(&format!("Schema NOT checked: {reason}\n"));
            }
            Outcome::Checked { expected, problems } => {
                text.push_str(&format!(
                    "Schema of {} ({}) against Better Auth {}:\n",
                    self.target.describe(),
                    self.target.kind(),
                    expected.better_auth_version
                ));
                if let Target::SqliteFile(path) = &self.target
                    && !path.exists()
                {
                    text.push_str("  (the database file does not exist yet: `cargo xtask migrate` creates it)\n");
                }
                for table in &expected.tables {
                    let own: Vec<&Problem> =
                        problems.iter().filter(|p| p.table == table.name).collect();
                    if own.is_empty() {
                        text.push_str(&format!(
                            "  ok    {} ({} columns)\n",
                            table.name,
                            table.fields.len()
                        ));
                        continue;
                    }
                    text.push_str(&format!("  FAIL  {}\n", table.name));
                    for problem in own {
                        text.push_str(&format!(
                            "        - {}\n          fix: {}\n",
                            problem.describe(),
                            problem.fix
                        ));
                    }
                }
                if problems.is_empty() {
                    text.push_str("The database has every table, column, foreign key and index Better Auth needs.\n");
                }
            }
        }
        text
    }
}

fn problem_json(problem: &Problem) -> Value {
    json!({
        "table": problem.table, "column": problem.column, "kind": problem.kind.as_str(),
        "expected": problem.expected, "found": problem.found, "fix": problem.fix,
    })
}
