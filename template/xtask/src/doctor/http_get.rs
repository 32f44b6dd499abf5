//! A minimal HTTP/1.1 GET over std's TcpStream, for one local JSON document (the JWKS): no HTTP
//! client dependency for the generated project's first build.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::backend::JwksProbe;

const TIMEOUT: Duration = Duration::from_secs(3);

pub fn probe(url: &str) -> JwksProbe {
    let Some(rest) = url.strip_prefix("http://") else {
        return JwksProbe::NotChecked("only plain-http URLs are fetched (https is not checked)");
    };
    let (authority, path) = rest
        .find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    if !matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0") {
        return JwksProbe::NotChecked("it is not on this machine");
    }
    let address = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let Some(socket) = address.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return JwksProbe::Unreachable;
    };
    let Ok(mut stream) = TcpStream::connect_timeout(&socket, TIMEOUT) else {
        return JwksProbe::Unreachable;
    };
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    let mut response = Vec::new();
    if stream.write_all(request.as_bytes()).is_err()
        || stream.read_to_end(&mut response).is_err() && response.is_empty()
    {
        return JwksProbe::Unreachable;
    }
    parse(&String::from_utf8_lossy(&response))
}

/// Status line and body; a chunked body is searched as is (the doctor only looks for `"keys"`).
fn parse(response: &str) -> JwksProbe {
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok());
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    match status {
        Some(status) => JwksProbe::Answered(status, body.to_string()),
        None => JwksProbe::Unreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_body() {
        assert_eq!(
            parse("HTTP/1.1 404 Not Found\r\nA: b\r\n\r\nnope"),
            JwksProbe::Answered(404, "nope".into())
        );
        assert_eq!(parse(""), JwksProbe::Unreachable);
    }

    #[test]
    fn a_closed_local_port_is_unreachable_and_remote_urls_are_not_fetched() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        assert_eq!(
            probe(&format!("http://127.0.0.1:{port}/api/auth/jwks")),
            JwksProbe::Unreachable
        );
        assert!(matches!(
            probe("https://example.com/api/auth/jwks"),
            JwksProbe::NotChecked(_)
        ));
    }

    #[test]
    fn reads_a_served_answer() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer).unwrap();
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"keys\":[]}",
                )
                .unwrap();
        });
        assert_eq!(
            probe(&format!("http://localhost:{port}/api/auth/jwks")),
            JwksProbe::Answered(200, "{\"keys\":[]}".into())
        );
        server.join().unwrap();
    }
}
