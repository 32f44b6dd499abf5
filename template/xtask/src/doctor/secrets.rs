//! BETTER_AUTH_SECRET: present and strong, and still the one the stored JWKS private keys were
//! encrypted with.

use super::finding::{Finding, Severity};
use crate::credentials::LooseFile;
use crate::secret::{SECRET_KEY, check_strength};

pub fn strength(secret: Option<&str>) -> Option<Finding> {
    let weakness = match secret {
        None | Some("") => "it is missing or empty".to_string(),
        Some(secret) => check_strength(secret).err()?,
    };
    Some(Finding::new(
        "secret-weak",
        Severity::Error,
        format!("{SECRET_KEY} in frontend/.env is unusable: {weakness}"),
        "Better Auth signs session cookies and encrypts the JWT signing keys with it: a guessable secret lets anyone forge sessions",
        format!(
            "empty it (`{SECRET_KEY}=`) and run `cargo xtask setup`, which writes a random one (then delete the jwks rows)"
        ),
    ))
}

/// `keys`: rows in the jwks table; `undecryptable`: rows the current secret cannot decrypt.
pub fn jwks_secret(keys: u64, undecryptable: u64) -> Option<Finding> {
    (undecryptable > 0).then(|| {
        Finding::new(
            "secret-changed",
            Severity::Error,
            format!("{undecryptable} of {keys} JWT signing keys in the jwks table were encrypted with another {SECRET_KEY}"),
            "the secret changed after the keys were created: /api/auth/token answers 500 and the backend gets no tokens",
            "put the secret the keys were made with back into BETTER_AUTH_SECRET, then run `cargo xtask secret rotate` \
             (the old secret stays readable in BETTER_AUTH_SECRETS). Only if that secret is lost: delete the old keys \
             (`DELETE FROM jwks;`); tokens already issued then stop verifying.",
        )
    })
}

/// A credential file (an `.env` or the SQLite database) that group or others can read.
pub fn loose_file(file: &LooseFile) -> Finding {
    Finding::new(
        "credential-file-readable",
        Severity::Warning,
        format!(
            "{} is readable by group or others (mode {:04o})",
            file.path.display(),
            file.mode
        ),
        "it holds the auth secret, database credentials or password hashes and session tokens",
        format!(
            "run `cargo xtask setup` (it tightens it), or `chmod 600 {}`",
            file.path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_short_and_placeholder_secrets_are_errors() {
        assert_eq!(strength(None).unwrap().id, "secret-weak");
        assert!(strength(Some("")).is_some());
        assert!(strength(Some("tooshort")).unwrap().what.contains("32"));
        assert!(strength(Some("better-auth-secret-change-me-please-1234")).is_some());
        assert!(strength(Some("8f3a1c9e2b7d4f6a0c5e9b1d3f7a2c4e6b8d0f1a3c5e7b9d")).is_none());
    }

    #[test]
    fn undecryptable_keys_mean_the_secret_changed() {
        assert!(jwks_secret(0, 0).is_none());
        assert!(jwks_secret(2, 0).is_none());
        assert_eq!(jwks_secret(1, 1).unwrap().id, "secret-changed");
    }
}
