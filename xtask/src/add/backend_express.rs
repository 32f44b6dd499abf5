//! An existing Express app wired to Better Auth: the generated Express backend's verifier modules (taken from
//! the project rendered for the same choices, so there is one source) in a `better-auth/` folder beside the
//! module that creates the app, its settings appended to the backend's `.env`, `jose` and `cors` added with
//! the backend's own package manager, and `setupBetterAuth(app)` inserted after `const app = express()` when
//! exactly one module creates the app (otherwise the lines to add are printed).
//!
//! A TypeScript app gets the template's TypeScript as it is (imports ending in `.ts` when its tsconfig allows
//! them, else `.js`). A JavaScript app (CommonJS or ESM) gets the same files with their types stripped by
//! Node's own `module.stripTypeScriptTypes`, as ES modules (`.mjs`): an ESM app imports them, a CommonJS app
//! `require`s them (Node ≥ 20.19 / 22.12 load an ES module with `require`; `jose` 6 needs that anyway).

use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use project_xtask::project::PackageManager;

use super::backend::{DetectedBackend, plan_env, write_new};
use super::backend_install::Install;
use super::detect::LOCKFILES;
use super::frontend::read_if_exists;
use super::plan::Plan;

/// The rendered backend's modules `add` brings (under `src/`), and their names in `better-auth/`.
const MODULES: [(&str, &str); 9] = [
    ("config.ts", "config"),
    ("logger.ts", "logger"),
    ("cors.ts", "cors"),
    ("jwks-cache.ts", "jwks-cache"),
    ("verified-token-cache.ts", "verified-token-cache"),
    ("token-verifier.ts", "token-verifier"),
    ("auth.ts", "auth"),
    ("routes/me.ts", "me"),
    // `req.user` on Express's Request, for the type checker only: a JavaScript app does without.
    ("types/express.d.ts", "express.d"),
];

/// The folder `add` writes its modules into, beside the module that creates the app.
pub const FOLDER: &str = "better-auth";

/// The folder's `index`: `setupBetterAuth(app)`, `requireUser` and `currentUser`; it imports the modules by
/// their names in the folder.
const SETUP_MODULE: &str = include_str!("backend_express_setup.ts");

/// The name the app's module imports and calls (also how a second run sees it is done).
const SETUP_NAME: &str = "setupBetterAuth";

/// config.ts's only import of the template's database code: the existing API keeps its own database, so the
/// default it names is not needed (config.ts's `database` is never read by add's modules).
const DATABASE_IMPORT: &str = "import { defaultDatabaseUrl } from \"./db/index.ts\";";
const DATABASE_DEFAULT: &str = "const defaultDatabaseUrl = \"\"; // cargo xtask add: this API's database settings stay its own";

/// The rendered backend's dependencies the modules import (express aside), pinned as the template pins them;
/// a TypeScript app also gets the types.
const DEPENDENCIES: [&str; 2] = ["jose", "cors"];
const TYPE_DEPENDENCIES: [&str; 1] = ["@types/cors"];

/// How the app's code is written, which decides the files' form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    /// TypeScript; `ts_imports`: its tsconfig lets imports end in `.ts` (else they end in `.js`).
    TypeScript {
        ts_imports: bool,
    },
    JavaScript,
}

impl Language {
    /// The extension of the files `add` writes.
    fn extension(self) -> &'static str {
        match self {
            Language::TypeScript { .. } => "ts",
            Language::JavaScript => "mjs",
        }
    }

    /// The extension the imports between them name.
    fn import_extension(self) -> &'static str {
        match self {
            Language::TypeScript { ts_imports: true } => "ts",
            Language::TypeScript { ts_imports: false } => "js",
            Language::JavaScript => "mjs",
        }
    }
}

/// Adds the backend's changes to `plan`; `to_backend` is the backend folder relative to the app's root,
/// `rendered` the rendered project's `backend/`.
pub fn plan(
    found: &DetectedBackend,
    to_backend: &Path,
    rendered: &Path,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let folder = folder(found);
    let language = language(found)?;
    let mut files: Vec<(String, String, String)> = Vec::new();
    for (from, name) in MODULES {
        if language == Language::JavaScript && name.ends_with(".d") {
            continue;
        }
        let source = rendered.join("src").join(from);
        let text = std::fs::read_to_string(&source)
            .with_context(|| format!("cannot read {}", source.display()))?;
        let text = if from == "config.ts" {
            if !text.contains(DATABASE_IMPORT) {
                bail!(
                    "template/backend-express/src/config.ts no longer imports the database default as add expects ({DATABASE_IMPORT})"
                );
            }
            text.replace(DATABASE_IMPORT, DATABASE_DEFAULT)
        } else {
            text
        };
        let text = moved_module(&text, Path::new(from), language)
            .with_context(|| format!("template/backend-express/src/{from}"))?;
        files.push((
            name.to_string(),
            format!("template/backend-express/src/{from}"),
            text,
        ));
    }
    let setup =
        moved_module(SETUP_MODULE, Path::new("index.ts"), language).context("add's index.ts")?;
    files.push((
        "index".to_string(),
        "xtask/src/add/backend_express_setup.ts".to_string(),
        setup,
    ));
    if language == Language::JavaScript {
        let stripped = strip_types(
            &files
                .iter()
                .map(|(_, _, text)| text.as_str())
                .collect::<Vec<_>>(),
        )?;
        for ((_, origin, text), stripped) in files.iter_mut().zip(stripped) {
            *text = format!(
                "// From {origin} of better-auth-v2, its types stripped by `cargo xtask add`.\n{stripped}"
            );
        }
    }
    for (name, _, text) in files {
        let file = folder
            .join(FOLDER)
            .join(format!("{name}.{}", language.extension()));
        write_new(plan, found, to_backend, &file, text)?;
    }
    wire(found, to_backend, &folder, language, plan)?;
    plan_env(found, to_backend, rendered, plan)?;
    plan_dependencies(found, to_backend, rendered, language, plan)
}

/// The folder (relative to the backend's) of the module that creates the app; without one, `src/` when
/// it exists, else the backend's root.
fn folder(found: &DetectedBackend) -> PathBuf {
    found
        .instance()
        .and_then(|instance| instance.file.parent()?.strip_prefix(&found.dir).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            if found.dir.join("src").is_dir() {
                PathBuf::from("src")
            } else {
                PathBuf::new()
            }
        })
}

/// TypeScript when the module creating the app is (`.ts`, `.mts`, `.cts`), or without one module, when the
/// backend has a tsconfig.json.
fn language(found: &DetectedBackend) -> anyhow::Result<Language> {
    let typescript = match found.instance() {
        Some(instance) => instance
            .file
            .extension()
            .is_some_and(|ext| ["ts", "mts", "cts"].iter().any(|ts| ext == *ts)),
        None => found.dir.join("tsconfig.json").is_file(),
    };
    if !typescript {
        return Ok(Language::JavaScript);
    }
    let tsconfig = read_if_exists(&found.dir.join("tsconfig.json"))?.unwrap_or_default();
    Ok(Language::TypeScript {
        ts_imports: tsconfig.contains("\"allowImportingTsExtensions\": true")
            || tsconfig.contains("\"rewriteRelativeImportExtensions\": true"),
    })
}

/// A template module (`from`, relative to `src/`) as it reads in `better-auth/`: its relative imports
/// renamed to the modules' names there, with the language's extension. add's own index.ts already names
/// them so.
fn moved_module(text: &str, from: &Path, language: Language) -> anyhow::Result<String> {
    let extension = language.import_extension();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some((head, spec, tail)) = relative_import(line) else {
            out.push_str(line);
            continue;
        };
        let target = resolve(from, spec);
        let name = MODULES
            .iter()
            .find(|(path, _)| Path::new(path) == target)
            .map(|(_, name)| *name)
            .or_else(|| {
                let stem = target.to_str()?.strip_suffix(".ts")?;
                MODULES
                    .iter()
                    .any(|(_, name)| *name == stem)
                    .then_some(stem)
            });
        let Some(name) = name else {
            bail!("imports a module add does not bring ({})", line.trim());
        };
        out.push_str(&format!("{head}./{name}.{extension}{tail}"));
    }
    Ok(out)
}

/// `(before, specifier, after)` of a line importing a relative module: `import ... from "./x.ts";`,
/// `export ... from "./x.ts";` or `import "./x.ts";`.
fn relative_import(line: &str) -> Option<(&str, &str, &str)> {
    let trimmed = line.trim_start();
    if !(trimmed.starts_with("import ") || trimmed.starts_with("export ")) {
        return None;
    }
    let start = line.find("\"./").or_else(|| line.find("\"../"))? + 1;
    let end = start + line[start..].find('"')?;
    Some((&line[..start], &line[start..end], &line[end..]))
}

/// `spec` seen from the template module `from` (both relative to `src/`), e.g. `routes/me.ts` + `../auth.ts`
/// = `auth.ts`.
fn resolve(from: &Path, spec: &str) -> PathBuf {
    let mut parts: Vec<Component> = from
        .parent()
        .map(|dir| dir.components().collect())
        .unwrap_or_default();
    for part in Path::new(spec).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// The modules as JavaScript: Node's `module.stripTypeScriptTypes` (the template's TypeScript is erasable
/// only), then the lines that held only types dropped and the blanks left inside lines closed.
fn strip_types(sources: &[&str]) -> anyhow::Result<Vec<String>> {
    const SCRIPT: &str = r#"
const { stripTypeScriptTypes } = require("node:module");
if (typeof stripTypeScriptTypes !== "function") {
  console.error(`Node ${process.version} has no module.stripTypeScriptTypes (Node >= 22.13 has)`);
  process.exit(3);
}
let input = "";
process.stdin.setEncoding("utf8").on("data", (chunk) => (input += chunk)).on("end", () => {
  const sources = JSON.parse(input);
  process.stdout.write(JSON.stringify(sources.map((code) => stripTypeScriptTypes(code, { mode: "strip" }))));
});
"#;
    let mut child = Command::new("node")
        .args(["--no-warnings", "-e", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context(
            "cannot run node to write the verifier as JavaScript for this Express app: install Node.js 22 (it runs the app's frontend too)",
        )?;
    let input = serde_json::to_string(sources)?;
    let writer = {
        let mut stdin = child.stdin.take().context("node's stdin")?;
        std::thread::spawn(move || std::io::Write::write_all(&mut stdin, input.as_bytes()))
    };
    let output = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writing to node panicked"))??;
    if !output.status.success() {
        bail!(
            "node could not strip the verifier's types for this JavaScript Express app: {} (Node >= 22.13 is needed on PATH)",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stripped: Vec<String> =
        serde_json::from_slice(&output.stdout).context("node's stripped modules")?;
    Ok(sources
        .iter()
        .zip(stripped)
        .map(|(source, stripped)| tidy_stripped(source, &stripped))
        .collect())
}

/// `stripped` (the same lines as `source`, types blanked out) without the lines that held only types, and
/// in changed lines, the blanks closed outside strings: `(config        , logger        )` → `(config, logger)`.
fn tidy_stripped(source: &str, stripped: &str) -> String {
    let mut out = String::new();
    for (before, after) in source.lines().zip(stripped.lines()) {
        if before == after {
            if after.trim().is_empty() && out.ends_with("\n\n") {
                continue;
            }
            out.push_str(after);
        } else if after.trim().is_empty() {
            // A line of types only goes; a blank line stays unless one is already there.
            if before.trim().is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            continue;
        } else {
            out.push_str(&close_blanks(after));
        }
        out.push('\n');
    }
    out
}

/// The line with each run of two or more spaces after its indentation and outside strings removed before
/// `) , ; ( ]` and the line's end, else made one space.
fn close_blanks(line: &str) -> String {
    let indent = line.len() - line.trim_start().len();
    let mut out = String::from(&line[..indent]);
    let chars: Vec<char> = line[indent..].chars().collect();
    let mut quote: Option<char> = None;
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if let Some(open) = quote {
            out.push(c);
            if c == '\\' && index + 1 < chars.len() {
                out.push(chars[index + 1]);
                index += 1;
            } else if c == open {
                quote = None;
            }
            index += 1;
            continue;
        }
        if matches!(c, '"' | '\'' | '`') {
            quote = Some(c);
            out.push(c);
            index += 1;
            continue;
        }
        if c == ' ' {
            let run = chars[index..].iter().take_while(|c| **c == ' ').count();
            let next = chars.get(index + run).copied();
            if run == 1 || !matches!(next, None | Some(')' | ',' | ';' | '(' | ']')) {
                out.push(' ');
            }
            index += run;
            continue;
        }
        out.push(c);
        index += 1;
    }
    out.trim_end().to_string()
}

/// `setupBetterAuth(app)` right after `const app = express()` in the one module creating the app, with its
/// import after the module's imports; otherwise the lines to add by hand.
fn wire(
    found: &DetectedBackend,
    to_backend: &Path,
    folder: &Path,
    language: Language,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let index = format!("{FOLDER}/index.{}", language.import_extension());
    let by_hand = |plan: &mut Plan, why: String| {
        let from = folder.join(&index);
        plan.by_hand.push(format!(
            "wire Better Auth into your Express app ({why}): import `{SETUP_NAME}` from `./{}` (relative to {}) in the module that creates the app and, right after `const app = express()`, call `{SETUP_NAME}(app);`",
            from.display(),
            found.dir.display()
        ));
    };
    let Some(instance) = found.instance() else {
        let why =
            found.why_not_one_instance("no module calls `express()`", "modules call `express()`");
        by_hand(plan, why);
        return Ok(());
    };
    let text = std::fs::read_to_string(&instance.file)
        .with_context(|| format!("cannot read {}", instance.file.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let at = instance.line.unwrap_or(1) - 1;
    let Some(variable) = lines.get(at).copied().and_then(assignment) else {
        by_hand(
            plan,
            format!("{instance} does not assign `const app = express()` at module level"),
        );
        return Ok(());
    };
    let commonjs = language == Language::JavaScript && is_commonjs(&instance.file, &text);
    let import = if commonjs {
        format!("const {{ {SETUP_NAME} }} = require(\"./{index}\");")
    } else {
        format!("import {{ {SETUP_NAME} }} from \"./{index}\";")
    };
    if lines.iter().any(|line| line.trim() == import) {
        return Ok(());
    }
    let own_cors = text.contains("cors(");
    if own_cors {
        plan.by_hand.push(format!(
            "your cors() in {} must allow the frontend's origin (FRONTEND_URL) and the Authorization header",
            instance.file.display()
        ));
    }
    let call = format!(
        "{SETUP_NAME}({variable}{});",
        if own_cors { ", { cors: false }" } else { "" }
    );
    let comment =
        "// Better Auth: bearer JWTs verified against the Next.js app's JWKS, and GET /api/me.";
    let mut after: Vec<&str> = lines.clone();
    let mut inserted = vec!["", comment, &call];
    if lines
        .get(at + 1)
        .is_some_and(|next| !next.trim().is_empty())
    {
        inserted.push("");
    }
    after.splice(at + 1..at + 1, inserted);
    after.insert(import_line(&lines, at), &import);
    let mut after = after.join("\n");
    after.push('\n');
    let relative = instance
        .file
        .strip_prefix(&found.dir)
        .context("the app's module is outside its folder")?;
    plan.write(to_backend.join(relative), Some(text), after);
    Ok(())
}

/// The variable of a module-level `const app = express();` (also `let`, `var`, `export const`).
fn assignment(line: &str) -> Option<String> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    let rest = ["const ", "let ", "var "]
        .iter()
        .find_map(|keyword| line.strip_prefix(keyword))?;
    let (left, right) = rest.split_once('=')?;
    let variable = left.split(':').next()?.trim();
    let identifier = !variable.is_empty()
        && variable
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    let right = right.trim();
    let call = right.strip_suffix(';').unwrap_or(right).trim_end();
    (identifier && call == "express()").then(|| variable.to_string())
}

/// A CommonJS module: `.cjs`, or `.js` that `require`s and has no `import` statement.
fn is_commonjs(file: &Path, text: &str) -> bool {
    match file.extension().and_then(|ext| ext.to_str()) {
        Some("cjs") => true,
        Some("mjs") => false,
        _ => {
            text.contains("require(")
                && !text
                    .lines()
                    .any(|line| line.starts_with("import ") || line.starts_with("import{"))
        }
    }
}

/// Where the import goes: after the module-level imports and `require`s above line `before` (after a
/// multi-line import's `from` line), or at `before` when there are none.
fn import_line(lines: &[&str], before: usize) -> usize {
    let mut at = None;
    let mut index = 0;
    while index < before {
        let line = lines[index];
        let required = ["const ", "let ", "var "]
            .iter()
            .any(|keyword| line.starts_with(keyword))
            && line.contains("require(");
        if line.starts_with("import ") || line.starts_with("import{") {
            let complete = |line: &str| {
                line.contains(" from ") || line.contains("from\"") || {
                    let rest = line.trim_start_matches("import").trim_start();
                    rest.starts_with('"') || rest.starts_with('\'')
                }
            };
            while index + 1 < before && !complete(lines[index]) {
                index += 1;
            }
            at = Some(index + 1);
        } else if required {
            at = Some(index + 1);
        }
        index += 1;
    }
    at.unwrap_or(before)
}

/// The template's pins the backend's package.json lacks, added with its package manager (its lockfile
/// decides; none: npm), types as development dependencies for a TypeScript app.
fn plan_dependencies(
    found: &DetectedBackend,
    to_backend: &Path,
    rendered: &Path,
    language: Language,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let ours: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(rendered.join("package.json"))
            .context("cannot read the rendered backend package.json")?,
    )
    .context("the rendered backend package.json")?;
    let theirs: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(found.dir.join("package.json"))
            .with_context(|| format!("cannot read {}/package.json", found.dir.display()))?,
    )
    .with_context(|| format!("{}/package.json is not JSON", found.dir.display()))?;
    let declared = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|section| theirs[section].get(name).is_some())
    };
    let missing = |section: &str, names: &[&str]| -> anyhow::Result<Vec<String>> {
        names
            .iter()
            .filter(|name| !declared(name))
            .map(|name| -> anyhow::Result<String> {
                let pin = ours[section][name].as_str().with_context(|| {
                    format!("template/backend-express/package.json does not pin {name}")
                })?;
                Ok(format!("{name}@{pin}"))
            })
            .collect()
    };
    let (lockfile, manager) = LOCKFILES
        .iter()
        .find(|(file, _)| found.dir.join(file).is_file())
        .copied()
        .unwrap_or((PackageManager::Npm.lockfile(), PackageManager::Npm));
    let mut commands = vec![(false, missing("dependencies", &DEPENDENCIES)?)];
    if matches!(language, Language::TypeScript { .. }) {
        commands.push((true, missing("devDependencies", &TYPE_DEPENDENCIES)?));
    }
    for (dev, packages) in commands {
        if packages.is_empty() {
            continue;
        }
        let writes = ["package.json", lockfile];
        for file in writes {
            let file = to_backend.join(file);
            if !plan.tool_writes.contains(&file) {
                plan.tool_writes.push(file);
            }
        }
        plan.installs.push(Install {
            dir: found.dir.clone(),
            argv: add_command(manager, dev)
                .iter()
                .map(ToString::to_string)
                .chain(packages)
                .collect(),
            writes: writes.iter().map(|file| found.dir.join(file)).collect(),
        });
    }
    Ok(())
}

/// `<manager> add` (npm: `install`), `dev` for a development dependency.
fn add_command(manager: PackageManager, dev: bool) -> Vec<&'static str> {
    let mut argv = vec![manager.name()];
    argv.push(if manager == PackageManager::Npm {
        "install"
    } else {
        "add"
    });
    if dev {
        argv.push(match manager {
            PackageManager::Npm => "--save-dev",
            PackageManager::Bun => "--dev",
            PackageManager::Pnpm | PackageManager::Yarn => "-D",
        });
    }
    argv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_renamed_to_the_folder_with_the_languages_extension() {
        let me =
            "import { Router } from \"express\";\nimport { currentUser } from \"../auth.ts\";\n";
        assert_eq!(
            moved_module(me, Path::new("routes/me.ts"), Language::JavaScript).unwrap(),
            "import { Router } from \"express\";\nimport { currentUser } from \"./auth.mjs\";\n"
        );
        let types = "import type { AuthUser } from \"../token-verifier.ts\";\n";
        assert_eq!(
            moved_module(
                types,
                Path::new("types/express.d.ts"),
                Language::TypeScript { ts_imports: false }
            )
            .unwrap(),
            "import type { AuthUser } from \"./token-verifier.js\";\n"
        );
        let setup = "import { meRouter } from \"./me.ts\";\n";
        assert_eq!(
            moved_module(
                setup,
                Path::new("index.ts"),
                Language::TypeScript { ts_imports: true }
            )
            .unwrap(),
            setup
        );
        let database = "import { openNotesStore } from \"./db/index.ts\";\n";
        assert!(moved_module(database, Path::new("app.ts"), Language::JavaScript).is_err());
    }

    #[test]
    fn stripped_types_leave_no_blank_runs_or_type_only_lines() {
        let source = "import type { A } from \"./a.ts\";\nexport function f(config: Config, s: string = \"a  b\"): Out {\n  return g<T>(config as X);\n}\n";
        let stripped = "                                \nexport function f(config        , s         = \"a  b\")      {\n  return g   (config     );\n}\n";
        assert_eq!(
            tidy_stripped(source, stripped),
            "export function f(config, s = \"a  b\") {\n  return g(config);\n}\n"
        );
    }

    #[test]
    fn only_a_module_level_express_call_is_an_assignment() {
        assert_eq!(assignment("const app = express();").as_deref(), Some("app"));
        assert_eq!(assignment("var app = express()").as_deref(), Some("app"));
        assert_eq!(
            assignment("export const server: Express = express();").as_deref(),
            Some("server")
        );
        assert_eq!(assignment("  const app = express();"), None);
        assert_eq!(assignment("const app = express(options);"), None);
    }

    #[test]
    fn the_import_goes_after_the_modules_imports_and_requires() {
        let cjs = [
            "'use strict';",
            "const express = require('express');",
            "const path = require('path');",
            "",
            "const app = express();",
        ];
        assert_eq!(import_line(&cjs, 4), 3);
        let esm = [
            "import express from \"express\";",
            "import {",
            "  a,",
            "} from \"./a.js\";",
            "",
            "const app = express();",
        ];
        assert_eq!(import_line(&esm, 5), 4);
        assert_eq!(import_line(&["const app = express();"], 0), 0);
    }
}
