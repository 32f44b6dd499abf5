//! The `cargo xtask add` case with an existing backend: a create-next-app@16 app and, beside it, a FastAPI
//! app laid out as FastAPI's "Bigger Applications" guide shows (`app/main.py` creating the app,
//! `app/routers/items.py` with an `APIRouter`, dependencies added with `uv add`), each committed as the
//! user's own. `add` detects the backend (→ separate) and wires it; then: `git status` in both folders shows
//! exactly the plan's files, a second `add` plans nothing, `next build` passes, the backend's `/api/me`
//! answers 200 with a token from the app and 401 without, and the backend's own routes answer as before.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use anyhow::ensure;
use serde_json::Value;

use crate::add_case::{
    build_and_start, create_app, git, git_changes, git_ignores, planned_files, xtask_add,
};
use crate::case::{Outcome, run_logged, step};
use crate::http::{Client, agent};
use crate::server::{Server, free_port};

/// The case's name in the summary.
pub const NAME: &str = "add create-next-app + FastAPI app separate-sqlite";

/// The backend's folder, beside the app (where `add` looks without --backend-dir).
const BACKEND: &str = "api";

/// FastAPI's "Bigger Applications" files (the guide's global query-token dependency left out: it would
/// guard every route, the added ones too).
const FILES: [(&str, &str); 6] = [
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

/// The backend's own routes, asked before and after `add`: (path, X-Token header).
const OWN_ROUTES: [(&str, Option<&str>); 4] = [
    ("/", None),
    ("/items/", Some("fake-super-secret-token")),
    ("/items/plumbus", Some("fake-super-secret-token")),
    ("/items/", None),
];

pub fn run() -> Outcome {
    let mut steps = Vec::new();
    let mut logs = Vec::new();
    let result = run_steps(&mut steps, &mut logs);
    Outcome {
        steps,
        error: result.err(),
        logs,
    }
}

fn run_steps(
    steps: &mut Vec<(String, f64)>,
    logs: &mut Vec<std::path::PathBuf>,
) -> anyhow::Result<()> {
    eprintln!("==> case {NAME}");
    let work = tempfile::Builder::new()
        .prefix("e2e-add-backend-")
        .tempdir()?;
    let api = work.path().join(BACKEND);
    let log = |name: &str| work.path().join(format!("{name}.log"));
    let result = (|| {
        let app = create_app(work.path(), "shop", steps)?;
        step(steps, "FastAPI app (the user's own commit)", || {
            for (file, text) in FILES {
                let path = api.join(file);
                std::fs::create_dir_all(path.parent().expect("a file has a folder"))?;
                std::fs::write(path, text)?;
            }
            std::fs::write(api.join("pyproject.toml"), PYPROJECT)?;
            let mut add = uv(&api);
            add.args(["add", "fastapi", "uvicorn"]);
            run_logged(add, &log("uv-add"))?;
            git(&api, &["init", "-q"])?;
            git(&api, &["add", "-A"])?;
            git(&api, &["commit", "-q", "-m", "Items API"])
        })?;
        let before = step(steps, "the backend's routes before add", || {
            own_routes(&api, work.path(), logs)
        })?;

        let planned = step(steps, "add --dry-run", || {
            let (plan, diff) = xtask_add(&app, &["--dry-run"])?;
            std::fs::write(log("add-dry-run"), &diff)?;
            for wanted in [
                "+++ b/../api/app/better_auth/security.py",
                "+setup_better_auth(app)",
                "+++ b/src/lib/api-interceptor.ts",
            ] {
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
                let mut serve = uvicorn(&api, backend_port);
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
                let after = ask_own_routes(&url)?;
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

/// The backend as the user runs it (`uv run uvicorn app.main:app`), asked OWN_ROUTES, then stopped.
fn own_routes(
    api: &Path,
    work: &Path,
    logs: &mut Vec<std::path::PathBuf>,
) -> anyhow::Result<Vec<(u16, Value)>> {
    let port = free_port()?;
    let mut server = Server::start("backend before add", uvicorn(api, port), work, logs)?;
    server.wait_listening(port, 60)?;
    ask_own_routes(&format!("http://127.0.0.1:{port}"))
}

fn ask_own_routes(url: &str) -> anyhow::Result<Vec<(u16, Value)>> {
    let agent = agent();
    OWN_ROUTES
        .iter()
        .map(|(path, token)| {
            let mut request = agent.get(&format!("{url}{path}"));
            if let Some(token) = token {
                request = request.header("X-Token", *token);
            }
            let mut response = request.call()?;
            let status = response.status().as_u16();
            Ok((status, response.body_mut().read_json()?))
        })
        .collect()
}
