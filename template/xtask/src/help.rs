//! `--help` per variant: a monolithic project has no backend, so its help must not offer one.
//!
//! xflags renders one static help from the doc comments in `flags.rs`. Those comments mark what only a
//! separate project has as `[separate: …]` (and `[monolithic: …]` for the other case), with
//! `{backend_tool}` for the backend's package tool; this module renders them for the project at hand.
//! An option whose description renders empty is left out, with its name.

use crate::project::Manifest;

/// The help text xflags produced, rendered for `manifest` (`None`: outside a project, every variant).
pub fn render(help: &str, manifest: Option<&Manifest>) -> String {
    let separate = manifest.is_none_or(|m| m.backend.is_some());
    let backend_tool = match manifest.and_then(|m| m.backend) {
        Some(backend) => crate::install::tool(backend),
        None => "uv, npm or cargo",
    };
    let mut lines: Vec<String> = Vec::new();
    for line in help.lines() {
        let rendered = keep_variant(line, separate).replace("{backend_tool}", backend_tool);
        if rendered.trim().is_empty() && !line.trim().is_empty() {
            // The whole description was for the other variant: drop the option it describes too.
            if lines
                .last()
                .is_some_and(|l| l.trim_start().starts_with("--"))
            {
                lines.pop();
            }
            continue;
        }
        lines.push(rendered);
    }
    // An OPTIONS heading whose every option was dropped goes too.
    let has_option_after = |index: usize, lines: &[String]| {
        lines[index + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim_start().starts_with("--") || l.trim_start().starts_with("-h"))
    };
    let lines: Vec<&String> = lines
        .iter()
        .enumerate()
        .filter(|(index, line)| line.trim() != "OPTIONS:" || has_option_after(*index, &lines))
        .map(|(_, line)| line)
        .collect();
    let mut text = lines
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    // Dropped blocks leave runs of blank lines.
    while text.contains("\n\n\n\n") {
        text = text.replace("\n\n\n\n", "\n\n\n");
    }
    text
}

/// Keeps `[separate: x]` (or `[monolithic: x]`) as `x` for that variant, drops it for the other.
fn keep_variant(line: &str, separate: bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let next = ["[separate:", "[monolithic:"]
            .iter()
            .filter_map(|tag| rest.find(tag).map(|at| (at, *tag)))
            .min();
        let Some((at, tag)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        let inner = &rest[at + tag.len()..];
        let end = inner.find(']').unwrap_or(inner.len());
        if (tag == "[separate:") == separate {
            out.push_str(&inner[..end]);
        }
        rest = inner.get(end + 1..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_parts_are_kept_or_dropped() {
        assert_eq!(
            keep_variant(
                "Start the frontend[separate: and the backend]; stops [separate:both][monolithic:it].",
                true
            ),
            "Start the frontend and the backend; stops both."
        );
        assert_eq!(
            keep_variant(
                "Start the frontend[separate: and the backend]; stops [separate:both][monolithic:it].",
                false
            ),
            "Start the frontend; stops it."
        );
    }

    #[test]
    fn an_option_only_the_other_variant_has_is_left_out() {
        let help = "xtask dev\n  Start it.\n\n  OPTIONS:\n    --only <app>\n      [separate:Start only one app.]\n\n\nxtask test\n  Tests.";
        let manifest = Manifest::parse(
            "[project]\nname = \"m\"\narchitecture = \"monolithic\"\nbackend = \"none\"\ndatabase = \"sqlite\"\n\n[urls]\nfrontend = \"http://localhost:3000\"\n",
        )
        .unwrap();
        let monolithic = render(help, Some(&manifest));
        assert!(!monolithic.contains("--only"), "{monolithic}");
        assert!(!monolithic.contains("OPTIONS"), "{monolithic}");
        assert!(monolithic.contains("xtask test"));
        assert!(render(help, None).contains("--only <app>\n      Start only one app."));
    }
}
