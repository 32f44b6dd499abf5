//! What an existing Next.js app is made of, each conclusion with the file and line that shows it.
//!
//! Detection only reads; every refusal (Pages Router only, Next.js < 15, NextAuth, JavaScript only) is one
//! line with the reason and the fix, before anything is written.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use project_xtask::project::Database;
pub use project_xtask::project::PackageManager;

/// The oldest Next.js major `add` integrates with (App Router route handlers, async `headers()`).
const MIN_NEXT_MAJOR: u32 = 15;
/// The migration guide a NextAuth/Auth.js app is pointed to.
pub const NEXTAUTH_GUIDE: &str = "references/migrating-from-nextauth.md";

/// Where a conclusion comes from: a file and, when one line shows it, that line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub file: PathBuf,
    pub line: Option<usize>,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// One conclusion and its evidence, as printed.
#[derive(Debug, Clone)]
pub struct Finding {
    pub what: String,
    pub evidence: Evidence,
}

/// The lockfiles that identify each package manager, in the order they are looked for.
pub const LOCKFILES: [(&str, PackageManager); 5] = [
    ("pnpm-lock.yaml", PackageManager::Pnpm),
    ("yarn.lock", PackageManager::Yarn),
    ("bun.lock", PackageManager::Bun),
    ("bun.lockb", PackageManager::Bun),
    ("package-lock.json", PackageManager::Npm),
];

/// Where the database choice came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedDatabase {
    pub database: Database,
    /// The URL found in the app's env file (None when only a Prisma/Drizzle dialect named the database).
    pub url: Option<String>,
}

/// Everything `add` learned about the app.
#[derive(Debug, Clone)]
pub struct App {
    pub root: PathBuf,
    /// A folder name usable as a project name (lower-case, `-` for anything else).
    pub name: String,
    pub next_major: u32,
    /// `src` for the `src/` layout, empty otherwise: the folder holding `app/`.
    pub src_dir: PathBuf,
    /// The import prefix that maps to `src_dir` (e.g. `@`, `~`), when tsconfig.json declares one.
    pub alias: Option<String>,
    pub package_manager: PackageManager,
    pub database: Option<DetectedDatabase>,
    /// True when Better Auth is already a dependency.
    pub has_better_auth: bool,
    /// True when next.config turns on Cache Components (create-next-app 16.4's default): a page reading the
    /// session outside `<Suspense>` then fails `next build` unless it opts out of instant navigation.
    pub cache_components: bool,
    /// `middleware.ts` or `proxy.ts` the app already has, relative to the root.
    pub existing_proxy: Option<PathBuf>,
    pub findings: Vec<Finding>,
}

impl App {
    /// The app folder (`app/` or `src/app/`), relative to the root.
    pub fn app_dir(&self) -> PathBuf {
        self.src_dir.join("app")
    }
}

/// Reads the app at `root` and refuses what `add` cannot integrate with.
pub fn detect(root: &Path) -> anyhow::Result<App> {
    if !root.is_dir() {
        bail!(
            "{} is not a folder: give the folder of a Next.js app (the one with package.json)",
            root.display()
        );
    }
    let package = Lines::read(root, "package.json").with_context(|| {
        format!(
            "{} has no package.json: give the folder of a Next.js app",
            root.display()
        )
    })?;
    let mut findings = Vec::new();

    let Some((next_line, next_version)) = package.dependency("next") else {
        bail!(
            "{}: no `next` dependency; `add` integrates with Next.js apps only",
            package.file.display()
        );
    };
    let next_major = major_version(&next_version).with_context(|| {
        format!(
            "{}:{next_line}: cannot read the Next.js version `{next_version}`; use a plain version such as 16.0.0",
            package.file.display()
        )
    })?;
    if next_major < MIN_NEXT_MAJOR {
        bail!(
            "{}:{next_line}: Next.js {next_version} is older than {MIN_NEXT_MAJOR}; upgrade (npx @next/codemod upgrade latest), then run add again",
            package.file.display()
        );
    }
    findings.push(package.finding(format!("Next.js {next_version}"), next_line));

    for name in ["next-auth", "@auth/nextjs", "@auth/core"] {
        if let Some((line, _)) = package.dependency(name) {
            bail!(
                "{}:{line}: this app uses NextAuth/Auth.js ({name}); `add` does not mix two auth libraries. Migrate first: see {NEXTAUTH_GUIDE} (tables, sessions and env names side by side)",
                package.file.display()
            );
        }
    }
    let better_auth = package.dependency("better-auth");
    if let Some((line, version)) = &better_auth {
        findings.push(package.finding(format!("Better Auth {version} already present"), *line));
    }

    // Next.js's rule, shared with the project automation (which must find the same files later).
    let src_dir = if root.join("src/app").is_dir() || root.join("app").is_dir() {
        project_xtask::project::source_dir(root)
            .strip_prefix(root)
            .expect("the source folder is inside the app")
            .to_path_buf()
    } else if root.join("pages").is_dir() || root.join("src/pages").is_dir() {
        bail!(
            "{}: Pages Router only (pages/ without app/); `add` writes App Router files. Add an app/ folder (https://nextjs.org/docs/app/guides/migrating/app-router-migration), then run add again",
            root.display()
        );
    } else {
        bail!(
            "{}: no app/ or src/app/ folder; `add` needs a Next.js App Router app",
            root.display()
        );
    };
    findings.push(Finding {
        what: format!(
            "App Router in {}/ ({} layout)",
            src_dir.join("app").display(),
            if src_dir.as_os_str().is_empty() {
                "root"
            } else {
                "src/"
            }
        ),
        evidence: Evidence {
            file: src_dir.join("app"),
            line: None,
        },
    });

    let tsconfig = Lines::read(root, "tsconfig.json").with_context(|| {
        format!(
            "{} has no tsconfig.json: `add` writes TypeScript files; add TypeScript (https://nextjs.org/docs/app/api-reference/config/typescript), then run add again",
            root.display()
        )
    })?;
    findings.push(Finding {
        what: "TypeScript".to_string(),
        evidence: Evidence {
            file: tsconfig.file.clone(),
            line: None,
        },
    });
    let alias = tsconfig.alias_for(&src_dir);
    match &alias {
        Some((line, alias)) => findings.push(tsconfig.finding(
            format!("import alias {alias}/* → {}", shown(&src_dir)),
            *line,
        )),
        None => findings.push(Finding {
            what: format!(
                "no import alias for {}: relative imports are written",
                shown(&src_dir)
            ),
            evidence: Evidence {
                file: tsconfig.file.clone(),
                line: None,
            },
        }),
    }

    let (package_manager, lockfile) = LOCKFILES
        .iter()
        .find(|(file, _)| root.join(file).is_file())
        .map(|(file, manager)| (*manager, Some(*file)))
        .unwrap_or((PackageManager::Npm, None));
    findings.push(Finding {
        what: format!("package manager {}", package_manager.name()),
        evidence: Evidence {
            file: PathBuf::from(lockfile.unwrap_or("package.json (no lockfile: npm)")),
            line: None,
        },
    });

    let existing_proxy = ["middleware.ts", "proxy.ts", "middleware.js", "proxy.js"]
        .iter()
        .map(|file| src_dir.join(file))
        .find(|file| root.join(file).is_file());
    if let Some(file) = &existing_proxy {
        findings.push(Finding {
            what: "an existing proxy/middleware (kept; the lines to add are printed)".to_string(),
            evidence: Evidence {
                file: file.clone(),
                line: None,
            },
        });
    }

    let cache_components = ["next.config.ts", "next.config.mjs", "next.config.js"]
        .iter()
        .filter_map(|file| Lines::read(root, file).ok())
        .find_map(|config| {
            let line = config.lines.iter().position(|line| {
                let line = line.trim().replace(' ', "");
                line.starts_with("cacheComponents:true")
            })?;
            Some(config.finding("Cache Components on".to_string(), line + 1))
        });
    let cache_components = match cache_components {
        Some(finding) => {
            findings.push(finding);
            true
        }
        None => false,
    };

    let database = detect_database(root, &mut findings);
    Ok(App {
        root: root.to_path_buf(),
        name: project_name(root),
        next_major,
        src_dir,
        alias: alias.map(|(_, alias)| alias),
        package_manager,
        database,
        has_better_auth: better_auth.is_some(),
        cache_components,
        existing_proxy,
        findings,
    })
}

fn shown(src_dir: &Path) -> String {
    if src_dir.as_os_str().is_empty() {
        "./".to_string()
    } else {
        format!("./{}/", src_dir.display())
    }
}

/// The database: DATABASE_URL in the app's env files first, then a Prisma or Drizzle config's dialect.
fn detect_database(root: &Path, findings: &mut Vec<Finding>) -> Option<DetectedDatabase> {
    for file in [".env", ".env.local", ".env.development"] {
        let Ok(env) = Lines::read(root, file) else {
            continue;
        };
        if let Some((line, url)) = env.assignment("DATABASE_URL")
            && let Some(database) = database_of_url(&url)
        {
            findings.push(env.finding(
                format!("database {} from DATABASE_URL", database.name()),
                line,
            ));
            return Some(DetectedDatabase {
                database,
                url: Some(url),
            });
        }
    }
    let prisma = Lines::read(root, "prisma/schema.prisma").ok();
    let drizzle = [
        "drizzle.config.ts",
        "drizzle.config.js",
        "drizzle.config.mjs",
    ]
    .iter()
    .find_map(|file| Lines::read(root, file).ok());
    for (config, key) in [(prisma, "provider"), (drizzle, "dialect")] {
        let Some(config) = config else { continue };
        for (index, text) in config.lines.iter().enumerate() {
            let text = text.trim();
            let Some(rest) = text.strip_prefix(key) else {
                continue;
            };
            let value = rest
                .trim_start_matches([' ', ':', '='])
                .trim_matches(|c: char| c == '"' || c == '\'' || c == ',' || c.is_whitespace());
            let database = match value {
                "postgresql" | "postgres" => Database::Postgres,
                "mysql" => Database::Mysql,
                "sqlite" => Database::Sqlite,
                "turso" => Database::Turso,
                _ => continue,
            };
            findings.push(config.finding(
                format!("database {} from its dialect", database.name()),
                index + 1,
            ));
            return Some(DetectedDatabase {
                database,
                url: None,
            });
        }
    }
    None
}

/// The database a URL's scheme names; None for a URL form Better Auth's drivers here do not take.
pub fn database_of_url(url: &str) -> Option<Database> {
    let url = url.trim();
    if url.starts_with("postgresql://") || url.starts_with("postgres://") {
        Some(Database::Postgres)
    } else if url.starts_with("mysql://") {
        Some(Database::Mysql)
    } else if url.starts_with("libsql://") {
        Some(Database::Turso)
    } else if url.starts_with("file:") {
        Some(Database::Sqlite)
    } else {
        None
    }
}

/// The major version in a package.json range such as `^16.0.1`, `~15.5`, `16.4.6`, `>=15`.
pub(super) fn major_version(range: &str) -> Option<u32> {
    let digits: String = range
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The app folder's name as a project name: lower-case ASCII letters, digits and `-`.
fn project_name(root: &Path) -> String {
    let folder = root
        .canonicalize()
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    match name.trim_matches('-') {
        name if name.starts_with(|c: char| c.is_ascii_lowercase()) => name.to_string(),
        name => format!("app-{name}").trim_end_matches('-').to_string(),
    }
}

/// A text file of the app, by line, for conclusions that cite a line.
struct Lines {
    file: PathBuf,
    lines: Vec<String>,
}

impl Lines {
    fn read(root: &Path, file: &str) -> anyhow::Result<Lines> {
        let text = std::fs::read_to_string(root.join(file))
            .with_context(|| format!("cannot read {file}"))?;
        Ok(Lines {
            file: PathBuf::from(file),
            lines: text.lines().map(str::to_string).collect(),
        })
    }

    fn finding(&self, what: String, line: usize) -> Finding {
        Finding {
            what,
            evidence: Evidence {
                file: self.file.clone(),
                line: Some(line),
            },
        }
    }

    /// `"name": "version"` anywhere in package.json (dependencies or devDependencies), with its line.
    fn dependency(&self, name: &str) -> Option<(usize, String)> {
        let key = format!("\"{name}\"");
        self.lines.iter().enumerate().find_map(|(index, line)| {
            let rest = line
                .trim()
                .strip_prefix(&key)?
                .trim_start()
                .strip_prefix(':')?;
            let version = rest.trim().trim_end_matches(',').trim_matches('"');
            Some((index + 1, version.to_string()))
        })
    }

    /// `KEY=value` in an env file (quotes removed), with its line.
    fn assignment(&self, key: &str) -> Option<(usize, String)> {
        self.lines.iter().enumerate().find_map(|(index, line)| {
            let line = line.trim().trim_start_matches("export ");
            let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            (!value.is_empty()).then(|| (index + 1, value.to_string()))
        })
    }

    /// The tsconfig.json `paths` alias whose target is `src_dir` (`"@/*": ["./src/*"]` → `@`).
    fn alias_for(&self, src_dir: &Path) -> Option<(usize, String)> {
        let target = if src_dir.as_os_str().is_empty() {
            vec!["./*".to_string(), "*".to_string()]
        } else {
            let dir = src_dir.display();
            vec![format!("./{dir}/*"), format!("{dir}/*")]
        };
        self.lines.iter().enumerate().find_map(|(index, line)| {
            let (key, value) = line.trim().split_once(':')?;
            let alias = key.trim().trim_matches('"').strip_suffix("/*")?;
            let first = value
                .trim()
                .trim_start_matches('[')
                .split([',', ']'])
                .next()?
                .trim()
                .trim_matches('"');
            target
                .iter()
                .any(|target| target == first)
                .then(|| (index + 1, alias.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions_come_from_ranges() {
        assert_eq!(major_version("^16.0.1"), Some(16));
        assert_eq!(major_version("~15.5"), Some(15));
        assert_eq!(major_version(">=14"), Some(14));
        assert_eq!(major_version("latest"), None);
    }

    #[test]
    fn urls_name_their_database() {
        assert_eq!(
            database_of_url("postgres://u@h/db"),
            Some(Database::Postgres)
        );
        assert_eq!(database_of_url("mysql://root@h"), Some(Database::Mysql));
        assert_eq!(database_of_url("file:./dev.db"), Some(Database::Sqlite));
        assert_eq!(database_of_url("mongodb://h"), None);
    }
}
