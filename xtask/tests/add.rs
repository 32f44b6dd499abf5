//! `cargo xtask add` on Next.js apps written by these tests: detection with evidence, refusals, the plan
//! as a diff (`--dry-run` changes nothing), idempotence, rollback on a failure part-way, the dirty-tree
//! refusal, and files that collide with the app's own.
//!
//! `cargo test -p xtask --test add`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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
        walk(&self.root, &self.root, &mut out);
        out
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
    let sign_in = plan
        .changes
        .iter()
        .find(|c| c.path == Path::new("src/app/(auth)/sign-in/page.tsx"))
        .unwrap();
    assert!(!sign_in.after.contains("instant"), "{}", sign_in.after);
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
        backend.instance.unwrap().to_string(),
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
