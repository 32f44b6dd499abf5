//! The plan: every file `add` would create or change, with its whole new content, shown as a unified diff.
//! A file whose content would not change is not in the plan, so a second run plans nothing.

use std::fmt::Write as _;
use std::path::PathBuf;

/// One file the plan writes, relative to the app's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    /// The current content; None when the file does not exist yet.
    pub before: Option<String>,
    pub after: String,
}

/// What `add` will do: file changes, and what it leaves for the user to do by hand (and why).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub by_hand: Vec<String>,
    /// Files a tool the plan runs rewrites itself (the package manager's lockfile), relative to the root.
    pub tool_writes: Vec<PathBuf>,
    /// The backend's dependency commands (run after the files are written).
    pub installs: Vec<super::backend_install::Install>,
}

impl Plan {
    /// Adds a change unless it changes nothing.
    pub fn write(&mut self, path: impl Into<PathBuf>, before: Option<String>, after: String) {
        if before.as_deref() != Some(after.as_str()) {
            self.changes.push(Change {
                path: path.into(),
                before,
                after,
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The whole plan as one unified diff (`a/`, `b/` prefixes, like `git diff`).
    pub fn diff(&self) -> String {
        self.changes.iter().map(unified_diff).collect()
    }
}

/// Lines of context around each change, as `diff -u` and `git diff` show.
const CONTEXT: usize = 3;

/// One file's unified diff.
pub fn unified_diff(change: &Change) -> String {
    let path = change.path.display();
    let mut out = String::new();
    match &change.before {
        None => {
            let _ = writeln!(out, "--- /dev/null\n+++ b/{path}");
        }
        Some(_) => {
            let _ = writeln!(out, "--- a/{path}\n+++ b/{path}");
        }
    }
    let old: Vec<&str> = change
        .before
        .as_deref()
        .map_or(Vec::new(), |text| text.lines().collect());
    let new: Vec<&str> = change.after.lines().collect();
    for hunk in hunks(&edit_script(&old, &new)) {
        out.push_str(&hunk);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The shortest edit script by longest common subsequence (the files here are small).
fn edit_script<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Op<'a>> {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            ops.push(Op::Same(old[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removals before additions, as `diff -u` and `git diff` show a replaced line.
            ops.push(Op::Removed(old[i]));
            i += 1;
        } else {
            ops.push(Op::Added(new[j]));
            j += 1;
        }
    }
    ops
}

/// Groups an edit script into `@@ -a,b +c,d @@` hunks with `CONTEXT` lines around each change.
fn hunks(ops: &[Op]) -> Vec<String> {
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&index| !matches!(ops[index], Op::Same(_)))
        .collect();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &index in &changed {
        let start = index.saturating_sub(CONTEXT);
        let end = (index + CONTEXT + 1).min(ops.len());
        match ranges.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => ranges.push((start, end)),
        }
    }
    ranges
        .into_iter()
        .map(|(start, end)| {
            let count = |ops: &[Op], old: bool| {
                ops.iter()
                    .filter(|op| match op {
                        Op::Same(_) => true,
                        Op::Removed(_) => old,
                        Op::Added(_) => !old,
                    })
                    .count()
            };
            let (old_before, new_before) =
                (count(&ops[..start], true), count(&ops[..start], false));
            let (old_len, new_len) = (
                count(&ops[start..end], true),
                count(&ops[start..end], false),
            );
            let first = |before: usize, len: usize| if len == 0 { before } else { before + 1 };
            let mut hunk = format!(
                "@@ -{},{old_len} +{},{new_len} @@\n",
                first(old_before, old_len),
                first(new_before, new_len)
            );
            for op in &ops[start..end] {
                let (sign, line) = match op {
                    Op::Same(line) => (' ', line),
                    Op::Removed(line) => ('-', line),
                    Op::Added(line) => ('+', line),
                };
                let _ = writeln!(hunk, "{sign}{line}");
            }
            hunk
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_all_additions_and_an_append_keeps_three_lines_of_context() {
        let created = Change {
            path: "src/lib/auth.ts".into(),
            before: None,
            after: "a\nb\n".into(),
        };
        assert_eq!(
            unified_diff(&created),
            "--- /dev/null\n+++ b/src/lib/auth.ts\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
        let appended = Change {
            path: ".env".into(),
            before: Some("1\n2\n3\n4\n5\n".into()),
            after: "1\n2\n3\n4\n5\nX=1\n".into(),
        };
        assert_eq!(
            unified_diff(&appended),
            "--- a/.env\n+++ b/.env\n@@ -3,3 +3,4 @@\n 3\n 4\n 5\n+X=1\n"
        );
    }

    #[test]
    fn an_unchanged_file_is_not_planned() {
        let mut plan = Plan::default();
        plan.write("x", Some("same".into()), "same".into());
        assert!(plan.is_empty());
    }
}
