//! Starts the notes API: reads the configuration, then serves until Ctrl-C / SIGTERM.

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = backend::Config::from_env();
    init_logging(config.as_ref().ok().and_then(|c| c.log_filter.as_deref()));
    let result = match config {
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

/// To stderr, filtered by RUST_LOG. The default is one line per request and sqlx's warnings
/// only (not PostgreSQL's "already exists" notices); `backend=debug` adds why a token was
/// refused.
fn init_logging(filter: Option<&str>) {
    let filter = EnvFilter::new(filter.unwrap_or("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // A closed stderr must not take requests down with it.
        .log_internal_errors(false)
        .init();
}
