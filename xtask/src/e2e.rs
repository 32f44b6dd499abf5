//! `cargo xtask e2e`: runs the `e2e` crate's binary (it links this crate for generation, so it cannot be
//! linked back in here).

use crate::flags;

pub fn run(cmd: flags::E2e) -> anyhow::Result<()> {
    let mut args: Vec<String> = Vec::new();
    for (flag, value) in [
        ("--database", &cmd.database),
        ("--architecture", &cmd.architecture),
        ("--backend", &cmd.backend),
        ("--auth-flows", &cmd.auth_flows),
        ("--add-backend", &cmd.add_backend),
        ("--package-manager", &cmd.package_manager),
    ] {
        if let Some(value) = value {
            args.extend([flag.to_string(), value.clone()]);
        }
    }
    if cmd.all {
        args.push("--all".to_string());
    }
    if cmd.browser {
        args.push("--browser".to_string());
    }
    if cmd.add {
        args.push("--add".to_string());
    }
    for database in &cmd.skip_database {
        args.extend(["--skip-database".to_string(), database.clone()]);
    }
    crate::run_workspace_binary("e2e", false, &args, "end-to-end run")
}
