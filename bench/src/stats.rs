//! Repeated measurements summarised as min / median / max.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub min: f64,
    pub median: f64,
    pub max: f64,
    pub runs: usize,
}

impl Stats {
    /// Panics on no samples: every figure is measured at least once.
    pub fn of(samples: &[f64]) -> Stats {
        assert!(!samples.is_empty(), "a figure needs at least one sample");
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len().is_multiple_of(2) {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        } else {
            sorted[middle]
        };
        Stats {
            min: sorted[0],
            median,
            max: sorted[sorted.len() - 1],
            runs: sorted.len(),
        }
    }

    /// "1.23 (1.20–1.31)": the median, then the range.
    pub fn show(&self, decimals: usize) -> String {
        format!(
            "{:.d$} ({:.d$}–{:.d$})",
            self.median,
            self.min,
            self.max,
            d = decimals
        )
    }
}

/// Runs `work` and returns its result with the seconds it took.
pub fn timed<T>(work: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let result = work();
    (result, started.elapsed().as_secs_f64())
}

/// Puts a figure into a JSON object the way every part reports it: `name` is the median (what a reader
/// compares) and `stats.name` holds min / median / max and the number of runs.
pub fn put_figure(object: &mut Map<String, Value>, name: &str, stats: Stats) {
    object.insert(name.to_string(), round(stats.median));
    let all = object
        .entry("stats")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(all) = all {
        all.insert(
            name.to_string(),
            serde_json::json!({
                "min": round(stats.min),
                "median": round(stats.median),
                "max": round(stats.max),
                "runs": stats.runs,
            }),
        );
    }
}

/// Four significant decimals are more than any of these measurements can tell apart.
fn round(value: f64) -> Value {
    serde_json::json!((value * 10_000.0).round() / 10_000.0)
}

/// Reads back a figure that `put_figure` stored.
pub fn get_figure(object: &Value, name: &str) -> Option<Stats> {
    serde_json::from_value(object.get("stats")?.get(name)?.clone()).ok()
}

/// The markdown table of journeys per combination: the total as median (min–max), each step's median, and
/// the verdict against the combination's `target_s`/`target_met` ("reported" when it has no target).
pub fn journey_table<'a>(
    value: &Value,
    combinations: impl IntoIterator<Item = &'a str>,
    steps: &[&str],
) -> String {
    let mut table = String::from("| Combination | Total | ");
    table.push_str(&steps.join(" | "));
    table.push_str(" | Target |\n|---|---|");
    table.push_str(&"---|".repeat(steps.len()));
    table.push_str("---|\n");
    for name in combinations {
        let combo = &value[name];
        let Some(total) = get_figure(combo, "total_s") else {
            continue;
        };
        let medians: Vec<String> = steps
            .iter()
            .map(|step| {
                get_figure(&combo["steps"], step)
                    .map_or("–".to_string(), |s| format!("{:.1}", s.median))
            })
            .collect();
        let target = match (combo["target_s"].as_f64(), combo["target_met"].as_bool()) {
            (Some(target), Some(true)) => format!("≤ {target} s: met"),
            (Some(target), _) => format!("≤ {target} s: **not met**"),
            _ => "reported".to_string(),
        };
        table.push_str(&format!(
            "| {name} | {} | {} | {target} |\n",
            total.show(1),
            medians.join(" | ")
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let odd = Stats::of(&[3.0, 1.0, 2.0]);
        assert_eq!((odd.min, odd.median, odd.max, odd.runs), (1.0, 2.0, 3.0, 3));
        let even = Stats::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!((even.min, even.median, even.max), (1.0, 2.5, 4.0));
    }

    #[test]
    fn a_figure_is_its_median_with_the_range_beside_it() {
        let mut object = Map::new();
        put_figure(&mut object, "total_s", Stats::of(&[30.0, 32.5, 31.0]));
        let value = Value::Object(object);
        assert_eq!(value["total_s"], 31.0);
        assert_eq!(value["stats"]["total_s"]["max"], 32.5);
        assert_eq!(get_figure(&value, "total_s").unwrap().min, 30.0);
    }

    #[test]
    fn a_journey_row_has_the_total_each_steps_median_and_the_verdict() {
        let combo = |seconds: &[f64], target: Option<(f64, bool)>| {
            let mut object = Map::new();
            put_figure(&mut object, "total_s", Stats::of(seconds));
            let mut steps = Map::new();
            put_figure(&mut steps, "setup", Stats::of(seconds));
            object.insert("steps".to_string(), Value::Object(steps));
            if let Some((target, met)) = target {
                object.insert("target_s".to_string(), target.into());
                object.insert("target_met".to_string(), met.into());
            }
            Value::Object(object)
        };
        let value = serde_json::json!({
            "fast": combo(&[30.0, 31.0, 32.0], Some((40.0, true))),
            "slow": combo(&[50.0], Some((40.0, false))),
            "free": combo(&[90.0], None),
        });
        let table = journey_table(
            &value,
            ["fast", "slow", "free", "absent"],
            &["setup", "start"],
        );
        let rows: Vec<&str> = table.lines().collect();
        assert_eq!(rows[0], "| Combination | Total | setup | start | Target |");
        assert_eq!(rows[1], "|---|---|---|---|---|");
        assert!(
            rows[2].starts_with("| fast | 31.0 (30.0–32.0) | 31.0 | – | ≤ 40 s: met |"),
            "{}",
            rows[2]
        );
        assert!(
            rows[3].ends_with("| 50.0 | – | ≤ 40 s: **not met** |"),
            "{}",
            rows[3]
        );
        assert!(rows[4].ends_with("| – | reported |"), "{}", rows[4]);
        assert_eq!(rows.len(), 5, "a combination without figures has no row");
    }
}
