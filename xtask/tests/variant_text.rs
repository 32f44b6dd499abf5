//! Every variant's generated docs have the sections that variant needs (supported systems, CI builds, secret
//! rotation, trusted origins, the rate limiter; for separate projects also the backend behind a proxy, JWT key
//! rotation, revocation lag and a base64url token decoder) and none of another variant's; a monolithic
//! project's files name no part of the separate architecture.

use xtask::combination::Choices;
use xtask::verify::variant_text;

#[test]
fn every_variant_says_what_it_has_and_nothing_else() {
    let out = tempfile::Builder::new()
        .prefix("ba2-variant-text-")
        .tempdir()
        .unwrap();
    let mut problems = Vec::new();
    for choices in Choices::all() {
        let dir = xtask::generate::generate(&choices, out.path()).expect("generation works");
        problems.extend(
            variant_text::problems(&dir, &choices)
                .into_iter()
                .map(|problem| format!("{choices}: {problem}")),
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
