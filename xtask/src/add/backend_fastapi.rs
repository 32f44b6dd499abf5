//! An existing FastAPI app wired to Better Auth: the generated FastAPI backend's verifier modules (taken from
//! the project rendered for the same choices, so there is one source), moved into a `better_auth` package
//! beside the module that creates the app, its settings appended to the backend's `.env`, its dependencies
//! added with the backend's own tool, and `setup_better_auth(app)` inserted after `app = FastAPI(...)` when
//! exactly one module creates the app (otherwise the lines to add are printed).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::backend::{DetectedBackend, mentions_package, plan_env, write_new};
use super::backend_install::Install;
use super::frontend::read_if_exists;
use super::plan::Plan;

/// The rendered backend's modules `add` brings (under `app/`), and their names in the `better_auth` package.
const MODULES: [(&str, &str); 6] = [
    ("core/config.py", "config"),
    ("core/jwks.py", "jwks"),
    ("core/token_cache.py", "token_cache"),
    ("core/security.py", "security"),
    ("api/deps.py", "deps"),
    ("api/routes/me.py", "me"),
];

/// The package `add` writes its modules into, beside the module that creates the app.
const PACKAGE: &str = "better_auth";

/// The package's `__init__.py`: `setup(app)`, the one call the app's module needs.
const SETUP_MODULE: &str = include_str!("backend_fastapi_setup.py");

/// The rendered backend's dependencies the modules import (fastapi aside); their pins are the template's.
const DEPENDENCIES: [&str; 3] = ["pyjwt", "httpx", "pydantic-settings"];

/// The name the wiring imports `setup` under in the app's module (also how a second run sees it is done).
const SETUP_NAME: &str = "setup_better_auth";

/// Adds the backend's changes to `plan`; `to_backend` is the backend folder relative to the app's root,
/// `rendered` the rendered project's `backend/`.
pub fn plan(
    found: &DetectedBackend,
    to_backend: &Path,
    rendered: &Path,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let package_dir = package_dir(found);
    let package = python_package(&package_dir);
    for (from, name) in MODULES {
        let source = rendered.join("app").join(from);
        let text = std::fs::read_to_string(&source)
            .with_context(|| format!("cannot read {}", source.display()))?;
        let text = moved_module(&text, &package, &package_dir)
            .with_context(|| format!("template/backend-fastapi/app/{from}"))?;
        write_new(
            plan,
            found,
            to_backend,
            &package_dir.join(PACKAGE).join(format!("{name}.py")),
            text,
        )?;
    }
    let init = SETUP_MODULE.replace("{package}", &package);
    write_new(
        plan,
        found,
        to_backend,
        &package_dir.join(PACKAGE).join("__init__.py"),
        init,
    )?;
    wire(found, to_backend, &package, plan)?;
    plan_env(found, to_backend, rendered, plan)?;
    plan_dependencies(found, to_backend, rendered, plan)
}

/// The folder (relative to the backend's) of the package holding the module that creates the app; without
/// one, `app/` when it exists (FastAPI's documented layout), else the backend's root.
fn package_dir(found: &DetectedBackend) -> PathBuf {
    found
        .instances
        .first()
        .and_then(|instance| instance.file.parent()?.strip_prefix(&found.dir).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            if found.dir.join("app").is_dir() {
                PathBuf::from("app")
            } else {
                PathBuf::new()
            }
        })
}

/// The dotted import path of `better_auth` in `package_dir`, as the app is started from the backend's
/// folder (`uvicorn app.main:app`); a `src/` layout imports without `src.`.
fn python_package(package_dir: &Path) -> String {
    let mut parts: Vec<String> = package_dir
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.first().is_some_and(|first| first == "src") {
        parts.remove(0);
    }
    parts.push(PACKAGE.to_string());
    parts.join(".")
}

/// A rendered module as it reads in `package`: imports of the other modules renamed, and config.py's
/// backend folder (whose `.env` it reads) counted from the module's new depth.
fn moved_module(text: &str, package: &str, package_dir: &Path) -> anyhow::Result<String> {
    let mut text = text.to_string();
    for (from, name) in MODULES {
        let module = format!("app.{}", from.trim_end_matches(".py").replace('/', "."));
        text = text.replace(
            &format!("from {module} import"),
            &format!("from {package}.{name} import"),
        );
    }
    let moved = format!("from {package}.");
    if let Some(line) = text.lines().find(|line| {
        (line.starts_with("from app.") || line.starts_with("import app"))
            && !line.starts_with(&moved)
    }) {
        bail!("imports a module add does not bring ({line})");
    }
    const BACKEND_DIR: &str = "Path(__file__).resolve().parents[2]";
    if text.contains(BACKEND_DIR) {
        let depth = package_dir.components().count() + 1;
        text = text.replace(
            BACKEND_DIR,
            &format!("Path(__file__).resolve().parents[{depth}]"),
        );
    }
    Ok(text)
}

/// `setup_better_auth(app)` right after `app = FastAPI(...)` in the one module creating the app; otherwise
/// the lines to add by hand.
fn wire(
    found: &DetectedBackend,
    to_backend: &Path,
    package: &str,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let import = format!("from {package} import setup as {SETUP_NAME}");
    let by_hand = |plan: &mut Plan, why: String| {
        plan.by_hand.push(format!(
            "wire Better Auth into your FastAPI app ({why}): add `{import}` and, right after the app is created, `{SETUP_NAME}(app)`"
        ));
    };
    let Some(instance) = found.instance() else {
        let why = found.why_not_one_instance("no module creates `FastAPI(`", "modules create one");
        by_hand(plan, why);
        return Ok(());
    };
    let text = std::fs::read_to_string(&instance.file)
        .with_context(|| format!("cannot read {}", instance.file.display()))?;
    if text.lines().any(|line| line.trim() == import) {
        return Ok(());
    }
    let lines: Vec<&str> = text.lines().collect();
    let at = instance.line.unwrap_or(1) - 1;
    let Some((variable, end)) = assignment(&lines, at) else {
        by_hand(
            plan,
            format!("{instance} does not assign `app = FastAPI(...)` at module level"),
        );
        return Ok(());
    };
    let own_cors = text.contains("CORSMiddleware");
    if own_cors {
        plan.by_hand.push(format!(
            "your CORSMiddleware in {} must allow the frontend's origin (FRONTEND_URL) and the Authorization header",
            instance.file.display()
        ));
    }
    let call = format!(
        "{SETUP_NAME}({variable}{})",
        if own_cors { ", cors=False" } else { "" }
    );
    let comment =
        "# Better Auth: bearer JWTs verified against the Next.js app's JWKS, and GET /api/me.";
    let mut after: Vec<&str> = lines.clone();
    after.splice(end + 1..end + 1, ["", comment, &call]);
    after.insert(import_line(&lines, at), &import);
    let mut after = after.join("\n");
    after.push('\n');
    let relative = instance
        .file
        .strip_prefix(&found.dir)
        .context("the app's module is outside its folder")?;
    plan.write(to_backend.join(relative), Some(text), after);
    Ok(())
}

/// `(variable, last line)` of a module-level `variable = FastAPI(...)` starting at line `at`.
fn assignment(lines: &[&str], at: usize) -> Option<(String, usize)> {
    let line = lines.get(at)?;
    let (left, right) = line.split_once('=')?;
    let variable = left.split(':').next()?.trim();
    let identifier = !variable.is_empty()
        && !line.starts_with(char::is_whitespace)
        && variable.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !identifier || !right.trim_start().starts_with("FastAPI(") {
        return None;
    }
    let mut depth = 0i32;
    for (index, line) in lines.iter().enumerate().skip(at) {
        let code = if index == at { right } else { line };
        depth += code.matches('(').count() as i32 - code.matches(')').count() as i32;
        if depth <= 0 {
            return Some((variable.to_string(), index));
        }
    }
    None
}

/// Where the import goes: after the module-level imports above line `before` (after a parenthesised
/// import's closing line), or at `before` when there are none.
fn import_line(lines: &[&str], before: usize) -> usize {
    let mut at = None;
    let mut index = 0;
    while index < before {
        let line = lines[index];
        if line.starts_with("import ") || line.starts_with("from ") {
            if line.contains('(') && !line.contains(')') {
                while index + 1 < before && !lines[index].contains(')') {
                    index += 1;
                }
            }
            at = Some(index + 1);
        }
        index += 1;
    }
    at.unwrap_or(before)
}

/// The template's pins the backend lacks, added with its own tool: uv (uv.lock or `[tool.uv]`), poetry
/// (`[tool.poetry]`), or requirements.txt (shown in the plan) installed with its `.venv`'s pip.
fn plan_dependencies(
    found: &DetectedBackend,
    to_backend: &Path,
    rendered: &Path,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let pins = template_pins(rendered)?;
    let pyproject = read_if_exists(&found.dir.join("pyproject.toml"))?.unwrap_or_default();
    let requirements = read_if_exists(&found.dir.join("requirements.txt"))?;
    let declared = |name: &str| {
        pyproject
            .lines()
            .chain(requirements.as_deref().unwrap_or_default().lines())
            .any(|line| mentions_package(&line.to_lowercase().replace('_', "-"), name))
    };
    let missing: Vec<String> = pins
        .into_iter()
        .filter(|(name, _)| !declared(name))
        .map(|(_, pin)| pin)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let tool = |program: &str, lockfile: &str, plan: &mut Plan| {
        let writes = ["pyproject.toml", lockfile];
        plan.tool_writes
            .extend(writes.iter().map(|file| to_backend.join(file)));
        plan.installs.push(Install {
            dir: found.dir.clone(),
            argv: [program, "add"]
                .iter()
                .map(ToString::to_string)
                .chain(missing.iter().cloned())
                .collect(),
            writes: writes.iter().map(|file| found.dir.join(file)).collect(),
        });
    };
    if found.dir.join("uv.lock").exists() || pyproject.contains("[tool.uv]") {
        tool("uv", "uv.lock", plan);
    } else if pyproject.contains("[tool.poetry]") {
        tool("poetry", "poetry.lock", plan);
    } else if let Some(before) = requirements {
        let mut after = before.clone();
        if !after.is_empty() && !after.ends_with('\n') {
            after.push('\n');
        }
        after.push_str("# Better Auth: JWT verification (cargo xtask add)\n");
        for pin in &missing {
            after.push_str(pin);
            after.push('\n');
        }
        plan.write(to_backend.join("requirements.txt"), Some(before), after);
        let python = found.dir.join(".venv/bin/python");
        if python.exists() {
            plan.installs.push(Install {
                dir: found.dir.clone(),
                argv: [
                    python.to_string_lossy().as_ref(),
                    "-m",
                    "pip",
                    "install",
                    "-r",
                    "requirements.txt",
                ]
                .iter()
                .map(ToString::to_string)
                .collect(),
                writes: Vec::new(),
            });
        } else {
            plan.by_hand.push(format!(
                "install the backend's new requirements into its environment: pip install -r {}",
                found.dir.join("requirements.txt").display()
            ));
        }
    } else {
        plan.by_hand.push(format!(
            "add to the dependencies in {}: {}",
            found.dir.join("pyproject.toml").display(),
            missing.join(", ")
        ));
    }
    Ok(())
}

/// `(name, pin)` of each of DEPENDENCIES in the rendered pyproject.toml (`"pyjwt[crypto]==2.15.1",`).
fn template_pins(rendered: &Path) -> anyhow::Result<Vec<(&'static str, String)>> {
    let text = std::fs::read_to_string(rendered.join("pyproject.toml"))
        .context("cannot read the rendered backend pyproject.toml")?;
    DEPENDENCIES
        .iter()
        .map(|name| {
            text.lines()
                .find(|line| mentions_package(line, name))
                .map(|line| {
                    let pin = line.trim().trim_end_matches(',').trim_matches('"');
                    (*name, pin.to_string())
                })
                .with_context(|| {
                    format!("template/backend-fastapi/pyproject.toml does not pin {name}")
                })
        })
        .collect()
}
