//! The command line of the benchmark runner.

use std::path::PathBuf;

xflags::xflags! {
    /// Measure time to a working project and what authentication costs each backend, beside the usual
    /// setup of its stack's JWT library (bench/peers/); write bench/results.json and BENCHMARKS.md.
    cmd bench {
        /// Only this part (repeatable): generation, first-200, cold-start, auth, auth-instructions,
        /// token-reuse. Default: all six. Parts not run keep their previous results in the output.
        repeated --only part: String
        /// With the auth parts: only this backend (repeatable): fastapi, express, axum. Default: all three.
        /// Backends not run keep their previous results in the output.
        repeated --backend backend: String
        /// Repetitions of each figure (default 3).
        optional --runs n: usize
        /// Seconds of load per measurement in the auth part (default 5).
        optional --duration seconds: u32
        /// Write results.json and BENCHMARKS.md into this folder instead of bench/ and the repository root.
        optional --out dir: PathBuf
    }
}
