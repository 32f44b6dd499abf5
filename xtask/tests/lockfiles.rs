//! The backend lockfiles in rendered projects: in place and fresh as generated, reported (naming
//! `cargo xtask lockfiles`) when a manifest moves on without them or when one is missing, and the static
//! check agrees with the tools' own locked modes.

use std::path::Path;
use std::process::Command;

use project_xtask::project::{Architecture, Backend, Database};
use xtask::combination::Choices;
use xtask::lockfiles::Package;

fn render(backend: Backend, dest: &Path) -> (Choices, std::path::PathBuf) {
    xtask::provide_user_name();
    let choices = Choices::of(Architecture::Separate, Some(backend), Database::Sqlite);
    let project = xtask::generate::generate(&choices, dest).expect("the template renders");
    (choices, project)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn assert_one_problem_naming_the_fix(problems: Vec<String>, about: &str) {
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with(about), "{problems:?}");
    assert!(
        problems[0].contains("cargo xtask lockfiles"),
        "{problems:?}"
    );
}

/// `uv lock --check --offline`: uv's own verdict on whether uv.lock fits pyproject.toml.
fn uv_accepts(backend: &Path) -> bool {
    Command::new("uv")
        .args(["lock", "--check", "--offline", "--quiet"])
        .current_dir(backend)
        .status()
        .expect("uv is installed")
        .success()
}

#[test]
fn fastapi_uv_lock_is_fresh_until_pyproject_changes_or_it_goes() {
    let dest = tempfile::tempdir().unwrap();
    let (choices, project) = render(Backend::Fastapi, dest.path());
    let backend = project.join("backend");
    let check = || Package::FastapiBackend.check(&project, &choices);
    assert_eq!(check(), Vec::<String>::new());
    assert!(uv_accepts(&backend), "uv finds the shipped uv.lock stale");

    // A pin moved on without `cargo xtask lockfiles`: both the check and uv refuse.
    let pyproject = backend.join("pyproject.toml");
    let original = std::fs::read_to_string(&pyproject).unwrap();
    edit(&pyproject, "\"httpx==", "\"httpx>=0.1,==");
    assert_one_problem_naming_the_fix(check(), "backend/uv.lock");
    assert!(!uv_accepts(&backend));

    std::fs::write(&pyproject, original).unwrap();
    std::fs::remove_file(backend.join("uv.lock")).unwrap();
    assert_one_problem_naming_the_fix(check(), "backend/uv.lock missing");
}

#[test]
fn axum_cargo_lock_is_fresh_until_a_dependency_changes_or_it_goes() {
    let dest = tempfile::tempdir().unwrap();
    let (choices, project) = render(Backend::Axum, dest.path());
    let check = || Package::Workspace.check(&project, &choices);
    assert_eq!(check(), Vec::<String>::new());

    // A dependency added to the backend without `cargo xtask lockfiles`.
    let manifest = project.join("backend/Cargo.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    edit(
        &manifest,
        "[dependencies]\n",
        "[dependencies]\nitoa = \"1\"\n",
    );
    assert_one_problem_naming_the_fix(check(), "Cargo.lock");

    std::fs::write(&manifest, original).unwrap();
    std::fs::remove_file(project.join("Cargo.lock")).unwrap();
    assert_one_problem_naming_the_fix(check(), "Cargo.lock missing");
}

#[test]
fn lock_folders_do_not_reach_projects() {
    let dest = tempfile::tempdir().unwrap();
    for backend in [Backend::Fastapi, Backend::Axum] {
        let (_, project) = render(backend, dest.path());
        for folder in ["backend/locks", "cargo-locks", "frontend/locks"] {
            assert!(
                !project.join(folder).exists(),
                "{folder} in {}",
                project.display()
            );
        }
        assert!(project.join("Cargo.lock").is_file());
    }
}
