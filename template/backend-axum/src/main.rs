//! Starts the notes API: reads the configuration, then serves until Ctrl-C / SIGTERM.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let result = match backend::Config::from_env() {
        Ok(config) => backend::server::serve(config).await,
        Err(error) => Err(error.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("backend: {error}");
            ExitCode::FAILURE
        }
    }
}
