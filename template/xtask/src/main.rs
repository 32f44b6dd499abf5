#[cfg(unix)]
fn main() -> std::process::ExitCode {
    project_xtask::main()
}

/// The automation manages processes and file modes the Unix way: say so in one line and change nothing.
#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    eprintln!(
        "error: `cargo xtask` runs on macOS, Linux and Windows through WSL 2; open this project inside WSL and run it there (docs/SETUP.md, Supported systems)"
    );
    std::process::ExitCode::FAILURE
}
