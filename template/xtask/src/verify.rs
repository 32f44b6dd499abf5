//! `cargo xtask verify`: compares the live database schema with what the installed Better Auth
//! expects for this app's own config, and names every difference with its fix.

mod compare;
mod expected;
mod fix;
pub(crate) mod introspect;
mod problem;
mod report;
mod schema;
pub(crate) mod target;
mod type_family;

pub use problem::{Problem, ProblemKind};
pub use report::{Outcome, Report};
pub use target::Target;

use anyhow::{Context, bail};

use crate::{Project, ui};

/// Runs the check and prints the report; fails when the schema has any problem.
pub fn run(project: &Project, json: bool) -> anyhow::Result<()> {
    let report = if json {
        inspect(project)?
    } else {
        ui::step("Verify the database schema", || inspect(project))?
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_text());
    }
    match report.problems().len() {
        0 => Ok(()),
        1 => bail!("the database schema has 1 problem (see above)"),
        n => bail!("the database schema has {n} problems (see above)"),
    }
}

/// Creates the indexes Better Auth declares that the live schema lacks on existing tables (its
/// migrator adds indexes only with new tables or columns). Returns one line per index created.
pub fn create_missing_indexes(project: &Project) -> anyhow::Result<Vec<String>> {
    let env = project.frontend_env()?;
    let Some(url) = env.get_non_empty("DATABASE_URL") else {
        return Ok(Vec::new());
    };
    let target = Target::from_url(&url, &project.frontend_dir())?;
    let Some(dialect) = target.family() else {
        return Ok(Vec::new());
    };
    let expected =
        expected::load(project).context("cannot learn the expected schema from Better Auth")?;
    let live = introspect::read(&target)?;
    let missing = compare::missing_indexes(&expected, &live);
    let statements: Vec<String> = missing
        .iter()
        .map(|(table, index)| fix::create_index(dialect, table, index))
        .collect();
    introspect::execute(&target, &statements)?;
    Ok(missing
        .iter()
        .map(|(table, index)| {
            format!(
                "{} fields indexed on {table} table ({}).",
                index.columns.join(", "),
                index.name
            )
        })
        .collect())
}

/// Reads both schemas and compares them, without printing.
pub fn inspect(project: &Project) -> anyhow::Result<Report> {
    let env = project.frontend_env()?;
    let url = env
        .get_non_empty("DATABASE_URL")
        .with_context(|| format!("DATABASE_URL is not set in {}", env.path().display()))?;
    let target = Target::from_url(&url, &project.frontend_dir())?;
    let Some(dialect) = target.family() else {
        let reason = format!(
            "{} is a remote libSQL (Turso) database; sqlx cannot read it, so its schema was not checked. \
             `cargo xtask migrate` migrates it; to verify the schema locally, point DATABASE_URL at a `file:` copy.",
            target.describe()
        );
        return Ok(Report {
            target,
            outcome: Outcome::NotCheckedRemotely { reason },
        });
    };
    let expected =
        expected::load(project).context("cannot learn the expected schema from Better Auth")?;
    let live = introspect::read(&target)?;
    let problems = compare::compare(&expected, &live, dialect);
    Ok(Report {
        target,
        outcome: Outcome::Checked { expected, problems },
    })
}
