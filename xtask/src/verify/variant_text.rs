//! What a rendered project's text talks about: its generated docs have the sections its variant and its auth
//! flows need and none that belong to another, and a monolithic project names none of the separate
//! architecture's parts (tokens, keys, a backend and its tools).

use std::path::{Path, PathBuf};

use project_xtask::project::{Architecture, AuthFlow, DbFamily, Manifest};

/// Text that must be in `file` exactly for the projects `wanted` accepts (and must not be in the others),
/// judged by the rendered project's own manifest (architecture, database, auth flows).
struct Expected {
    file: &'static str,
    text: &'static str,
    wanted: fn(&Manifest) -> bool,
}

fn every(_: &Manifest) -> bool {
    true
}

fn none(_: &Manifest) -> bool {
    false
}

fn separate(manifest: &Manifest) -> bool {
    manifest.architecture == Architecture::Separate
}

fn sqlite_family(manifest: &Manifest) -> bool {
    manifest.database.family() == DbFamily::Sqlite
}

fn server_database(manifest: &Manifest) -> bool {
    !sqlite_family(manifest)
}

fn sends_mail(manifest: &Manifest) -> bool {
    manifest.auth_flows.sends_mail()
}

fn verification(manifest: &Manifest) -> bool {
    manifest.auth_flows.contains(AuthFlow::Verification)
}

fn reset(manifest: &Manifest) -> bool {
    manifest.auth_flows.contains(AuthFlow::Reset)
}

const SETUP: &str = "docs/SETUP.md";
const TROUBLESHOOTING: &str = "docs/TROUBLESHOOTING.md";

const EXPECTED: &[Expected] = &[
    Expected {
        file: SETUP,
        text: "### Supported systems",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "macOS, Linux and Windows through WSL 2",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "### Building in CI or a container",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "### Rotating the secret",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "### More than one origin: `trustedOrigins`",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "### Several instances: the rate limiter",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "https://www.example.com",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "*.preview.example.com",
        wanted: every,
    },
    Expected {
        file: SETUP,
        text: "The counters live **in memory, per process**",
        wanted: sqlite_family,
    },
    Expected {
        file: SETUP,
        text: "so several instances share them",
        wanted: server_database,
    },
    Expected {
        file: SETUP,
        text: "### The backend behind a proxy or in a container",
        wanted: separate,
    },
    Expected {
        file: SETUP,
        text: "HOST=0.0.0.0",
        wanted: separate,
    },
    Expected {
        file: SETUP,
        text: "- **Workers:**",
        wanted: separate,
    },
    Expected {
        file: SETUP,
        text: "### Rotating the JWT signing key",
        wanted: separate,
    },
    Expected {
        file: SETUP,
        text: "rotationInterval",
        wanted: separate,
    },
    Expected {
        file: SETUP,
        text: "### Revocation lag",
        wanted: separate,
    },
    Expected {
        file: SETUP,
        text: "at most 15 minutes",
        wanted: separate,
    },
    // The email flows (issue 17): development and production transport, each flow's behaviour.
    Expected {
        file: SETUP,
        text: "### Email in development",
        wanted: sends_mail,
    },
    Expected {
        file: SETUP,
        text: "### Email in production",
        wanted: sends_mail,
    },
    Expected {
        file: SETUP,
        text: "smtps://USER:PASSWORD@HOST:465",
        wanted: sends_mail,
    },
    Expected {
        file: SETUP,
        text: "SPF and DKIM",
        wanted: sends_mail,
    },
    Expected {
        file: SETUP,
        text: "### Email verification",
        wanted: verification,
    },
    Expected {
        file: SETUP,
        text: "### Password reset",
        wanted: reset,
    },
    Expected {
        file: SETUP,
        text: "(`revokeSessionsOnPasswordReset`)",
        wanted: reset,
    },
    Expected {
        file: TROUBLESHOOTING,
        text: "### No email arrives",
        wanted: sends_mail,
    },
    Expected {
        file: TROUBLESHOOTING,
        text: "### Sign-in answers `EMAIL_NOT_VERIFIED` (403)",
        wanted: verification,
    },
    Expected {
        file: TROUBLESHOOTING,
        text: "`/reset-password?error=INVALID_TOKEN`",
        wanted: reset,
    },
    Expected {
        file: "README.md",
        text: "`frontend/src/lib/mail.ts`",
        wanted: sends_mail,
    },
    Expected {
        file: TROUBLESHOOTING,
        text: "BETTER_AUTH_URL is not set: add it to frontend/.env",
        wanted: every,
    },
    Expected {
        file: TROUBLESHOOTING,
        text: "`429 Too Many Requests`",
        wanted: every,
    },
    // The token-decode command: JWTs are base64url, which the `base64` tool rejects or garbles.
    Expected {
        file: TROUBLESHOOTING,
        text: "Buffer.from(part, \"base64url\")",
        wanted: separate,
    },
    Expected {
        file: TROUBLESHOOTING,
        text: "| base64",
        wanted: none,
    },
    Expected {
        file: "README.md",
        text: "cargo xtask secret rotate",
        wanted: every,
    },
];

/// Words of the separate architecture; a monolithic project's files must not use them.
const SEPARATE_ONLY_WORDS: [&str; 9] = [
    "jwt", "jwks", "backend", "backends", "bearer", "uv", "axum", "fastapi", "express",
];

/// Files of a monolithic project that may name the separate architecture: the manifest records that the
/// backend is "none", npm's lockfile lists third-party packages, and the xtask is one program for every
/// variant (its help is checked by the xtask's own tests).
fn exempt(relative: &Path) -> bool {
    relative == Path::new("better-auth.toml")
        || relative.ends_with("package-lock.json")
        || relative.starts_with("xtask")
}

/// The rendered project in `dir`, generated with `choices`: what its text says that it should not, or lacks.
pub fn problems(dir: &Path) -> Vec<String> {
    let manifest = match std::fs::read_to_string(dir.join("better-auth.toml"))
        .map_err(anyhow::Error::from)
        .and_then(|text| Manifest::parse(&text))
    {
        Ok(manifest) => manifest,
        Err(err) => return vec![format!("better-auth.toml: {err:#}")],
    };
    let mut problems = docs_sections(dir, &manifest);
    if !separate(&manifest) {
        problems.extend(no_separate_words(dir, &super::checks::list_files(dir)));
    }
    problems
}

fn docs_sections(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    for expected in EXPECTED {
        let Ok(text) = std::fs::read_to_string(dir.join(expected.file)) else {
            problems.push(format!("{}: cannot read", expected.file));
            continue;
        };
        let present = text.contains(expected.text);
        let wanted = (expected.wanted)(manifest);
        if present != wanted {
            let verdict = if wanted {
                "missing"
            } else {
                "does not belong in this variant"
            };
            problems.push(format!("{}: `{}` {verdict}", expected.file, expected.text));
        }
    }
    problems
}

fn no_separate_words(dir: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for relative in files.iter().filter(|file| !exempt(file)) {
        let name = relative.to_string_lossy();
        if let Some(word) = separate_word(&name) {
            problems.push(format!(
                "{name}: a monolithic project has no use for a file about `{word}`"
            ));
            continue;
        }
        let Ok(text) = std::fs::read_to_string(dir.join(relative)) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            if let Some(word) = separate_word(line) {
                problems.push(format!(
                    "{name}:{}: `{word}` in a monolithic project: {}",
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    problems
}

/// The first separate-only word in `text`, matched case-insensitively as a whole word (`jwtClient` is not
/// `jwt`, `check-jwks-secret` contains `jwks`).
pub fn separate_word(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    lower
        .split(|c: char| !is_word_char(c))
        .find_map(|word| SEPARATE_ONLY_WORDS.into_iter().find(|w| *w == word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_words_are_whole_words() {
        assert_eq!(separate_word("add jwt() to plugins"), Some("jwt"));
        assert_eq!(separate_word("scripts/check-jwks-secret.mjs"), Some("jwks"));
        assert_eq!(separate_word("data-testid=\"backend-me\""), Some("backend"));
        assert_eq!(separate_word("Authorization: Bearer x"), Some("bearer"));
        assert_eq!(separate_word("`uv sync`"), Some("uv"));
        assert_eq!(separate_word("jwtClient() expressions backendless"), None);
        assert_eq!(separate_word("uvicorn"), None);
    }
}
