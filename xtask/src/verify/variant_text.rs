//! What a rendered project's text talks about: its generated docs have the sections its variant needs and
//! none that belong to another variant, and a monolithic project names none of the separate architecture's
//! parts (tokens, keys, a backend and its tools).

use std::path::{Path, PathBuf};

use project_xtask::project::Architecture;

use crate::combination::Choices;

/// Text that must be in `file` exactly for the variants `wanted` accepts (and must not be in the others).
struct Expected {
    file: &'static str,
    text: &'static str,
    wanted: fn(&Choices) -> bool,
}

fn every(_: &Choices) -> bool {
    true
}

fn none(_: &Choices) -> bool {
    false
}

fn separate(choices: &Choices) -> bool {
    choices.architecture == Some(Architecture::Separate)
}

const SETUP: &str = "docs/SETUP.md";
const TROUBLESHOOTING: &str = "docs/TROUBLESHOOTING.md";

const EXPECTED: [Expected; 16] = [
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
pub fn problems(dir: &Path, choices: &Choices) -> Vec<String> {
    let mut problems = docs_sections(dir, choices);
    if !separate(choices) {
        problems.extend(no_separate_words(dir, &super::checks::list_files(dir)));
    }
    problems
}

fn docs_sections(dir: &Path, choices: &Choices) -> Vec<String> {
    let mut problems = Vec::new();
    for expected in &EXPECTED {
        let Ok(text) = std::fs::read_to_string(dir.join(expected.file)) else {
            problems.push(format!("{}: cannot read", expected.file));
            continue;
        };
        let present = text.contains(expected.text);
        let wanted = (expected.wanted)(choices);
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
