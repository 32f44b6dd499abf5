//! `cargo xtask add` on Next.js apps written by these tests: detection with evidence, refusals, the plan
//! as a diff (`--dry-run` changes nothing), idempotence, rollback on a failure part-way, the dirty-tree
//! refusal, and files that collide with the app's own.
//!
//! `cargo test -p xtask --test add`

mod terminal;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use project_xtask::project::AUTH_FLOW_NAMES;
use xtask::add::{self, apply, detect, plan::Plan};
use xtask::combination::Choices;

/// A create-next-app-like app (App Router, TypeScript, `src/`, npm) in a fresh temp folder, committed.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

const PACKAGE_JSON: &str = r#"{
  "name": "shop",
  "version": "0.1.0",
  "private": true,
  "scripts": {
    "dev": "next dev",
    "build": "next build"
  },
  "dependencies": {
    "next": "16.0.1",
    "react": "19.2.0",
    "react-dom": "19.2.0"
  },
  "devDependencies": {
    "@types/node": "^20",
    "typescript": "^5"
  }
}
"#;

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "strict": true,
    "paths": {
      "@/*": ["./src/*"]
    }
  }
}
"#;

impl Fixture {
    fn new() -> Fixture {
        xtask::provide_user_name();
        let dir = tempfile::Builder::new()
            .prefix("add-test-")
            .tempdir()
            .unwrap();
        let root = dir.path().join("shop");
        let fixture = Fixture { _dir: dir, root };
        fixture.write("package.json", PACKAGE_JSON);
        fixture.write("package-lock.json", "{}\n");
        fixture.write("tsconfig.json", TSCONFIG);
        fixture.write(".gitignore", "/node_modules\n.env*\n");
        fixture.write(
            "src/app/layout.tsx",
            "export default function L({ children }) { return children; }\n",
        );
        fixture.write(
            "src/app/page.tsx",
            "export default function Home() { return <p>shop</p>; }\n",
        );
        fixture
    }

    fn write(&self, file: &str, text: &str) {
        let path = self.root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn remove(&self, file: &str) {
        std::fs::remove_file(self.root.join(file)).unwrap();
    }

    fn commit(&self) {
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-q",
                "-m",
                "app",
            ],
        ] {
            let status = Command::new("git")
                .args(args)
                .current_dir(&self.root)
                .status()
                .unwrap();
            assert!(status.success(), "git {args:?}");
        }
    }

    /// Every file below the root (without .git) and its bytes.
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.root)
    }

    fn plan(&self) -> Plan {
        let app = detect::detect(&self.root).unwrap();
        let decision = add::decide(&app, Choices::default(), None, None).unwrap();
        let rendered = add::render(&app, &decision.choices).unwrap();
        add::plan_for(&app, &decision, rendered.path()).unwrap()
    }

    /// `cargo xtask add` on this app with `args`: (success, stdout, stderr).
    fn add(&self, args: &[&str]) -> (bool, String, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("add")
            .arg(&self.root)
            .args(args)
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

/// Every file below `root` (without .git) and its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() == ".git" {
                continue;
            }
            if path.is_dir() {
                out.insert(path.strip_prefix(root).unwrap().join(""), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn planned(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|change| change.path.display().to_string())
        .collect()
}

#[test]
fn detection_names_each_conclusion_with_its_file_and_line() {
    let app = Fixture::new();
    app.remove("package-lock.json");
    app.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    app.write(
        ".env",
        "# the shop's own\nDATABASE_URL=postgresql://shop@127.0.0.1:5432/shop\n",
    );
    let found = detect::detect(&app.root).unwrap();
    let shown: Vec<String> = found
        .findings
        .iter()
        .map(|f| format!("{} ({})", f.what, f.evidence))
        .collect();
    let has = |needle: &str| {
        assert!(
            shown.iter().any(|line| line.contains(needle)),
            "{needle} in {shown:#?}"
        )
    };
    has("Next.js 16.0.1 (package.json:10)");
    has("App Router in src/app/ (src/ layout)");
    has("TypeScript (tsconfig.json)");
    has("import alias @/* → ./src/ (tsconfig.json:5)");
    has("package manager pnpm (pnpm-lock.yaml)");
    has("database postgres from DATABASE_URL (.env:2)");
    assert_eq!(found.src_dir, PathBuf::from("src"));
    assert_eq!(found.alias.as_deref(), Some("@"));
    assert_eq!(found.package_manager, detect::PackageManager::Pnpm);

    // The decision takes the app's database URL as it is.
    let decision = add::decide(&found, Choices::default(), None, None).unwrap();
    assert_eq!(
        decision.choices.database_url.as_deref(),
        Some("postgresql://shop@127.0.0.1:5432/shop")
    );
    assert!(
        decision.backend.is_none(),
        "no backend beside the app: monolithic"
    );
}

#[test]
fn a_prisma_dialect_names_the_database_when_no_url_is_set() {
    let app = Fixture::new();
    app.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"mysql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    let found = detect::detect(&app.root).unwrap();
    let database = found.database.unwrap();
    assert_eq!(database.database.name(), "mysql");
    let finding = found
        .findings
        .iter()
        .find(|f| f.what.contains("mysql"))
        .unwrap();
    assert_eq!(finding.evidence.to_string(), "prisma/schema.prisma:2");
}

/// A change made to a fixture app before detection.
type Change = dyn Fn(&Fixture);

#[test]
fn apps_add_cannot_integrate_with_are_refused_with_the_reason() {
    let cases: [(&str, &Change, &str); 5] = [
        (
            "pages only",
            &|app| {
                std::fs::remove_dir_all(app.root.join("src/app")).unwrap();
                app.write(
                    "src/pages/index.tsx",
                    "export default function P() { return null; }\n",
                );
            },
            "Pages Router only",
        ),
        (
            "next 14",
            &|app| app.write("package.json", &PACKAGE_JSON.replace("16.0.1", "14.2.3")),
            "Next.js 14.2.3 is older than 15",
        ),
        (
            "nextauth",
            &|app| {
                app.write(
                    "package.json",
                    &PACKAGE_JSON.replace(
                        "\"next\": \"16.0.1\",",
                        "\"next\": \"16.0.1\",\n    \"next-auth\": \"4.24.11\",",
                    ),
                )
            },
            "references/migrating-from-nextauth.md",
        ),
        (
            "javascript",
            &|app| app.remove("tsconfig.json"),
            "no tsconfig.json",
        ),
        (
            "not next",
            &|app| app.write("package.json", "{\n  \"dependencies\": {}\n}\n"),
            "no `next` dependency",
        ),
    ];
    for (name, change, says) in cases {
        let app = Fixture::new();
        change(&app);
        let err = format!("{:#}", detect::detect(&app.root).unwrap_err());
        assert!(err.contains(says), "{name}: {err}");
    }
}

#[test]
fn better_auth_set_up_by_someone_else_is_refused_with_doctor() {
    let app = Fixture::new();
    app.write(
        "package.json",
        &PACKAGE_JSON.replace(
            "\"next\": \"16.0.1\",",
            "\"better-auth\": \"1.6.0\",\n    \"next\": \"16.0.1\",",
        ),
    );
    app.write("src/lib/auth.ts", "export const auth = 'theirs';\n");
    app.commit();
    let before = app.snapshot();
    let (ok, _, stderr) = app.add(&["--dry-run"]);
    assert!(!ok);
    assert!(
        stderr.contains("Better Auth is already set up") && stderr.contains("cargo xtask doctor"),
        "{stderr}"
    );
    assert_eq!(app.snapshot(), before);
}

#[test]
fn dry_run_prints_the_plan_as_a_diff_and_changes_nothing() {
    let app = Fixture::new();
    app.commit();
    let before = app.snapshot();
    let (ok, stdout, stderr) = app.add(&["--dry-run"]);
    assert!(ok, "{stderr}");
    for header in [
        "--- /dev/null\n+++ b/src/lib/auth.ts\n",
        "+++ b/src/lib/auth-client.ts\n",
        "+++ b/src/app/api/auth/[...all]/route.ts\n",
        "+++ b/src/app/(auth)/sign-in/page.tsx\n",
        "+++ b/src/app/dashboard/page.tsx\n",
        "+++ b/src/proxy.ts\n",
        "--- /dev/null\n+++ b/.env\n",
        "--- a/package.json\n+++ b/package.json\n",
        "+    \"better-auth\": ",
        "+BETTER_AUTH_URL=http://localhost:3000\n",
    ] {
        assert!(
            stdout.contains(header),
            "{header:?} missing from:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("api-interceptor"),
        "monolithic: no JWT interceptor"
    );
    assert!(stderr.contains("App Router in src/app/"), "{stderr}");
    assert!(
        stderr.contains("--dry-run: nothing was changed"),
        "{stderr}"
    );
    assert_eq!(app.snapshot(), before, "--dry-run wrote something");
}

#[test]
fn applying_the_plan_twice_changes_nothing_the_second_time() {
    let app = Fixture::new();
    app.write(".env", "SHOP_KEY=1\n");
    let plan = app.plan();
    assert!(planned(&plan).contains(&".env".to_string()));
    apply::transaction(|undo| apply::write_plan(&app.root, &plan, undo)).unwrap();
    let env = std::fs::read_to_string(app.root.join(".env")).unwrap();
    assert!(
        env.starts_with("SHOP_KEY=1\n"),
        "the app's own key stays first: {env}"
    );
    assert!(
        env.contains("\nBETTER_AUTH_SECRET=\n") && env.contains("\nDATABASE_URL=file:./auth.db\n"),
        "{env}"
    );
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(app.root.join("package.json")).unwrap())
            .unwrap();
    assert_eq!(
        package["dependencies"]["next"], "16.0.1",
        "the app's versions are kept"
    );
    assert!(package["dependencies"]["better-auth"].is_string());
    assert!(package["devDependencies"]["auth"].is_string());

    let again = app.plan();
    assert!(again.is_empty(), "second plan: {:?}", planned(&again));
    assert!(again.by_hand.is_empty(), "{:?}", again.by_hand);
    // The command agrees (Better Auth is now present, but it is ours).
    let (ok, stdout, stderr) = app.add(&["--dry-run", "--allow-dirty"]);
    assert!(ok, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("Nothing to change"), "{stderr}");
}

#[test]
fn a_failure_part_way_restores_every_file_byte_for_byte() {
    let app = Fixture::new();
    app.write(".env", "SHOP_KEY=1\n");
    let before = app.snapshot();
    let mut plan = app.plan();
    assert!(plan.changes.len() > 10);
    // A change that cannot be written (its folder would be below a file), after every real one.
    plan.write("package.json/impossible", None, "x".to_string());
    let err = apply::transaction(|undo| apply::write_plan(&app.root, &plan, undo)).unwrap_err();
    assert!(
        format!("{err:#}").contains("every file it touched was restored"),
        "{err:#}"
    );
    assert_eq!(app.snapshot(), before, "rollback left the app changed");
}

#[test]
fn a_failure_after_the_plan_was_written_restores_it_too() {
    let app = Fixture::new();
    let before = app.snapshot();
    let plan = app.plan();
    let err = apply::transaction(|undo| -> anyhow::Result<()> {
        apply::write_plan(&app.root, &plan, undo)?;
        // A later step (an install) rewrites the lockfile, then fails.
        let lock = app.root.join("package-lock.json");
        undo.before_write(&lock)?;
        std::fs::write(&lock, "changed")?;
        anyhow::bail!("install failed")
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("install failed"));
    assert_eq!(app.snapshot(), before);
}

/// A folder of stand-ins for the tools `add`'s setup runs, put first on PATH: `npm install` succeeds
/// and leaves an `auth` CLI that creates the SQLite file and then fails (as a migration can), and `cargo
/// xtask setup` (the app's own) creates the SQLite file and its journal, then fails as its verify step
/// would. Every other cargo call goes to the real cargo.
fn failing_setup_tools() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::Builder::new()
        .prefix("add-tools-")
        .tempdir()
        .unwrap();
    let scripts = [
        (
            "npm",
            "#!/bin/sh\nmkdir -p node_modules/.bin\nprintf '#!/bin/sh\\n: > auth.db\\necho migration failed >&2\\nexit 1\\n' > node_modules/.bin/auth\nchmod +x node_modules/.bin/auth\n".to_string(),
        ),
        (
            "cargo",
            format!(
                "#!/bin/sh\nif [ \"$1 $2\" = \"xtask setup\" ]; then\n  : > auth.db; : > auth.db-journal\n  echo 'verify: the schema differs' >&2\n  exit 1\nfi\nexec {:?} \"$@\"\n",
                env!("CARGO")
            ),
        ),
    ];
    for (name, text) in scripts {
        let path = bin.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

#[test]
fn a_failure_after_migrate_leaves_no_database_file() {
    let tools = failing_setup_tools();
    let path = format!(
        "{}:{}",
        tools.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // With the project automation the failure comes after the migration; without it, in it.
    for args in [&["--yes"][..], &["--yes", "--no-xtask"]] {
        let app = Fixture::new();
        app.commit();
        let before = app.snapshot();
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("add")
            .arg(&app.root)
            .args(args)
            .env("PATH", &path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("every file it touched was restored"),
            "{args:?}: {stderr}"
        );
        // node_modules is the install's and is not restored (README); everything else is as it was.
        let mut after = app.snapshot();
        after.retain(|path, _| !path.starts_with("node_modules"));
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{args:?}: {stderr}"
        );
        assert_eq!(after, before, "{args:?}");
    }
}

#[test]
fn a_dirty_work_tree_is_refused_unless_allowed() {
    let app = Fixture::new();
    app.commit();
    app.write(
        "src/app/page.tsx",
        "export default function Home() { return <p>edited</p>; }\n",
    );
    let before = app.snapshot();
    let (ok, _, stderr) = app.add(&["--yes"]);
    assert!(!ok);
    assert!(
        stderr.contains("uncommitted changes") && stderr.contains("--allow-dirty"),
        "{stderr}"
    );
    assert_eq!(app.snapshot(), before);
    let (ok, _, stderr) = app.add(&["--dry-run", "--allow-dirty"]);
    assert!(ok, "{stderr}");
}

#[test]
fn the_apps_own_routes_and_proxy_are_never_overwritten() {
    let app = Fixture::new();
    app.write(
        "src/app/(marketing)/sign-in/page.tsx",
        "export default function S() { return null; }\n",
    );
    app.write(
        "src/app/api/auth/session/route.ts",
        "export function GET() {}\n",
    );
    app.write("src/middleware.ts", "export function middleware() {}\n");
    app.write(
        "src/components/sign-up-form.tsx",
        "export const mine = 1;\n",
    );
    let plan = app.plan();
    let files = planned(&plan);
    for kept in [
        "src/app/(auth)/sign-in/page.tsx",
        "src/app/api/auth/[...all]/route.ts",
        "src/proxy.ts",
        "src/middleware.ts",
        "src/components/sign-up-form.tsx",
    ] {
        assert!(
            !files.contains(&kept.to_string()),
            "{kept} planned: {files:?}"
        );
    }
    let by_hand = plan.by_hand.join("\n");
    for says in [
        "skipped src/app/(auth)/sign-in/page.tsx: your src/app/(marketing)/sign-in/page.tsx already answers /sign-in",
        "skipped src/app/api/auth/[...all]/route.ts: your src/app/api/auth/session/route.ts",
        "kept your src/middleware.ts",
        "kept your src/components/sign-up-form.tsx",
    ] {
        assert!(by_hand.contains(says), "{says:?} not in:\n{by_hand}");
    }
    assert!(files.contains(&"src/app/(auth)/sign-up/page.tsx".to_string()));
}

#[test]
fn imports_follow_the_apps_layout_and_alias() {
    // No src/, alias ~ for the root.
    let app = Fixture::new();
    std::fs::rename(app.root.join("src/app"), app.root.join("app")).unwrap();
    app.write(
        "tsconfig.json",
        &TSCONFIG.replace("\"@/*\": [\"./src/*\"]", "\"~/*\": [\"./*\"]"),
    );
    let plan = app.plan();
    let route = plan
        .changes
        .iter()
        .find(|c| c.path == Path::new("app/api/auth/[...all]/route.ts"))
        .unwrap();
    assert!(
        route.after.contains("from \"~/lib/auth\""),
        "{}",
        route.after
    );
    assert!(planned(&plan).contains(&"proxy.ts".to_string()));

    // No alias at all: relative imports.
    app.write("tsconfig.json", "{\n  \"compilerOptions\": {}\n}\n");
    let plan = app.plan();
    let page = plan
        .changes
        .iter()
        .find(|c| c.path == Path::new("app/dashboard/page.tsx"))
        .unwrap();
    assert!(
        page.after.contains("from \"../../lib/auth\""),
        "{}",
        page.after
    );
    assert!(
        page.after
            .contains("from \"../../components/sign-out-button\""),
        "{}",
        page.after
    );
    assert!(!page.after.contains("\"@/"), "{}", page.after);
}

#[test]
fn cache_components_pages_opt_out_of_instant_navigation_and_old_node_types_are_raised() {
    let app = Fixture::new();
    app.write(
        "next.config.ts",
        "const nextConfig = {\n  cacheComponents: true,\n};\nexport default nextConfig;\n",
    );
    let found = detect::detect(&app.root).unwrap();
    assert!(found.cache_components);
    let finding = found
        .findings
        .iter()
        .find(|f| f.what == "Cache Components on")
        .unwrap();
    assert_eq!(finding.evidence.to_string(), "next.config.ts:2");
    let plan = app.plan();
    let page = plan
        .changes
        .iter()
        .find(|c| c.path == Path::new("src/app/dashboard/page.tsx"))
        .unwrap();
    assert!(
        page.after.ends_with("export const instant = false;\n"),
        "{}",
        page.after
    );
    let mail = plan
        .changes
        .iter()
        .find(|c| c.path == Path::new("src/app/dev/mail/page.tsx"));
    if let Some(mail) = mail {
        assert!(!mail.after.contains("force-dynamic"), "{}", mail.after);
        assert!(
            mail.after.ends_with("export const instant = false;\n"),
            "{}",
            mail.after
        );
    }
    // Pages that read the query (reset-password's token) or call connection() (sign-in/up decide the
    // social buttons per request) opt out too; a page that reads nothing of the request stays static.
    for dynamic in ["sign-in", "sign-up", "reset-password"] {
        let page = planned_text(&plan, &format!("src/app/(auth)/{dynamic}/page.tsx"));
        assert!(page.ends_with("export const instant = false;\n"), "{page}");
    }
    let forgot = planned_text(&plan, "src/app/(auth)/forgot-password/page.tsx");
    assert!(!forgot.contains("instant"), "{forgot}");
    // create-next-app's @types/node ^20 lacks node:sqlite: raised to the template's version, in the diff.
    let package = plan
        .changes
        .iter()
        .find(|c| c.path == Path::new("package.json"))
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&package.after).unwrap();
    assert!(
        parsed["devDependencies"]["@types/node"]
            .as_str()
            .unwrap()
            .starts_with("22."),
        "{}",
        package.after
    );
    assert_eq!(plan.tool_writes, vec![PathBuf::from("package-lock.json")]);
}

#[test]
fn next_15_gets_middleware_ts() {
    let app = Fixture::new();
    app.write("package.json", &PACKAGE_JSON.replace("16.0.1", "15.5.4"));
    let plan = app.plan();
    let middleware = plan
        .changes
        .iter()
        .find(|c| c.path == Path::new("src/middleware.ts"))
        .unwrap();
    assert!(
        middleware.after.contains("export function middleware("),
        "{}",
        middleware.after
    );
}

#[test]
fn a_fastapi_app_beside_the_app_means_separate() {
    let app = Fixture::new();
    let api = app.root.parent().unwrap().join("api");
    std::fs::create_dir_all(api.join("app")).unwrap();
    std::fs::write(
        api.join("requirements.txt"),
        "fastapi[standard]>=0.115\nuvicorn\n",
    )
    .unwrap();
    std::fs::write(
        api.join("app/main.py"),
        "from fastapi import FastAPI\n\napp = FastAPI()\n",
    )
    .unwrap();
    let found = detect::detect(&app.root).unwrap();
    let decision = add::decide(&found, Choices::default(), None, None).unwrap();
    let backend = decision.backend.unwrap();
    assert_eq!(backend.backend.name(), "fastapi");
    assert_eq!(
        backend.instance().unwrap().to_string(),
        format!("{}:3", api.join("app/main.py").display())
    );
    assert_eq!(
        format!("{:?}", decision.choices.architecture),
        "Some(Separate)"
    );
    // --architecture monolithic overrides what is beside the app.
    let choices = Choices::parse(Some("monolithic"), None, None).unwrap();
    let decision = add::decide(&found, choices, None, None).unwrap();
    assert!(decision.backend.is_none());
}

// The existing backend: FastAPI laid out as FastAPI's "Bigger Applications" guide shows (`app/main.py`
// creating the app, `app/routers/items.py` with an `APIRouter`), in a folder beside the app.

const FASTAPI_MAIN: &str = r#"from fastapi import FastAPI

from .routers import items

app = FastAPI(
    title="Shop API",
)


app.include_router(items.router)


@app.get("/")
async def root():
    return {"message": "Hello Bigger Applications!"}
"#;

const FASTAPI_ITEMS: &str = r#"from fastapi import APIRouter

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/")
async def read_items():
    return {"plumbus": {"name": "Plumbus"}}
"#;

/// The FastAPI app beside `app` (in `../api`), with `extra` files; returns its folder.
fn fastapi_beside(app: &Fixture, extra: &[(&str, &str)]) -> PathBuf {
    let api = app.root.parent().unwrap().join("api");
    let files = [
        ("app/__init__.py", ""),
        ("app/main.py", FASTAPI_MAIN),
        ("app/routers/__init__.py", ""),
        ("app/routers/items.py", FASTAPI_ITEMS),
        (".env", "SHOP_DB=sqlite:///shop.db\n"),
    ];
    for (file, text) in files.iter().chain(extra) {
        let path = api.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    api
}

const UV_PYPROJECT: &str = "[project]\nname = \"api\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\n    \"fastapi>=0.115\",\n    \"uvicorn>=0.30\",\n]\n";

fn change<'a>(plan: &'a Plan, path: &str) -> &'a add::plan::Change {
    plan.changes
        .iter()
        .find(|c| c.path == Path::new(path))
        .unwrap_or_else(|| panic!("{path} not planned: {:?}", planned(plan)))
}

#[test]
fn an_existing_fastapi_app_gets_the_template_verifier_wired_where_it_creates_the_app() {
    let app = Fixture::new();
    fastapi_beside(
        &app,
        &[
            ("pyproject.toml", UV_PYPROJECT),
            ("uv.lock", "version = 1\n"),
        ],
    );
    let plan = app.plan();
    let package = "../api/app/better_auth";
    for module in [
        "__init__",
        "config",
        "jwks",
        "token_cache",
        "security",
        "deps",
        "me",
    ] {
        change(&plan, &format!("{package}/{module}.py"));
    }
    // One source: the template's modules, with only their imports moved to the app's package.
    let template = |file: &str| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../template/backend-fastapi/app")
                .join(file),
        )
        .unwrap()
    };
    assert_eq!(
        change(&plan, &format!("{package}/security.py")).after,
        template("core/security.py")
            .replace(
                "from app.core.config import",
                "from app.better_auth.config import"
            )
            .replace(
                "from app.core.jwks import",
                "from app.better_auth.jwks import"
            )
            .replace(
                "from app.core.token_cache import",
                "from app.better_auth.token_cache import"
            )
    );
    assert_eq!(
        change(&plan, &format!("{package}/jwks.py")).after,
        template("core/jwks.py")
    );
    let me = &change(&plan, &format!("{package}/me.py")).after;
    assert!(
        me.contains("from app.better_auth.deps import CurrentUser")
            && me.contains("@router.get(\"/me\")")
    );
    // config.py still finds the backend's .env (app/better_auth/config.py → parents[2]).
    assert!(
        change(&plan, &format!("{package}/config.py"))
            .after
            .contains("parents[2]")
    );

    // Wired in the one module creating the app: the import after its imports, the call after the
    // (multi-line) FastAPI(...) call, nothing else of the module changed.
    let main = change(&plan, "../api/app/main.py");
    assert_eq!(main.before.as_deref(), Some(FASTAPI_MAIN));
    assert_eq!(
        main.after,
        FASTAPI_MAIN
            .replace(
                "from .routers import items\n",
                "from .routers import items\nfrom app.better_auth import setup as setup_better_auth\n"
            )
            .replace(
                "    title=\"Shop API\",\n)\n",
                "    title=\"Shop API\",\n)\n\n# Better Auth: bearer JWTs verified against the Next.js app's JWKS, and GET /api/me.\nsetup_better_auth(app)\n"
            )
    );
    let diff = plan.diff();
    assert!(
        diff.contains("--- a/../api/app/main.py\n+++ b/../api/app/main.py\n"),
        "{diff}"
    );
    assert!(diff.contains("+setup_better_auth(app)\n"), "{diff}");

    // Settings appended to the backend's .env, its own kept first.
    let env = change(&plan, "../api/.env");
    assert!(
        env.after.starts_with("SHOP_DB=sqlite:///shop.db\n"),
        "{}",
        env.after
    );
    assert!(
        env.after
            .contains("\nBETTER_AUTH_URL=http://localhost:3000\n"),
        "{}",
        env.after
    );
    assert!(
        env.after.contains("\nFRONTEND_URL=http://localhost:3000\n"),
        "{}",
        env.after
    );
    assert!(
        !env.after.contains("DATABASE_URL") && !env.after.contains("PORT="),
        "{}",
        env.after
    );

    // Dependencies with uv (uv.lock), pinned as the template pins them.
    let pyproject = template("../pyproject.toml.liquid");
    let pin = |name: &str| {
        pyproject
            .lines()
            .find(|line| line.trim().starts_with(&format!("\"{name}")))
            .unwrap()
            .trim()
            .trim_end_matches(',')
            .trim_matches('"')
            .to_string()
    };
    assert_eq!(plan.installs.len(), 1, "{:?}", plan.installs);
    assert_eq!(
        plan.installs[0].argv,
        [
            "uv".to_string(),
            "add".to_string(),
            pin("pyjwt[crypto]"),
            pin("httpx"),
            pin("pydantic-settings")
        ]
    );
    assert!(plan.tool_writes.contains(&PathBuf::from("../api/uv.lock")));
    assert!(
        plan.tool_writes
            .contains(&PathBuf::from("../api/pyproject.toml"))
    );
    // The frontend half is the separate one: JWT plugin and the api interceptor.
    assert!(
        planned(&plan)
            .iter()
            .any(|path| path.contains("api-interceptor")),
        "{:?}",
        planned(&plan)
    );
    assert!(
        !plan.by_hand.iter().any(|line| line.contains("backend")),
        "{:?}",
        plan.by_hand
    );
}

#[test]
fn two_modules_creating_a_fastapi_app_get_the_exact_lines_to_add_by_hand() {
    let app = Fixture::new();
    fastapi_beside(
        &app,
        &[
            ("pyproject.toml", UV_PYPROJECT),
            (
                "app/admin.py",
                "from fastapi import FastAPI\n\nadmin = FastAPI()\n",
            ),
        ],
    );
    let plan = app.plan();
    assert!(
        !planned(&plan)
            .iter()
            .any(|path| path.ends_with("main.py") || path.ends_with("admin.py"))
    );
    change(&plan, "../api/app/better_auth/security.py");
    let line = plan
        .by_hand
        .iter()
        .find(|line| line.starts_with("wire Better Auth into your FastAPI app"))
        .unwrap_or_else(|| panic!("{:?}", plan.by_hand));
    assert!(line.contains("2 modules create one"), "{line}");
    assert!(
        line.contains("`from app.better_auth import setup as setup_better_auth`")
            && line.contains("`setup_better_auth(app)`"),
        "{line}"
    );
}

const REQUIREMENTS: &str = "fastapi[standard]>=0.115\nPyJWT==2.10.0\n";

#[test]
fn requirements_txt_gets_the_pins_and_an_apps_own_cors_is_kept() {
    let app = Fixture::new();
    let cors = FASTAPI_MAIN.replace(
        "from fastapi import FastAPI\n",
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n",
    ) + "\napp.add_middleware(CORSMiddleware, allow_origins=[\"http://localhost:3000\"])\n";
    fastapi_beside(
        &app,
        &[("requirements.txt", REQUIREMENTS), ("app/main.py", &cors)],
    );
    let plan = app.plan();
    let requirements = change(&plan, "../api/requirements.txt");
    // The app's own PyJWT pin is kept; the missing two are appended with the template's pins.
    assert!(
        requirements.after.starts_with(REQUIREMENTS),
        "{}",
        requirements.after
    );
    assert!(
        !requirements.after.contains("pyjwt"),
        "{}",
        requirements.after
    );
    assert!(
        requirements.after.contains("\nhttpx==")
            && requirements.after.contains("\npydantic-settings==")
    );
    assert!(
        change(&plan, "../api/app/main.py")
            .after
            .contains("\nsetup_better_auth(app, cors=False)\n")
    );
    // No .venv to install into: the pip line is printed; the app's CORS must allow the frontend.
    assert!(plan.installs.is_empty(), "{:?}", plan.installs);
    for wanted in ["pip install -r", "CORSMiddleware"] {
        assert!(
            plan.by_hand.iter().any(|line| line.contains(wanted)),
            "{wanted}: {:?}",
            plan.by_hand
        );
    }
}

#[test]
fn the_backend_half_is_idempotent_rolled_back_and_left_alone_by_dry_run() {
    let app = Fixture::new();
    let api = fastapi_beside(&app, &[("requirements.txt", REQUIREMENTS)]);
    app.commit();
    let before = snapshot(&api);

    let (ok, stdout, stderr) = app.add(&["--dry-run"]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("--- /dev/null\n+++ b/../api/app/better_auth/security.py\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+++ b/../api/requirements.txt\n"),
        "{stdout}"
    );
    assert_eq!(snapshot(&api), before, "--dry-run wrote into the backend");

    // A failure after the backend's files were written and its install rewrote its manifest.
    let mut plan = app.plan();
    plan.installs = vec![add::backend_install::Install {
        dir: api.clone(),
        argv: ["sh", "-c", "echo broken >> requirements.txt; exit 3"]
            .map(String::from)
            .to_vec(),
        writes: vec![api.join("requirements.txt")],
    }];
    let err = apply::transaction(|undo| {
        apply::write_plan(&app.root, &plan, undo)?;
        add::backend_install::run(&plan.installs, undo)
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("exited with"), "{err:#}");
    assert_eq!(snapshot(&api), before, "rollback left the backend changed");

    let plan = app.plan();
    apply::transaction(|undo| apply::write_plan(&app.root, &plan, undo)).unwrap();
    let again = app.plan();
    assert!(again.is_empty(), "second plan: {:?}", planned(&again));
    assert!(again.installs.is_empty(), "{:?}", again.installs);
}

// The existing backend: an Express app as Express's own docs make it (`npm init -y`, `npm install express`,
// the "Hello world" app.js, CommonJS), in a folder beside the app.

const EXPRESS_PACKAGE_JSON: &str = r#"{
  "name": "api",
  "version": "1.0.0",
  "main": "app.js",
  "type": "commonjs",
  "dependencies": {
    "express": "^5.1.0"
  }
}
"#;

const EXPRESS_APP_JS: &str = r#"const express = require('express')
const app = express()
const port = process.env.PORT || 3000

app.get('/', (req, res) => {
  res.send('Hello World!')
})

app.listen(port, () => {
  console.log(`Example app listening on port ${port}`)
})
"#;

/// The Express app beside `app` (in `../api`) with `extra` files; returns its folder.
fn express_beside(app: &Fixture, extra: &[(&str, &str)]) -> PathBuf {
    let api = app.root.parent().unwrap().join("api");
    let files = [
        ("package.json", EXPRESS_PACKAGE_JSON),
        ("package-lock.json", "{}\n"),
        ("app.js", EXPRESS_APP_JS),
        (".gitignore", "node_modules\n"),
    ];
    for (file, text) in files.iter().chain(extra) {
        let path = api.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    api
}

/// The template backend's file, as add finds it in the rendered project.
fn express_template(file: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../template/backend-express")
            .join(file),
    )
    .unwrap()
}

/// The template's pin of `name` in `section` of the Express backend's package.json (`jose@^6.2.19`).
fn express_pin(section: &str, name: &str) -> String {
    let text = express_template("package.json.liquid");
    let line = text
        .lines()
        .skip_while(|line| !line.contains(&format!("\"{section}\"")))
        .find(|line| line.trim().starts_with(&format!("\"{name}\":")))
        .unwrap();
    // `"jose": "^6.2.19"{% if … %},`: the range between the value's quotes.
    let value = line.split_once(": \"").unwrap().1;
    format!("{name}@{}", &value[..value.find('"').unwrap()])
}

const EXPRESS_MODULES: [&str; 9] = [
    "config",
    "logger",
    "cors",
    "jwks-cache",
    "verified-token-cache",
    "token-verifier",
    "auth",
    "me",
    "index",
];

#[test]
fn an_existing_express_app_gets_the_template_verifier_wired_where_it_creates_the_app() {
    let app = Fixture::new();
    let api = express_beside(&app, &[]);
    let found = detect::detect(&app.root).unwrap();
    let decision = add::decide(&found, Choices::default(), None, None).unwrap();
    assert_eq!(decision.backend.as_ref().unwrap().backend.name(), "express");
    let plan = app.plan();

    // A JavaScript app: the template's modules with their types stripped, as ES modules beside app.js.
    for module in EXPRESS_MODULES {
        let text = &change(&plan, &format!("../api/better-auth/{module}.mjs")).after;
        assert!(
            text.starts_with("// From "),
            "{module}: {}",
            &text[..80.min(text.len())]
        );
        assert!(
            !text.contains(".ts\"") && !text.contains("import type"),
            "{module}:\n{text}"
        );
    }
    assert!(
        !planned(&plan).iter().any(|file| file.contains("express.d")),
        "{:?}",
        planned(&plan)
    );
    let verifier = &change(&plan, "../api/better-auth/token-verifier.mjs").after;
    assert!(
        verifier.contains(
            "import { JwksCache, KeysUnavailableError, MissingKidError } from \"./jwks-cache.mjs\";"
        ) && verifier.contains(
            "export function createTokenVerifier(config, logger, verified = new VerifiedTokenCache()) {"
        ),
        "{verifier}"
    );
    let me = &change(&plan, "../api/better-auth/me.mjs").after;
    assert!(
        me.contains("from \"./auth.mjs\";") && me.contains("router.get(\"/me\""),
        "{me}"
    );
    // Every module is valid JavaScript for the Node that runs the app.
    let checked = tempfile::tempdir().unwrap();
    for module in EXPRESS_MODULES {
        let path = checked.path().join(format!("{module}.mjs"));
        std::fs::write(
            &path,
            &change(&plan, &format!("../api/better-auth/{module}.mjs")).after,
        )
        .unwrap();
        let output = Command::new("node")
            .arg("--check")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{module}.mjs: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    // Wired in the one module creating the app: the require after its requires, the call right after
    // `const app = express()`, nothing else of the module changed.
    let main = change(&plan, "../api/app.js");
    assert_eq!(main.before.as_deref(), Some(EXPRESS_APP_JS));
    assert_eq!(
        main.after,
        EXPRESS_APP_JS.replace(
            "const express = require('express')\nconst app = express()\n",
            "const express = require('express')\nconst { setupBetterAuth } = require(\"./better-auth/index.mjs\");\nconst app = express()\n\n// Better Auth: bearer JWTs verified against the Next.js app's JWKS, and GET /api/me.\nsetupBetterAuth(app);\n\n"
        )
    );
    let diff = plan.diff();
    assert!(
        diff.contains("--- a/../api/app.js\n+++ b/../api/app.js\n")
            && diff.contains("+setupBetterAuth(app);\n"),
        "{diff}"
    );

    // Settings in a new .env (the app had none), without the template's database or listen address.
    let env = change(&plan, "../api/.env");
    assert!(env.before.is_none());
    for wanted in [
        "BETTER_AUTH_URL=http://localhost:3000\n",
        "\nFRONTEND_URL=http://localhost:3000\n",
    ] {
        assert!(env.after.contains(wanted), "{}", env.after);
    }
    assert!(
        !env.after.contains("DATABASE_URL") && !env.after.contains("PORT="),
        "{}",
        env.after
    );

    // jose and cors with npm (package-lock.json), at the template's pins; no types for JavaScript.
    assert_eq!(
        plan.installs
            .iter()
            .map(|install| install.argv.clone())
            .collect::<Vec<_>>(),
        [vec![
            "npm".to_string(),
            "install".to_string(),
            express_pin("dependencies", "jose"),
            express_pin("dependencies", "cors"),
        ]]
    );
    assert_eq!(plan.installs[0].dir, api);
    for file in ["../api/package.json", "../api/package-lock.json"] {
        assert!(plan.tool_writes.contains(&PathBuf::from(file)), "{file}");
    }
    assert!(
        !plan
            .by_hand
            .iter()
            .any(|line| line.contains("backend") || line.contains("Express")),
        "{:?}",
        plan.by_hand
    );
}

const EXPRESS_APP_TS: &str = r#"import cors from "cors";
import express from "express";

export const app = express();
app.use(cors({ origin: ["http://localhost:3000"] }));

app.get("/health", (_req, res) => {
  res.json({ ok: true });
});
"#;

#[test]
fn a_typescript_express_app_gets_the_template_files_as_they_are_and_keeps_its_own_cors() {
    let app = Fixture::new();
    let package = EXPRESS_PACKAGE_JSON
        .replace("\"type\": \"commonjs\"", "\"type\": \"module\"")
        .replace(
            "\"express\": \"^5.1.0\"",
            "\"cors\": \"^2.8.5\",\n    \"express\": \"^5.1.0\"",
        );
    express_beside(
        &app,
        &[
            ("package.json", &package),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            (
                "tsconfig.json",
                "{ \"compilerOptions\": { \"module\": \"nodenext\", \"strict\": true } }\n",
            ),
            ("src/app.ts", EXPRESS_APP_TS),
        ],
    );
    std::fs::remove_file(app.root.parent().unwrap().join("api/app.js")).unwrap();
    let plan = app.plan();

    // One source: the template's TypeScript, only its imports moved into the folder (`.js`: this tsconfig
    // does not allow `.ts` imports).
    let moved = |text: String| {
        text.replace("from \"../auth.ts\"", "from \"./auth.js\"")
            .replace(
                "from \"../token-verifier.ts\"",
                "from \"./token-verifier.js\"",
            )
            .replace(".ts\";", ".js\";")
    };
    for (module, template) in [
        ("token-verifier", "token-verifier.ts"),
        ("jwks-cache", "jwks-cache.ts"),
        ("cors", "cors.ts"),
        ("me", "routes/me.ts"),
        ("express.d", "types/express.d.ts"),
    ] {
        assert_eq!(
            change(&plan, &format!("../api/src/better-auth/{module}.ts")).after,
            moved(express_template(&format!("src/{template}"))),
            "{module}"
        );
    }
    let config = &change(&plan, "../api/src/better-auth/config.ts").after;
    assert!(
        !config.contains("./db/") && config.contains("from \"./logger.js\";"),
        "{config}"
    );

    // The app's own cors() stays; setup is told so, and the by-hand line says what it must allow.
    let main = change(&plan, "../api/src/app.ts");
    assert_eq!(
        main.after,
        EXPRESS_APP_TS.replace(
            "import express from \"express\";\n\nexport const app = express();\n",
            "import express from \"express\";\nimport { setupBetterAuth } from \"./better-auth/index.js\";\n\nexport const app = express();\n\n// Better Auth: bearer JWTs verified against the Next.js app's JWKS, and GET /api/me.\nsetupBetterAuth(app, { cors: false });\n\n"
        )
    );
    assert!(
        plan.by_hand
            .iter()
            .any(|line| line.contains("your cors()") && line.contains("Authorization")),
        "{:?}",
        plan.by_hand
    );
    // pnpm (its lockfile), cors already there: jose, then the types as a development dependency.
    assert_eq!(
        plan.installs
            .iter()
            .map(|install| install.argv.join(" "))
            .collect::<Vec<_>>(),
        [
            format!("pnpm add {}", express_pin("dependencies", "jose")),
            format!(
                "pnpm add -D {}",
                express_pin("devDependencies", "@types/cors")
            ),
        ]
    );
    assert!(
        plan.tool_writes
            .contains(&PathBuf::from("../api/pnpm-lock.yaml"))
    );
}

#[test]
fn two_modules_creating_an_express_app_get_the_exact_lines_to_add_by_hand() {
    let app = Fixture::new();
    express_beside(
        &app,
        &[(
            "admin.js",
            "const express = require('express')\nconst admin = express()\nmodule.exports = admin\n",
        )],
    );
    let plan = app.plan();
    assert!(
        !planned(&plan)
            .iter()
            .any(|path| path.ends_with("app.js") || path.ends_with("admin.js")),
        "{:?}",
        planned(&plan)
    );
    change(&plan, "../api/better-auth/token-verifier.mjs");
    let line = plan
        .by_hand
        .iter()
        .find(|line| line.starts_with("wire Better Auth into your Express app"))
        .unwrap_or_else(|| panic!("{:?}", plan.by_hand));
    assert!(line.contains("2 modules call `express()`"), "{line}");
    assert!(
        line.contains("`./better-auth/index.mjs`") && line.contains("`setupBetterAuth(app);`"),
        "{line}"
    );
}

#[test]
fn the_express_half_is_idempotent_rolled_back_and_left_alone_by_dry_run() {
    let app = Fixture::new();
    let api = express_beside(&app, &[(".env", "PORT=4000\n")]);
    app.commit();
    let before = snapshot(&api);

    let (ok, stdout, stderr) = app.add(&["--dry-run"]);
    assert!(ok, "{stderr}");
    for wanted in [
        "--- /dev/null\n+++ b/../api/better-auth/token-verifier.mjs\n",
        "+++ b/../api/app.js\n",
        "+++ b/../api/.env\n",
    ] {
        assert!(stdout.contains(wanted), "{wanted}: {stdout}");
    }
    assert!(
        stderr.contains("also: ../api/package-lock.json"),
        "{stderr}"
    );
    assert_eq!(snapshot(&api), before, "--dry-run wrote into the backend");

    // A failure after the backend's files were written and its install rewrote its manifest.
    let mut plan = app.plan();
    assert_eq!(plan.installs.len(), 1);
    plan.installs[0].argv = ["sh", "-c", "echo broken >> package.json; exit 3"]
        .map(String::from)
        .to_vec();
    let err = apply::transaction(|undo| {
        apply::write_plan(&app.root, &plan, undo)?;
        add::backend_install::run(&plan.installs, undo)
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("exited with"), "{err:#}");
    assert_eq!(snapshot(&api), before, "rollback left the backend changed");

    // Applied (the install stood in for by writing what npm would), a second plan is empty.
    let plan = app.plan();
    apply::transaction(|undo| apply::write_plan(&app.root, &plan, undo)).unwrap();
    std::fs::write(
        api.join("package.json"),
        EXPRESS_PACKAGE_JSON.replace(
            "\"express\": \"^5.1.0\"",
            "\"cors\": \"^2.8.6\",\n    \"express\": \"^5.1.0\",\n    \"jose\": \"^6.2.19\"",
        ),
    )
    .unwrap();
    let env = std::fs::read_to_string(api.join(".env")).unwrap();
    assert!(env.starts_with("PORT=4000\n"), "{env}");
    let again = app.plan();
    assert!(again.is_empty(), "second plan: {:?}", planned(&again));
    assert!(again.installs.is_empty(), "{:?}", again.installs);
}

/// The value of `key` in the `[section]` of the better-auth.toml text `manifest`.
fn manifest_value(manifest: &str, section: &str, key: &str) -> Option<String> {
    let table: toml::Table = manifest.parse().unwrap();
    Some(table.get(section)?.get(key)?.as_str()?.to_string())
}

fn planned_text(plan: &Plan, file: &str) -> String {
    plan.changes
        .iter()
        .find(|change| change.path == Path::new(file))
        .unwrap_or_else(|| panic!("{file} is not in the plan: {:?}", planned(plan)))
        .after
        .clone()
}

#[test]
fn the_plan_writes_the_project_automation_with_the_apps_layout_unless_no_xtask() {
    let app = Fixture::new();
    app.remove("package-lock.json");
    app.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    let plan = app.plan();
    let files = planned(&plan);
    for file in [
        "better-auth.toml",
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "xtask/Cargo.toml",
        "xtask/src/main.rs",
        "xtask/src/setup.rs",
        "scripts/expected-schema.mjs",
        "scripts/load-auth.mjs",
    ] {
        assert!(files.contains(&file.to_string()), "{file} not in {files:?}");
    }
    // The manifest the app's own `cargo xtask` reads: the template's, plus where this app's parts are.
    let manifest = planned_text(&plan, "better-auth.toml");
    let parsed = project_xtask::project::Manifest::parse(&manifest).unwrap();
    assert_eq!(parsed.layout.frontend, ".");
    assert_eq!(parsed.layout.package_manager.name(), "pnpm");
    assert_eq!(parsed.name, "shop");
    assert_eq!(manifest_value(&manifest, "layout", "backend"), None);
    let gitignore = planned_text(&plan, ".gitignore");
    for line in ["target/", ".tools/", "/.mail", "*.db"] {
        assert!(
            gitignore.lines().any(|their| their == line),
            "{line} not ignored:\n{gitignore}"
        );
    }
    let package: serde_json::Value =
        serde_json::from_str(&planned_text(&plan, "package.json")).unwrap();
    assert!(
        package["scripts"]["typecheck"].is_string(),
        "cargo xtask test runs it"
    );

    app.commit();
    let (ok, stdout, stderr) = app.add(&["--dry-run", "--no-xtask"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("+++ b/src/lib/auth.ts"), "{stdout}");
    for absent in [
        "+++ b/better-auth.toml",
        "+++ b/xtask/",
        "+++ b/Cargo.toml",
        "+++ b/scripts/",
        "\n+target/\n",
    ] {
        assert!(
            !stdout.contains(absent),
            "--no-xtask planned {absent}:\n{stdout}"
        );
    }
}

#[test]
fn a_backend_beside_the_app_is_recorded_relative_to_it() {
    let app = Fixture::new();
    let api = app.root.parent().unwrap().join("api");
    std::fs::create_dir_all(api.join("app")).unwrap();
    std::fs::write(api.join("requirements.txt"), "fastapi\n").unwrap();
    std::fs::write(
        api.join("app/main.py"),
        "from fastapi import FastAPI\n\napp = FastAPI()\n",
    )
    .unwrap();
    let manifest = planned_text(&app.plan(), "better-auth.toml");
    let parsed = project_xtask::project::Manifest::parse(&manifest).unwrap();
    assert_eq!(
        parsed.backend.map(|backend| backend.name()),
        Some("fastapi")
    );
    assert_eq!(parsed.layout.backend, "../api");
    assert_eq!(parsed.layout.package_manager.name(), "npm");
}

#[test]
fn auth_flows_on_add_are_new_s_names_default_and_check() {
    let app = Fixture::new();
    app.commit();
    let before = app.snapshot();
    let (ok, stdout, stderr) = app.add(&["--dry-run", "--auth-flows", "reset"]);
    assert!(ok, "{stderr}");
    for file in [
        "+++ b/src/app/(auth)/forgot-password/page.tsx\n",
        "+++ b/src/app/(auth)/reset-password/page.tsx\n",
        "+++ b/src/lib/mail.ts\n",
        "+auth_flows = \"reset\"\n",
        "+  reset: true,\n",
    ] {
        assert!(stdout.contains(file), "{file:?} missing from:\n{stdout}");
    }
    assert!(
        stderr.contains("auth flows reset"),
        "the decision names them: {stderr}"
    );
    // No flag: new's default (reset); none turns the flows off.
    let (ok, default, stderr) = app.add(&["--dry-run"]);
    assert!(ok, "{stderr}");
    assert!(default.contains("+  reset: true,\n"), "{default}");
    let (ok, none, stderr) = app.add(&["--dry-run", "--auth-flows", "none"]);
    assert!(ok, "{stderr}");
    assert!(none.contains("+  reset: false,\n") && none.contains("+auth_flows = \"none\"\n"));
    let (ok, stdout, stderr) = app.add(&["--auth-flows", "reset,facebook", "--yes"]);
    assert!(!ok && stdout.is_empty());
    assert!(
        stderr.contains("`facebook`") && stderr.contains(AUTH_FLOW_NAMES),
        "{stderr}"
    );
    assert_eq!(app.snapshot(), before);
}

#[test]
fn with_a_terminal_missing_choices_are_asked_like_new_then_the_plan_is_confirmed() {
    let app = Fixture::new();
    app.commit();
    let before = app.snapshot();
    let root = app.root.to_str().unwrap();
    let mut terminal = terminal::Terminal::spawn(
        Path::new(env!("CARGO_BIN_EXE_xtask")),
        &["add", root],
        &app.root,
        &[],
    );
    terminal.expect("Detected in");
    // Nothing detected and no flag: new's questions, in new's order. Second choice: separate is refused
    // for an app without a backend beside it, so take monolithic (the first).
    terminal.expect("Architecture?");
    terminal.send(terminal::ENTER);
    terminal.expect("Database?");
    terminal.send(terminal::DOWN);
    terminal.send(terminal::ENTER);
    terminal.expect("URL of the Next.js app (BETTER_AUTH_URL)");
    terminal.send(terminal::ENTER);
    terminal.expect("PostgreSQL URL");
    terminal.send("postgresql://postgres@127.0.0.1:5432/shop");
    terminal.send(terminal::ENTER);
    terminal.expect("Auth flows, comma-separated");
    terminal.send("verification");
    terminal.send(terminal::ENTER);
    terminal.expect("will generate `shop`");
    terminal.expect("database      postgres");
    terminal.expect("auth flows    verification");
    terminal.expect("Decision: monolithic, postgres, auth flows verification");
    terminal.expect("+DATABASE_URL=postgresql://postgres@127.0.0.1:5432/shop");
    terminal.expect("Apply this plan? [y/N]");
    terminal.send("n");
    terminal.send(terminal::ENTER);
    let (code, screen) = terminal.finish();
    assert_ne!(code, 0, "{screen}");
    assert!(screen.contains("declined; nothing was changed"), "{screen}");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn an_app_tsconfig_gets_ts_extension_imports_once() {
    // The template's modules import `./mail.ts`; a create-next-app tsconfig refuses that in `next build`.
    let app = Fixture::new();
    let plan = app.plan();
    let tsconfig = planned_text(&plan, "tsconfig.json");
    assert!(
        tsconfig.contains("\"allowImportingTsExtensions\": true,\n    \"strict\": true"),
        "{tsconfig}"
    );
    app.write("tsconfig.json", &tsconfig);
    assert!(
        !planned(&app.plan()).contains(&"tsconfig.json".to_string()),
        "a tsconfig that already allows them is left alone"
    );
}
