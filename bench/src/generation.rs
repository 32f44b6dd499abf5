//! Part 1: how long cargo-generate (through the same library call as `cargo xtask new`) takes to render one
//! project, and every combination.

use project_xtask::project::{Architecture, Database};
use serde_json::{Map, Value, json};
use xtask::combination::Choices;

use crate::Settings;
use crate::stats::{Stats, get_figure, put_figure, timed};

pub fn run(settings: &Settings) -> anyhow::Result<Value> {
    // The first render pays for cold file caches; it is not what a user's second project costs.
    let warm_up = tempfile::tempdir()?;
    xtask::generate::generate(&default_project(), warm_up.path())?;

    let mut one = Vec::new();
    for run in 1..=settings.runs {
        let dest = tempfile::tempdir()?;
        let (result, seconds) =
            timed(|| xtask::generate::generate(&default_project(), dest.path()));
        result?;
        eprintln!("    one project, run {run}: {seconds:.2}s");
        one.push(seconds);
    }
    let combinations = Choices::all();
    let mut all = Vec::new();
    for run in 1..=settings.runs {
        let dest = tempfile::tempdir()?;
        let (result, seconds) = timed(|| -> anyhow::Result<()> {
            for choices in &combinations {
                xtask::generate::generate(choices, dest.path())?;
            }
            Ok(())
        });
        result?;
        eprintln!(
            "    all {} combinations, run {run}: {seconds:.1}s",
            combinations.len()
        );
        all.push(seconds);
    }

    let mut object = Map::new();
    object.insert("combinations".to_string(), json!(combinations.len()));
    put_figure(&mut object, "one_project_s", Stats::of(&one));
    put_figure(&mut object, "all_combinations_s", Stats::of(&all));
    Ok(Value::Object(object))
}

/// What `cargo xtask new my-app` generates without flags.
fn default_project() -> Choices {
    Choices::of(Architecture::Monolithic, None, Database::Sqlite)
}

pub fn markdown(value: &Value) -> String {
    let row = |label: &str, name: &str| match get_figure(value, name) {
        Some(stats) => format!("| {label} | {} |\n", stats.show(2)),
        None => String::new(),
    };
    format!(
        "## Generation\n\n\
         Rendering through cargo-generate's library, exactly as `cargo xtask new` does (file copy, Liquid, \
         hooks, rustfmt), into a fresh temporary folder. Seconds, median (min–max).\n\n\
         | What | Seconds |\n|---|---|\n{}{}\n\
         Command: `cargo xtask bench --only generation`\n",
        row(
            "One project (monolithic + SQLite, the default)",
            "one_project_s"
        ),
        row(
            &format!(
                "All {} combinations, one after another",
                value["combinations"]
            ),
            "all_combinations_s"
        ),
    )
}
