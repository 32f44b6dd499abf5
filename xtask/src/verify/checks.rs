//! Static invariants of one rendered project. Each check returns human-readable problems; none means pass.

use std::path::{Path, PathBuf};

use project_xtask::project::{Architecture, Backend, Database, FRONTEND_DRIVERS, Manifest};

use crate::combination::Choices;
use crate::lockfiles::PACKAGES;

/// The template variables; one of them between `{{ }}` in any output file means Liquid did not run there.
const VARIABLES: [&str; 14] = [
    "project-name",
    "crate_name",
    "architecture",
    "backend",
    "database",
    "db_family",
    "frontend_url",
    "backend_url",
    "database_url",
    "backend_database_url",
    "backend_host",
    "backend_port",
    "jwt",
    "authors",
];

/// Env keys that are empty on purpose in a fresh project (filled by setup, or optional).
const EMPTY_ON_PURPOSE: [&str; 3] = ["BETTER_AUTH_SECRET", "DATABASE_AUTH_TOKEN", "NEON_WS_PROXY"];

pub fn check_project(dir: &Path, choices: &Choices) -> Vec<String> {
    let mut problems = Vec::new();
    let files = list_files(dir);
    problems.extend(no_development_leftovers(dir, &files));
    problems.extend(no_liquid_leftovers(dir, &files));
    problems.extend(no_empty_substitutions(dir));
    problems.extend(structured_files_parse(dir, &files));
    problems.extend(manifest_matches(dir, choices));
    problems.extend(jwt_plugin_iff_separate(dir, choices));
    problems.extend(driver_packages(dir, choices));
    problems.extend(lockfiles(dir, choices));
    problems.extend(backend_folder(dir, choices));
    problems.extend(conformance_cases(dir, choices));
    problems.extend(secret_left_empty(dir));
    problems.extend(super::variant_text::problems(dir));
    problems
}

/// Every file below `dir`, relative to it.
pub(super) fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    files
}

fn read(dir: &Path, relative: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(relative))
        .map_err(|err| format!("{relative}: cannot read ({err})"))
}

fn no_development_leftovers(dir: &Path, files: &[PathBuf]) -> Vec<String> {
    let forbidden = ["node_modules", ".venv", ".next", "target", "__pycache__"];
    let mut problems: Vec<String> = files
        .iter()
        .filter(|file| {
            file.components()
                .any(|c| forbidden.iter().any(|f| c.as_os_str() == *f))
        })
        .take(3)
        .map(|file| {
            format!(
                "{}: development leftover copied into the project",
                file.display()
            )
        })
        .collect();
    for leftover in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "db" || e == "liquid"))
    {
        problems.push(format!(
            "{}: should not be in a generated project",
            leftover.display()
        ));
    }
    if dir.join("cargo-generate.toml").exists() {
        problems.push("cargo-generate.toml copied into the project".to_string());
    }
    problems
}

fn no_liquid_leftovers(dir: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            continue;
        };
        if let Some(leftover) = liquid_leftover(&text) {
            problems.push(format!("{}: leftover Liquid `{leftover}`", file.display()));
        }
    }
    problems
}

/// A `{{ variable }}` or `{% tag %}` of this template that survived rendering, if any.
pub fn liquid_leftover(text: &str) -> Option<String> {
    for (start, _) in text.match_indices("{{") {
        let inside = text[start + 2..].trim_start();
        if VARIABLES.iter().any(|v| inside.starts_with(v)) {
            return Some(text[start..].chars().take(30).collect());
        }
    }
    for (start, _) in text.match_indices("{%") {
        let inside = text[start + 2..].trim_start_matches('-').trim_start();
        let tags = [
            "if ",
            "endif",
            "else",
            "elsif ",
            "unless ",
            "endunless",
            "for ",
            "endfor",
            "raw",
            "endraw",
        ];
        if tags.iter().any(|tag| inside.starts_with(tag)) {
            return Some(text[start..].chars().take(30).collect());
        }
    }
    None
}

/// Files that carry rendered values must not have a value rendered as nothing.
fn no_empty_substitutions(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for env in [".env", ".env.example"] {
        for app in ["frontend", "backend"] {
            let relative = format!("{app}/{env}");
            let Ok(text) = std::fs::read_to_string(dir.join(&relative)) else {
                continue;
            };
            problems.extend(empty_env_values(&text).into_iter().map(|key| {
                format!("{relative}: {key} is empty (a template value rendered as nothing)")
            }));
        }
    }
    for relative in [
        "better-auth.toml",
        "frontend/package.json",
        "Cargo.toml",
        ".cargo/config.toml",
    ] {
        let Ok(text) = std::fs::read_to_string(dir.join(relative)) else {
            continue;
        };
        if let Some(line) = text.lines().find(|line| has_empty_value(line)) {
            problems.push(format!("{relative}: empty value in `{}`", line.trim()));
        }
    }
    problems
}

/// Keys of `KEY=` lines with nothing after `=`, except those empty on purpose.
pub fn empty_env_values(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .filter(|(key, value)| {
            let value = value.trim().trim_matches('"').trim_matches('\'');
            value.is_empty() && !EMPTY_ON_PURPOSE.contains(&key.trim())
        })
        .map(|(key, _)| key.trim().to_string())
        .collect()
}

fn has_empty_value(line: &str) -> bool {
    let line = line.trim();
    line.ends_with("= \"\"")
        || line.ends_with("=\"\"")
        || line.contains(": \"\"")
        || line.ends_with("--features --")
}

fn structured_files_parse(dir: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        let extension = file.extension().and_then(|e| e.to_str());
        let text = match extension {
            Some("json" | "toml") => match std::fs::read_to_string(dir.join(file)) {
                Ok(text) => text,
                Err(err) => {
                    problems.push(format!("{}: cannot read ({err})", file.display()));
                    continue;
                }
            },
            _ => continue,
        };
        let result = match extension {
            // tsconfig files are JSON with comments, as TypeScript reads them.
            Some("json") if is_tsconfig(file) => {
                serde_json::from_str::<serde_json::Value>(&strip_json_comments(&text))
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            Some("json") => serde_json::from_str::<serde_json::Value>(&text)
                .map(drop)
                .map_err(|e| e.to_string()),
            _ => text
                .parse::<toml::Table>()
                .map(drop)
                .map_err(|e| e.to_string()),
        };
        if let Err(err) = result {
            problems.push(format!("{}: does not parse: {err}", file.display()));
        }
    }
    problems
}

fn is_tsconfig(file: &Path) -> bool {
    file.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("tsconfig"))
}

/// Removes `//` and `/* */` comments outside strings, and trailing commas before `}` or `]`.
pub fn strip_json_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for n in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        break;
                    }
                    previous = n;
                }
            }
            _ => out.push(c),
        }
    }
    remove_trailing_commas(&out)
}

fn remove_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, c) in text.char_indices() {
        if c == ',' && text[index + 1..].trim_start().starts_with(['}', ']']) {
            continue;
        }
        out.push(c);
    }
    out
}

fn manifest_matches(dir: &Path, choices: &Choices) -> Vec<String> {
    let text = match read(dir, "better-auth.toml") {
        Ok(text) => text,
        Err(problem) => return vec![problem],
    };
    let manifest = match Manifest::parse(&text) {
        Ok(manifest) => manifest,
        Err(err) => return vec![format!("better-auth.toml: {err:#}")],
    };
    let mut problems = Vec::new();
    if choices
        .architecture
        .is_some_and(|a| a != manifest.architecture)
    {
        problems.push(format!(
            "better-auth.toml: architecture {:?}, asked for {:?}",
            manifest.architecture, choices.architecture
        ));
    }
    if choices.database.is_some_and(|d| d != manifest.database) {
        problems.push(format!(
            "better-auth.toml: database {:?}, asked for {:?}",
            manifest.database, choices.database
        ));
    }
    if choices.backend != manifest.backend && choices.backend.is_some() {
        problems.push(format!(
            "better-auth.toml: backend {:?}, asked for {:?}",
            manifest.backend, choices.backend
        ));
    }
    problems
}

fn jwt_plugin_iff_separate(dir: &Path, choices: &Choices) -> Vec<String> {
    let separate = choices.architecture == Some(Architecture::Separate);
    let mut problems = Vec::new();
    match read(dir, "frontend/src/lib/auth.ts") {
        Ok(auth) => {
            let has_jwt = auth.contains("jwt(");
            if has_jwt != separate {
                problems.push(format!("frontend/src/lib/auth.ts: jwt() plugin present = {has_jwt}, expected {separate}"));
            }
            match (auth.rfind("nextCookies()"), auth.rfind("jwt(")) {
                (None, _) => problems
                    .push("frontend/src/lib/auth.ts: nextCookies() plugin missing".to_string()),
                (Some(next_cookies), Some(jwt)) if jwt > next_cookies => problems.push(
                    "frontend/src/lib/auth.ts: nextCookies() must be the last plugin".to_string(),
                ),
                _ => {}
            }
        }
        Err(problem) => problems.push(problem),
    }
    match read(dir, "frontend/src/lib/auth-client.ts") {
        Ok(client) => {
            let has_client = client.contains("jwtClient(");
            if has_client != separate {
                problems.push(format!("frontend/src/lib/auth-client.ts: jwtClient() present = {has_client}, expected {separate}"));
            }
        }
        Err(problem) => problems.push(problem),
    }
    let interceptor = dir.join("frontend/src/lib/api-interceptor.ts").exists();
    if interceptor != separate {
        problems.push(format!(
            "frontend/src/lib/api-interceptor.ts present = {interceptor}, expected {separate}"
        ));
    }
    problems
}

fn driver_packages(dir: &Path, choices: &Choices) -> Vec<String> {
    let text = match read(dir, "frontend/package.json") {
        Ok(text) => text,
        Err(problem) => return vec![problem],
    };
    let Ok(package) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new(); // reported by structured_files_parse
    };
    let dependencies = &package["dependencies"];
    let dev_dependencies = &package["devDependencies"];
    let mut problems = Vec::new();
    let database = choices.database.unwrap_or(Database::Sqlite);
    let expected = database.frontend_drivers();
    for driver in FRONTEND_DRIVERS {
        let present = dependencies.get(driver).is_some();
        if present != expected.contains(&driver) {
            problems.push(format!(
                "frontend/package.json: driver `{driver}` present = {present}, expected {} for {}",
                !present,
                database.name()
            ));
        }
    }
    let separate = choices.architecture == Some(Architecture::Separate);
    if dependencies.get("axios").is_some() != separate {
        problems.push(format!(
            "frontend/package.json: axios must be a dependency iff separate ({separate})"
        ));
    }
    if dependencies.get("better-auth").is_none() {
        problems.push("frontend/package.json: better-auth missing".to_string());
    }
    if dev_dependencies.get("auth").is_none() {
        problems.push(
            "frontend/package.json: the `auth` CLI must be pinned as a devDependency".to_string(),
        );
    }
    if package["engines"]["node"].as_str() != Some(">=22.13") {
        // node:sqlite needs Node 22.13 (the `auth` CLI alone runs on 22.12); one range for every variant.
        problems.push("frontend/package.json: engines.node must be \">=22.13\"".to_string());
    }
    problems
}

/// Each package's variant lockfile is in place and fits its manifest, so setup's locked install (`npm ci`,
/// `uv sync --locked`, `cargo build --locked`) installs it, and the other variants' lockfiles stayed behind.
fn lockfiles(dir: &Path, choices: &Choices) -> Vec<String> {
    PACKAGES
        .into_iter()
        .flat_map(|package| package.check(dir, choices))
        .collect()
}

/// A separate project carries the conformance cases its backend's tests load (`backend/../conformance/`), as
/// the template has them; a monolithic project has neither backend nor cases.
fn conformance_cases(dir: &Path, choices: &Choices) -> Vec<String> {
    let cases = "conformance/jwt-cases.json";
    let problem = |text: &str| vec![format!("{cases}: {text}")];
    if choices.backend.is_none() {
        return if dir.join("conformance").exists() {
            vec!["conformance/ exists in a monolithic project".to_string()]
        } else {
            Vec::new()
        };
    }
    let template = std::fs::read(crate::project_root().join(crate::conformance::PATH));
    match (std::fs::read(dir.join(cases)), template) {
        (Ok(copied), Ok(template)) if copied == template => Vec::new(),
        (Ok(_), _) => problem("differs from the template's (it must be copied verbatim)"),
        (Err(_), _) => problem("missing (the backend's tests load it)"),
    }
}

fn backend_folder(dir: &Path, choices: &Choices) -> Vec<String> {
    let backend = dir.join("backend");
    let marker = match choices.backend {
        None => {
            return if backend.exists() {
                vec!["backend/ exists in a monolithic project".to_string()]
            } else {
                Vec::new()
            };
        }
        Some(Backend::Fastapi) => "pyproject.toml",
        Some(Backend::Express) => "package.json",
        Some(Backend::Axum) => "Cargo.toml",
    };
    let mut problems = Vec::new();
    if !backend.join(marker).is_file() {
        problems.push(format!("backend/{marker} missing"));
    }
    for leftover in ["backend-fastapi", "backend-express", "backend-axum"] {
        if dir.join(leftover).exists() {
            problems.push(format!("{leftover}/ left in the project"));
        }
    }
    if !backend.join(".env").is_file() || !backend.join(".env.example").is_file() {
        problems.push("backend/.env and backend/.env.example must both exist".to_string());
    }
    problems
}

fn secret_left_empty(dir: &Path) -> Vec<String> {
    let text = match read(dir, "frontend/.env") {
        Ok(text) => text,
        Err(problem) => return vec![problem],
    };
    let secret = text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| line.strip_prefix("BETTER_AUTH_SECRET="));
    match secret {
        Some(value) if value.trim().is_empty() => Vec::new(),
        Some(_) => vec!["frontend/.env: BETTER_AUTH_SECRET must be empty until `cargo xtask setup` writes a random one".to_string()],
        None => vec!["frontend/.env: BETTER_AUTH_SECRET= line missing".to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance_cases_only_in_separate_projects_and_verbatim() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path();
        let separate = Choices::of(
            Architecture::Separate,
            Some(Backend::Axum),
            Database::Sqlite,
        );
        let monolithic = Choices::of(Architecture::Monolithic, None, Database::Sqlite);
        assert!(conformance_cases(project, &monolithic).is_empty());
        assert_eq!(conformance_cases(project, &separate).len(), 1, "missing");
        let copied = project.join("conformance/jwt-cases.json");
        std::fs::create_dir(project.join("conformance")).unwrap();
        std::fs::copy(
            crate::project_root().join(crate::conformance::PATH),
            &copied,
        )
        .unwrap();
        assert!(conformance_cases(project, &separate).is_empty());
        assert_eq!(
            conformance_cases(project, &monolithic).len(),
            1,
            "monolithic"
        );
        std::fs::write(&copied, "{}").unwrap();
        assert_eq!(conformance_cases(project, &separate).len(), 1, "changed");
    }

    #[test]
    fn finds_liquid_leftovers_but_not_jsx_objects() {
        assert!(liquid_leftover("name = \"{{project-name}}\"").is_some());
        assert!(liquid_leftover("{% if jwt %}x{% endif %}").is_some());
        assert!(liquid_leftover("{%- if database == \"neon\" %}").is_some());
        assert!(liquid_leftover("<div style={{ color: \"red\" }} />").is_none());
    }

    #[test]
    fn tsconfig_comments_and_trailing_commas_are_accepted() {
        let text = "{\n  // comment\n  \"a\": \"http://x\", /* block */\n  \"b\": [1, 2,],\n}";
        let value: serde_json::Value = serde_json::from_str(&strip_json_comments(text)).unwrap();
        assert_eq!(value["a"], "http://x");
        assert_eq!(value["b"][1], 2);
    }

    #[test]
    fn empty_env_values_allow_the_secret_only() {
        let text =
            "# c\nBETTER_AUTH_SECRET=\nDATABASE_URL=\nBETTER_AUTH_URL=http://x\nJWT_ISSUER=\"\"\n";
        assert_eq!(empty_env_values(text), ["DATABASE_URL", "JWT_ISSUER"]);
    }

    #[test]
    fn empty_values_in_toml_and_json_are_caught() {
        assert!(has_empty_value("backend = \"\""));
        assert!(has_empty_value("  \"name\": \"\","));
        assert!(!has_empty_value("name = \"demo\""));
    }
}
