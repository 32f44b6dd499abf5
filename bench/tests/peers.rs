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

/// name → versions, from a uv.lock or Cargo.lock (`[[package]]` tables with `name` and `version`).
fn toml_lock(path: &str) -> BTreeMap<String, Vec<String>> {
    let lock: toml::Table = read(path)
        .parse()
        .unwrap_or_else(|error| panic!("{path}: {error}"));
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock["package"].as_array().expect("[[package]]") {
        if let (Some(name), Some(version)) = (package.get("name"), package.get("version")) {
            versions
                .entry(name.as_str().unwrap().to_string())
                .or_default()
                .push(version.as_str().unwrap().to_string());
        }
    }
    versions
}

/// name → versions, from a package-lock.json (`packages."node_modules/…".version`).
fn npm_lock(path: &str) -> BTreeMap<String, Vec<String>> {
    let lock: serde_json::Value =
        serde_json::from_str(&read(path)).unwrap_or_else(|error| panic!("{path}: {error}"));
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, package) in lock["packages"].as_object().expect("packages") {
        let Some(name) = key.rsplit_once("node_modules/").map(|(_, name)| name) else {
            continue;
        };
        if let Some(version) = package["version"].as_str() {
            versions
                .entry(name.to_string())
                .or_default()
                .push(version.to_string());
        }
    }
    versions
}

fn assert_shared_versions_equal(
    peer: &str,
    peer_lock: &BTreeMap<String, Vec<String>>,
    ours: &str,
    our_lock: &BTreeMap<String, Vec<String>>,
) {
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
    let (peer, ours) = (
        "bench/peers/fastapi/uv.lock",
        "template/backend-fastapi/locks/sqlite.lock",
    );
    assert_shared_versions_equal(peer, &toml_lock(peer), ours, &toml_lock(ours));
}

#[test]
fn the_express_peer_locks_the_versions_the_backend_locks() {
    let (peer, ours) = (
        "bench/peers/express/package-lock.json",
        "template/backend-express/locks/sqlite.json",
    );
    assert_shared_versions_equal(peer, &npm_lock(peer), ours, &npm_lock(ours));
}

#[test]
fn the_axum_peer_locks_the_versions_the_backend_locks() {
    let (peer, ours) = (
        "bench/peers/axum/Cargo.lock",
        "template/cargo-locks/axum.lock",
    );
    assert_shared_versions_equal(peer, &toml_lock(peer), ours, &toml_lock(ours));
}
