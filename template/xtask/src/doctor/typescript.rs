//! Just enough TypeScript reading for the doctor: the names a module exports and the named imports of
//! a file. Line- and brace-based, not a parser: it reads the code this template and its users write.

/// Names exported by `source`; `default` for a default export.
pub fn exported_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (start, _) in source.match_indices("export ") {
        if !at_line_start(source, start) {
            continue;
        }
        let rest = &source[start + "export ".len()..];
        let mut words =
            rest.split(|c: char| c.is_whitespace() || c == '(' || c == '<' || c == ':' || c == '=');
        let first = words.next().unwrap_or_default();
        match first {
            "default" => names.push("default".into()),
            "{" | "" if rest.trim_start().starts_with('{') => {
                names.extend(braced_names(rest, true))
            }
            "const" | "let" | "var" if rest[first.len()..].trim_start().starts_with('{') => {
                names.extend(braced_names(&rest[first.len()..], true))
            }
            "async" | "const" | "let" | "var" | "function" | "function*" | "class" | "type"
            | "interface" | "enum" => {
                let name = words.find(|w| !w.is_empty() && *w != "function" && *w != "function*");
                names.extend(name.map(str::to_string));
            }
            _ if first.starts_with('{') => names.extend(braced_names(rest, true)),
            _ => {}
        }
    }
    names
}

/// An import of named bindings: `import { a, b as c } from "spec"` → spec, [a, b].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub specifier: String,
    /// Imported names as the module exports them (`default` for a default import).
    pub names: Vec<String>,
    pub line: usize,
}

pub fn imports(source: &str) -> Vec<Import> {
    let mut found = Vec::new();
    for (start, _) in source.match_indices("import ") {
        if !at_line_start(source, start) {
            continue;
        }
        let rest = &source[start + "import ".len()..];
        let Some(from) = rest.find(" from ") else {
            continue;
        };
        let clause = rest[..from].trim().trim_start_matches("type ").trim();
        let after = rest[from + " from ".len()..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = after[1..].find(quote) else {
            continue;
        };
        let mut names = Vec::new();
        let default_part = clause
            .split('{')
            .next()
            .unwrap_or_default()
            .trim()
            .trim_end_matches(',')
            .trim();
        if !default_part.is_empty() && !default_part.starts_with('*') {
            names.push("default".into());
        }
        if clause.contains('{') {
            names.extend(braced_names(clause, false));
        }
        let line = source[..start].matches('\n').count() + 1;
        found.push(Import {
            specifier: after[1..1 + end].to_string(),
            names,
            line,
        });
    }
    found
}

/// Names inside the first `{ … }` of `text`. `renamed_is_exported`: in `export { a as b }` and
/// `export const { a: b }` the exported name is `b`; in `import { a as b }` the module's name is `a`.
fn braced_names(text: &str, renamed_is_exported: bool) -> Vec<String> {
    let Some(open) = text.find('{') else {
        return Vec::new();
    };
    let Some(close) = text[open..].find('}') else {
        return Vec::new();
    };
    text[open + 1..open + close]
        .split(',')
        .filter_map(|item| {
            let item = item.trim().trim_start_matches("type ").trim();
            let item = item.split('=').next().unwrap_or_default().trim();
            if item.is_empty() || item.starts_with("...") {
                return None;
            }
            let (original, renamed) = match item.split_once(" as ").or_else(|| item.split_once(':'))
            {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (item, item),
            };
            Some(
                if renamed_is_exported {
                    renamed
                } else {
                    original
                }
                .to_string(),
            )
        })
        .collect()
}

fn at_line_start(source: &str, index: usize) -> bool {
    source[..index]
        .chars()
        .rev()
        .take_while(|c| *c != '\n')
        .all(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_exports_this_template_writes() {
        let client = "export const authClient = createAuthClient();\n\nexport const { signIn, signUp, signOut, useSession } = authClient;\n";
        assert_eq!(
            exported_names(client),
            ["authClient", "signIn", "signUp", "signOut", "useSession"]
        );
        assert_eq!(
            exported_names("export const auth = betterAuth({});"),
            ["auth"]
        );
        assert_eq!(
            exported_names("export default function Page() {}\nexport async function GET() {}"),
            ["default", "GET"]
        );
        assert_eq!(
            exported_names("const a = 1;\nexport { a as auth, b };"),
            ["auth", "b"]
        );
        assert!(exported_names("const x = `export const y`;").is_empty());
    }

    #[test]
    fn reads_named_and_default_imports() {
        let source = "import Link from \"next/link\";\nimport {\n  authClient,\n  signIn as login,\n} from \"@/lib/auth-client\";\nimport auth, { type Session } from '../lib/auth';\n";
        let found = imports(source);
        assert_eq!(
            found[1],
            Import {
                specifier: "@/lib/auth-client".into(),
                names: vec!["authClient".into(), "signIn".into()],
                line: 2
            }
        );
        assert_eq!(found[2].names, ["default", "Session"]);
        assert_eq!(found[0].names, ["default"]);
    }
}
