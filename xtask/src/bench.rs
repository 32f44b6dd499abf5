//! `cargo xtask bench`: runs the `bench` crate's binary as a release build (it links this crate, so it
//! cannot be linked back in here).

use crate::flags;

pub fn run(cmd: flags::Bench) -> anyhow::Result<()> {
    let mut args: Vec<String> = Vec::new();
    for part in &cmd.only {
        args.extend(["--only".to_string(), part.clone()]);
    }
    for backend in &cmd.backend {
        args.extend(["--backend".to_string(), backend.clone()]);
    }
    if let Some(runs) = cmd.runs {
        args.extend(["--runs".to_string(), runs.to_string()]);
    }
    if let Some(duration) = cmd.duration {
        args.extend(["--duration".to_string(), duration.to_string()]);
    }
    if let Some(out) = &cmd.out {
        args.extend(["--out".to_string(), out.display().to_string()]);
    }
    crate::run_workspace_binary("bench", true, &args, "benchmark run")
}
