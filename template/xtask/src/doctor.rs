//! `cargo xtask doctor`: diagnoses the classic Better Auth failures without changing anything. Each
//! check in `doctor/` is a pure function of file contents and env values; this module gathers them.

pub(crate) mod backend;
mod finding;
mod frontend;
mod http_get;
mod mail;
mod ports;
mod secrets;
mod typescript;
mod versions;

pub use finding::{Finding, Severity};

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

use crate::project::{Backend, EnvFile};
use crate::tools::node::{MIN_NODE, Node};
use crate::verify::{self, ProblemKind};
use crate::{Project, ui};

/// Runs every check and prints the findings; fails on an error, and on a warning too with `strict`.
/// Live checks that cannot run (servers not started) are informational, so a healthy project whose
/// apps are stopped passes.
pub fn run(project: &Project, json: bool, strict: bool) -> anyhow::Result<()> {
    let findings = if json {
        diagnose(project)
    } else {
        ui::step("Diagnose the project", || Ok(diagnose(project)))?
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&finding::to_json(&findings))?
        );
    } else {
        print!("{}", finding::to_text(&findings));
    }
    let failing = finding::failing(&findings, strict);
    if failing > 0 {
        bail!(
            "the doctor found {failing} problem(s) (see above){}",
            if strict {
                ", --strict counts warnings"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// All findings, errors first. Never fails: a check that cannot run becomes a finding itself.
pub fn diagnose(project: &Project) -> Vec<Finding> {
    let mut findings = Vec::new();
    let frontend = project.frontend_dir();
    let env = match project.frontend_env() {
        Ok(env) => env,
        Err(err) => {
            findings.push(Finding::new(
                "env-missing",
                Severity::Error,
                format!("{err:#}"),
                "the app, the `auth` CLI and the xtask read every setting from it",
                "restore frontend/.env from frontend/.env.example",
            ));
            EnvFile::parse(&frontend.join(".env"), "")
        }
    };

    findings.extend(frontend::drivers(
        project.manifest.database,
        &dependencies(&frontend),
        &|name| {
            frontend
                .join("node_modules")
                .join(name)
                .join("package.json")
                .is_file()
        },
    ));
    let local_path = frontend.join(".env.local");
    let local = local_path
        .is_file()
        .then(|| EnvFile::load(&local_path).ok())
        .flatten();
    findings.extend(frontend::env_local(&env, local.as_ref()));

    findings.extend(frontend_code(project));

    findings.extend(ports::auth_url(
        "frontend/.env",
        &env.get("BETTER_AUTH_URL").unwrap_or_default(),
    ));
    // With BETTER_AUTH_SECRETS set, its first entry is the secret in use.
    match crate::secret::current(&env) {
        Ok(current) => findings.extend(secrets::strength(current.as_deref())),
        Err(err) => findings.push(Finding::new(
            "secret-weak",
            Severity::Error,
            format!("{err:#}"),
            "Better Auth refuses to start with a malformed BETTER_AUTH_SECRETS",
            "write it as `<version>:<secret>` entries, newest first, e.g. via `cargo xtask secret rotate`",
        )),
    }
    findings.extend(schema_and_keys(project));
    if project.manifest.auth_flows.sends_mail() {
        findings.extend(mail::transport(&mail_settings(&env)));
    }

    if let Some(backend) = project.manifest.backend {
        findings.extend(backend_findings(project, backend, &env));
    }
    findings.extend(tool_versions(project));
    findings.extend(
        crate::credentials::loose(project)
            .iter()
            .map(secrets::loose_file),
    );
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

/// The live schema (via verify) and, with the JWT plugin, whether the current secret opens the stored keys.
fn schema_and_keys(project: &Project) -> Vec<Finding> {
    let report = match verify::inspect(project) {
        Ok(report) => report,
        Err(err) => {
            return vec![Finding::new(
                "schema-not-checked",
                Severity::Warning,
                format!("the database schema could not be checked: {err:#}"),
                "missing tables make every sign-up fail; Better Auth 1.7 checks the schema at the first request",
                "fix the cause above, then run `cargo xtask verify`",
            )];
        }
    };
    let mut findings = Vec::new();
    if let verify::Outcome::NotCheckedRemotely { reason } = &report.outcome {
        findings.push(Finding::new(
            "schema-not-checked",
            Severity::Info,
            reason.clone(),
            "the doctor reads the schema with sqlx",
            "run `cargo xtask migrate` against it",
        ));
        return findings;
    }
    let problems = report.problems();
    if !problems.is_empty() {
        let tables_missing = problems
            .iter()
            .filter(|p| p.kind == ProblemKind::MissingTable)
            .map(|p| p.table.as_str())
            .collect::<Vec<_>>();
        let what = if tables_missing.is_empty() {
            format!(
                "the database schema has {} problem(s), first: {}",
                problems.len(),
                problems[0].describe()
            )
        } else {
            format!(
                "tables missing from the database: {} ({} schema problem(s) in all)",
                tables_missing.join(", "),
                problems.len()
            )
        };
        findings.push(Finding::new(
            "schema",
            Severity::Error,
            what,
            "Better Auth 1.7 validates the schema at the first request: sign-up and sign-in fail until it matches",
            "run `cargo xtask migrate`, then `cargo xtask verify` for the details and hand fixes",
        ));
    }
    let jwks_present = !problems
        .iter()
        .any(|p| p.table == "jwks" && p.kind == ProblemKind::MissingTable);
    if project.manifest.uses_jwt() && jwks_present {
        match crate::secret::stored_keys(project) {
            Ok(stored) => {
                findings.extend(secrets::jwks_secret(stored.keys, stored.undecryptable));
            }
            Err(err) => findings.push(Finding::new(
                "secret-changed-not-checked",
                Severity::Info,
                format!("could not check the stored JWT keys against BETTER_AUTH_SECRET: {err:#}"),
                "keys encrypted with an old secret make /api/auth/token answer 500",
                "run `cargo xtask doctor` again once the database is reachable",
            )),
        }
    }
    findings
}

fn backend_findings(project: &Project, backend: Backend, env: &EnvFile) -> Vec<Finding> {
    let backend_env = match project.backend_env() {
        Ok(Some(backend_env)) => backend_env,
        Ok(None) => return Vec::new(),
        Err(err) => {
            return vec![Finding::new(
                "backend-env-missing",
                Severity::Error,
                format!("{err:#}"),
                "the backend reads BETTER_AUTH_URL, FRONTEND_URL and JWT_* from it",
                "restore backend/.env from backend/.env.example",
            )];
        }
    };
    let mut findings = Vec::new();
    let frontend_url = env.get_non_empty("BETTER_AUTH_URL").unwrap_or_default();
    let backend_auth_url = backend_env
        .get_non_empty("BETTER_AUTH_URL")
        .unwrap_or_default();
    let signed = backend::Claims {
        issuer: env
            .get_non_empty("JWT_ISSUER")
            .unwrap_or_else(|| frontend_url.clone()),
        audience: env
            .get_non_empty("JWT_AUDIENCE")
            .unwrap_or_else(|| frontend_url.clone()),
    };
    let accepted = backend::Claims {
        issuer: backend_env
            .get_non_empty("JWT_ISSUER")
            .unwrap_or_else(|| backend_auth_url.clone()),
        audience: backend_env
            .get_non_empty("JWT_AUDIENCE")
            .unwrap_or_else(|| backend_auth_url.clone()),
    };
    findings.extend(backend::claims(&signed, &accepted));

    let jwks_url = backend_env.get_non_empty("JWKS_URL").unwrap_or_else(|| {
        format!(
            "{}{}",
            backend_auth_url.trim_end_matches('/'),
            backend::JWKS_PATH
        )
    });
    if let Some(explicit) = backend_env.get_non_empty("JWKS_URL") {
        findings.extend(ports::jwks_url(&explicit, &frontend_url));
    }
    if let (Some(port), Some(public)) = (
        backend_env.get_non_empty("PORT"),
        env.get_non_empty("NEXT_PUBLIC_BACKEND_URL"),
    ) {
        findings.extend(ports::backend_port(&port, &public));
    }
    match backend::jwks_path(&jwks_url) {
        Some(finding) => findings.push(finding),
        None => findings.extend(backend::jwks_probe(&jwks_url, &http_get::probe(&jwks_url))),
    }
    findings.extend(backend::cors(
        &frontend_url,
        &backend_env.get("FRONTEND_URL").unwrap_or_default(),
    ));

    if backend == Backend::Fastapi {
        let backend_dir = project
            .backend_dir()
            .expect("a separate project has a backend");
        let files = source_files(&backend_dir.join("app"), &["py"])
            .into_iter()
            .map(|path| (relative(&path, &project.root), read(&path)))
            .collect::<Vec<_>>();
        findings.extend(backend::connect_args(
            &backend_env.get("DATABASE_URL").unwrap_or_default(),
            &files,
        ));
        let venv_python = backend_dir.join(".venv/bin/python");
        let python = if venv_python.is_file() {
            venv_python
        } else {
            PathBuf::from("python3")
        };
        let version = Command::new(python)
            .arg("--version")
            .output()
            .ok()
            .and_then(|out| {
                versions::parse_python_version(&String::from_utf8_lossy(
                    &[out.stdout, out.stderr].concat(),
                ))
            });
        findings.extend(versions::python(version));
    }
    findings
}

/// The app reads these from its environment first, then frontend/.env (as Next.js does).
fn mail_settings(env: &EnvFile) -> mail::MailSettings {
    let setting = |key: &str| {
        std::env::var(key)
            .ok()
            .filter(|value| !value.is_empty())
            .or_else(|| env.get_non_empty(key))
    };
    mail::MailSettings {
        smtp_url: setting("SMTP_URL"),
        mail_from: setting("MAIL_FROM"),
        mail_dir: setting("MAIL_DIR"),
        production: setting("NODE_ENV").as_deref() == Some("production"),
    }
}

fn tool_versions(project: &Project) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Err(err) = Node::find(project) {
        findings.push(Finding::new(
            "node-version",
            Severity::Error,
            format!("{err:#}"),
            format!(
                "the app, the `auth` CLI and node:sqlite need Node >= {}.{}",
                MIN_NODE.0, MIN_NODE.1
            ),
            "run `cargo xtask setup` (it installs a project-local Node 22)",
        ));
    }
    let modules = project.frontend_dir().join("node_modules");
    let version_of = |package: &str| -> Option<String> {
        let text = std::fs::read_to_string(modules.join(package).join("package.json")).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json.get("version")?.as_str().map(str::to_string)
    };
    findings.extend(versions::cli_vs_library(
        version_of("auth").as_deref(),
        version_of("better-auth").as_deref(),
    ));
    findings
}

/// The checks on the app's code: auth.ts and auth-client.ts, their importers, the sign-in/up pages. The
/// files are where the project's layout puts them (`frontend/src/`, or the root of an app without `src/`
/// that `cargo xtask add` set up).
fn frontend_code(project: &Project) -> Vec<Finding> {
    let source_dir = project.frontend_source_dir();
    let module = |name: &str| {
        let path = source_dir.join("lib").join(name);
        (relative(&path, &project.root), read(&path))
    };
    let (auth_path, auth_ts) = module("auth.ts");
    let (client_path, client_ts) = module("auth-client.ts");
    let auth = (auth_path.as_str(), auth_ts.as_str());
    let client = (client_path.as_str(), client_ts.as_str());
    let lib = source_dir.join("lib");
    // A backend inside the app's folder has modules of its own named auth.ts.
    let backend = project.backend_dir();
    let sources = source_files(&source_dir, &["ts", "tsx"])
        .into_iter()
        .filter(|path| *path != lib.join("auth.ts") && *path != lib.join("auth-client.ts"))
        .filter(|path| !backend.as_ref().is_some_and(|dir| path.starts_with(dir)))
        .map(|path| (relative(&path, &project.root), read(&path)))
        .collect::<Vec<_>>();
    let mut findings = frontend::exports(auth, client, &sources);
    findings.extend(frontend::jwt_plugin(
        project.manifest.uses_jwt(),
        auth,
        client,
    ));
    findings.extend(frontend::form_key(&auth_pages(project)));
    findings
}

/// The sign-in and sign-up pages, each with the texts of itself and its layouts up to the app folder.
fn auth_pages(project: &Project) -> Vec<(String, Vec<String>)> {
    let app = project.frontend_source_dir().join("app");
    source_files(&app, &["tsx", "jsx"])
        .into_iter()
        .filter(|path| {
            let parent = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            path.file_stem().is_some_and(|stem| stem == "page")
                && (parent == "sign-in" || parent == "sign-up")
        })
        .map(|page| {
            let mut texts = vec![read(&page)];
            // The page's own components (its form) count too: a `key` there remounts it as well.
            let mut dir = page.parent();
            while let Some(folder) = dir.filter(|d| d.starts_with(&app)) {
                for layout in ["layout.tsx", "layout.jsx"] {
                    texts.push(read(&folder.join(layout)));
                }
                dir = folder.parent();
            }
            (relative(&page, &project.root), texts)
        })
        .collect()
}

/// `package.json`'s `dependencies` and `devDependencies` names.
fn dependencies(frontend: &Path) -> Vec<String> {
    let text = read(&frontend.join("package.json"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    ["dependencies", "devDependencies"]
        .iter()
        .filter_map(|section| json.get(section)?.as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect()
}

/// Files under `dir` with one of `extensions`, skipping node_modules and virtualenvs.
fn source_files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            // An app without src/ has its code at its root, beside the project automation's target/.
            if !matches!(
                name.to_str(),
                Some("node_modules" | ".venv" | "__pycache__" | ".next" | ".git" | "target")
            ) {
                files.extend(source_files(&path, extensions));
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// A missing file reads as empty: the checks then report what is missing from it.
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[project]\nname = \"shop\"\narchitecture = \"monolithic\"\nbackend = \"none\"\ndatabase = \"sqlite\"\n\n[urls]\nfrontend = \"http://localhost:3000\"\n";

    /// The app's code in `source` (relative to the project root); `layout`: better-auth.toml's [layout].
    fn project(name: &str, layout: &str, source: &str) -> (PathBuf, Project) {
        let root = std::env::temp_dir().join(format!("px-doctor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let write = |file: &str, text: &str| {
            let path = root.join(source).join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("lib/auth.ts", "export const auth = betterAuth({});\n");
        write(
            "lib/auth-client.ts",
            "export const authClient = createAuthClient();\n",
        );
        write(
            "app/page.tsx",
            "import { auth } from \"@/lib/auth-client\";\n",
        );
        write("app/sign-in/page.tsx", "<SignInForm />\n");
        std::fs::write(
            root.join(crate::project::MANIFEST_FILE),
            format!("{MANIFEST}{layout}"),
        )
        .unwrap();
        let project = Project::load(&root).unwrap();
        (root, project)
    }

    #[test]
    fn the_apps_code_is_read_where_the_layout_puts_it() {
        // A generated project (frontend/src/), and an app without src/ that `add` set up (the root).
        for (name, layout, source, shown) in [
            (
                "generated",
                "",
                "frontend/src",
                "frontend/src/app/page.tsx:1",
            ),
            (
                "added",
                "\n[layout]\nfrontend = \".\"\npackage_manager = \"pnpm\"\n",
                "",
                "app/page.tsx:1",
            ),
        ] {
            let (root, project) = project(name, layout, source);
            let findings = frontend_code(&project);
            let ids: Vec<&str> = findings.iter().map(|f| f.id).collect();
            // auth.ts and auth-client.ts were found (no export-missing); the page's bad import and the
            // sign-in form without a key were read.
            assert_eq!(
                ids,
                ["import-mismatch", "form-remount-key"],
                "{name}: {findings:?}"
            );
            assert!(
                findings[0].what.starts_with(shown),
                "{name}: {}",
                findings[0].what
            );
            std::fs::remove_dir_all(root).unwrap();
        }
    }
}
