//! A dotenv file that can be read and edited without losing its comments or order.

use std::path::{Path, PathBuf};

use anyhow::Context;

#[derive(Debug, Clone)]
pub struct EnvFile {
    path: PathBuf,
    lines: Vec<String>,
}

impl EnvFile {
    /// Reads `path`; a missing file is an error that names it.
    pub fn load(path: &Path) -> anyhow::Result<EnvFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {} (it is created when the project is generated; copy it from .env.example)", path.display()))?;
        Ok(EnvFile::parse(path, &text))
    }

    pub fn parse(path: &Path, text: &str) -> EnvFile {
        EnvFile {
            path: path.to_path_buf(),
            lines: text.lines().map(str::to_string).collect(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The value of `key`, unquoted; `None` when the key is absent. An empty value is `Some("")`.
    pub fn get(&self, key: &str) -> Option<String> {
        self.lines.iter().rev().find_map(|line| {
            let (k, v) = split_assignment(line)?;
            (k == key).then(|| unquote(v))
        })
    }

    /// The value of `key` when present and not empty.
    pub fn get_non_empty(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// All `KEY=value` pairs, in file order (the last one wins for repeated keys, as in dotenv).
    pub fn vars(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = Vec::new();
        for (k, v) in self.lines.iter().filter_map(|l| split_assignment(l)) {
            vars.retain(|(existing, _)| existing != k);
            vars.push((k.to_string(), unquote(v)));
        }
        vars
    }

    /// The variables to hand a child process explicitly: the file's non-empty values, except those the
    /// process environment already sets — the precedence the apps and the `auth` CLI themselves apply
    /// (and how tests point the app at a proxy or scratch database without editing the file). An empty
    /// value means "unset", so it never hides a value from the environment.
    pub fn vars_for_child(&self) -> Vec<(String, String)> {
        self.vars()
            .into_iter()
            .filter(|(key, value)| {
                !value.is_empty() && std::env::var_os(key).is_none_or(|v| v.is_empty())
            })
            .collect()
    }

    /// Sets `key` in place (keeping comments and order), or appends it.
    pub fn set(&mut self, key: &str, value: &str) {
        let new_line = format!("{key}={value}");
        match self
            .lines
            .iter()
            .rposition(|l| split_assignment(l).is_some_and(|(k, _)| k == key))
        {
            Some(index) => self.lines[index] = new_line,
            None => self.lines.push(new_line),
        }
    }

    /// Writes the file back, readable by its owner only (it may hold a secret): the mode is set before
    /// the new content lands, so the secret is never in a file others can read.
    pub fn save(&self) -> anyhow::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;

        let mut text = self.lines.join("\n");
        text.push('\n');
        if self.path.exists() {
            crate::credentials::set_owner_only(&self.path)?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(crate::credentials::OWNER_ONLY)
            .open(&self.path)
            .and_then(|mut file| file.write_all(text.as_bytes()))
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    if line.starts_with('#') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty()).then_some((key, value.trim()))
}

fn unquote(value: &str) -> String {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner.to_string();
        }
    }
    // An unquoted value ends at an inline comment.
    match value.find(" #") {
        Some(index) => value[..index].trim_end().to_string(),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> EnvFile {
        EnvFile::parse(Path::new(".env"), text)
    }

    #[test]
    fn reads_quoted_unquoted_and_empty_values() {
        let env = file("# comment\nA=1\nB=\"two words\"\nexport C='x'\nD=\nE=v # note\n");
        assert_eq!(env.get("A").as_deref(), Some("1"));
        assert_eq!(env.get("B").as_deref(), Some("two words"));
        assert_eq!(env.get("C").as_deref(), Some("x"));
        assert_eq!(env.get("D").as_deref(), Some(""));
        assert_eq!(env.get_non_empty("D"), None);
        assert_eq!(env.get("E").as_deref(), Some("v"));
        assert_eq!(env.get("missing"), None);
    }

    #[test]
    fn child_processes_get_non_empty_values_the_environment_does_not_set() {
        // PATH is set in every test process, so the file's PATH must not replace it.
        let env = file("PATH=/nowhere\nBETTER_AUTH_V2_TEST_KEY=1\nNEON_WS_PROXY=\n");
        assert_eq!(
            env.vars_for_child(),
            [("BETTER_AUTH_V2_TEST_KEY".to_string(), "1".to_string())]
        );
    }

    #[test]
    fn set_keeps_comments_and_order() {
        let mut env = file("# secret, filled by setup\nBETTER_AUTH_SECRET=\nOTHER=1\n");
        env.set("BETTER_AUTH_SECRET", "abc");
        env.set("NEW", "2");
        assert_eq!(
            env.lines,
            [
                "# secret, filled by setup",
                "BETTER_AUTH_SECRET=abc",
                "OTHER=1",
                "NEW=2"
            ]
        );
    }
}
