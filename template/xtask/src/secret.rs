//! `BETTER_AUTH_SECRET`: generated from the OS CSPRNG when missing, kept when present, refused when weak.
//!
//! Better Auth signs session cookies with it and encrypts the JWT plugin's private keys with it, so a
//! guessable value is a real hole and a changed value breaks token issuing until the `jwks` rows go.

use anyhow::{Context, bail};

use crate::project::EnvFile;
use crate::{Project, frontend_script};

pub const SECRET_KEY: &str = "BETTER_AUTH_SECRET";

/// Better Auth 1.7's versioned secrets, `<version>:<secret>` entries separated by commas, the current one
/// first (better-auth/dist/context/secret-utils.mjs `parseSecretsEnv`). When set, it wins over
/// `BETTER_AUTH_SECRET`, which then only decrypts what was encrypted before versioning (its "legacy secret").
pub const SECRETS_KEY: &str = "BETTER_AUTH_SECRETS";

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

/// One entry of `BETTER_AUTH_SECRETS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    pub version: u32,
    pub value: String,
}

/// Parses `BETTER_AUTH_SECRETS` exactly as Better Auth 1.7 does: entries split on `,` and trimmed, each
/// `<version>:<secret>` with a non-negative integer version and a non-empty secret; versions unique.
pub fn parse_versioned(value: &str) -> anyhow::Result<Vec<Versioned>> {
    let mut entries: Vec<Versioned> = Vec::new();
    for (index, entry) in value.split(',').enumerate() {
        let position = index + 1;
        let Some((version, secret)) = entry.trim().split_once(':') else {
            bail!("{SECRETS_KEY} entry {position} is not `<version>:<secret>`");
        };
        let Ok(version) = version.trim().parse::<u32>() else {
            bail!("{SECRETS_KEY} entry {position} has no non-negative integer version");
        };
        let secret = secret.trim();
        if secret.is_empty() {
            bail!("{SECRETS_KEY} entry {position} (version {version}) has an empty secret");
        }
        if entries.iter().any(|e| e.version == version) {
            bail!("{SECRETS_KEY} lists version {version} twice");
        }
        entries.push(Versioned {
            version,
            value: secret.to_string(),
        });
    }
    Ok(entries)
}

fn format_versioned(entries: &[Versioned]) -> String {
    entries
        .iter()
        .map(|e| format!("{}:{}", e.version, e.value))
        .collect::<Vec<_>>()
        .join(",")
}

/// The secret Better Auth signs and encrypts with now: the first `BETTER_AUTH_SECRETS` entry when that
/// is set, else `BETTER_AUTH_SECRET`; `None` when neither is.
pub fn current(env: &EnvFile) -> anyhow::Result<Option<String>> {
    match env.get_non_empty(SECRETS_KEY) {
        Some(versioned) => Ok(parse_versioned(&versioned)?
            .into_iter()
            .next()
            .map(|e| e.value)),
        None => Ok(env.get_non_empty(SECRET_KEY)),
    }
}

/// What `rotate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    pub new_version: u32,
    /// Every version still accepted, newest first.
    pub versions: Vec<u32>,
}

/// Rotates the secret the way Better Auth 1.7 supports: a new random secret becomes the first (current)
/// entry of `BETTER_AUTH_SECRETS` and the previous ones stay listed, so data encrypted with them (the
/// `jwks` private keys, `$ba$<version>$…`) still decrypts. On the first rotation the previous
/// `BETTER_AUTH_SECRET` becomes version 1 and also stays in `BETTER_AUTH_SECRET`, which Better Auth
/// keeps as the legacy secret for values encrypted before versioning (bare hex, no version tag).
pub fn rotate(env: &mut EnvFile) -> anyhow::Result<Rotated> {
    let mut entries = match env.get_non_empty(SECRETS_KEY) {
        Some(versioned) => parse_versioned(&versioned)?,
        None => match env.get_non_empty(SECRET_KEY) {
            Some(previous) => vec![Versioned {
                version: 1,
                value: previous,
            }],
            None => bail!(
                "{} has no {SECRET_KEY} to rotate. Fix: run `cargo xtask setup`, which writes the first one",
                env.path().display()
            ),
        },
    };
    let new_version = entries.iter().map(|e| e.version).max().unwrap_or(0) + 1;
    entries.insert(
        0,
        Versioned {
            version: new_version,
            value: generate()?,
        },
    );
    env.set(SECRETS_KEY, &format_versioned(&entries));
    env.save()?;
    Ok(Rotated {
        new_version,
        versions: entries.iter().map(|e| e.version).collect(),
    })
}

/// The JWT plugin's stored signing keys, as the app's own Better Auth reads them
/// (`frontend/scripts/check-jwks-secret.mjs`): how many, and how many the current secrets cannot decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredKeys {
    pub keys: u64,
    pub undecryptable: u64,
}

pub fn stored_keys(project: &Project) -> anyhow::Result<StoredKeys> {
    let out = frontend_script::run(project, "check-jwks-secret.mjs", &[], "")?;
    let counts: serde_json::Value = serde_json::from_str(&out)?;
    let count = |key| {
        counts
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    Ok(StoredKeys {
        keys: count("keys"),
        undecryptable: count("undecryptable"),
    })
}

/// Setup must not write a fresh secret over stored keys: they were encrypted with the lost one, and every
/// /api/auth/token would answer 500. Called only when no secret is set. Without the frontend's
/// dependencies or a `jwks` table there are no keys to read, so nothing to protect.
pub fn refuse_to_orphan_keys(project: &Project) -> anyhow::Result<()> {
    if !project.manifest.uses_jwt()
        || !project
            .frontend_dir()
            .join("node_modules/better-auth")
            .is_dir()
    {
        return Ok(());
    }
    let Ok(StoredKeys { keys, .. }) = stored_keys(project) else {
        return Ok(());
    };
    if keys > 0 {
        bail!(
            "frontend/.env sets neither {SECRET_KEY} nor {SECRETS_KEY}, but the jwks table holds {keys} JWT signing key(s) \
             encrypted with the previous secret: a new one would make /api/auth/token answer 500. Fix: put the previous \
             secret back into {SECRET_KEY} (then `cargo xtask secret rotate` changes it and keeps the keys usable); if it \
             is lost, delete the keys (`DELETE FROM jwks;`, tokens already issued stop verifying) and re-run `cargo xtask setup`"
        );
    }
    Ok(())
}

/// `cargo xtask secret rotate`.
pub fn rotate_command(project: &Project) -> anyhow::Result<()> {
    crate::ui::step(
        &format!("Rotate the secret ({SECRETS_KEY} in frontend/.env)"),
        || {
            let rotated = rotate(&mut project.frontend_env()?)?;
            let versions = rotated
                .versions
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            crate::ui::info(&format!(
                "version {} is current (32 random bytes, not shown); versions {versions} still decrypt stored keys",
                rotated.new_version
            ));
            crate::ui::info(&format!(
                "restart the app; in production set {SECRETS_KEY} (and keep {SECRET_KEY}) the same way. Drop an old \
             version only once nothing encrypted with it is left"
            ));
            Ok(())
        },
    )
}

/// Makes sure `env` holds a strong secret, writing a new one only where it is empty or missing. Never
/// prints the value. With `BETTER_AUTH_SECRETS` set, its current entry is the one checked.
pub fn ensure(env: &mut EnvFile) -> anyhow::Result<SecretState> {
    if let Some(current) = current(env)?
        && env.get_non_empty(SECRETS_KEY).is_some()
    {
        if let Err(weakness) = check_strength(&current) {
            bail!(
                "the current (first) entry of {SECRETS_KEY} in {} is weak ({weakness}). Fix: run `cargo xtask secret rotate`",
                env.path().display()
            );
        }
        return Ok(SecretState::Kept);
    }
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

    #[test]
    fn versioned_secrets_parse_as_better_auth_parses_them() {
        assert_eq!(
            parse_versioned(" 2:abc , 1:d:ef").unwrap(),
            [
                Versioned {
                    version: 2,
                    value: "abc".into()
                },
                Versioned {
                    version: 1,
                    value: "d:ef".into()
                }
            ]
        );
        assert!(parse_versioned("abc").is_err());
        assert!(parse_versioned("-1:abc").is_err());
        assert!(parse_versioned("1:").is_err());
        assert!(parse_versioned("1:a,1:b").is_err());
    }

    #[test]
    fn rotation_puts_a_new_secret_first_and_keeps_the_old_ones() {
        let dir = std::env::temp_dir().join(format!("px-rotate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".env");
        let old = "8f3a1c9e2b7d4f6a0c5e9b1d3f7a2c4e6b8d0f1a3c5e7b9d";
        let mut env = EnvFile::parse(&path, &format!("BETTER_AUTH_SECRET={old}\n"));
        assert_eq!(rotate(&mut env).unwrap().versions, [2, 1]);
        let env = EnvFile::load(&path).unwrap();
        let entries = parse_versioned(&env.get(SECRETS_KEY).unwrap()).unwrap();
        assert_eq!(entries[1].value, old);
        assert_eq!(
            env.get(SECRET_KEY).as_deref(),
            Some(old),
            "kept as the legacy secret"
        );
        assert_eq!(current(&env).unwrap(), Some(entries[0].value.clone()));
        assert_eq!(check_strength(&entries[0].value), Ok(()));

        let mut env = env;
        let rotated = rotate(&mut env).unwrap();
        assert_eq!((rotated.new_version, rotated.versions), (3, vec![3, 2, 1]));

        let mut empty = EnvFile::parse(&path, "BETTER_AUTH_SECRET=\n");
        assert!(
            rotate(&mut empty)
                .unwrap_err()
                .to_string()
                .contains("cargo xtask setup")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
