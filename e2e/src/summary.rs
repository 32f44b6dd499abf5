//! The final table: case → result, time per step.

use xtask::combination::Choices;

use crate::case::Outcome;

enum Verdict {
    Passed,
    Failed(String),
    Unavailable(String),
    Skipped(String),
}

/// One case: its name, how it ended, each step's name and seconds, and what served its database.
type CaseRow = (String, Verdict, Vec<(String, f64)>, String);

#[derive(Default)]
pub struct Summary {
    rows: Vec<CaseRow>,
}

impl Summary {
    pub fn record(&mut self, choices: &Choices, provider: &str, outcome: Outcome) {
        self.record_named(choices.to_string(), provider, outcome);
    }

    /// A case that is not one generated combination (the `add` case).
    pub fn record_named(&mut self, name: String, provider: &str, outcome: Outcome) {
        let verdict = match outcome.error {
            None => Verdict::Passed,
            Some(err) => {
                eprintln!("  FAILED: {err:#}");
                for log in &outcome.logs {
                    let text = std::fs::read_to_string(log).unwrap_or_default();
                    let lines: Vec<&str> = text.lines().collect();
                    eprintln!("  --- last lines of {} ---", log.display());
                    for line in &lines[lines.len().saturating_sub(30)..] {
                        eprintln!("  | {line}");
                    }
                }
                Verdict::Failed(
                    format!("{err:#}")
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                )
            }
        };
        self.rows.push((
            name,
            verdict,
            outcome.steps,
            format!("database: {provider}"),
        ));
    }

    pub fn unavailable(&mut self, choices: &Choices, why: &str) {
        eprintln!("==> case {choices}: NO PROVIDER — {why}");
        self.rows.push((
            choices.to_string(),
            Verdict::Unavailable(why.to_string()),
            Vec::new(),
            String::new(),
        ));
    }

    pub fn skipped(&mut self, choices: &Choices, why: &str) {
        self.rows.push((
            choices.to_string(),
            Verdict::Skipped(why.to_string()),
            Vec::new(),
            String::new(),
        ));
    }

    pub fn all_passed(&self) -> bool {
        self.rows
            .iter()
            .all(|(_, verdict, _, _)| matches!(verdict, Verdict::Passed | Verdict::Skipped(_)))
    }

    pub fn print(&self) {
        println!();
        println!("{:<28} {:<12} steps (seconds)", "case", "result");
        for (case, verdict, steps, provider) in &self.rows {
            let (result, note) = match verdict {
                Verdict::Passed => ("pass", provider.clone()),
                Verdict::Failed(why) => ("FAIL", why.clone()),
                Verdict::Unavailable(why) => ("NO PROVIDER", why.clone()),
                Verdict::Skipped(why) => ("skipped", why.clone()),
            };
            let total: f64 = steps.iter().map(|(_, seconds)| seconds).sum();
            let steps: Vec<String> = steps
                .iter()
                .map(|(name, s)| format!("{name} {s:.1}"))
                .collect();
            let timing = if steps.is_empty() {
                String::new()
            } else {
                format!("{} (total {total:.1}s) ", steps.join(", "))
            };
            println!("{case:<28} {result:<12} {timing}{note}");
        }
        let passed = self
            .rows
            .iter()
            .filter(|(_, v, _, _)| matches!(v, Verdict::Passed))
            .count();
        let failed = self.rows.len()
            - passed
            - self
                .rows
                .iter()
                .filter(|(_, v, _, _)| matches!(v, Verdict::Skipped(_)))
                .count();
        println!();
        println!("e2e: {passed} passed, {failed} failed");
    }
}
