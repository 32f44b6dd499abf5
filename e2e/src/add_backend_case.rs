//! The `cargo xtask add` case with an existing backend: a create-next-app@16 app and, beside it, a backend
//! made as its ecosystem's docs make it, committed as the user's own:
//! - FastAPI laid out as FastAPI's "Bigger Applications" guide shows (`app/main.py` creating the app,
//!   `app/routers/items.py` with an `APIRouter`, dependencies added with `uv add`);
//! - Express as Express's docs show (`npm init -y`, `npm install express`, the "Hello world" `app.js`,
//!   CommonJS).
//!
//! `add` detects the backend (→ separate) and wires it; then: `git status` in both folders shows exactly the
//! plan's files, a second `add` plans nothing, `next build` passes, the backend's `/api/me` answers 200 with
//! a token from the app and 401 without, and the backend's own routes answer as before.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use anyhow::ensure;

use crate::add_case::{
    build_and_start, create_app, git, git_changes, git_ignores, planned_files, xtask_add,
};
use crate::case::{Outcome, run_logged, step};
use crate::http::{Client, agent};
use crate::server::{Server, free_port};

/// The existing backend the case makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Fastapi,
    Express,
}

impl Kind {
    /// `--add-backend NAME`.
    pub fn parse(name: &str) -> anyhow::Result<Kind> {
        match name {
            "fastapi" => Ok(Kind::Fastapi),
            "express" => Ok(Kind::Express),
            other => anyhow::bail!(
                "--add-backend {other}: the add case with an existing backend exists for fastapi and express"
            ),
        }
    }

    /// The case's name in the summary.
    pub fn case_name(self) -> &'static str {
        match self {
            Kind::Fastapi => "add create-next-app + FastAPI app separate-sqlite",
            Kind::Express => "add create-next-app + Express app separate-sqlite",
        }
    }

    /// Lines the dry run's diff must show for the backend.
    fn planned_lines(self) -> [&'static str; 2] {
        match self {
            Kind::Fastapi => [
                "+++ b/../api/app/better_auth/security.py",
                "+setup_better_auth(app)",
            ],
            Kind::Express => [
                "+++ b/../api/better-auth/token-verifier.mjs",
                "+setupBetterAuth(app);",
            ],
        }
    }

    /// The backend's own routes, asked before and after `add`: (path, header).
    fn own_routes(self) -> &'static [(&'static str, Option<(&'static str, &'static str)>)] {
        match self {
            Kind::Fastapi => &FASTAPI_ROUTES,
            Kind::Express => &EXPRESS_ROUTES,
        }
    }

    /// Makes the backend in `api` as its docs do, and commits it.
    fn make(self, api: &Path, log: &dyn Fn(&str) -> std::path::PathBuf) -> anyhow::Result<()> {
        match self {
            Kind::Fastapi => {
                for (file, text) in FASTAPI_FILES {
                    let path = api.join(file);
                    std::fs::create_dir_all(path.parent().expect("a file has a folder"))?;
                    std::fs::write(path, text)?;
                }
                std::fs::write(api.join("pyproject.toml"), PYPROJECT)?;
                let mut add = uv(api);
                add.args(["add", "fastapi", "uvicorn"]);
                run_logged(add, &log("uv-add"))?;
            }
            Kind::Express => {
                std::fs::create_dir_all(api)?;
                for args in [&["init", "-y"][..], &["install", "express"]] {
                    let mut npm = Command::new("npm");
                    npm.args(args).current_dir(api);
                    run_logged(npm, &log(&format!("npm-{}", args[0])))?;
                }
                for (file, text) in EXPRESS_FILES {
                    std::fs::write(api.join(file), text)?;
                }
            }
        }
        git(api, &["init", "-q"])?;
        git(api, &["add", "-A"])?;
        git(api, &["commit", "-q", "-m", "Hello API"])
    }

    /// The backend as the user runs it, on 127.0.0.1:`port`.
    fn serve(self, api: &Path, port: u16) -> Command {
        match self {
            Kind::Fastapi => uvicorn(api, port),
            Kind::Express => {
                let mut node = Command::new("node");
                node.arg("app.js")
                    .current_dir(api)
                    .env("PORT", port.to_string());
                node
            }
        }
    }
}

/// The backend's folder, beside the app (where `add` looks without --backend-dir).
const BACKEND: &str = "api";

/// Express's "Hello world" example (the port from the environment, so the case can pick one) and the
/// ignore file every npm project has.
const EXPRESS_FILES: [(&str, &str); 2] = [
    (
        "app.js",
        r#"const express = require('express')
const app = express()
const port = process.env.PORT || 3000

app.get('/', (req, res) => {
  res.send('Hello World!')
})

app.listen(port, () => {
  console.log(`Example app listening on port ${port}`)
})
"#,
    ),
    (".gitignore", "node_modules\n"),
];

/// Express's own route and its own 404.
const EXPRESS_ROUTES: [(&str, Option<(&str, &str)>); 2] = [("/", None), ("/items/", None)];

/// FastAPI's "Bigger Applications" files (the guide's global query-token dependency left out: it would
/// guard every route, the added ones too).
const FASTAPI_FILES: [(&str, &str); 6] = [
    ("app/__init__.py", ""),
    ("app/routers/__init__.py", ""),
    (
        "app/main.py",
        r#"from fastapi import FastAPI

from .routers import items

app = FastAPI()


app.include_router(items.router)


@app.get("/")
async def root():
    return {"message": "Hello Bigger Applications!"}
"#,
    ),
    (
        "app/dependencies.py",
        r#"from typing import Annotated

from fastapi import Header, HTTPException


async def get_token_header(x_token: Annotated[str, Header()]):
    if x_token != "fake-super-secret-token":
        raise HTTPException(status_code=400, detail="X-Token header invalid")
"#,
    ),
    (
        "app/routers/items.py",
        r#"from fastapi import APIRouter, Depends, HTTPException

from ..dependencies import get_token_header

router = APIRouter(
    prefix="/items",
    tags=["items"],
    dependencies=[Depends(get_token_header)],
    responses={404: {"description": "Not found"}},
)


fake_items_db = {"plumbus": {"name": "Plumbus"}, "gun": {"name": "Portal Gun"}}


@router.get("/")
async def read_items():
    return fake_items_db


@router.get("/{item_id}")
async def read_item(item_id: str):
    if item_id not in fake_items_db:
        raise HTTPException(status_code=404, detail="Item not found")
    return {"name": fake_items_db[item_id]["name"], "item_id": item_id}
"#,
    ),
    (".gitignore", ".venv/\n__pycache__/\n.env\n"),
];

const PYPROJECT: &str = "[project]\nname = \"api\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = []\n";

/// The backend's own routes, asked before and after `add`: (path, header).
const FASTAPI_ROUTES: [(&str, Option<(&str, &str)>); 4] = [
    ("/", None),
    ("/items/", Some(("X-Token", "fake-super-secret-token"))),
    (
        "/items/plumbus",
        Some(("X-Token", "fake-super-secret-token")),
    ),
    ("/items/", None),
];

pub fn run(kind: Kind) -> Outcome {
    let mut steps = Vec::new();
    let mut logs = Vec::new();
    let result = run_steps(kind, &mut steps, &mut logs);
    Outcome {
        steps,
        error: result.err(),
        logs,
    }
}

fn run_steps(
    kind: Kind,
    steps: &mut Vec<(String, f64)>,
    logs: &mut Vec<std::path::PathBuf>,
) -> anyhow::Result<()> {
    eprintln!("==> case {}", kind.case_name());
    let work = tempfile::Builder::new()
        .prefix("e2e-add-backend-")
        .tempdir()?;
    let api = work.path().join(BACKEND);
    let log = |name: &str| work.path().join(format!("{name}.log"));
    let result = (|| {
        let app = create_app(work.path(), "shop", steps)?;
        step(steps, "the backend (the user's own commit)", || {
            kind.make(&api, &log)
        })?;
        let before = step(steps, "the backend's routes before add", || {
            own_routes(kind, &api, work.path(), logs)
        })?;

        let planned = step(steps, "add --dry-run", || {
            let (plan, diff) = xtask_add(&app, &["--dry-run"])?;
            std::fs::write(log("add-dry-run"), &diff)?;
            for wanted in kind
                .planned_lines()
                .into_iter()
                .chain(["+++ b/src/lib/api-interceptor.ts"])
            {
                ensure!(diff.contains(wanted), "the diff lacks {wanted}:\n{diff}");
            }
            ensure!(
                git_changes(&app)?.is_empty() && git_changes(&api)?.is_empty(),
                "--dry-run changed files"
            );
            planned_files(&plan)
        })?;
        step(steps, "add", || xtask_add(&app, &["--yes"]).map(drop))?;
        step(steps, "git status = the plan (app and backend)", || {
            let prefix = format!("../{BACKEND}/");
            let (backend, frontend): (BTreeSet<String>, BTreeSet<String>) = planned
                .iter()
                .cloned()
                .partition(|file| file.starts_with(&prefix));
            let backend = backend
                .iter()
                .map(|file| file[prefix.len()..].to_string())
                .collect();
            for (folder, files) in [(&app, frontend), (&api, backend)] {
                let mut visible = BTreeSet::new();
                for file in files {
                    if !git_ignores(folder, &file)? {
                        visible.insert(file);
                    }
                }
                let changed = git_changes(folder)?;
                ensure!(
                    changed == visible,
                    "git status in {} shows {changed:?}, the plan listed {visible:?} (and ignored files)",
                    folder.display()
                );
            }
            Ok(())
        })?;
        step(steps, "add again plans nothing", || {
            let (plan, diff) = xtask_add(&app, &["--dry-run", "--allow-dirty"])?;
            ensure!(
                plan.is_empty() && plan.installs.is_empty() && diff.is_empty(),
                "the second run planned:\n{diff}{:?}",
                plan.installs
            );
            Ok(())
        })?;
        let (_server, origin, frontend) = build_and_start(&app, work.path(), steps, logs)?;
        step(
            steps,
            "backend /api/me: 200 with the app's token, 401 without",
            || {
                let backend_port = free_port()?;
                let mut serve = kind.serve(&api, backend_port);
                serve
                    .env("BETTER_AUTH_URL", &origin)
                    .env("FRONTEND_URL", &origin);
                let mut backend = Server::start("backend", serve, work.path(), logs)?;
                backend.wait_listening(backend_port, 60)?;
                let url = format!("http://127.0.0.1:{backend_port}");
                let client = Client::new(&frontend, &origin);
                let user = client.sign_up("ada")?;
                let token = client.token(&user)?;
                let (status, body) = client.backend_get(&url, "/api/me", Some(&token))?;
                ensure!(
                    status == 200
                        && body == serde_json::json!({"id": user.id, "email": user.email}),
                    "/api/me with the token answered {status}: {body}"
                );
                let (status, body) = client.backend_get(&url, "/api/me", None)?;
                ensure!(
                    status == 401,
                    "/api/me without a token answered {status}: {body}"
                );
                let after = ask_own_routes(kind, &url)?;
                ensure!(
                    after == before,
                    "the backend's own routes changed: before {before:?}, after {after:?}"
                );
                Ok(())
            },
        )
    })();
    if result.is_err() || std::env::var_os("E2E_KEEP").is_some() {
        eprintln!("  kept {}", work.keep().display());
    }
    result
}

/// uv in `dir`, on the machine's Python (never a download).
fn uv(dir: &Path) -> Command {
    let mut command = Command::new("uv");
    command.current_dir(dir).env("UV_PYTHON_DOWNLOADS", "never");
    command
}

/// The backend as the user runs it: `uv run uvicorn app.main:app` on 127.0.0.1:`port`.
fn uvicorn(api: &Path, port: u16) -> Command {
    let mut serve = uv(api);
    serve
        .args([
            "run",
            "--frozen",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
        ])
        .args(["--port", &port.to_string()]);
    serve
}

/// The backend as the user runs it, asked its own routes, then stopped.
fn own_routes(
    kind: Kind,
    api: &Path,
    work: &Path,
    logs: &mut Vec<std::path::PathBuf>,
) -> anyhow::Result<Vec<(u16, String)>> {
    let port = free_port()?;
    let mut server = Server::start("backend before add", kind.serve(api, port), work, logs)?;
    server.wait_listening(port, 60)?;
    ask_own_routes(kind, &format!("http://127.0.0.1:{port}"))
}

/// Each own route's status and body (JSON from FastAPI, text and Express's 404 page from Express).
fn ask_own_routes(kind: Kind, url: &str) -> anyhow::Result<Vec<(u16, String)>> {
    let agent = agent();
    kind.own_routes()
        .iter()
        .map(|(path, header)| {
            let mut request = agent.get(&format!("{url}{path}"));
            if let Some((name, value)) = header {
                request = request.header(*name, *value);
            }
            let mut response = request.call()?;
            let status = response.status().as_u16();
            Ok((status, response.body_mut().read_to_string()?))
        })
        .collect()
}
