//! Checks on the Next.js app's files: database driver packages, env files, `auth`/`authClient`
//! exports and imports, the JWT plugin, the sign-in/sign-up form remount key. Each check is a pure
//! function of file contents.

use super::finding::{Finding, Severity};
use super::typescript::{exported_names, imports};
use crate::project::{Database, EnvFile, FRONTEND_DRIVERS};

/// `dependencies`: names listed in package.json's `dependencies`; `installed`: whether node_modules has it.
pub fn drivers(
    database: Database,
    dependencies: &[String],
    installed: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let listed = |name: &str| dependencies.iter().any(|d| d == name);
    for driver in database.frontend_drivers() {
        if !listed(driver) {
            findings.push(Finding::new(
                "driver-missing",
                Severity::Error,
                format!(
                    "frontend/package.json does not list `{driver}`, the driver for {}",
                    database.name()
                ),
                "auth.ts imports it: the app and `auth migrate` fail with \"Cannot find module\"",
                format!("cd frontend && npm install {driver}"),
            ));
        } else if !installed(driver) {
            findings.push(Finding::new(
                "driver-not-installed",
                Severity::Error,
                format!("`{driver}` is listed in frontend/package.json but not installed"),
                "auth.ts cannot load it until the dependencies are installed",
                "run `cargo xtask setup` (or `npm install` in frontend/)",
            ));
        }
    }
    for driver in FRONTEND_DRIVERS
        .iter()
        .filter(|d| listed(d) && !database.frontend_drivers().contains(d))
    {
        findings.push(Finding::new(
            "driver-unexpected",
            Severity::Warning,
            format!("frontend/package.json lists `{driver}`, which a {} project does not use", database.name()),
            "a second driver suggests auth.ts and DATABASE_URL disagree about the database (and native drivers slow installs)",
            format!("cd frontend && npm uninstall {driver}, unless your own code uses it"),
        ));
    }
    findings
}

/// Keys of frontend/.env.local that also appear in frontend/.env with another value.
pub fn env_local(env: &EnvFile, local: Option<&EnvFile>) -> Vec<Finding> {
    let Some(local) = local else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for (key, local_value) in local.vars() {
        let Some(value) = env.get(&key) else { continue };
        if value == local_value {
            continue;
        }
        let critical = key == "DATABASE_URL" || key == "BETTER_AUTH_SECRET";
        findings.push(Finding::new(
            "env-local-conflict",
            if critical { Severity::Error } else { Severity::Warning },
            format!("{key} has different values in frontend/.env and frontend/.env.local"),
            "Next.js lets .env.local win but the `auth` CLI lets .env win: the app and `auth migrate` then use \
             different settings (another database, another secret)",
            format!("keep {key} in frontend/.env only and delete it from frontend/.env.local"),
        ));
    }
    findings
}

/// A module as (path shown to the user, text).
pub type Module<'a> = (&'a str, &'a str);

/// `auth.ts` must export `auth`, `auth-client.ts` must export `authClient`, and every import of either
/// module elsewhere must name something it exports. `sources`: (path, text) of the other source files.
pub fn exports(auth: Module, client: Module, sources: &[(String, String)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let auth_exports = exported_names(auth.1);
    let client_exports = exported_names(client.1);
    for (file, exports, name, used_by) in [
        (
            auth.0,
            &auth_exports,
            "auth",
            "the route handler and the `auth` CLI",
        ),
        (
            client.0,
            &client_exports,
            "authClient",
            "the sign-in/sign-up forms",
        ),
    ] {
        if !exports.iter().any(|e| e == name) {
            findings.push(Finding::new(
                "export-missing",
                Severity::Error,
                format!("{file} does not export `{name}`"),
                format!("{used_by} import `{name}` by that name"),
                format!("export it as `export const {name} = ...`"),
            ));
        }
    }
    for (path, text) in sources {
        for import in imports(text) {
            let (module, exports) = match module_of(&import.specifier) {
                Some(ModuleKind::Auth) => (auth.0, &auth_exports),
                Some(ModuleKind::AuthClient) => (client.0, &client_exports),
                None => continue,
            };
            for name in import.names.iter().filter(|n| !exports.contains(n)) {
                let hint = match name.as_str() {
                    "authClient" => " (`authClient` lives in auth-client.ts)".to_string(),
                    "auth" => " (`auth` is the server instance in auth.ts; client code wants `authClient`)".to_string(),
                    _ => String::new(),
                };
                findings.push(Finding::new(
                    "import-mismatch",
                    Severity::Error,
                    format!("{path}:{} imports `{name}` from \"{}\", which {module} does not export{hint}", import.line, import.specifier),
                    "the import is undefined at runtime: the page crashes or the build fails",
                    format!("import one of: {}", exports.join(", ")),
                ));
            }
        }
    }
    findings
}

enum ModuleKind {
    Auth,
    AuthClient,
}

/// `@/lib/auth`, `../lib/auth.ts`, `./auth-client` → which of the two modules an import names.
fn module_of(specifier: &str) -> Option<ModuleKind> {
    if !(specifier.starts_with("@/") || specifier.starts_with('.')) {
        return None;
    }
    let last = specifier.rsplit('/').next().unwrap_or_default();
    match last.trim_end_matches(".ts").trim_end_matches(".js") {
        "auth" => Some(ModuleKind::Auth),
        "auth-client" => Some(ModuleKind::AuthClient),
        _ => None,
    }
}

/// The `jwt()` plugin: required with a separate backend, pointless (but harmless) without one.
pub fn jwt_plugin(uses_jwt: bool, auth: Module, client: Module) -> Vec<Finding> {
    let (auth_path, client_path) = (auth.0, client.0);
    let server =
        code_lines(auth.1).any(|line| line.contains("jwt(") && !line.contains("jwtClient("));
    let client = code_lines(client.1).any(|line| line.contains("jwtClient("));
    let mut findings = Vec::new();
    match (uses_jwt, server) {
        (true, false) => findings.push(Finding::new(
            "jwt-plugin-missing",
            Severity::Error,
            format!("{auth_path} has no jwt() plugin, but this project has a separate backend"),
            "without it there is no /api/auth/token and no /api/auth/jwks: every backend request gets 401",
            "add `jwt()` from \"better-auth/plugins\" to `plugins` (before nextCookies()), then run `cargo xtask migrate` (it adds the jwks table)",
        )),
        (false, true) => findings.push(Finding::new(
            "jwt-plugin-unused",
            Severity::Info,
            format!("{auth_path} enables the jwt() plugin in a monolithic project"),
            "nothing verifies the tokens; it only adds the jwks table and two endpoints",
            "remove jwt() unless you plan to add a separate backend",
        )),
        _ => {}
    }
    if uses_jwt && server && !client {
        findings.push(Finding::new(
            "jwt-client-missing",
            Severity::Error,
            format!("{client_path} has no jwtClient() plugin"),
            "the API interceptor calls authClient.token() to get the backend's JWT; without jwtClient() it does not exist",
            "createAuthClient({ plugins: [jwtClient()] }) with jwtClient from \"better-auth/client/plugins\"",
        ));
    }
    findings
}

/// The sign-in and sign-up forms must remount when the route changes: a `key` on the form or on an
/// enclosing layout. `page_and_layouts`: for each of the two pages, its text plus its layouts' texts.
pub fn form_key(pages: &[(String, Vec<String>)]) -> Vec<Finding> {
    pages
        .iter()
        .filter(|(_, texts)| !texts.iter().any(|text| code_lines(text).any(|line| line.contains("key={"))))
        .map(|(page, _)| {
            Finding::new(
                "form-remount-key",
                Severity::Warning,
                format!("{page} renders its form without a remount `key` (none on the form or an enclosing layout)"),
                "React keeps the form's state across sign-in ⇄ sign-up navigation: old errors, a stale \"Signing in…\" \
                 state or the typed password reappear",
                "key the form by route, e.g. in app/(auth)/layout.tsx: <div key={usePathname()}>{children}</div>",
            )
        })
        .collect()
}

/// Lines that are not `//` comments.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn ids(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.id).collect()
    }

    #[test]
    fn drivers_must_match_the_database() {
        let deps = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let all = |_: &str| true;
        assert!(drivers(Database::Postgres, &deps(&["better-auth", "pg"]), &all).is_empty());
        assert_eq!(
            ids(&drivers(Database::Postgres, &deps(&["better-auth"]), &all)),
            ["driver-missing"]
        );
        assert_eq!(
            ids(&drivers(Database::Sqlite, &deps(&["better-sqlite3"]), &all)),
            ["driver-unexpected"]
        );
        assert_eq!(
            ids(&drivers(Database::Mysql, &deps(&["mysql2"]), &|_| false)),
            ["driver-not-installed"]
        );
    }

    #[test]
    fn env_local_conflicts_on_the_secret_are_errors() {
        let env = EnvFile::parse(
            Path::new(".env"),
            "DATABASE_URL=file:./auth.db\nBETTER_AUTH_URL=http://localhost:3000\n",
        );
        let local = EnvFile::parse(
            Path::new(".env.local"),
            "DATABASE_URL=postgres://x\nBETTER_AUTH_URL=http://localhost:3000\nOWN=1\n",
        );
        let findings = env_local(&env, Some(&local));
        assert_eq!(ids(&findings), ["env-local-conflict"]);
        assert_eq!(findings[0].severity, Severity::Error);
        assert!(env_local(&env, None).is_empty());
    }

    #[test]
    fn export_and_import_mismatches_are_named() {
        let auth = ("src/lib/auth.ts", "export const auth = betterAuth({});");
        let client = (
            "src/lib/auth-client.ts",
            "export const authClient = createAuthClient();\nexport const { signIn } = authClient;",
        );
        let good = vec![(
            "src/app/page.tsx".to_string(),
            "import { authClient, signIn } from \"@/lib/auth-client\";".to_string(),
        )];
        assert!(exports(auth, client, &good).is_empty());

        let bad = vec![(
            "src/components/x.tsx".to_string(),
            "import { authClient } from \"@/lib/auth\";".to_string(),
        )];
        let findings = exports(auth, client, &bad);
        assert_eq!(ids(&findings), ["import-mismatch"]);
        assert!(
            findings[0].what.contains("src/components/x.tsx:1")
                && findings[0].what.contains("auth-client.ts")
        );

        assert_eq!(
            ids(&exports(
                ("lib/auth.ts", "export const authInstance = betterAuth({});"),
                client,
                &[]
            )),
            ["export-missing"]
        );
    }

    #[test]
    fn the_jwt_plugin_follows_the_architecture() {
        let auth = |text| ("lib/auth.ts", text);
        let client = |text| ("lib/auth-client.ts", text);
        let with = auth("plugins: [\n  jwt({}),\n  nextCookies(),\n]");
        let with_client = client("createAuthClient({ plugins: [jwtClient()] })");
        assert!(jwt_plugin(true, with, with_client).is_empty());
        let missing = jwt_plugin(true, auth("plugins: [nextCookies()]"), with_client);
        assert_eq!(ids(&missing), ["jwt-plugin-missing"]);
        assert!(
            missing[0].what.starts_with("lib/auth.ts "),
            "{}",
            missing[0].what
        );
        assert_eq!(
            ids(&jwt_plugin(
                true,
                auth("  // jwt({}),\nplugins: []"),
                with_client
            )),
            ["jwt-plugin-missing"]
        );
        assert_eq!(
            ids(&jwt_plugin(false, with, client(""))),
            ["jwt-plugin-unused"]
        );
        assert_eq!(
            ids(&jwt_plugin(true, with, client("createAuthClient()"))),
            ["jwt-client-missing"]
        );
    }

    #[test]
    fn forms_need_a_remount_key_somewhere_above_them() {
        let keyed_layout = "return <div key={usePathname()}>{children}</div>;".to_string();
        let page = "<SignInForm />".to_string();
        assert!(form_key(&[("sign-in".into(), vec![page.clone(), keyed_layout])]).is_empty());
        assert_eq!(
            ids(&form_key(&[(
                "sign-in".into(),
                vec![page, "<div>{children}</div>".into()]
            )])),
            ["form-remount-key"]
        );
    }
}
