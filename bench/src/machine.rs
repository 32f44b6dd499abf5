//! The machine the numbers came from: published beside them.

use std::process::Command;

use serde_json::{Value, json};

pub fn describe() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let kib: f64 = text
                .lines()
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((kib / 1024.0 / 1024.0).round())
        });
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_string())
        });
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "memory_gib": memory_gib,
        "os": os,
        "kernel": first_line("uname", &["-r"]),
        "rustc": first_line("rustc", &["--version"]),
        "node": first_line("node", &["--version"]),
        "python": first_line("python3", &["--version"]),
        "wrk": first_line("wrk", &["--version"]),
    })
}

/// The 1-minute load average (/proc/loadavg), when the OS has one: how busy the machine was during a run.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The first line a tool prints about itself, or null when it is not installed.
fn first_line(program: &str, args: &[&str]) -> Value {
    let Ok(output) = Command::new(program).args(args).output() else {
        return Value::Null;
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    text.lines()
        .find(|line| !line.trim().is_empty())
        .map_or(Value::Null, |line| json!(line.trim()))
}

pub fn markdown(machine: &Value) -> String {
    let field = |name: &str| match &machine[name] {
        Value::String(text) => text.clone(),
        Value::Null => "–".to_string(),
        other => other.to_string(),
    };
    format!(
        "| Machine | |\n|---|---|\n| CPU | {} ({} cores) |\n| Memory | {} GiB |\n| OS | {} (kernel {}) |\n\
         | Tools | {}, Node {}, {}, {} |\n",
        field("cpu"),
        field("cores"),
        field("memory_gib"),
        field("os"),
        field("kernel"),
        field("rustc"),
        field("node"),
        field("python"),
        field("wrk"),
    )
}
