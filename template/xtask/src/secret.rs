//! `BETTER_AUTH_SECRET`: generated from the OS CSPRNG when missing, kept when present, refused when weak.
//!
//! Better Auth signs session cookies with it and encrypts the JWT plugin's private keys with it, so a
//! guessable value is a real hole and a changed value breaks token issuing until the `jwks` rows go.

use anyhow::{Context, bail};

use crate::project::EnvFile;

pub const SECRET_KEY: &str = "BETTER_AUTH_SECRET";

/// Random bytes in a generated secret (hex-encoded, so 64 characters).
const SECRET_BYTES: usize = 32;

/// The shortest secret accepted; Better Auth itself warns below 32 characters.
const MIN_LENGTH: usize = 32;

/// Words that mark a value someone typed as a placeholder rather than generated.
const PLACEHOLDERS: [&str; 10] = [
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "placeholder",
    "example",
    "replace",
    "your-",
    "xxxx",
];

/// What `ensure` did with the env file's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretState {
    /// It was empty or missing; a new one was written.
    Generated,
    /// A strong one was already there and is kept (changing it would invalidate sessions and JWKS keys).
    Kept,
}

/// Makes sure `env` holds a strong secret, writing a new one only where it is empty or missing. Never
/// prints the value.
pub fn ensure(env: &mut EnvFile) -> anyhow::Result<SecretState> {
    match env.get_non_empty(SECRET_KEY) {
        Some(existing) => {
            if let Err(weakness) = check_strength(&existing) {
                bail!(
                    "{SECRET_KEY} in {} is weak ({weakness}). Fix: empty it (`{SECRET_KEY}=`) and re-run \
                     `cargo xtask setup`, which writes a random one. Existing sessions end; with a separate \
                     backend also delete the rows of the `jwks` table (their keys are encrypted with the old secret).",
                    env.path().display()
                );
            }
            Ok(SecretState::Kept)
        }
        None => {
            env.set(SECRET_KEY, &generate()?);
            env.save()?;
            Ok(SecretState::Generated)
        }
    }
}

/// A new secret: `SECRET_BYTES` bytes from the operating system's CSPRNG, hex-encoded.
pub fn generate() -> anyhow::Result<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|err| anyhow::anyhow!("{err}"))
        .context("the OS random source failed")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Why a secret is too weak to keep, or `Ok` when it is fine.
pub fn check_strength(secret: &str) -> Result<(), String> {
    if secret.len() < MIN_LENGTH {
        return Err(format!(
            "{} characters, at least {MIN_LENGTH} needed",
            secret.len()
        ));
    }
    let lowercase = secret.to_ascii_lowercase();
    if let Some(word) = PLACEHOLDERS.iter().find(|word| lowercase.contains(*word)) {
        return Err(format!("it contains the placeholder `{word}`"));
    }
    // A long run of one character (`aaaa…`, `0000…`) is long but not random.
    let mut distinct: Vec<char> = secret.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 10 {
        return Err(format!(
            "only {} distinct characters, so it is not random",
            distinct.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn generated_secrets_are_strong_and_differ() {
        let first = generate().unwrap();
        let second = generate().unwrap();
        assert_eq!(first.len(), 2 * SECRET_BYTES);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, second);
        assert_eq!(check_strength(&first), Ok(()));
    }

    #[test]
    fn weak_secrets_are_refused_with_a_reason() {
        assert!(check_strength("short").unwrap_err().contains("at least 32"));
        assert!(
            check_strength("changeme-changeme-changeme-changeme")
                .unwrap_err()
                .contains("changeme")
        );
        assert!(
            check_strength("my-Super-SECRET-value-for-better-auth")
                .unwrap_err()
                .contains("secret")
        );
        assert!(
            check_strength(&"ab".repeat(20))
                .unwrap_err()
                .contains("distinct")
        );
        assert_eq!(check_strength("Q2hv7pL0x9WmZ4rT8vYb1nK6cJ3sD5fG"), Ok(()));
    }

    #[test]
    fn ensure_fills_an_empty_secret_and_keeps_a_strong_one() {
        let dir = std::env::temp_dir().join(format!("px-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".env");

        let mut env = EnvFile::parse(&path, "# filled by setup\nBETTER_AUTH_SECRET=\nOTHER=1\n");
        assert_eq!(ensure(&mut env).unwrap(), SecretState::Generated);
        let written = EnvFile::load(&path)
            .unwrap()
            .get_non_empty(SECRET_KEY)
            .unwrap();
        assert_eq!(check_strength(&written), Ok(()));

        let mut reloaded = EnvFile::load(&path).unwrap();
        assert_eq!(ensure(&mut reloaded).unwrap(), SecretState::Kept);
        assert_eq!(
            EnvFile::load(&path).unwrap().get(SECRET_KEY).as_deref(),
            Some(written.as_str())
        );

        let mut weak = EnvFile::parse(Path::new("frontend/.env"), "BETTER_AUTH_SECRET=changeme\n");
        let err = ensure(&mut weak).unwrap_err().to_string();
        assert!(
            err.contains("weak") && err.contains("cargo xtask setup") && !err.contains("=changeme"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
