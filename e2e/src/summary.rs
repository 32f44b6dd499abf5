//! The final table: case → result, time per step.

use xtask::combination::Choices;

use crate::case::Outcome;

enum Verdict {
    Passed,
    Failed(String),
    Unavailable(String),
    Skipped(String),
}

/// One case: its name, how it ended, and each step's name and seconds.
type CaseRow = (String, Verdict, Vec<(String, f64)>);

#[derive(Default)]
pub struct Summary {
    rows: Vec<CaseRow>,
}

impl Summary {
    pub fn record(&mut self, choices: &Choices, outcome: Outcome) {
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
        self.rows
            .push((choices.to_string(), verdict, outcome.steps));
    }

    pub fn unavailable(&mut self, choices: &Choices, why: &str) {
        eprintln!("==> case {choices}: NO PROVIDER — {why}");
        self.rows.push((
            choices.to_string(),
            Verdict::Unavailable(why.to_string()),
            Vec::new(),
        ));
    }

    pub fn skipped(&mut self, choices: &Choices, why: &str) {
        self.rows.push((
            choices.to_string(),
            Verdict::Skipped(why.to_string()),
            Vec::new(),
        ));
    }

    pub fn all_passed(&self) -> bool {
        self.rows
            .iter()
            .all(|(_, verdict, _)| matches!(verdict, Verdict::Passed | Verdict::Skipped(_)))
    }

    pub fn print(&self) {
        println!();
        println!("{:<28} {:<12} steps (seconds)", "case", "result");
        for (case, verdict, steps) in &self.rows {
            let (result, note) = match verdict {
                Verdict::Passed => ("pass", String::new()),
                Verdict::Failed(why) => ("FAIL", why.clone()),
                Verdict::Unavailable(why) => ("NO PROVIDER", why.clone()),
                Verdict::Skipped(why) => ("skipped", why.clone()),
            };
            let total: f64 = steps.iter().map(|(_, seconds)| seconds).sum();
            let steps: Vec<String> = steps
                .iter()
                .map(|(name, s)| format!("{name} {s:.1}"))
                .collect();
            println!(
                "{case:<28} {result:<12} {} (total {total:.1}s) {note}",
                steps.join(", ")
            );
        }
        let passed = self
            .rows
            .iter()
            .filter(|(_, v, _)| matches!(v, Verdict::Passed))
            .count();
        let failed = self.rows.len()
            - passed
            - self
                .rows
                .iter()
                .filter(|(_, v, _)| matches!(v, Verdict::Skipped(_)))
                .count();
        println!();
        println!("e2e: {passed} passed, {failed} failed");
    }
}
