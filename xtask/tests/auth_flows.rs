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

/// One SMTP session on 127.0.0.1: answers every command and returns the `MAIL FROM`/`RCPT TO` lines and the
/// message data.
fn smtp_sink() -> (u16, std::thread::JoinHandle<(Vec<String>, String)>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let session = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut out = stream.try_clone().unwrap();
        let (mut envelope, mut data, mut in_data) = (Vec::new(), String::new(), false);
        out.write_all(b"220 sink\r\n").unwrap();
        for line in BufReader::new(stream).lines() {
            let line = line.unwrap();
            if in_data {
                if line == "." {
                    in_data = false;
                    out.write_all(b"250 OK\r\n").unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let command = line.get(..4).unwrap_or("").to_ascii_uppercase();
            match command.as_str() {
                "MAIL" | "RCPT" => envelope.push(line.clone()),
                "DATA" => in_data = true,
                _ => {}
            }
            let reply: &[u8] = match command.as_str() {
                "DATA" => b"354 go on\r\n",
                "QUIT" => b"221 bye\r\n",
                _ => b"250 OK\r\n",
            };
            out.write_all(reply).unwrap();
            if command == "QUIT" {
                break;
            }
        }
        (envelope, data)
    });
    (port, session)
}

#[test]
fn mail_is_a_json_file_and_a_log_line_without_smtp_url_and_goes_by_smtp_with_it() {
    let test = support::TestProject::new(&support::monolithic(Database::Sqlite));
    let mail_dir = tempfile::tempdir().unwrap();
    let send = |env: &str| {
        test.node_eval(&format!(
            r#"{env}
            process.env.MAIL_DIR = {dir:?};
            const {{ sendMail, linkMail }} = await import("./src/lib/mail.ts");
            await sendMail(linkMail("ada@example.com", "Reset your password", "Open it:", "http://localhost:3000/r?t=1&x=<2>"));"#,
            dir = mail_dir.path().display().to_string()
        ))
    };

    let log = send("delete process.env.SMTP_URL;");
    assert!(
        log.contains(
            "[mail] Reset your password -> ada@example.com: http://localhost:3000/r?t=1&x=<2>"
        ),
        "the link is in the server log: {log}"
    );
    let files: Vec<_> = std::fs::read_dir(mail_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let mail: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(mail["to"], "ada@example.com");
    assert_eq!(mail["subject"], "Reset your password");
    assert_eq!(mail["url"], "http://localhost:3000/r?t=1&x=<2>");
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("http://localhost:3000/r?t=1&x=<2>")
    );
    assert!(
        mail["html"]
            .as_str()
            .unwrap()
            .contains("r?t=1&amp;x=&lt;2>"),
        "{mail}"
    );
    assert!(mail["sentAt"].as_str().unwrap().ends_with('Z'), "{mail}");

    let (port, session) = smtp_sink();
    send(&format!(
        r#"process.env.SMTP_URL = "smtp://127.0.0.1:{port}"; process.env.MAIL_FROM = "App <app@example.com>";"#
    ));
    let (envelope, data) = session.join().unwrap();
    assert_eq!(
        envelope,
        ["MAIL FROM:<app@example.com>", "RCPT TO:<ada@example.com>"]
    );
    assert!(data.contains("Subject: Reset your password"), "{data}");
    assert_eq!(
        std::fs::read_dir(mail_dir.path()).unwrap().count(),
        1,
        "with SMTP_URL nothing more is written to the mail folder"
    );
}

#[test]
fn mail_without_smtp_url_in_production_warns_once_and_still_writes_the_file() {
    let test = support::TestProject::new(&support::monolithic(Database::Sqlite));
    let mail_dir = tempfile::tempdir().unwrap();
    let warnings = test.node_eval(&format!(
        r#"delete process.env.SMTP_URL;
        process.env.NODE_ENV = "production";
        process.env.MAIL_DIR = {dir:?};
        const warnings = [];
        console.warn = (line) => warnings.push(line);
        const {{ sendMail, linkMail }} = await import("./src/lib/mail.ts");
        for (const to of ["ada@example.com", "bob@example.com"]) {{
            await sendMail(linkMail(to, "Reset your password", "Open it:", "http://localhost:3000/r"));
        }}
        console.log(JSON.stringify(warnings));"#,
        dir = mail_dir.path().display().to_string()
    ));
    let warnings: Vec<String> = serde_json::from_str(warnings.lines().last().unwrap()).unwrap();
    assert_eq!(
        warnings.len(),
        1,
        "one warning, at the first send: {warnings:?}"
    );
    assert!(
        warnings[0].contains("NODE_ENV=production but SMTP_URL is unset")
            && warnings[0].contains("Set SMTP_URL and MAIL_FROM"),
        "{}",
        warnings[0]
    );
    assert_eq!(
        std::fs::read_dir(mail_dir.path()).unwrap().count(),
        2,
        "a local `next start` demo keeps working: both messages are in the folder"
    );
}
