//! The table `verify` prints: one row per check, with its result and time.

use std::time::Instant;

pub struct Row {
    pub subject: String,
    pub check: String,
    pub problems: Vec<String>,
    pub seconds: f64,
}

impl Row {
    pub fn new(subject: &str, check: &str, problems: Vec<String>, started: Instant) -> Row {
        Row {
            subject: subject.to_string(),
            check: check.to_string(),
            problems,
            seconds: started.elapsed().as_secs_f64(),
        }
    }
}

#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
}

impl Report {
    /// Adds a row and says at once how it went, so long runs show progress.
    pub fn push(&mut self, row: Row) {
        let verdict = if row.problems.is_empty() {
            "ok"
        } else {
            "FAIL"
        };
        eprintln!(
            "    {verdict:<4} {} — {} ({:.1}s)",
            row.subject, row.check, row.seconds
        );
        for problem in &row.problems {
            eprintln!("         {problem}");
        }
        self.rows.push(row);
    }

    pub fn failed(&self) -> usize {
        self.rows
            .iter()
            .filter(|row| !row.problems.is_empty())
            .count()
    }

    pub fn count(&self) -> usize {
        self.rows.len()
    }

    pub fn print(&self) {
        let widest = |column: fn(&Row) -> usize| self.rows.iter().map(column).max().unwrap_or(0);
        let width = widest(|row| row.subject.len());
        let check_width = widest(|row| row.check.len());
        println!();
        println!(
            "{:<width$}  {:<check_width$}  result  time",
            "combination", "check"
        );
        for row in &self.rows {
            let verdict = if row.problems.is_empty() {
                "pass"
            } else {
                "FAIL"
            };
            println!(
                "{:<width$}  {:<check_width$}  {verdict:<6}  {:.1}s",
                row.subject, row.check, row.seconds
            );
        }
        println!();
    }
}
