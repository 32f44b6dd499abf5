//! The generated project's `cargo xtask doctor`: a clean project reports clean, and each planted
//! fault is found (and nothing else is). Each test plants one fault in its own generated project.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;

use project_xtask::doctor::{Severity, diagnose};
use project_xtask::project::Database;
use support::{PgDatabase, TestProject, monolithic, separate};

/// A migrated separate (FastAPI) SQLite project whose URLs point at a port nobody listens on, so a
/// frontend other tests run on :3000 cannot change the result.
fn clean_separate() -> TestProject {
    let project = TestProject::new(&separate(Database::Sqlite));
    let url = format!("http://localhost:{}", free_port());
    project.set_frontend_env("BETTER_AUTH_URL", &url);
    project.set_backend_env("BETTER_AUTH_URL", &url);
    project.set_backend_env("FRONTEND_URL", &url);
    project.migrate_sqlite_from_copy();
    project
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Ids of the findings that need fixing (warnings and errors), sorted and deduplicated.
fn problems(project: &TestProject) -> Vec<&'static str> {
    let mut ids: Vec<_> = diagnose(&project.project)
        .into_iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| f.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn edit(project: &TestProject, file: &str, from: &str, to: &str) {
    let path = project.root().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(from),
        "{file} no longer contains {from:?}: update this test"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_clean_separate_project_reports_clean() {
    assert_eq!(problems(&clean_separate()), Vec::<&str>::new());
}

#[test]
fn a_clean_monolithic_project_reports_clean() {
    let project = TestProject::new(&monolithic(Database::Sqlite));
    project.set_frontend_env(
        "BETTER_AUTH_URL",
        &format!("http://localhost:{}", free_port()),
    );
    project.migrate();
    assert_eq!(problems(&project), Vec::<&str>::new());
}

#[test]
fn finds_a_driver_that_should_not_be_there() {
    let project = clean_separate();
    edit(
        &project,
        "frontend/package.json",
        "\"better-auth\":",
        "\"pg\": \"8.23.1\",\n    \"better-auth\":",
    );
    assert_eq!(problems(&project), ["driver-unexpected"]);
}

#[test]
fn finds_a_driver_missing_from_package_json() {
    let database = PgDatabase::create();
    let project = TestProject::new(&monolithic(Database::Postgres));
    project.set_frontend_env(
        "BETTER_AUTH_URL",
        &format!("http://localhost:{}", free_port()),
    );
    project.set_frontend_env("DATABASE_URL", &database.url());
    project.migrate();
    assert_eq!(problems(&project), Vec::<&str>::new());
    edit(
        &project,
        "frontend/package.json",
        "\"pg\":",
        "\"pg-removed-by-test\":",
    );
    assert_eq!(problems(&project), ["driver-missing"]);
}

#[test]
fn finds_sqlite_connect_args_with_postgres() {
    let project = clean_separate();
    project.set_backend_env("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/notes");
    std::fs::write(
        project.root().join("backend/app/engine.py"),
        "from sqlmodel import create_engine\n\nengine = create_engine(URL, connect_args={\"check_same_thread\": False})\n",
    )
    .unwrap();
    assert_eq!(problems(&project), ["sqlite-connect-args"]);
}

#[test]
fn finds_env_local_overriding_the_database() {
    let project = clean_separate();
    std::fs::write(
        project.frontend().join(".env.local"),
        "DATABASE_URL=file:./other.db\n",
    )
    .unwrap();
    assert_eq!(problems(&project), ["env-local-conflict"]);
}

#[test]
fn finds_missing_tables() {
    let project = TestProject::new(&separate(Database::Sqlite));
    let url = format!("http://localhost:{}", free_port());
    project.set_frontend_env("BETTER_AUTH_URL", &url);
    project.set_backend_env("BETTER_AUTH_URL", &url);
    project.set_backend_env("FRONTEND_URL", &url);
    assert_eq!(problems(&project), ["schema"]);
}

#[test]
fn finds_an_import_of_auth_client_from_the_server_module() {
    let project = clean_separate();
    std::fs::write(
        project.frontend().join("src/components/wrong-import.tsx"),
        "import { authClient } from \"@/lib/auth\";\nexport const x = authClient;\n",
    )
    .unwrap();
    assert_eq!(problems(&project), ["import-mismatch"]);
}

#[test]
fn finds_auth_client_exported_under_another_name() {
    let project = clean_separate();
    edit(
        &project,
        "frontend/src/lib/auth-client.ts",
        "export const authClient =",
        "export const client =",
    );
    edit(
        &project,
        "frontend/src/lib/auth-client.ts",
        "} = authClient;",
        "} = client;",
    );
    assert!(
        problems(&project).contains(&"export-missing"),
        "{:?}",
        problems(&project)
    );
}

#[test]
fn finds_the_jwt_plugin_missing_with_a_backend() {
    let project = clean_separate();
    edit(
        &project,
        "frontend/src/lib/auth.ts",
        "    jwt({",
        "    notJwt({",
    );
    let path = project.frontend().join("src/lib/auth.ts");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\nfunction notJwt(_options: unknown) {\n  return { id: \"not-jwt\" };\n}\n");
    std::fs::write(&path, text).unwrap();
    assert_eq!(problems(&project), ["jwt-plugin-missing"]);
}

#[test]
fn finds_the_form_remount_key_missing() {
    let project = clean_separate();
    edit(
        &project,
        "frontend/src/app/(auth)/layout.tsx",
        " key={usePathname()}",
        "",
    );
    assert_eq!(problems(&project), ["form-remount-key"]);
}

#[test]
fn finds_a_weak_secret() {
    let project = clean_separate();
    project.set_frontend_env("BETTER_AUTH_SECRET", "changeme");
    assert_eq!(problems(&project), ["secret-weak"]);
}

#[test]
fn finds_a_secret_changed_after_the_jwks_keys_were_made() {
    let project = clean_separate();
    let _ = project.node_eval(
        "import { loadAuth } from './scripts/load-auth.mjs'; const auth = await loadAuth(); await auth.api.getJwks(); process.exit(0);",
    );
    assert_eq!(problems(&project), Vec::<&str>::new());
    project.set_frontend_env(
        "BETTER_AUTH_SECRET",
        "0d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f",
    );
    assert_eq!(problems(&project), ["secret-changed"]);
}

#[test]
fn finds_an_audience_the_backend_does_not_expect() {
    let project = clean_separate();
    project.set_backend_env("JWT_AUDIENCE", "https://api.example.com");
    assert_eq!(problems(&project), ["jwt-claim-mismatch"]);
}

#[test]
fn finds_a_well_known_jwks_path() {
    let project = clean_separate();
    // On the frontend's own port: only the path is wrong.
    let frontend = project
        .project
        .frontend_env()
        .unwrap()
        .get_non_empty("BETTER_AUTH_URL")
        .unwrap();
    project.set_backend_env("JWKS_URL", &format!("{frontend}/.well-known/jwks.json"));
    assert_eq!(problems(&project), ["jwks-path"]);
}

#[test]
fn finds_a_jwks_url_that_answers_404() {
    let project = clean_separate();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 2048];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    // The fake server plays the frontend, so every URL names its port.
    let frontend = format!("http://127.0.0.1:{port}");
    project.set_frontend_env("BETTER_AUTH_URL", &frontend);
    project.set_backend_env("BETTER_AUTH_URL", &frontend);
    project.set_backend_env("FRONTEND_URL", &frontend);
    project.set_backend_env("JWKS_URL", &format!("{frontend}/api/auth/jwks"));
    assert_eq!(problems(&project), ["jwks-not-found"]);
}

#[test]
fn finds_a_cors_origin_that_is_not_the_frontend() {
    let project = clean_separate();
    project.set_backend_env("FRONTEND_URL", "http://127.0.0.1:3000");
    assert_eq!(problems(&project), ["cors-origin"]);
}

#[test]
fn finds_a_python_too_old_for_fastapi() {
    let project = clean_separate();
    let bin = project.root().join("backend/.venv/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("python"), "#!/bin/sh\necho 'Python 3.8.10'\n").unwrap();
    let mut permissions = std::fs::metadata(bin.join("python")).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(bin.join("python"), permissions).unwrap();
    assert_eq!(problems(&project), ["python-version"]);
}

#[test]
fn finds_an_auth_cli_far_from_better_auth() {
    let project = clean_separate();
    // A node_modules of links to the shared install, except an `auth` package of another minor version.
    let modules = project.frontend().join("node_modules");
    let shared = std::fs::read_link(&modules).unwrap();
    std::fs::remove_file(&modules).unwrap();
    std::fs::create_dir(&modules).unwrap();
    for entry in std::fs::read_dir(&shared).unwrap().flatten() {
        if entry.file_name() != "auth" {
            std::os::unix::fs::symlink(entry.path(), modules.join(entry.file_name())).unwrap();
        }
    }
    std::fs::create_dir(modules.join("auth")).unwrap();
    std::fs::write(
        modules.join("auth/package.json"),
        "{\"name\": \"auth\", \"version\": \"1.5.0\"}",
    )
    .unwrap();
    assert_eq!(problems(&project), ["auth-cli-version"]);
}

#[test]
fn a_healthy_project_with_its_servers_stopped_passes_and_warnings_fail_only_when_strict() {
    let project = clean_separate();
    project_xtask::doctor::run(&project.project, true, false)
        .expect("the stopped frontend is reported as skipped, not as a problem");
    project_xtask::doctor::run(&project.project, true, true).expect("nothing to warn about");

    // A warning (the .env readable by others) fails only a --strict run.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        project.frontend().join(".env"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    assert_eq!(problems(&project), ["credential-file-readable"]);
    project_xtask::doctor::run(&project.project, true, false).expect("warnings do not fail");
    assert!(project_xtask::doctor::run(&project.project, true, true).is_err());
}

#[test]
fn finds_an_invalid_port_in_better_auth_url() {
    let project = TestProject::new(&monolithic(Database::Sqlite));
    project.set_frontend_env("BETTER_AUTH_URL", "http://localhost:99999");
    project.migrate_sqlite_from_copy();
    assert_eq!(problems(&project), ["auth-url-port"]);
}

#[test]
fn finds_a_jwks_url_on_another_port_than_the_frontend() {
    let project = clean_separate();
    project.set_backend_env(
        "JWKS_URL",
        &format!("http://localhost:{}/api/auth/jwks", free_port()),
    );
    assert_eq!(problems(&project), ["jwks-url-port"]);
}

#[test]
fn finds_a_backend_port_other_than_the_one_the_browser_calls() {
    let project = clean_separate();
    let public = project
        .project
        .frontend_env()
        .unwrap()
        .get_non_empty("NEXT_PUBLIC_BACKEND_URL")
        .expect("a separate project's frontend knows its backend");
    let port: u16 = public.rsplit(':').next().unwrap().parse().unwrap();
    project.set_backend_env("PORT", &(port + 1).to_string());
    assert_eq!(problems(&project), ["backend-port"]);
}

/// The mail findings (issue 17): the transport as `what`, with their ids.
fn mail_findings(project: &TestProject) -> Vec<(&'static str, String)> {
    diagnose(&project.project)
        .into_iter()
        .filter(|f| f.id.starts_with("mail-"))
        .map(|f| (f.id, f.what))
        .collect()
}

#[test]
fn reports_the_mail_transport_and_an_smtp_url_that_does_not_parse() {
    // The default flows (reset) send mail.
    let project = TestProject::new(&monolithic(Database::Sqlite));
    assert_eq!(
        mail_findings(&project),
        [(
            "mail-transport",
            "mail: file transport → frontend/.mail (SMTP_URL unset)".to_string()
        )]
    );
    project.set_frontend_env("NODE_ENV", "production");
    let ids: Vec<_> = mail_findings(&project).into_iter().map(|f| f.0).collect();
    assert_eq!(ids, ["mail-smtp-unset", "mail-transport"], "warnings first");

    project.set_frontend_env("SMTP_URL", "smtp://mailer:S3cretPW@smtp.example.com:587");
    project.set_frontend_env("MAIL_FROM", "App <app@example.com>");
    assert_eq!(
        mail_findings(&project),
        [(
            "mail-transport",
            "mail: SMTP smtp://mailer:***@smtp.example.com:587 (from App <app@example.com>)"
                .to_string()
        )]
    );
    project.set_frontend_env("SMTP_URL", "https://mailer:S3cretPW@smtp.example.com");
    let broken = mail_findings(&project);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0].0, "mail-smtp-url");
    assert!(!broken[0].1.contains("S3cretPW"), "{}", broken[0].1);
    assert!(
        project_xtask::doctor::run(&project.project, true, false).is_err(),
        "an SMTP_URL that does not parse fails the doctor"
    );

    // A project whose flows send no mail has no mail module to report on.
    let mut no_mail = monolithic(Database::Sqlite);
    no_mail.auth_flows = Some(project_xtask::project::AuthFlows::parse("none").unwrap());
    assert_eq!(mail_findings(&TestProject::new(&no_mail)), []);
}
