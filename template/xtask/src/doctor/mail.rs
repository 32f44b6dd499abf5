//! Where the app's email goes (frontend/src/lib/mail.ts): without SMTP_URL each message is a file in a
//! folder (development), with it an SMTP server sends it. Only for projects whose flows send email.

use super::finding::{Finding, Severity};
use super::ports;
use crate::project::url::redact;

/// nodemailer's sender when MAIL_FROM is unset (mail.ts).
const DEFAULT_FROM: &str = "no-reply@localhost";

/// The mail settings as the app sees them (environment first, then frontend/.env); `None` when unset.
pub struct MailSettings {
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub mail_dir: Option<String>,
    /// NODE_ENV=production: `next start`, or a deployment.
    pub production: bool,
}

/// The active transport (info), an SMTP_URL that does not parse (error), and production settings that
/// would leave every message in a folder or send it from an address no provider accepts (warnings).
pub fn transport(settings: &MailSettings) -> Vec<Finding> {
    let Some(smtp_url) = &settings.smtp_url else {
        let dir = match settings.mail_dir.as_deref() {
            Some(dir) if dir.starts_with('/') => dir.to_string(),
            Some(dir) => format!("frontend/{}", dir.trim_start_matches("./")),
            None => "frontend/.mail".to_string(),
        };
        let mut findings = vec![Finding::new(
            "mail-transport",
            Severity::Info,
            format!("mail: file transport → {dir} (SMTP_URL unset)"),
            "development email is written there as JSON and its link printed to the `cargo xtask dev` log; /dev/mail lists it",
            "for production set SMTP_URL and MAIL_FROM (docs/SETUP.md, \"Email in production\")",
        )];
        if settings.production {
            findings.push(Finding::new(
                "mail-smtp-unset",
                Severity::Warning,
                format!("NODE_ENV=production but SMTP_URL is unset: reset and verification email goes to {dir}"),
                "no user ever sees a message in a folder on the server, so nobody can reset a password or verify an address",
                "set SMTP_URL (e.g. smtps://USER:PASSWORD@smtp.example.com:465) and MAIL_FROM in the app's environment",
            ));
        }
        return findings;
    };
    let shown = redact(smtp_url);
    if let Err(reason) = check_smtp_url(smtp_url) {
        return vec![Finding::new(
            "mail-smtp-url",
            Severity::Error,
            format!("SMTP_URL (`{shown}`) does not parse: {reason}"),
            "every email (reset and verification links) fails to send, and the request that sends it fails",
            "write it as smtp://USER:PASSWORD@HOST:587 (STARTTLS) or smtps://USER:PASSWORD@HOST:465 (TLS), the password percent-encoded",
        )];
    }
    let mut findings = vec![Finding::new(
        "mail-transport",
        Severity::Info,
        format!(
            "mail: SMTP {shown} (from {})",
            settings.mail_from.as_deref().unwrap_or(DEFAULT_FROM)
        ),
        "reset and verification email is sent through this server",
        "check delivery with your provider (SPF/DKIM for the sender's domain, docs/SETUP.md)",
    )];
    if settings.mail_from.is_none() {
        findings.push(Finding::new(
            "mail-from-unset",
            Severity::Warning,
            format!("SMTP_URL is set but MAIL_FROM is not: mail is sent from {DEFAULT_FROM}"),
            "SMTP providers refuse or spam-file a sender outside your verified domain",
            "set MAIL_FROM to an address of your domain, e.g. MAIL_FROM=\"My App <no-reply@example.com>\"",
        ));
    }
    findings
}

/// nodemailer takes any string; the app can only send with `smtp(s)://HOST[:PORT]`.
fn check_smtp_url(url: &str) -> Result<(), String> {
    let (scheme, host, _port) = ports::parts(url)?;
    if scheme != "smtp" && scheme != "smtps" {
        return Err(format!("the scheme is `{scheme}`, not smtp or smtps"));
    }
    if host.is_empty() {
        return Err("it names no host".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(smtp_url: Option<&str>, mail_from: Option<&str>, production: bool) -> MailSettings {
        MailSettings {
            smtp_url: smtp_url.map(str::to_string),
            mail_from: mail_from.map(str::to_string),
            mail_dir: None,
            production,
        }
    }

    fn ids(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.id).collect()
    }

    #[test]
    fn without_smtp_url_mail_goes_to_the_folder_and_production_warns() {
        let development = transport(&settings(None, None, false));
        assert_eq!(ids(&development), ["mail-transport"]);
        assert_eq!(
            development[0].what,
            "mail: file transport → frontend/.mail (SMTP_URL unset)"
        );
        let elsewhere = MailSettings {
            mail_dir: Some("./outbox".into()),
            ..settings(None, None, false)
        };
        assert!(transport(&elsewhere)[0].what.contains("frontend/outbox"));

        let production = transport(&settings(None, None, true));
        assert_eq!(ids(&production), ["mail-transport", "mail-smtp-unset"]);
        assert_eq!(production[1].severity, Severity::Warning);
    }

    #[test]
    fn smtp_is_reported_with_the_password_redacted() {
        let findings = transport(&settings(
            Some("smtp://user:hunter2@smtp.example.com:587"),
            Some("App <app@example.com>"),
            true,
        ));
        assert_eq!(ids(&findings), ["mail-transport"]);
        assert_eq!(
            findings[0].what,
            "mail: SMTP smtp://user:***@smtp.example.com:587 (from App <app@example.com>)"
        );
        let no_from = transport(&settings(Some("smtps://smtp.example.com"), None, false));
        assert_eq!(ids(&no_from), ["mail-transport", "mail-from-unset"]);
        assert!(no_from[0].what.contains("(from no-reply@localhost)"));
    }

    #[test]
    fn an_smtp_url_that_does_not_parse_is_an_error_naming_why() {
        for (url, reason) in [
            ("http://smtp.example.com", "not smtp or smtps"),
            ("smtp.example.com:587", "no scheme"),
            ("smtp://user:pw@:587", "no host"),
            ("smtp://smtp.example.com:99999", "`99999` is not a port"),
            ("smtps://u:pw@smtp.example.com:abc", "`abc` is not a port"),
        ] {
            let findings = transport(&settings(Some(url), Some("a@example.com"), false));
            assert_eq!(ids(&findings), ["mail-smtp-url"], "{url}");
            assert_eq!(findings[0].severity, Severity::Error);
            assert!(
                findings[0].what.contains(reason),
                "{url}: {}",
                findings[0].what
            );
            assert!(!findings[0].what.contains("pw@"), "{}", findings[0].what);
        }
        assert!(check_smtp_url("SMTPS://u:p%40ss@[::1]:465/?pool=true").is_ok());
    }
}
