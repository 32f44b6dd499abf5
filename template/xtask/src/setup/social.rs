//! Social sign-in (auth flows github, google, oidc): the callback URL each provider must be given, where in
//! its console it goes, and which keys in frontend/.env turn the provider on.

use crate::doctor::backend::origin;
use crate::project::{AuthFlow, AuthFlows, EnvFile};

/// A provider's keys in frontend/.env and where its callback URL is registered.
fn provider(flow: AuthFlow) -> Option<(&'static [&'static str], &'static str)> {
    match flow {
        AuthFlow::Github => Some((
            &["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
            "GitHub: Settings > Developer settings > OAuth Apps > your app > Authorization callback URL",
        )),
        AuthFlow::Google => Some((
            &["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
            "Google Cloud console: APIs & Services > Credentials > your OAuth client > Authorized redirect URIs",
        )),
        AuthFlow::Oidc => Some((
            &["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"],
            "your OpenID Connect provider's client (Keycloak: Valid redirect URIs; Auth0: Allowed Callback URLs)",
        )),
        AuthFlow::Verification | AuthFlow::Reset => None,
    }
}

/// Where Better Auth expects the provider to send the user back (genericOAuth's `oidc` included).
pub fn callback_url(base_url: &str, flow: AuthFlow) -> String {
    format!("{}/api/auth/callback/{}", origin(base_url), flow.name())
}

/// The lines `setup` prints for the project's social providers; none when it has none.
pub fn callback_lines(flows: &AuthFlows, env: &EnvFile) -> Vec<String> {
    let base_url = env.get_non_empty("BETTER_AUTH_URL").unwrap_or_default();
    let mut lines = Vec::new();
    for flow in flows.iter() {
        let Some((keys, console)) = provider(flow) else {
            continue;
        };
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|key| env.get_non_empty(key).is_none())
            .collect();
        lines.push(format!(
            "{}: {} (in production: https://<your domain>/api/auth/callback/{})",
            flow.name(),
            callback_url(&base_url, flow),
            flow.name()
        ));
        lines.push(format!("  paste it in {console}"));
        lines.push(if missing.is_empty() {
            "  keys set in frontend/.env: the button is shown".to_string()
        } else {
            format!(
                "  then set {} in frontend/.env; until then its button stays hidden",
                missing.join(", ")
            )
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn each_social_provider_gets_its_callback_url_console_and_missing_keys() {
        let env = EnvFile::parse(
            Path::new(".env"),
            "BETTER_AUTH_URL=https://App.Example.com:443/\nGITHUB_CLIENT_ID=id\nGITHUB_CLIENT_SECRET=s\nOIDC_ISSUER=https://idp\n",
        );
        let flows = AuthFlows::parse("reset,github,google,oidc").unwrap();
        let text = callback_lines(&flows, &env).join("\n");
        for needle in [
            "github: https://app.example.com/api/auth/callback/github",
            "Authorization callback URL",
            "keys set in frontend/.env: the button is shown",
            "google: https://app.example.com/api/auth/callback/google",
            "Authorized redirect URIs",
            "then set GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET in frontend/.env",
            "oidc: https://app.example.com/api/auth/callback/oidc",
            "then set OIDC_CLIENT_ID, OIDC_CLIENT_SECRET in frontend/.env",
            "in production: https://<your domain>/api/auth/callback/oidc",
        ] {
            assert!(text.contains(needle), "{needle}:\n{text}");
        }
        assert!(!text.contains("reset"), "{text}");
        assert!(callback_lines(&AuthFlows::parse("reset").unwrap(), &env).is_empty());
    }
}
