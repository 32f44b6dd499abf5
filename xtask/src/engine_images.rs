//! `cargo xtask engine images`: the e2e run's database images built from Debian packages, for machines
//! that reach Debian's mirror but no image registry. A bookworm root file system (debootstrap, minbase) is
//! imported as the base image; PostgreSQL 15 and MariaDB 10.11 are installed on it, configured like the
//! public `postgres` / `mysql` images the nightly uses: trust (PostgreSQL) or empty-password root (MariaDB),
//! listening on all interfaces, the server as the entrypoint. Each image carries the hash of its recipe as a
//! label; an image whose label matches is not rebuilt.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::engine::Engine;

/// The label holding the recipe's hash.
const RECIPE_LABEL: &str = "better-auth-v2.recipe";

pub struct LocalImage {
    pub tag: &'static str,
    /// The Dockerfile; `None` for the base image, which debootstrap makes.
    dockerfile: Option<&'static str>,
}

const BASE: LocalImage = LocalImage {
    tag: "better-auth-v2/debian:bookworm",
    dockerfile: None,
};

/// What the base image is made of (its recipe, hashed like the Dockerfiles).
const BASE_RECIPE: &str = "debootstrap --variant=minbase bookworm";

pub const IMAGES: [LocalImage; 2] = [
    LocalImage {
        tag: "better-auth-v2/postgres:15",
        dockerfile: Some(include_str!("engine_images/postgres.Dockerfile")),
    },
    LocalImage {
        tag: "better-auth-v2/mariadb:10.11",
        dockerfile: Some(include_str!("engine_images/mariadb.Dockerfile")),
    },
];

pub enum State {
    Current,
    Stale,
    Missing,
}

impl LocalImage {
    /// The recipe's hash; a Dockerfile's includes the base's, so a new base rebuilds both servers.
    fn recipe_hash(&self) -> String {
        let recipe = match self.dockerfile {
            None => BASE_RECIPE.to_string(),
            Some(dockerfile) => format!("{BASE_RECIPE}\n{dockerfile}"),
        };
        format!("{:016x}", fnv1a(recipe.as_bytes()))
    }
}

/// FNV-1a, 64 bits: a stable fingerprint (std's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub fn state(engine: &Engine, image: &LocalImage) -> anyhow::Result<State> {
    let output = engine
        .docker()
        .args(["image", "inspect", "--format"])
        .arg(format!("{{{{ index .Config.Labels \"{RECIPE_LABEL}\" }}}}"))
        .arg(image.tag)
        .stderr(Stdio::null())
        .output()
        .context("cannot run the docker CLI (Debian's docker.io package provides it)")?;
    if !output.status.success() {
        return Ok(State::Missing);
    }
    Ok(
        if String::from_utf8_lossy(&output.stdout).trim() == image.recipe_hash() {
            State::Current
        } else {
            State::Stale
        },
    )
}

/// Builds the base and the two server images unless they are current.
pub fn build(engine: &Engine) -> anyhow::Result<()> {
    if !engine.answers() {
        bail!(
            "no engine answers at {}; start it first: eval \"$(cargo xtask engine start)\"",
            engine.host()
        );
    }
    let stale: Vec<&LocalImage> = IMAGES
        .iter()
        .map(|image| Ok((image, state(engine, image)?)))
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(_, state)| !matches!(state, State::Current))
        .map(|(image, _)| image)
        .collect();
    for image in IMAGES
        .iter()
        .filter(|image| !stale.iter().any(|s| s.tag == image.tag))
    {
        eprintln!("{}: current, kept", image.tag);
    }
    if stale.is_empty() {
        return Ok(());
    }
    if !matches!(state(engine, &BASE)?, State::Current) {
        build_base(engine)?;
    }
    for image in stale {
        build_server(engine, image)?;
    }
    Ok(())
}

fn build_base(engine: &Engine) -> anyhow::Result<()> {
    let mirror = debian_mirror();
    eprintln!("{}: {BASE_RECIPE} from {mirror} (about a minute)", BASE.tag);
    let began = Instant::now();
    let work = tempfile::tempdir_in(&engine.dir).context("cannot make a folder for debootstrap")?;
    let rootfs = work.path().join("rootfs");
    let status = Command::new("debootstrap")
        .args(["--variant=minbase", "bookworm"])
        .arg(&rootfs)
        .arg(&mirror)
        .stdout(Stdio::null())
        .status()
        .context(
            "cannot run debootstrap; install it with `apt-get install debootstrap` (as root)",
        )?;
    if !status.success() {
        bail!("debootstrap failed ({status}); it needs root and {mirror}");
    }
    let tar = Command::new("tar")
        .arg("-C")
        .arg(&rootfs)
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run tar")?;
    let status = engine
        .docker()
        .args(["import", "--change"])
        .arg(format!("LABEL {RECIPE_LABEL}={}", BASE.recipe_hash()))
        .args(["-", BASE.tag])
        .stdin(tar.stdout.context("tar's output")?)
        .stdout(Stdio::null())
        .status()
        .context("cannot run docker import")?;
    if !status.success() {
        bail!("docker import of {} failed ({status})", BASE.tag);
    }
    eprintln!(
        "{}: imported ({:.0}s)",
        BASE.tag,
        began.elapsed().as_secs_f64()
    );
    Ok(())
}

fn build_server(engine: &Engine, image: &LocalImage) -> anyhow::Result<()> {
    let dockerfile = image.dockerfile.expect("server images have a Dockerfile");
    eprintln!("{}: building from Debian packages", image.tag);
    let began = Instant::now();
    // The classic builder: Debian's engine has no buildx; `--network host` reaches the host's mirror. Its
    // output is shown only when it fails (the legacy builder's deprecation notice is noise otherwise).
    let mut build = engine
        .docker()
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "--quiet", "--network", "host", "--label"])
        .arg(format!("{RECIPE_LABEL}={}", image.recipe_hash()))
        .args(["--tag", image.tag, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run docker build")?;
    build
        .stdin
        .take()
        .context("docker build's input")?
        .write_all(dockerfile.as_bytes())?;
    let output = build.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "building {} failed ({}):\n{}{}",
            image.tag,
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    eprintln!(
        "{}: built ({:.0}s)",
        image.tag,
        began.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The host's Debian mirror (the one apt uses for bookworm), else deb.debian.org.
fn debian_mirror() -> String {
    let deb822 =
        std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources").unwrap_or_default();
    let legacy = std::fs::read_to_string("/etc/apt/sources.list").unwrap_or_default();
    mirror_from_deb822(&deb822)
        .or_else(|| mirror_from_list(&legacy))
        .unwrap_or_else(|| "http://deb.debian.org/debian".to_string())
}

/// The first URI of a deb822 stanza whose Suites include `bookworm` itself.
fn mirror_from_deb822(text: &str) -> Option<String> {
    text.split("\n\n").find_map(|stanza| {
        let field = |name: &str| {
            stanza.lines().find_map(|line| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(str::trim)
            })
        };
        let suites = field("Suites")?;
        let uris = field("URIs")?;
        suites
            .split_whitespace()
            .any(|suite| suite == "bookworm")
            .then(|| uris.split_whitespace().next().map(str::to_string))
            .flatten()
    })
}

/// The URI of a one-line `deb URI bookworm …` source.
fn mirror_from_list(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["deb", uri, "bookworm", ..] => Some(uri.to_string()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mirror_is_the_bookworm_stanza_not_security() {
        let sources = "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n\n\
                       Types: deb\n# a comment\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n";
        assert_eq!(
            mirror_from_deb822(sources).as_deref(),
            Some("http://mirror.example/debian")
        );
        assert_eq!(mirror_from_deb822("Types: deb\n"), None);
        assert_eq!(
            mirror_from_list("# x\ndeb http://m.example/debian bookworm main\n").as_deref(),
            Some("http://m.example/debian")
        );
    }

    #[test]
    fn a_changed_recipe_changes_the_hash() {
        let [postgres, mariadb] = &IMAGES;
        assert_ne!(postgres.recipe_hash(), mariadb.recipe_hash());
        assert_eq!(postgres.recipe_hash(), postgres.recipe_hash());
        let edited = LocalImage {
            tag: postgres.tag,
            dockerfile: Some("FROM better-auth-v2/debian:bookworm\n"),
        };
        assert_ne!(edited.recipe_hash(), postgres.recipe_hash());
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }
}
