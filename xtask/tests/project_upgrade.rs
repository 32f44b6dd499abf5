//! `cargo xtask upgrade` on a real project: generated, pinned back to better-auth 1.6.34 + auth 1.6.33,
//! set up, a user signed up and a JWT minted (the key stored in 1.6's 4-column `jwks`), then upgraded to the
//! release this template pins. The same user signs in, the old token still verifies against the JWKS the
//! upgraded app serves (jose, alg pinned, iss/aud checked, as the Express backend does), verify passes, and
//! no row was lost. Long (two npm installs from the registry, about 3 minutes), and part of the test command:
//! the upgrade path is what issue 18 asks CI to prove on every run.

mod support;

use std::path::Path;
use std::process::Command;

use project_xtask::Project;
use project_xtask::project::{Backend, Database};
use project_xtask::upgrade::Options;
use xtask::combination::Choices;

const OLD_BETTER_AUTH: &str = "1.6.34";
const OLD_CLI: &str = "1.6.33";

/// Sign up (first run) or sign in (after the upgrade), mint a token, and count the rows.
const ACT: &str = r#"
import { loadAuth, main } from "./scripts/load-auth.mjs";
import { DatabaseSync } from "node:sqlite";
const auth = await loadAuth();
await main(async () => {
  const body = { email: "ada@example.com", password: "a-long-password-1", name: "Ada" };
  const first = process.env.ACT === "sign-up";
  const response = first
    ? await auth.api.signUpEmail({ body, asResponse: true })
    : await auth.api.signInEmail({ body: { email: body.email, password: body.password }, asResponse: true });
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const base = process.env.BETTER_AUTH_URL;
  const token = await auth.handler(new Request(`${base}/api/auth/token`, { headers: { cookie } }));
  const jwks = await auth.handler(new Request(`${base}/api/auth/jwks`));
  const db = new DatabaseSync("auth.db");
  const count = (t) => db.prepare(`select count(*) as n from "${t}"`).get().n;
  return {
    status: response.status,
    tokenStatus: token.status,
    token: token.status === 200 ? (await token.json()).token : null,
    jwks: await jwks.json(),
    rows: Object.fromEntries(["user", "account", "session", "jwks"].map((t) => [t, count(t)])),
    jwksColumns: db.prepare(`select name from pragma_table_info('jwks')`).all().map((c) => c.name),
  };
});
"#;

/// Verifies a token against a JWKS with jose, the way the Express backend does (EdDSA only, iss and aud).
const VERIFY: &str = r#"
import { createLocalJWKSet, jwtVerify } from "jose";
const { token, jwks, issuer } = JSON.parse(process.env.INPUT);
const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ["EdDSA"], issuer, audience: issuer });
console.log(JSON.stringify({ sub: payload.sub, email: payload.email }));
"#;

fn node(dir: &Path, code: &str, env: &[(&str, String)]) -> String {
    let output = Command::new(support::node_bin().join("node"))
        .args(["--input-type=module", "-e", code])
        .current_dir(dir)
        .env("PATH", support::path_env())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .env("PATH", support::path_env())
        .status()
        .unwrap();
    assert!(status.success(), "npm {args:?} failed");
}

fn act(project: &Project, what: &str) -> serde_json::Value {
    let env: Vec<(&str, String)> = project
        .frontend_env()
        .unwrap()
        .vars()
        .into_iter()
        .map(|(k, v)| (leak(k), v))
        .chain([("ACT", what.to_string())])
        .collect();
    serde_json::from_str(&node(&project.frontend_dir(), ACT, &env)).unwrap()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn a_1_6_project_upgrades_to_the_pinned_1_7_and_keeps_its_users_and_keys() {
    let dir = tempfile::Builder::new()
        .prefix("ba2-upgrade-")
        .tempdir()
        .unwrap();
    let choices = Choices::of(
        project_xtask::project::Architecture::Separate,
        Some(Backend::Express),
        Database::Sqlite,
    );
    let root = xtask::generate::generate(&choices, dir.path()).expect("generation works");
    let frontend = root.join("frontend");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(frontend.join("package.json")).unwrap())
            .unwrap();
    // The release this template pins is the upgrade's target.
    let pinned = manifest["dependencies"]["better-auth"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(pinned.starts_with("1.7."), "the template pins {pinned}");

    // Node::find prefers the project-local Node that `setup` would install: Node 22 here.
    let local = root.join(".tools/node/node_modules");
    std::fs::create_dir_all(&local).unwrap();
    std::os::unix::fs::symlink(support::node_bin(), local.join(".bin")).unwrap();
    let install = |spec: &str, dev: bool| {
        let mut args = vec!["install", "--save-exact", "--no-audit", "--no-fund"];
        if dev {
            args.push("--save-dev");
        }
        args.push(spec);
        npm(&frontend, &args);
    };
    install(&format!("better-auth@{OLD_BETTER_AUTH}"), false);
    install(&format!("auth@{OLD_CLI}"), true);
    let project = Project::load(&root).unwrap();
    project_xtask::setup(
        &project,
        &project_xtask::setup::Options { no_install: false },
    )
    .expect("a 1.6 project sets up");

    let before = act(&project, "sign-up");
    assert_eq!(before["status"], 200, "{before}");
    assert_eq!(before["tokenStatus"], 200, "{before}");
    assert_eq!(
        before["jwksColumns"],
        serde_json::json!(["id", "publicKey", "privateKey", "createdAt", "expiresAt"]),
        "1.6's jwks table has no alg/crv"
    );
    let old_token = before["token"].as_str().unwrap().to_string();

    // Known-bad releases are refused before any work.
    let refused = project_xtask::upgrade::run(
        &project,
        &Options {
            to: Some("1.7.1".into()),
            dry_run: false,
            yes: true,
        },
    )
    .unwrap_err();
    assert!(
        format!("{refused:#}").contains("account.issuer"),
        "{refused:#}"
    );

    project_xtask::upgrade::run(
        &project,
        &Options {
            to: Some(pinned.clone()),
            dry_run: false,
            yes: true,
        },
    )
    .expect("the upgrade works");
    let upgraded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(frontend.join("package.json")).unwrap())
            .unwrap();
    assert_eq!(upgraded["dependencies"]["better-auth"], pinned.as_str());
    assert!(
        frontend.join("auth.db.before-upgrade").is_file(),
        "the SQLite backup"
    );

    let after = act(&project, "sign-in");
    assert_eq!(after["status"], 200, "the same user signs in: {after}");
    assert_eq!(after["tokenStatus"], 200, "{after}");
    let issuer = project
        .frontend_env()
        .unwrap()
        .get("BETTER_AUTH_URL")
        .unwrap();
    let input = serde_json::json!({"token": old_token, "jwks": after["jwks"], "issuer": issuer})
        .to_string();
    let verified: serde_json::Value =
        serde_json::from_str(&node(&frontend, VERIFY, &[("INPUT", input)])).unwrap();
    assert_eq!(
        verified["email"], "ada@example.com",
        "the old token verifies: {verified}"
    );
    for table in ["user", "account", "jwks"] {
        assert_eq!(
            before["rows"][table], after["rows"][table],
            "{table} rows: {before} vs {after}"
        );
    }
    project_xtask::verify::run(&project, false).expect("verify passes after the upgrade");
}
