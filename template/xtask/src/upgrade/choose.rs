//! The target when no `--to` is given: the newest release on the registry, or the release the template was
//! tested with when it made this project (`[versions] better_auth` in better-auth.toml), picked at a prompt.

use std::path::Path;

use anyhow::Context;

use super::refusal;
use crate::project::MANIFEST_FILE;

/// A release the prompt offers, with what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub what: &'static str,
    pub version: String,
}

/// `[versions] better_auth` from the project's better-auth.toml; `None` for projects made before it existed.
pub fn tested_version(root: &Path) -> anyhow::Result<Option<String>> {
    let path = root.join(MANIFEST_FILE);
    let table: toml::Table = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .parse()
        .with_context(|| format!("{} is not TOML", path.display()))?;
    Ok(table
        .get("versions")
        .and_then(|v| v.get("better_auth"))
        .and_then(|v| v.as_str())
        .map(str::to_string))
}

/// The upgrades worth offering, newest first: each only when it is a release `refusal` accepts (newer than
/// the installed one, not known-bad), and the tested release only when it differs from the newest.
pub fn offers(installed: &str, newest: &str, tested: Option<&str>) -> Vec<Offer> {
    [
        ("the newest release", Some(newest)),
        ("the release this template was tested with", tested),
    ]
    .into_iter()
    .filter_map(|(what, version)| Some((what, version?)))
    .filter(|(_, version)| refusal(installed, version).is_none())
    .fold(Vec::new(), |mut offers: Vec<Offer>, (what, version)| {
        if offers.iter().all(|o| o.version != version) {
            offers.push(Offer {
                what,
                version: version.to_string(),
            });
        }
        offers
    })
}

/// The prompt's text: one numbered line per offer.
pub fn menu(installed: &str, offers: &[Offer]) -> String {
    let mut text = format!("better-auth {installed} is installed. Upgrade to:\n");
    for (i, offer) in offers.iter().enumerate() {
        text += &format!("  {}) {} ({})\n", i + 1, offer.version, offer.what);
    }
    text
}

/// The answer's release: its number, or the version itself; anything else (Enter, n) keeps the installed one.
pub fn pick(answer: &str, offers: &[Offer]) -> Option<String> {
    let answer = answer.trim();
    answer
        .parse::<usize>()
        .ok()
        .and_then(|n| offers.get(n.checked_sub(1)?))
        .or_else(|| offers.iter().find(|o| o.version == answer))
        .map(|o| o.version.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(offers: &[Offer]) -> Vec<&str> {
        offers.iter().map(|o| o.version.as_str()).collect()
    }

    #[test]
    fn offers_the_newest_and_the_tested_release() {
        let offers = offers("1.6.34", "1.7.31", Some("1.7.29"));
        assert_eq!(versions(&offers), ["1.7.31", "1.7.29"]);
        let text = menu("1.6.34", &offers);
        assert!(
            text.contains("1) 1.7.31 (the newest release)")
                && text.contains("2) 1.7.29 (the release this template was tested with)"),
            "{text}"
        );
    }

    #[test]
    fn offers_only_upgrades_once_each() {
        assert_eq!(
            versions(&offers("1.6.34", "1.7.29", Some("1.7.29"))),
            ["1.7.29"]
        );
        // Tested with what is installed (or older): only the newest is an upgrade.
        assert_eq!(
            versions(&offers("1.7.29", "1.7.31", Some("1.7.29"))),
            ["1.7.31"]
        );
        assert_eq!(versions(&offers("1.7.29", "1.7.31", None)), ["1.7.31"]);
        assert!(offers("1.7.31", "1.7.31", Some("1.7.29")).is_empty());
        // A known-bad newest release is not offered; the tested one still is.
        assert_eq!(
            versions(&offers("1.6.34", "1.7.1", Some("1.6.40"))),
            ["1.6.40"]
        );
    }

    #[test]
    fn picks_by_number_or_version_and_stays_otherwise() {
        let offers = offers("1.6.34", "1.7.31", Some("1.7.29"));
        assert_eq!(pick("1", &offers).as_deref(), Some("1.7.31"));
        assert_eq!(pick(" 2\n", &offers).as_deref(), Some("1.7.29"));
        assert_eq!(pick("1.7.29", &offers).as_deref(), Some("1.7.29"));
        for stay in ["", "n", "0", "3", "1.7.30"] {
            assert_eq!(pick(stay, &offers), None, "{stay:?}");
        }
    }

    #[test]
    fn reads_the_tested_release_from_the_manifest() {
        let dir = std::env::temp_dir().join(format!("upgrade-choose-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(MANIFEST_FILE), "[project]\nname = \"a\"\n").unwrap();
        assert_eq!(tested_version(&dir).unwrap(), None);
        std::fs::write(
            dir.join(MANIFEST_FILE),
            "[project]\nname = \"a\"\n\n[versions]\nbetter_auth = \"1.7.29\"\n",
        )
        .unwrap();
        assert_eq!(tested_version(&dir).unwrap().as_deref(), Some("1.7.29"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
