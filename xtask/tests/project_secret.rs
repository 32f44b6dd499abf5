//! The generated project's secret handling against the real Better Auth app: `cargo xtask secret rotate`
//! keeps the stored JWT signing key usable (token issuing answers 200 with the same key), and setup
//! refuses to write a fresh secret over stored keys.

mod support;

use project_xtask::project::Database;
use project_xtask::secret::{self, SECRET_KEY, SECRETS_KEY};
use project_xtask::setup::Options;
use support::{TestProject, separate};

/// Signs a new user up and asks the real `/api/auth/token` endpoint (through the app's handler) for a
/// JWT; prints the status and the `kid` of the signing key.
const ISSUE_TOKEN: &str = r#"
import { loadAuth, main } from "./scripts/load-auth.mjs";
const auth = await loadAuth();
await main(async () => {
  const email = `u${Date.now()}${Math.random().toString(36).slice(2)}@example.com`;
  const signUp = await auth.api.signUpEmail({
    body: { email, password: "a-long-password-1", name: "U" },
    asResponse: true,
  });
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const response = await auth.handler(
    new Request(`${process.env.BETTER_AUTH_URL}/api/auth/token`, { headers: { cookie } }),
  );
  if (response.status !== 200) return { status: response.status };
  const { token } = await response.json();
  const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());
  return { status: 200, kid: header.kid };
});
"#;

fn issue_token(project: &TestProject) -> serde_json::Value {
    serde_json::from_str(&project.node_eval(ISSUE_TOKEN)).unwrap()
}

/// A separate project with a migrated SQLite database and one signing key minted by a real token.
fn project_with_a_signing_key() -> (TestProject, String) {
    let project = TestProject::new(&separate(Database::Sqlite));
    project.migrate();
    let first = issue_token(&project);
    assert_eq!(first["status"], 200, "{first}");
    let kid = first["kid"].as_str().unwrap().to_string();
    (project, kid)
}

#[test]
fn rotation_keeps_the_stored_signing_key_usable() {
    let (project, kid) = project_with_a_signing_key();
    let before = project
        .project
        .frontend_env()
        .unwrap()
        .get(SECRET_KEY)
        .unwrap();

    secret::rotate_command(&project.project).expect("rotate works");
    let env = project.project.frontend_env().unwrap();
    let entries = secret::parse_versioned(&env.get(SECRETS_KEY).unwrap()).unwrap();
    assert_ne!(entries[0].value, before, "a new secret is current");
    assert_eq!(entries[1].value, before, "the previous one is still listed");

    // The app now encrypts with the new secret and still decrypts the key made with the old one.
    let after = issue_token(&project);
    assert_eq!(after["status"], 200, "{after}");
    assert_eq!(
        after["kid"],
        kid.as_str(),
        "the stored key signed, not a new one"
    );
    let stored = secret::stored_keys(&project.project).unwrap();
    assert_eq!((stored.keys, stored.undecryptable), (1, 0));

    // A second rotation keeps working too.
    secret::rotate_command(&project.project).expect("a second rotation works");
    assert_eq!(issue_token(&project)["status"], 200);
    assert!(
        project_xtask::doctor::diagnose(&project.project)
            .iter()
            .all(|f| f.id != "secret-changed" && f.id != "secret-weak")
    );
}

#[test]
fn setup_refuses_to_write_a_secret_over_stored_keys() {
    let (project, _) = project_with_a_signing_key();
    project.set_frontend_env(SECRET_KEY, "");
    let env_before = std::fs::read_to_string(project.frontend().join(".env")).unwrap();

    let err = format!(
        "{:#}",
        project_xtask::setup(&project.project, &Options { no_install: true }).unwrap_err()
    );
    assert!(
        err.contains("1 JWT signing key") && err.contains("cargo xtask secret rotate"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(project.frontend().join(".env")).unwrap(),
        env_before,
        "frontend/.env is untouched"
    );
}
