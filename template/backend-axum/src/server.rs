//! Opens the database, binds the socket and serves until the process is asked to stop.

use std::error::Error;

use tokio::net::TcpListener;

use crate::{AppState, Config, app, db};

pub async fn serve(config: Config) -> Result<(), Box<dyn Error>> {
    let pool = db::connect(&config.database_url, &config.base_dir)
        .await
        .map_err(|e| {
            format!(
                "cannot open the {} database (DATABASE_URL): {e}",
                config.database_family.name()
            )
        })?;
    db::create_schema(&pool)
        .await
        .map_err(|e| format!("cannot create the note table: {e}"))?;
    let state = AppState::new(&config, pool)?;
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}:{} (HOST/PORT): {e}",
                config.host, config.port
            )
        })?;
    tracing::info!(
        "backend listening on http://{} ({} database, keys from {})",
        listener.local_addr()?,
        config.database_family.name(),
        config.jwks_url
    );
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Ctrl-C in a terminal, SIGTERM from `cargo xtask dev` or a process manager.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
