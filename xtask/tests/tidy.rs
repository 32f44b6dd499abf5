//! Repository invariants, checked without rendering anything.

use std::path::{Path, PathBuf};

use xtask::project_root;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if !matches!(
                    name.to_str(),
                    Some("node_modules" | ".venv" | "target" | ".next" | "__pycache__")
                ) {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn template_config() -> toml::Table {
    // In template/, the folder it expands (see the comment at its top).
    let text =
        std::fs::read_to_string(project_root().join("template/cargo-generate.toml")).unwrap();
    text.parse().unwrap()
}

fn include_list() -> Vec<String> {
    template_config()["template"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn exactly_one_cargo_generate_toml() {
    let problems = xtask::verify::tidy_problems(&project_root());
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn every_liquid_file_is_rendered_and_every_rendered_file_exists() {
    let template = project_root().join("template");
    let liquid: Vec<String> = files_under(&template)
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "liquid"))
        .map(|path| {
            let relative = path.strip_prefix(&template).unwrap().to_str().unwrap();
            relative.trim_end_matches(".liquid").to_string()
        })
        .collect();
    let include = include_list();
    for file in &liquid {
        assert!(
            include.contains(file),
            "{file}.liquid is not in cargo-generate.toml's include list: it would be copied unrendered"
        );
    }
    for file in &include {
        assert!(
            liquid.contains(file),
            "include lists {file}, but template/{file}.liquid does not exist"
        );
    }
}

#[test]
fn liquid_syntax_only_in_liquid_files() {
    // A file outside the include list is copied verbatim: template syntax there would reach users as is.
    let template = project_root().join("template");
    for path in files_under(&template) {
        if path.extension().is_some_and(|e| e == "liquid") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        assert!(
            xtask::verify::liquid_leftover(&text).is_none(),
            "{} uses template syntax but is not a .liquid file",
            path.display()
        );
    }
}

#[test]
fn no_dependencies_or_build_output_inside_the_template() {
    let template = project_root().join("template");
    for leftover in [
        "frontend/node_modules",
        "frontend/.next",
        "backend-fastapi/.venv",
        "backend-express/node_modules",
    ] {
        assert!(
            !template.join(leftover).exists(),
            "template/{leftover} exists; remove it (it would slow down every generation)"
        );
    }
}

#[test]
fn hooks_exist_where_the_config_points() {
    let config = template_config();
    for kind in ["pre", "post"] {
        for hook in config["hooks"][kind].as_array().unwrap() {
            let path = project_root().join("template").join(hook.as_str().unwrap());
            assert!(
                path.is_file(),
                "{kind} hook {} does not exist",
                path.display()
            );
        }
    }
}

#[test]
fn generated_xtask_source_is_plain_rust() {
    // The template repository builds and tests template/xtask in place; it must not need rendering.
    for path in files_under(&project_root().join("template/xtask")) {
        assert!(
            path.extension().is_none_or(|e| e != "liquid"),
            "{} must not be a Liquid template",
            path.display()
        );
    }
}

#[test]
fn generated_xtask_stops_in_one_line_outside_unix() {
    // SETUP.md promises macOS, Linux and WSL 2, and one line elsewhere: the library is Unix-only as a whole
    // (no half-compiled std::os::unix errors on Windows) and the binary's other `main` says where to run it.
    let xtask = project_root().join("template/xtask/src");
    let lib = std::fs::read_to_string(xtask.join("lib.rs")).unwrap();
    assert!(
        lib.contains("\n#![cfg(unix)]\n"),
        "template/xtask/src/lib.rs must start with #![cfg(unix)]"
    );
    let main = std::fs::read_to_string(xtask.join("main.rs")).unwrap();
    let other = main
        .split("#[cfg(not(unix))]")
        .nth(1)
        .expect("template/xtask/src/main.rs needs a #[cfg(not(unix))] main");
    assert!(
        other.contains("WSL") && other.contains("ExitCode::FAILURE"),
        "{other}"
    );
    assert_eq!(other.matches("eprintln!").count(), 1, "one line, then exit");
}

#[test]
fn one_lockfile_per_variant_and_nothing_else() {
    // The frontend's and the Express backend's: each locks folder holds exactly its package's variants.
    for package in xtask::lockfiles::PACKAGES {
        let dir = project_root().join(package.locks_dir());
        let mut present: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("{}: {err}; run `cargo xtask lockfiles`", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        present.sort();
        let mut expected = package.all_variants();
        expected.sort();
        assert_eq!(
            present,
            expected,
            "{}: run `cargo xtask lockfiles`",
            package.locks_dir()
        );
    }
}

#[test]
fn the_e2e_browser_packages_are_locked_at_their_pins() {
    // The e2e run installs e2e/browser from its lockfile: a pin changed without `npm install
    // --package-lock-only` there would install something else than the lock says.
    let dir = project_root().join("e2e/browser");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let (manifest, lock) = (read("package.json"), read("package-lock.json"));
    let pins = manifest["dependencies"].as_object().unwrap();
    assert_eq!(
        &lock["packages"][""]["dependencies"],
        &manifest["dependencies"]
    );
    for (name, pin) in pins {
        assert_eq!(
            lock["packages"][format!("node_modules/{name}")]["version"],
            *pin,
            "e2e/browser/package-lock.json has another {name} than package.json pins"
        );
    }
}
