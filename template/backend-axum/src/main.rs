//! Starts the notes API: reads the configuration, then serves until Ctrl-C / SIGTERM.

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let result = match backend::Config::from_env() {
        Ok(config) => backend::server::serve(config).await,
        Err(error) => Err(error.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// To stderr, filtered by RUST_LOG (default `info`: one line per request; `debug` adds why a
/// token was refused).
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // A closed stderr must not take requests down with it.
        .log_internal_errors(false)
        .init();
}
