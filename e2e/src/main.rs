//! `cargo xtask e2e` runs this binary: generate projects, set them up with their own `cargo xtask setup`,
//! run the real Next.js build, the real backend and a real database, and prove 200 vs 401 over HTTP.

use std::process::ExitCode;

use e2e::{case, database, flags, summary};

fn main() -> ExitCode {
    let flags = flags::E2e::from_env_or_exit();
    let result = run(flags);
    e2e::containers::remove_all();
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(flags: flags::E2e) -> anyhow::Result<bool> {
    let cases = case::select(&flags)?;
    let skipped = flags
        .skip_database
        .iter()
        .map(|db| project_xtask::project::Database::parse(db))
        .collect::<Result<Vec<_>, _>>()?;
    let mut summary = summary::Summary::default();
    // The default run drives its first case in a real browser too; --browser asks for it on every case.
    let default_run = flags.database.is_none()
        && flags.architecture.is_none()
        && flags.backend.is_none()
        && !flags.all;
    for (index, choices) in cases.into_iter().enumerate() {
        let browser = flags.browser || (default_run && index == 0);
        let database = choices.database.expect("cases are complete");
        if skipped.contains(&database) {
            summary.skipped(&choices, "skipped on request (--skip-database)");
            continue;
        }
        match database::Provider::for_database(database) {
            Ok(provider) => summary.record(
                &choices,
                &provider.to_string(),
                case::run(&choices, &provider, browser),
            ),
            Err(why) => summary.unavailable(&choices, &why),
        }
    }
    summary.print();
    Ok(summary.all_passed())
}
