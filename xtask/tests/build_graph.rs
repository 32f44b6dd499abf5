//! The first `cargo xtask new` on a fresh clone compiles this crate with its default features: that build
//! leaves out what only maintainers' commands need (issue 13 item 9), so it cannot grow back unnoticed.

use std::process::Command;

/// Crates the default build must not compile: sqlx and its runtime (the project's own `cargo xtask setup`
/// builds them with the one driver its database needs; project-xtask links them only with its `database`
/// feature), what throwaway PostgreSQL/MySQL databases need, the conformance file's signing keys
/// (`cargo xtask conformance`) and toml_edit (toml 1 parses without it).
const LEFT_OUT: [&str; 11] = [
    "sqlx",
    "sqlx-core",
    "tokio",
    "sqlx-sqlite",
    "libsqlite3-sys",
    "sqlx-postgres",
    "sqlx-mysql",
    "rsa",
    "ed25519-dalek",
    "curve25519-dalek",
    "toml_edit",
];

#[test]
fn the_build_of_cargo_xtask_new_compiles_no_database_driver() {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--package", "xtask", "--edges", "normal,build"])
        .args(["--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(names.contains(&"cargo-generate"), "{tree}");
    let found: Vec<&&str> = LEFT_OUT
        .iter()
        .filter(|crate_name| names.contains(crate_name))
        .collect();
    assert!(
        found.is_empty(),
        "`cargo xtask new` would compile {found:?}; put what needs them behind the `maintainer` feature or project-xtask's `database`"
    );
}
