fn main() -> std::process::ExitCode {
    project_xtask::main()
}
