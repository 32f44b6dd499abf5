//! bench/results.json (what was measured, machine-readable) and BENCHMARKS.md (the same, for people).
//! A run of some parts keeps the other parts' earlier results.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde_json::{Map, Value, json};

use crate::PARTS;

pub struct Results(Map<String, Value>);

impl Results {
    /// The previous results, or none when there is no file yet.
    pub fn load(path: &Path) -> anyhow::Result<Results> {
        match std::fs::read_to_string(path) {
            Ok(text) => match serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not valid JSON; move it away and rerun",
                    path.display()
                )
            })? {
                Value::Object(map) => Ok(Results(map)),
                _ => anyhow::bail!(
                    "{} is not a JSON object; move it away and rerun",
                    path.display()
                ),
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Results(Map::new())),
            Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// `set`, keeping the previous value's entries that `value` does not have (backends not rerun).
    pub fn merge(&mut self, key: &str, value: Value) {
        let mut merged = match self.0.get(key) {
            Some(Value::Object(previous)) => previous.clone(),
            _ => Map::new(),
        };
        if let Value::Object(new) = value {
            merged.extend(new);
        }
        self.set(key, Value::Object(merged));
    }

    pub fn set(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
        let machine = crate::machine::describe();
        // Parts are rerun one at a time, on whatever machine the session has: each says which CPU it ran on.
        self.note_part("measured_at", key, json!(utc_now()));
        self.note_part("measured_on", key, machine["cpu"].clone());
        self.0.insert("machine".to_string(), machine);
    }

    /// Sets `key`'s entry in the per-part map `map` (e.g. measured_at.auth_overhead).
    fn note_part(&mut self, map: &str, key: &str, value: Value) {
        let mut entries = self
            .0
            .get(map)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        entries.insert(key.to_string(), value);
        self.0.insert(map.to_string(), Value::Object(entries));
    }

    pub fn write(&self, json_path: &Path, markdown_path: &Path) -> anyhow::Result<()> {
        for path in [json_path, markdown_path] {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
        }
        let json = serde_json::to_string_pretty(&Value::Object(self.0.clone()))? + "\n";
        std::fs::write(json_path, json)
            .with_context(|| format!("cannot write {}", json_path.display()))?;
        std::fs::write(markdown_path, self.markdown())
            .with_context(|| format!("cannot write {}", markdown_path.display()))?;
        Ok(())
    }

    fn markdown(&self) -> String {
        let results = Value::Object(self.0.clone());
        let mut text = String::from(
            "# Benchmarks\n\n\
             Written by `cargo xtask bench` (release build; `--only <part>` reruns one part, `--runs N` sets the \
             repetitions). Every figure is the median with min–max over repeated runs; the machine-readable \
             numbers are in [bench/results.json](bench/results.json). Absolute times depend on the machine \
             (below: the one the latest part ran on; each part names its CPU); ratios travel better.\n\n",
        );
        text.push_str(&crate::machine::markdown(&results["machine"]));
        for part in &PARTS {
            if let Some(value) = self.0.get(part.key) {
                let when = results["measured_at"][part.key].as_str().unwrap_or("?");
                let on = results["measured_on"][part.key]
                    .as_str()
                    .map_or_else(String::new, |cpu| format!(" on {cpu}"));
                text.push('\n');
                text.push_str(&(part.markdown)(value));
                text.push_str(&format!("Measured {when}{on}.\n"));
            }
        }
        text
    }
}

/// "2026-11-26T21:33:33Z"; `date` is on every machine this runs on.
fn utc_now() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_the_entries_a_partial_run_did_not_measure() {
        let mut results = Results(Map::new());
        results.set(
            "auth_overhead",
            json!({"command": "old", "fastapi": {"ratio": 0.9}, "axum": {"ratio": 0.99}}),
        );
        results.merge(
            "auth_overhead",
            json!({"command": "new", "fastapi": {"ratio": 0.8}}),
        );
        assert_eq!(
            results.0["auth_overhead"],
            json!({"command": "new", "fastapi": {"ratio": 0.8}, "axum": {"ratio": 0.99}})
        );
        assert!(results.0["measured_at"]["auth_overhead"].is_string());
        assert_eq!(
            results.0["measured_on"]["auth_overhead"],
            results.0["machine"]["cpu"]
        );
        assert!(
            results.markdown().contains(&format!(
                " on {}.\n",
                results.0["machine"]["cpu"].as_str().unwrap()
            )),
            "each part says which CPU it was measured on"
        );
    }
}
