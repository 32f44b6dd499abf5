//! A WebSocket-to-TCP proxy, as Neon's local-development setup uses: Neon's serverless driver speaks the
//! PostgreSQL protocol over a WebSocket; this proxy reads the target from `?address=host:port` and pipes
//! the bytes to a plain PostgreSQL server. The generated app points its driver here through the
//! environment only (`NEON_WS_PROXY`), so the code under test is the code users deploy.

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// A running proxy; it stops with the process (cases are short-lived).
pub struct NeonProxy {
    pub address: SocketAddr,
}

impl NeonProxy {
    pub fn start() -> anyhow::Result<NeonProxy> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("a tokio listener");
                while let Ok((stream, _)) = listener.accept().await {
                    // A pool closing its sockets ends connections abruptly; failures that matter
                    // surface as errors of the app using the proxy, in its own log.
                    tokio::spawn(async move {
                        let _ = pipe(stream).await;
                    });
                }
            });
        });
        Ok(NeonProxy { address })
    }

    /// The value for `NEON_WS_PROXY`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.address)
    }
}

// The handshake callback's error type is tungstenite's (large) HTTP response; it never errs here.
#[allow(clippy::result_large_err)]
async fn pipe(stream: TcpStream) -> anyhow::Result<()> {
    let mut target = None;
    let websocket =
        tokio_tungstenite::accept_hdr_async(stream, |request: &Request, response: Response| {
            target = request
                .uri()
                .query()
                .and_then(|query| {
                    query
                        .split('&')
                        .find_map(|pair| pair.strip_prefix("address="))
                })
                .map(str::to_string);
            Ok(response)
        })
        .await?;
    let target =
        target.ok_or_else(|| anyhow::anyhow!("no ?address=host:port in the WebSocket URL"))?;
    let tcp = TcpStream::connect(&target).await?;
    let (mut tcp_read, mut tcp_write) = tcp.into_split();
    let (mut ws_write, mut ws_read) = websocket.split();

    let to_server = async {
        while let Some(message) = ws_read.next().await {
            match message? {
                Message::Binary(bytes) => tcp_write.write_all(&bytes).await?,
                Message::Text(text) => tcp_write.write_all(text.as_bytes()).await?,
                Message::Close(_) => break,
                _ => {}
            }
        }
        tcp_write.shutdown().await?;
        anyhow::Ok(())
    };
    let to_client = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = tcp_read.read(&mut buffer).await?;
            if read == 0 {
                break;
            }
            ws_write
                .send(Message::Binary(buffer[..read].to_vec().into()))
                .await?;
        }
        let _ = ws_write.close().await;
        anyhow::Ok(())
    };
    tokio::try_join!(to_server, to_client)?;
    Ok(())
}
