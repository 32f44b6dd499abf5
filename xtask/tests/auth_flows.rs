//! The `auth_flows` choice (issue 17): recorded in better-auth.toml, turning on exactly the chosen flows in
//! the rendered frontend, and an unknown name refused by the CLI's pre hook with the valid ones named.

use std::path::Path;

use project_xtask::Project;
use project_xtask::project::{AuthFlows, Database, EnvFile};

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

const SOCIAL_KEYS: [&str; 7] = [
    "GITHUB_CLIENT_ID",
    "GITHUB_CLIENT_SECRET",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
];

#[test]
fn social_flows_render_providers_empty_keys_and_callback_urls_only_when_chosen() {
    let (_dir, root) = render(Some("reset,github,google,oidc"));
    let auth = read(&root, "frontend/src/lib/auth.ts");
    for needle in [
        "import { genericOAuth } from \"better-auth/plugins\";",
        "import { providerSettings } from \"./social-providers.ts\";",
        "const github = providerSettings(\"github\");",
        "...(github && { github }),",
        "...(google && { google }),",
        "providerId: \"oidc\",",
        "discoveryUrl: `${oidc.issuer.replace(/\\/+$/, \"\")}/.well-known/openid-configuration`,",
        "scopes: [\"openid\", \"email\", \"profile\"],",
        "requireIdTokenVerification: true,",
    ] {
        assert!(auth.contains(needle), "{needle}:\n{auth}");
    }
    let flows = read(&root, "frontend/src/lib/auth-flows.ts");
    assert!(
        flows.contains("social: [\n    \"github\",\n    \"google\",\n    \"oidc\",\n  ]"),
        "{flows}"
    );
    for file in ["frontend/.env.example", "frontend/.env"] {
        let env = EnvFile::load(&root.join(file)).unwrap();
        for key in SOCIAL_KEYS {
            assert_eq!(
                env.get(key).as_deref(),
                Some(""),
                "{file}: {key} must be empty"
            );
        }
    }
    let setup = read(&root, "docs/SETUP.md");
    for needle in [
        "`http://localhost:3000/api/auth/callback/github`",
        "`http://localhost:3000/api/auth/callback/google`",
        "`http://localhost:3000/api/auth/callback/oidc`",
        "`https://app.example.com/api/auth/callback/github`",
        "Settings → Developer settings → OAuth Apps",
        "**Authorization callback URL**",
        "APIs & Services → Credentials",
        "**Authorized redirect URIs**",
        "**Valid redirect URIs**",
        "<OIDC_ISSUER>/.well-known/openid-configuration",
        "/sign-in?error=email_not_found",
    ] {
        assert!(setup.contains(needle), "{needle}");
    }

    // github alone: no Google, no genericOAuth.
    let (_dir, root) = render(Some("github"));
    let auth = read(&root, "frontend/src/lib/auth.ts");
    assert!(auth.contains("...(github && { github }),"), "{auth}");
    assert!(
        !auth.contains("google") && !auth.contains("genericOAuth"),
        "{auth}"
    );
    let example = read(&root, "frontend/.env.example");
    assert!(example.contains("GITHUB_CLIENT_ID=") && !example.contains("OIDC_ISSUER"));

    // None chosen: no provider anywhere.
    let (_dir, root) = render(Some("reset"));
    let auth = read(&root, "frontend/src/lib/auth.ts");
    for needle in ["socialProviders", "genericOAuth", "providerSettings"] {
        assert!(!auth.contains(needle), "{needle}:\n{auth}");
    }
    assert!(read(&root, "frontend/src/lib/auth-flows.ts").contains("social: [\n  ] as readonly"));
    for file in ["frontend/.env.example", "frontend/.env", "docs/SETUP.md"] {
        let text = read(&root, file);
        assert!(
            !text.contains("CLIENT_ID") && !text.contains("/api/auth/callback/"),
            "{file}"
        );
    }
}

/// With the keys set, the real Better Auth instance (src/lib/auth.ts through scripts/load-auth.mjs, a migrated
/// database) answers POST /api/auth/sign-in/social with the provider's authorize URL: client id, our callback
/// URL, a state. The OIDC issuer is a discovery document served by the script itself on 127.0.0.1. Without
/// the keys, the providers are neither offered to the pages nor known to Better Auth.
#[test]
fn sign_in_social_redirects_to_each_provider_with_its_keys_and_knows_none_without() {
    let mut choices = support::monolithic(Database::Sqlite);
    choices.auth_flows = Some(AuthFlows::parse("reset,github,google,oidc").unwrap());
    let test = support::TestProject::new(&choices);
    test.migrate_sqlite_from_copy();
    let run = |with_keys: bool| -> serde_json::Value {
        let code = SIGN_IN_SOCIAL.replace("WITH_KEYS", &with_keys.to_string());
        serde_json::from_str(test.node_eval(&code).lines().last().unwrap()).unwrap()
    };

    let answers = run(true);
    assert_eq!(
        answers["offered"],
        serde_json::json!(["github", "google", "oidc"]),
        "{answers}"
    );
    let oidc_authorize = format!("{}authorize", answers["issuer"].as_str().unwrap());
    for (provider, authorize, client_id) in [
        (
            "github",
            "https://github.com/login/oauth/authorize",
            "gh-id",
        ),
        (
            "google",
            "https://accounts.google.com/o/oauth2/v2/auth",
            "g-id.apps.googleusercontent.com",
        ),
        ("oidc", oidc_authorize.as_str(), "oidc-id"),
    ] {
        let answer = &answers[provider];
        assert_eq!(answer["status"], 200, "{provider}: {answer}");
        assert_eq!(answer["authorize"], authorize, "{provider}: {answer}");
        let query = &answer["query"];
        assert_eq!(query["client_id"], client_id, "{provider}: {answer}");
        assert_eq!(
            query["redirect_uri"],
            format!("http://localhost:3000/api/auth/callback/{provider}"),
            "{provider}: {answer}"
        );
        assert!(
            query["state"].as_str().is_some_and(|s| s.len() >= 16),
            "{provider}: {answer}"
        );
    }
    let oidc = &answers["oidc"]["query"];
    assert_eq!(oidc["scope"], "openid email profile", "{oidc}");
    assert!(
        oidc["nonce"].is_string(),
        "the ID token is bound to a nonce: {oidc}"
    );

    let answers = run(false);
    assert_eq!(answers["offered"], serde_json::json!([]), "{answers}");
    for provider in ["github", "google", "oidc"] {
        let answer = &answers[provider];
        assert_eq!(answer["status"], 404, "{provider}: {answer}");
        assert_eq!(answer["code"], "PROVIDER_NOT_FOUND", "{provider}: {answer}");
    }
}

/// Serves an OpenID Connect discovery document on 127.0.0.1 (the OIDC issuer), sets the providers' keys (or
/// empties them: WITH_KEYS), and asks the real auth instance to start each provider's sign-in.
const SIGN_IN_SOCIAL: &str = r#"import { createServer } from "node:http";
const issuer = await new Promise((resolve) => {
  const server = createServer((request, response) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({
      issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/userinfo`, jwks_uri: `${base}/jwks`,
      id_token_signing_alg_values_supported: ["RS256"],
    }));
  });
  server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}/`));
});
for (const [name, value] of Object.entries({
  GITHUB_CLIENT_ID: "gh-id", GITHUB_CLIENT_SECRET: "gh-secret",
  GOOGLE_CLIENT_ID: "g-id.apps.googleusercontent.com", GOOGLE_CLIENT_SECRET: "g-secret",
  OIDC_ISSUER: issuer, OIDC_CLIENT_ID: "oidc-id", OIDC_CLIENT_SECRET: "oidc-secret",
})) process.env[name] = WITH_KEYS ? value : "";
const { loadAuth, main } = await import("./scripts/load-auth.mjs");
const { configuredProviders } = await import("./src/lib/social-providers.ts");
const auth = await loadAuth();
const base = process.env.BETTER_AUTH_URL;
await main(async () => {
  const answers = { issuer, offered: configuredProviders() };
  for (const provider of ["github", "google", "oidc"]) {
    const response = await auth.handler(new Request(`${base}/api/auth/sign-in/social`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ provider, callbackURL: "/dashboard" }),
    }));
    const body = await response.json();
    const url = body.url && new URL(body.url);
    answers[provider] = {
      status: response.status,
      code: body.code ?? null,
      authorize: url ? `${url.origin}${url.pathname}` : null,
      query: url ? Object.fromEntries(url.searchParams) : null,
    };
  }
  return answers;
});"#;
