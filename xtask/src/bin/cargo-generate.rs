//! The cargo-generate 0.26 CLI, built from the library xtask already links (`cargo install cargo-generate`
//! fails on rustc 1.95): the same `main` as the crate's src/main.rs, without the new-UI tip and `--test`
//! handling. Tests drive it in a pseudo-terminal exactly as a user drives `cargo generate`.

use clap::Parser;

fn main() {
    env_logger::builder()
        .format(cargo_generate::log_formatter)
        .filter_level(log::LevelFilter::Info)
        .parse_default_env()
        .target(env_logger::Target::Stdout)
        .init();
    let cargo_generate::Cli::Generate(args) = cargo_generate::Cli::parse();
    if args.list_favorites {
        if cargo_generate::list_favorites(&args).is_err() {
            std::process::exit(1);
        }
    } else if cargo_generate::generate(args).is_err() {
        // The error is already shown by cargo-generate's UI.
        std::process::exit(1);
    }
}
