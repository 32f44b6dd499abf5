//! The `auth_flows` choice (issue 17): recorded in better-auth.toml, turning on exactly the chosen flows in
//! the rendered frontend, and an unknown name refused by the CLI's pre hook with the valid ones named.

use std::path::Path;

use project_xtask::Project;
use project_xtask::project::{AuthFlows, Database};

mod support;

fn render(flows: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut choices = support::monolithic(Database::Sqlite);
    choices.auth_flows = flows.map(|list| AuthFlows::parse(list).unwrap());
    let root = xtask::generate::generate(&choices, dir.path()).expect("generation works");
    (dir, root)
}

fn read(root: &Path, file: &str) -> String {
    std::fs::read_to_string(root.join(file)).unwrap_or_else(|err| panic!("{file}: {err}"))
}

#[test]
fn the_default_is_reset_only() {
    let (_dir, root) = render(None);
    assert_eq!(
        Project::load(&root).unwrap().manifest.auth_flows.to_list(),
        "reset"
    );
    let auth = read(&root, "frontend/src/lib/auth.ts");
    assert!(auth.contains("sendResetPassword"), "{auth}");
    assert!(
        auth.contains("revokeSessionsOnPasswordReset: true"),
        "{auth}"
    );
    assert!(!auth.contains("requireEmailVerification"), "{auth}");
    let flows = read(&root, "frontend/src/lib/auth-flows.ts");
    assert!(
        flows.contains("reset: true") && flows.contains("verification: false"),
        "{flows}"
    );
}

#[test]
fn verification_and_reset_turn_on_both_and_none_turns_on_neither() {
    let (_dir, root) = render(Some("reset, verification"));
    assert!(read(&root, "better-auth.toml").contains("auth_flows = \"verification,reset\""));
    let auth = read(&root, "frontend/src/lib/auth.ts");
    for needle in [
        "requireEmailVerification: true",
        "sendOnSignUp: true",
        "autoSignInAfterVerification: true",
        "sendResetPassword",
    ] {
        assert!(auth.contains(needle), "{needle}:\n{auth}");
    }

    let (_dir, root) = render(Some("none"));
    assert!(read(&root, "better-auth.toml").contains("auth_flows = \"none\""));
    let auth = read(&root, "frontend/src/lib/auth.ts");
    assert!(
        !auth.contains("sendMail") && !auth.contains("sendResetPassword"),
        "{auth}"
    );
    let flows = read(&root, "frontend/src/lib/auth-flows.ts");
    assert!(
        flows.contains("reset: false") && flows.contains("verification: false"),
        "{flows}"
    );
}

#[test]
fn the_cli_refuses_an_unknown_flow_naming_the_valid_ones() {
    let cwd = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-generate"))
        .args(["generate", "--path"])
        .arg(xtask::project_root())
        .args(["--name", "my-app", "--silent", "-d", "confirm=true"])
        .args(["-d", "auth_flows=reset,facebook"])
        .current_dir(cwd.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains(
            "auth flow `facebook` is not one of: verification, reset, github, google, oidc"
        ),
        "{text}"
    );
    assert!(
        !cwd.path().join("my-app/frontend").exists(),
        "nothing was rendered"
    );
}
