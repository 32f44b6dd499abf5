//! `cargo xtask e2e` runs this binary: generate projects, set them up with their own `cargo xtask setup`,
//! run the real Next.js build, the real backend and a real database, and prove 200 vs 401 over HTTP.

use std::process::ExitCode;

use e2e::{case, database, flags, summary};

fn main() -> ExitCode {
    let flags = flags::E2e::from_env_or_exit();
    // The add cases run `cargo xtask` inside the apps they make (add's setup, the app's own commands): in
    // the generated projects' shared target folder, as the generated cases do (case.rs), each app's
    // automation reuses the dependencies already built instead of compiling them all again.
    if let Some(dir) = std::env::var_os("GENERATED_CARGO_TARGET_DIR") {
        // SAFETY: before this process starts any thread.
        unsafe { std::env::set_var("CARGO_TARGET_DIR", dir) };
    }
    if let Err(err) = e2e::containers::remove_on_interrupt() {
        eprintln!("error: cannot handle Ctrl-C: {err:#}");
        return ExitCode::FAILURE;
    }
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
    let manager = e2e::add_case::package_manager(&flags)?;
    if let Some(backend) = &flags.add_backend {
        let kind = e2e::add_backend_case::Kind::parse(backend)?;
        let mut summary = summary::Summary::default();
        let outcome = e2e::add_backend_case::run(kind);
        summary.record_named(kind.case_name().to_string(), "sqlite file", outcome);
        summary.print();
        return Ok(summary.all_passed());
    }
    if flags.add {
        let mut summary = summary::Summary::default();
        let outcome = e2e::add_case::run(manager, flags.browser);
        summary.record_named(e2e::add_case::name(manager), "sqlite file", outcome);
        summary.print();
        return Ok(summary.all_passed());
    }
    let cases = case::select(&flags)?;
    let skipped = flags
        .skip_database
        .iter()
        .map(|db| project_xtask::project::Database::parse(db))
        .collect::<Result<Vec<_>, _>>()?;
    let demand = database::Demand::from_env()?;
    if demand == database::Demand::Containers {
        // The servers' URLs are for other runs: not even the cases' processes see them.
        for variable in ["E2E_POSTGRES_URL", "E2E_MYSQL_URL"] {
            // SAFETY: before this process starts any thread (the cases and containers come later).
            unsafe { std::env::remove_var(variable) };
        }
        eprintln!(
            "E2E_PROVIDER=testcontainers: PostgreSQL and MySQL cases run in containers (E2E_POSTGRES_IMAGE={}, E2E_MYSQL_IMAGE={}); E2E_POSTGRES_URL / E2E_MYSQL_URL are not used",
            e2e::containers::image(project_xtask::project::DbFamily::Postgres),
            e2e::containers::image(project_xtask::project::DbFamily::Mysql),
        );
    }
    let mut summary = summary::Summary::default();
    // The default run drives in a real browser the cases it chose flows for (case::select); --browser asks
    // for it on every case.
    let default_run = flags.database.is_none()
        && flags.architecture.is_none()
        && flags.backend.is_none()
        && !flags.all;
    for choices in cases {
        let browser = flags.browser || (default_run && choices.auth_flows.is_some());
        let database = choices.database.expect("cases are complete");
        if skipped.contains(&database) {
            summary.skipped(&choices, "skipped on request (--skip-database)");
            continue;
        }
        match database::Provider::for_database(database, demand) {
            Ok(provider) => summary.record(
                &choices,
                &provider.to_string(),
                case::run(&choices, &provider, browser),
            ),
            Err(why) => summary.unavailable(&choices, &why),
        }
    }
    // The representative set also proves `cargo xtask add` on an app made by create-next-app: alone
    // (monolithic), and beside an existing FastAPI app and an existing Express app (separate).
    if default_run {
        let outcome = e2e::add_case::run(manager, false);
        summary.record_named(e2e::add_case::name(manager), "sqlite file", outcome);
        for kind in [
            e2e::add_backend_case::Kind::Fastapi,
            e2e::add_backend_case::Kind::Express,
        ] {
            let outcome = e2e::add_backend_case::run(kind);
            summary.record_named(kind.case_name().to_string(), "sqlite file", outcome);
        }
    }
    summary.print();
    Ok(summary.all_passed())
}
