//! Progress output: every long step says what it is doing and how long it took.

use std::time::Instant;

/// Runs `work` as a named step: prints `==> title`, then `    ok (1.2s)` or `    FAILED (1.2s)`.
pub fn step<T>(title: &str, work: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    eprintln!("==> {title}");
    let started = Instant::now();
    let result = work();
    let seconds = started.elapsed().as_secs_f64();
    match &result {
        Ok(_) => eprintln!("    ok ({seconds:.1}s)"),
        Err(_) => eprintln!("    FAILED ({seconds:.1}s)"),
    }
    result
}

/// A line of information inside a step.
pub fn info(message: &str) {
    eprintln!("    {message}");
}
