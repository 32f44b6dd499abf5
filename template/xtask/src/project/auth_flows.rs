//! The optional authentication flows a project is generated with (`--auth-flows`, `auth_flows` in
//! better-auth.toml): one list of names shared by `new`, the manifest parser and `verify`.

use anyhow::bail;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuthFlow {
    /// Email verification on sign-up (`requireEmailVerification`).
    Verification,
    /// "Forgot password?": a reset link by email.
    Reset,
    Github,
    Google,
    /// Any OpenID Connect provider through `genericOAuth`.
    Oidc,
}

/// The valid names, in the order they are written back.
pub const AUTH_FLOW_NAMES: &str = "verification, reset, github, google, oidc";

impl AuthFlow {
    pub const ALL: [AuthFlow; 5] = [
        AuthFlow::Verification,
        AuthFlow::Reset,
        AuthFlow::Github,
        AuthFlow::Google,
        AuthFlow::Oidc,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AuthFlow::Verification => "verification",
            AuthFlow::Reset => "reset",
            AuthFlow::Github => "github",
            AuthFlow::Google => "google",
            AuthFlow::Oidc => "oidc",
        }
    }
}

/// A set of flows, sorted and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthFlows(Vec<AuthFlow>);

impl AuthFlows {
    /// Parses a comma-separated list (`reset,verification`); `none` or an empty string is the empty set.
    pub fn parse(list: &str) -> anyhow::Result<AuthFlows> {
        let mut flows = Vec::new();
        for name in list.split(',').map(str::trim) {
            if name.is_empty() || name == "none" {
                continue;
            }
            let Some(flow) = AuthFlow::ALL.into_iter().find(|flow| flow.name() == name) else {
                bail!(
                    "auth flow `{name}` is not one of: {AUTH_FLOW_NAMES} (comma-separated, or none)"
                );
            };
            flows.push(flow);
        }
        flows.sort();
        flows.dedup();
        Ok(AuthFlows(flows))
    }

    pub fn contains(&self, flow: AuthFlow) -> bool {
        self.0.contains(&flow)
    }

    pub fn iter(&self) -> impl Iterator<Item = AuthFlow> + '_ {
        self.0.iter().copied()
    }

    /// Any flow that sends email (and so needs the mail module).
    pub fn sends_mail(&self) -> bool {
        self.contains(AuthFlow::Verification) || self.contains(AuthFlow::Reset)
    }

    /// The canonical comma-separated form, `none` for the empty set.
    pub fn to_list(&self) -> String {
        if self.0.is_empty() {
            return "none".to_string();
        }
        self.iter()
            .map(AuthFlow::name)
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sorts_and_dedups() {
        let flows = AuthFlows::parse(" reset, verification,reset ").unwrap();
        assert_eq!(flows.to_list(), "verification,reset");
        assert!(flows.sends_mail());
        assert_eq!(AuthFlows::parse("none").unwrap().to_list(), "none");
        assert_eq!(AuthFlows::parse("").unwrap(), AuthFlows::default());
    }

    #[test]
    fn an_unknown_flow_names_the_valid_ones() {
        let err = AuthFlows::parse("reset,facebook").unwrap_err().to_string();
        assert!(err.contains("`facebook`"), "{err}");
        assert!(err.contains(AUTH_FLOW_NAMES), "{err}");
    }
}
