//! The peers (bench/peers) install the same version of every package they share with the generated
//! backends, so that only the verification code differs between the two servers of a comparison.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ is inside the repository")
        .to_path_buf()
}

fn read(path: &str) -> String {
    let path = repo_root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

type Versions = BTreeMap<String, Vec<String>>;

fn versions<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Versions {
    let mut versions = Versions::new();
    for (name, version) in pairs {
        versions
            .entry(name.to_string())
            .or_default()
            .push(version.to_string());
    }
    versions
}

/// From a uv.lock or Cargo.lock (`[[package]]` tables with `name` and `version`).
fn toml_lock(path: &str) -> Versions {
    let lock: toml::Table = read(path)
        .parse()
        .unwrap_or_else(|error| panic!("{path}: {error}"));
    let packages = lock["package"].as_array().expect("[[package]]");
    versions(packages.iter().filter_map(|package| {
        Some((
            package.get("name")?.as_str()?,
            package.get("version")?.as_str()?,
        ))
    }))
}

/// From a package-lock.json (`packages."node_modules/…".version`).
fn npm_lock(path: &str) -> Versions {
    let lock: serde_json::Value =
        serde_json::from_str(&read(path)).unwrap_or_else(|error| panic!("{path}: {error}"));
    let packages = lock["packages"].as_object().expect("packages");
    versions(packages.iter().filter_map(|(key, package)| {
        Some((
            key.rsplit_once("node_modules/")?.1,
            package["version"].as_str()?,
        ))
    }))
}

/// Every package in both locks has, in the peer's, only versions ours locks too.
fn assert_peer_locks_our_versions(peer: &str, ours: &str, lock: fn(&str) -> Versions) {
    let (peer_lock, our_lock) = (lock(peer), lock(ours));
    let differing: Vec<String> = peer_lock
        .iter()
        .filter_map(|(name, peer_versions)| {
            let our_versions = our_lock.get(name)?;
            (peer_versions
                .iter()
                .any(|version| !our_versions.contains(version)))
            .then(|| format!("{name}: peer {peer_versions:?}, ours {our_versions:?}"))
        })
        .collect();
    assert!(
        differing.is_empty(),
        "{peer} and {ours} lock different versions of the packages they share (update the peer's pins and \
         lock): {differing:#?}"
    );
    let shared = peer_lock
        .keys()
        .filter(|name| our_lock.contains_key(*name))
        .count();
    assert!(
        shared >= 5,
        "{peer} shares only {shared} packages with {ours}: wrong file?"
    );
}

#[test]
fn the_fastapi_peer_locks_the_versions_the_backend_locks() {
    assert_peer_locks_our_versions(
        "bench/peers/fastapi/uv.lock",
        "template/backend-fastapi/locks/sqlite.lock",
        toml_lock,
    );
}

#[test]
fn the_express_peer_locks_the_versions_the_backend_locks() {
    assert_peer_locks_our_versions(
        "bench/peers/express/package-lock.json",
        "template/backend-express/locks/sqlite.json",
        npm_lock,
    );
}

#[test]
fn the_axum_peer_locks_the_versions_the_backend_locks() {
    assert_peer_locks_our_versions(
        "bench/peers/axum/Cargo.lock",
        "template/cargo-locks/axum.lock",
        toml_lock,
    );
}
