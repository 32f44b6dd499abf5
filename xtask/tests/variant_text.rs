//! Every variant's generated docs have the sections that variant needs (supported systems, CI builds, secret
//! rotation, trusted origins, the rate limiter; for separate projects also the backend behind a proxy, JWT key
//! rotation, revocation lag and a base64url token decoder; for the email flows the transport in development
//! and production and each flow) and none of another variant's; a monolithic project's files name no part of
//! the separate architecture.

use project_xtask::project::{Architecture, AuthFlows, Backend, Database};
use xtask::combination::Choices;
use xtask::verify::variant_text;

fn problems_of(choices: &Choices, out: &std::path::Path) -> Vec<String> {
    let dir = xtask::generate::generate(choices, out).expect("generation works");
    let problems = variant_text::problems(&dir)
        .into_iter()
        .map(|problem| format!("{choices} ({:?}): {problem}", choices.auth_flows))
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    problems
}

#[test]
fn every_variant_says_what_it_has_and_nothing_else() {
    let out = tempfile::Builder::new()
        .prefix("ba2-variant-text-")
        .tempdir()
        .unwrap();
    let problems: Vec<String> = Choices::all()
        .iter()
        .flat_map(|choices| problems_of(choices, out.path()))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_docs_cover_exactly_the_chosen_auth_flows() {
    let out = tempfile::Builder::new()
        .prefix("ba2-flow-text-")
        .tempdir()
        .unwrap();
    let with_flows = |architecture, backend, database, flows: &str| Choices {
        auth_flows: Some(AuthFlows::parse(flows).unwrap()),
        ..Choices::of(architecture, backend, database)
    };
    let mut problems = Vec::new();
    for flows in ["none", "reset", "verification", "verification,reset"] {
        for choices in [
            with_flows(Architecture::Monolithic, None, Database::Sqlite, flows),
            with_flows(
                Architecture::Separate,
                Some(Backend::Fastapi),
                Database::Postgres,
                flows,
            ),
        ] {
            problems.extend(problems_of(&choices, out.path()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Without an email flow the generated docs do not talk about email transport at all.
    let none = with_flows(Architecture::Monolithic, None, Database::Sqlite, "none");
    let dir = xtask::generate::generate(&none, out.path()).unwrap();
    for file in ["README.md", "docs/SETUP.md", "docs/TROUBLESHOOTING.md"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for word in ["SMTP", "MAIL_FROM", ".mail", "/dev/mail"] {
            assert!(
                !text.contains(word),
                "{file} mentions {word} without an email flow"
            );
        }
    }
}
