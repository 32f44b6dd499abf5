//! The frontend half of the plan: the files `new` writes into `frontend/src/`, taken from a project rendered
//! by the same generator for the same choices (one source, two destinations), moved to the app's layout and
//! import alias; `.env` keys and dependencies the app lacks. The app's own files are never overwritten: a
//! colliding file or route is skipped and what to add by hand is listed instead.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;

use super::detect::App;
use super::plan::Plan;

/// The rendered `frontend/src/` files that are the app's own shell, not Better Auth's: never brought along.
const APP_SHELL: [&str; 4] = [
    "app/layout.tsx",
    "app/page.tsx",
    "app/globals.css",
    "app/icon.svg",
];

/// The template's import alias for `frontend/src/`.
const TEMPLATE_ALIAS: &str = "@/";

/// Adds the frontend changes for `app` to `plan`, from the rendered project's `frontend/` folder.
pub fn plan(app: &App, rendered: &Path, plan: &mut Plan) -> anyhow::Result<()> {
    let routes = existing_routes(&app.root, &app.app_dir());
    // Every file `new` writes into frontend/src/ for these choices (one source: a file the template gains
    // comes along without a list here), except the app's shell.
    let mut files = Vec::new();
    list_files(&rendered.join("src"), Path::new(""), &mut files)?;
    files.sort();
    for file in files.iter().map(String::as_str) {
        if APP_SHELL.contains(&file) {
            continue;
        }
        let source = rendered.join("src").join(file);
        let text = std::fs::read_to_string(&source)
            .with_context(|| format!("cannot read {}", source.display()))?;
        if file == "proxy.ts" {
            plan_proxy(app, &text, plan)?;
            continue;
        }
        let destination = app.src_dir.join(file);
        let mut text = with_app_imports(app, &destination, &text);
        if app.cache_components {
            text = for_cache_components(&text);
        }
        let before = read_if_exists(&app.root.join(&destination))?;
        if before.as_deref() == Some(text.as_str()) {
            continue;
        }
        if before.is_some() {
            plan.by_hand.push(format!(
                "kept your {}: add's version is template/frontend/src/{file} in better-auth-v2",
                destination.display()
            ));
            continue;
        }
        if let Some(url) = route_of(file)
            && let Some(taken) = routes.iter().find(|(route, _)| collides(route, &url))
        {
            plan.by_hand.push(format!(
                "skipped {}: your {} already answers {}; add its content (template/frontend/src/{file} in better-auth-v2) under another path by hand",
                destination.display(),
                taken.1.display(),
                taken.0
            ));
            continue;
        }
        plan.write(destination, None, text);
    }
    plan_env(app, rendered, plan)?;
    plan_tsconfig(app, plan)?;
    plan_package_json(app, rendered, plan)
}

/// The template's modules import each other as `./mail.ts` (plain Node loads auth.ts that way for the auth
/// CLI and verify); TypeScript accepts such imports only with `allowImportingTsExtensions` (it needs `noEmit`,
/// which Next.js sets), so an app whose tsconfig lacks it gets that one option, or `next build` fails.
fn plan_tsconfig(app: &App, plan: &mut Plan) -> anyhow::Result<()> {
    let imports_ts_files = plan.changes.iter().any(|change| {
        change.after.lines().any(|line| {
            line.trim_start().starts_with("import ") && line.trim_end().ends_with(".ts\";")
        })
    });
    let path = app.root.join("tsconfig.json");
    let before = std::fs::read_to_string(&path).context("cannot read tsconfig.json")?;
    if !imports_ts_files || before.contains("\"allowImportingTsExtensions\"") {
        return Ok(());
    }
    match with_ts_extension_imports(&before) {
        Some(after) => plan.write("tsconfig.json", Some(before), after),
        None => plan.by_hand.push(
            "tsconfig.json: add \"allowImportingTsExtensions\": true to compilerOptions (add's files import ./x.ts)"
                .to_string(),
        ),
    }
    Ok(())
}

/// `text` with `"allowImportingTsExtensions": true` as the first compiler option, indented like the next line;
/// None when there is no `"compilerOptions": {` to put it in.
fn with_ts_extension_imports(text: &str) -> Option<String> {
    const OPTION: &str = "\"allowImportingTsExtensions\": true";
    let key = text.find("\"compilerOptions\"")?;
    let open = key + text[key..].find('{')?;
    let rest = &text[open + 1..];
    if rest.trim_start().starts_with('}') {
        return Some(format!(
            "{}{{ {OPTION} }}{}",
            &text[..open],
            &rest[rest.find('}')? + 1..]
        ));
    }
    let next_line = rest.split_once('\n')?.1;
    let indent: String = next_line
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    Some(format!("{}\n{indent}{OPTION},{rest}", &text[..=open]))
}

/// What add's files leave behind must not show up in `git status`: the ignore lines of the rendered
/// project (one source) for a local database file (`DATABASE_URL=file:...`), the development mail folder,
/// and with the project automation its build output and project-local Node; those the app lacks are appended.
pub fn plan_gitignore(
    app: &App,
    project: &Path,
    with_xtask: bool,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let frontend = project.join("frontend");
    // The rendered .env carries the decided URL (the app's own when it has one).
    let local_file = read(frontend.join(".env"))?
        .lines()
        .filter_map(|line| line.strip_prefix("DATABASE_URL="))
        .any(|url| url.starts_with("file:"));
    let ours = read(frontend.join(".gitignore"))?;
    let root_ours = read(project.join(".gitignore"))?;
    let groups = [
        (
            local_file,
            "# Better Auth's local database file (DATABASE_URL=file:...)",
            ours.lines()
                .filter(|line| line.starts_with("*.db"))
                .collect::<Vec<_>>(),
        ),
        (
            frontend.join("src/lib/mail.ts").is_file(),
            "# Development mail (src/lib/mail.ts without SMTP_URL)",
            ours.lines().filter(|line| *line == "/.mail").collect(),
        ),
        (
            with_xtask,
            "# The project automation's build output and project-local Node (cargo xtask)",
            root_ours
                .lines()
                .filter(|line| ["target/", ".tools/"].contains(line))
                .collect(),
        ),
    ];
    let before = read_if_exists(&app.root.join(".gitignore"))?;
    let theirs = before.clone().unwrap_or_default();
    let mut after = theirs.clone();
    for (wanted, comment, lines) in groups {
        let missing: Vec<&str> = lines
            .into_iter()
            .filter(|line| !theirs.lines().any(|their| their.trim() == *line))
            .collect();
        if !wanted || missing.is_empty() {
            continue;
        }
        if !after.is_empty() && !after.ends_with('\n') {
            after.push('\n');
        }
        after.push_str(&format!("\n{comment}\n"));
        for line in missing {
            after.push_str(line);
            after.push('\n');
        }
    }
    plan.write(".gitignore", before, after);
    Ok(())
}

/// What Next.js's "Migrating to Cache Components" guide prescribes for a page that reads the request before
/// any `<Suspense>`: allow it to block on the server instead of failing the build.
const INSTANT_OPT_OUT: &str = "\n// Cache Components is on in this app: this page reads the session (a request header) before rendering, so\n// it may block on the server instead of prerendering a static shell.\nexport const instant = false;\n";

/// The segment config Cache Components refuses ("not compatible with `nextConfig.cacheComponents`").
const FORCE_DYNAMIC: &str = "export const dynamic = \"force-dynamic\";";

/// A page as Cache Components accepts it: `force-dynamic` (and the comment right above it) removed, and
/// pages that read the request or were force-dynamic allowed to block.
fn for_cache_components(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let forced = match lines.iter().position(|line| line.trim() == FORCE_DYNAMIC) {
        Some(at) => {
            let mut start = at;
            while start > 0 && lines[start - 1].trim_start().starts_with("//") {
                start -= 1;
            }
            let end = if lines.get(at + 1).is_some_and(|line| line.trim().is_empty()) {
                at + 2
            } else {
                at + 1
            };
            lines.drain(start..end);
            true
        }
        None => false,
    };
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    // What makes a page dynamic: the request's headers, its query, or an explicit `connection()`.
    let reads_request = text.contains("export default")
        && [
            "await headers()",
            "await searchParams",
            "await connection()",
        ]
        .iter()
        .any(|read| text.contains(read));
    if forced || reads_request {
        out.push_str(INSTANT_OPT_OUT);
    }
    out
}

/// Next 16 names the request hook `proxy.ts`; Next 15 calls it `middleware.ts` with a `middleware` export.
fn plan_proxy(app: &App, text: &str, plan: &mut Plan) -> anyhow::Result<()> {
    let (file, text) = if app.next_major >= 16 {
        ("proxy.ts", text.to_string())
    } else {
        (
            "middleware.ts",
            text.replace("export function proxy(", "export function middleware("),
        )
    };
    let destination = app.src_dir.join(file);
    if let Some(existing) = &app.existing_proxy {
        // Ours from an earlier run: nothing to do.
        if *existing == destination
            && read_if_exists(&app.root.join(existing))?.as_deref() == Some(text.as_str())
        {
            return Ok(());
        }
        plan.by_hand.push(format!(
            "kept your {}: to send signed-out visitors of /dashboard to /sign-in, redirect there when `getSessionCookie(request)` (from \"better-auth/cookies\") returns nothing, for the matcher \"/dashboard/:path*\"",
            existing.display()
        ));
        return Ok(());
    }
    let before = read_if_exists(&app.root.join(&destination))?;
    plan.write(destination, before, text);
    Ok(())
}

/// `@/x` imports of the template, rewritten to the app's alias for its source folder, or to relative paths.
fn with_app_imports(app: &App, destination: &Path, text: &str) -> String {
    let needle = format!("\"{TEMPLATE_ALIAS}");
    match &app.alias {
        Some(alias) => text.replace(&needle, &format!("\"{alias}/")),
        None => {
            let from = destination.parent().unwrap_or(Path::new(""));
            let mut out = String::with_capacity(text.len());
            let mut rest = text;
            while let Some(start) = rest.find(&needle) {
                out.push_str(&rest[..start]);
                let after = &rest[start + needle.len()..];
                let end = after.find('"').unwrap_or(after.len());
                let target = app.src_dir.join(&after[..end]);
                out.push('"');
                out.push_str(&relative_import(from, &target));
                rest = &after[end..];
            }
            out.push_str(rest);
            out
        }
    }
}

/// The `./`/`../` import of `target` from a file in `from` (both relative to the app's root).
fn relative_import(from: &Path, target: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let target: Vec<Component> = target.components().collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    if parts.is_empty() {
        parts.push(".".to_string());
    }
    parts.extend(
        target[common..]
            .iter()
            .map(|part| part.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The URL a file under `app/` answers (`app/(auth)/sign-in/page.tsx` → `/sign-in`); None for other files.
fn route_of(file: &str) -> Option<String> {
    let rest = file.strip_prefix("app/")?;
    let (dir, name) = rest.rsplit_once('/').unwrap_or(("", rest));
    let stem = name.split('.').next()?;
    if stem != "page" && stem != "route" {
        return None;
    }
    let segments: Vec<&str> = dir
        .split('/')
        .filter(|segment| {
            !(segment.is_empty() || segment.starts_with('(') && segment.ends_with(')'))
        })
        .collect();
    Some(format!("/{}", segments.join("/")))
}

/// Two routes collide when they are the same URL, or one is a catch-all (`[...x]`) covering the other.
fn collides(existing: &str, ours: &str) -> bool {
    let catch_all_prefix = |route: &str| {
        route
            .rsplit_once("/[...")
            .map(|(prefix, _)| prefix.to_string())
    };
    let below = |route: &str, prefix: String| route.starts_with(&format!("{prefix}/"));
    existing == ours
        || catch_all_prefix(ours).is_some_and(|prefix| below(existing, prefix))
        || catch_all_prefix(existing).is_some_and(|prefix| below(ours, prefix))
}

/// Every route the app's `app/` folder already answers, with the file answering it.
fn existing_routes(root: &Path, app_dir: &Path) -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, relative: &Path, out: &mut Vec<(String, PathBuf)>) {
        let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let relative = relative.join(entry.file_name());
            if entry.path().is_dir() {
                walk(root, &relative, out);
            } else if let Some(route) = route_of(&relative.to_string_lossy().replace('\\', "/")) {
                out.push((route, relative));
            }
        }
    }
    let mut routes = Vec::new();
    let prefix = app_dir.parent().unwrap_or(Path::new(""));
    walk(&root.join(prefix), Path::new("app"), &mut routes);
    for route in &mut routes {
        route.1 = prefix.join(&route.1);
    }
    routes
}

/// `.env`: the rendered project's keys the app does not set in `.env` or `.env.local`, with their comments,
/// appended; an existing key is never replaced.
fn plan_env(app: &App, rendered: &Path, plan: &mut Plan) -> anyhow::Result<()> {
    let ours =
        std::fs::read_to_string(rendered.join(".env")).context("cannot read the rendered .env")?;
    let before = read_if_exists(&app.root.join(".env"))?;
    let mut set = String::new();
    for file in [".env", ".env.local"] {
        set.push_str(&read_if_exists(&app.root.join(file))?.unwrap_or_default());
        set.push('\n');
    }
    append_env(plan, PathBuf::from(".env"), before, &set, &ours);
    Ok(())
}

/// Plans `path` (now `before`) with the lines of `ours` whose keys `set` (the env files' text) lacks
/// appended, each with the comments right above it.
pub(super) fn append_env(
    plan: &mut Plan,
    path: PathBuf,
    before: Option<String>,
    set: &str,
    ours: &str,
) {
    let has_key = |key: &str| {
        set.lines().any(|line| {
            let line = line.trim().trim_start_matches("export ");
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    };
    let mut added = String::new();
    let mut comments: Vec<&str> = Vec::new();
    for line in ours.lines() {
        if line.trim().is_empty() {
            comments.clear();
        } else if line.starts_with('#') {
            comments.push(line);
        } else if let Some((key, _)) = line.split_once('=') {
            if !has_key(key.trim()) {
                added.push('\n');
                for comment in &comments {
                    added.push_str(comment);
                    added.push('\n');
                }
                added.push_str(line);
                added.push('\n');
            }
            comments.clear();
        }
    }
    if added.is_empty() {
        return;
    }
    let mut after = before.clone().unwrap_or_default();
    if !after.is_empty() && !after.ends_with('\n') {
        after.push('\n');
    }
    if after.is_empty() {
        added.remove(0);
    }
    after.push_str(&added);
    plan.write(path, before, after);
}

/// package.json: the rendered project's dependencies (and its `auth:migrate` and `typecheck` scripts, the
/// latter run by `cargo xtask test`) the app lacks, added
/// in place, each section kept in alphabetical order. The app's own entries, `next` and `react` included,
/// keep their versions.
fn plan_package_json(app: &App, rendered: &Path, plan: &mut Plan) -> anyhow::Result<()> {
    let ours: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(rendered.join("package.json"))
            .context("cannot read the rendered package.json")?,
    )
    .context("the rendered package.json is not JSON")?;
    let path = app.root.join("package.json");
    let before = std::fs::read_to_string(&path).context("cannot read package.json")?;
    let theirs: serde_json::Value = serde_json::from_str(&before)
        .context("package.json is not valid JSON: fix it, then run add again")?;
    let mut after = before.clone();
    for section in ["scripts", "dependencies", "devDependencies"] {
        let Some(wanted) = ours.get(section).and_then(serde_json::Value::as_object) else {
            continue;
        };
        let present = theirs.get(section).and_then(serde_json::Value::as_object);
        // Only the auth CLI's and the type-check script: the app's own scripts stay as they are.
        let missing: BTreeMap<&str, &str> = wanted
            .iter()
            .filter(|(name, _)| {
                section != "scripts" || ["auth:migrate", "typecheck"].contains(&name.as_str())
            })
            .filter(|(name, _)| {
                present.is_none_or(|present| !present.contains_key(name.as_str()))
                    && !(section == "devDependencies" && in_any_section(&theirs, name))
                    && !(section == "dependencies" && in_any_section(&theirs, name))
            })
            .filter_map(|(name, version)| Some((name.as_str(), version.as_str()?)))
            .collect();
        if !missing.is_empty() {
            after = insert_entries(&after, section, &missing, section != "scripts");
        }
    }
    after = raise_node_types(&theirs, &ours, after);
    plan.write("package.json", Some(before), after);
    Ok(())
}

/// The one app entry `add` changes: `@types/node` older than the template's major lacks the types of what
/// auth.ts uses (`node:sqlite` arrived with Node 22), so `next build`'s type check would fail.
fn raise_node_types(theirs: &serde_json::Value, ours: &serde_json::Value, text: String) -> String {
    const TYPES: &str = "@types/node";
    let version = |package: &serde_json::Value| {
        ["devDependencies", "dependencies"]
            .iter()
            .find_map(|section| {
                package
                    .get(section)?
                    .get(TYPES)?
                    .as_str()
                    .map(str::to_string)
            })
    };
    let (Some(current), Some(wanted)) = (version(theirs), version(ours)) else {
        return text;
    };
    let older = |a: &str, b: &str| {
        super::detect::major_version(a)
            .zip(super::detect::major_version(b))
            .is_some_and(|(a, b)| a < b)
    };
    if !older(&current, &wanted) {
        return text;
    }
    let from = format!("\"{TYPES}\": \"{current}\"");
    let to = format!("\"{TYPES}\": \"{wanted}\"");
    text.replacen(&from, &to, 1)
}

fn in_any_section(package: &serde_json::Value, name: &str) -> bool {
    ["dependencies", "devDependencies"].iter().any(|section| {
        package
            .get(section)
            .and_then(serde_json::Value::as_object)
            .is_some_and(|deps| deps.contains_key(name))
    })
}

/// Inserts `"name": "value"` lines into the top-level object `section` of a package.json text, in
/// alphabetical position when `sorted` (else at its end); creates the section when missing.
fn insert_entries(
    text: &str,
    section: &str,
    entries: &BTreeMap<&str, &str>,
    sorted: bool,
) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header = format!("\"{section}\":");
    let entry = |indent: &str, name: &str, value: &str| {
        format!(
            "{indent}{}: {}",
            serde_json::Value::from(name),
            serde_json::Value::from(value)
        )
    };
    let Some(start) = lines
        .iter()
        .position(|line| line.trim_start().starts_with(&header))
    else {
        // A new section before the root object's closing brace.
        let close = lines
            .iter()
            .rposition(|line| line.trim() == "}")
            .unwrap_or(lines.len());
        if let Some(previous) = lines[..close]
            .iter_mut()
            .rev()
            .find(|line| !line.trim().is_empty())
            && !previous.trim_end().ends_with(['{', ','])
        {
            previous.push(',');
        }
        let mut block = vec![format!("  \"{section}\": {{")];
        let count = entries.len();
        for (index, (name, value)) in entries.iter().enumerate() {
            let comma = if index + 1 < count { "," } else { "" };
            block.push(format!("{}{comma}", entry("    ", name, value)));
        }
        block.push("  }".to_string());
        lines.splice(close..close, block);
        return lines.join("\n") + "\n";
    };
    let end = start
        + lines[start..]
            .iter()
            .position(|line| line.trim_start().starts_with('}'))
            .unwrap_or(0);
    let indent = lines
        .get(start + 1)
        .filter(|_| start + 1 < end)
        .map(|line| line[..line.len() - line.trim_start().len()].to_string())
        .unwrap_or_else(|| {
            format!(
                "{}  ",
                &lines[start][..lines[start].len() - lines[start].trim_start().len()]
            )
        });
    let mut body: Vec<(String, String)> = lines[start + 1..end]
        .iter()
        .map(|line| {
            let key = line
                .trim()
                .split(':')
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_string();
            (key, line.trim_end().trim_end_matches(',').to_string())
        })
        .collect();
    for (name, value) in entries {
        let line = entry(&indent, name, value);
        let at = if sorted {
            body.iter()
                .position(|(key, _)| key.as_str() > *name)
                .unwrap_or(body.len())
        } else {
            body.len()
        };
        body.insert(at, (name.to_string(), line));
    }
    let count = body.len();
    let body: Vec<String> = body
        .into_iter()
        .enumerate()
        .map(|(index, (_, line))| {
            if index + 1 < count {
                format!("{line},")
            } else {
                line
            }
        })
        .collect();
    // `"section": {}` on one line has no body lines: open it.
    if end == start {
        let opened = lines[start].replace("{}", "{");
        let closing = opened[..opened.len() - opened.trim_start().len()].to_string() + "}";
        let trailing = if lines[start].trim_end().ends_with(',') {
            ","
        } else {
            ""
        };
        let mut block = vec![opened.trim_end_matches(',').to_string()];
        block.extend(body);
        block.push(closing + trailing);
        lines.splice(start..=start, block);
    } else {
        lines.splice(start + 1..end, body);
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The files below `dir`, as `/`-separated paths relative to it.
pub(super) fn list_files(dir: &Path, relative: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir.join(relative))
        .with_context(|| format!("cannot read {}", dir.join(relative).display()))?;
    for entry in entries {
        let entry = entry?;
        let relative = relative.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            list_files(dir, &relative, out)?;
        } else {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

pub(super) fn read_if_exists(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_extension_imports_are_allowed_first_in_compiler_options() {
        let next = "{\n  \"compilerOptions\": {\n    \"noEmit\": true\n  }\n}\n";
        assert_eq!(
            with_ts_extension_imports(next).unwrap(),
            "{\n  \"compilerOptions\": {\n    \"allowImportingTsExtensions\": true,\n    \"noEmit\": true\n  }\n}\n"
        );
        assert_eq!(
            with_ts_extension_imports("{ \"compilerOptions\": {} }").unwrap(),
            "{ \"compilerOptions\": { \"allowImportingTsExtensions\": true } }"
        );
        assert_eq!(with_ts_extension_imports("{}"), None);
    }

    #[test]
    fn routes_ignore_groups_and_catch_alls_cover_their_subpaths() {
        assert_eq!(
            route_of("app/(auth)/sign-in/page.tsx").as_deref(),
            Some("/sign-in")
        );
        assert_eq!(route_of("app/page.tsx").as_deref(), Some("/"));
        assert_eq!(route_of("app/layout.tsx"), None);
        assert!(collides("/api/auth/session", "/api/auth/[...all]"));
        assert!(!collides("/api/authors", "/api/auth/[...all]"));
        assert!(!collides("/api/auth", "/api/auth/[...all]"));
    }

    #[test]
    fn relative_imports_climb_to_the_source_folder() {
        assert_eq!(
            relative_import(Path::new("app/dashboard"), Path::new("lib/auth")),
            "../../lib/auth"
        );
        assert_eq!(
            relative_import(Path::new("lib"), Path::new("lib/auth-client")),
            "./auth-client"
        );
    }

    #[test]
    fn entries_go_in_alphabetical_order_and_commas_stay_valid() {
        let text = "{\n  \"dependencies\": {\n    \"next\": \"16.0.0\",\n    \"react\": \"19.0.0\"\n  }\n}\n";
        let entries = BTreeMap::from([("better-auth", "1.7.25"), ("pg", "8.0.0")]);
        let out = insert_entries(text, "dependencies", &entries, true);
        assert_eq!(
            out,
            "{\n  \"dependencies\": {\n    \"better-auth\": \"1.7.25\",\n    \"next\": \"16.0.0\",\n    \"pg\": \"8.0.0\",\n    \"react\": \"19.0.0\"\n  }\n}\n"
        );
        let out = insert_entries(
            text,
            "devDependencies",
            &BTreeMap::from([("auth", "1.7.7")]),
            true,
        );
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["devDependencies"]["auth"], "1.7.7");
        assert_eq!(parsed["dependencies"]["next"], "16.0.0");
    }
}
