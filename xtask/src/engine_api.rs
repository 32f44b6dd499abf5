//! The few Docker engine API calls the engine command and the e2e run's containers need, in plain std over
//! the engine's Unix socket (or TCP): ping, list containers by label, remove a container. No docker CLI:
//! testcontainers needs none either, and a machine may have an engine without the CLI.

use std::io::{Read, Write};
use std::time::Duration;

use anyhow::{Context, bail};

/// The Docker endpoint testcontainers connects to: `DOCKER_HOST`, else the first existing of
/// /var/run/docker.sock, `$XDG_RUNTIME_DIR/.docker/run/docker.sock`, `~/.docker/run/docker.sock`,
/// `~/.docker/desktop/docker.sock` (testcontainers' own order).
pub fn docker_host() -> String {
    if let Some(host) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return host;
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
    let candidates = [
        Some(std::path::PathBuf::from("/var/run/docker.sock")),
        runtime.map(|dir| dir.join(".docker/run/docker.sock")),
        home.as_ref().map(|dir| dir.join(".docker/run/docker.sock")),
        home.as_ref()
            .map(|dir| dir.join(".docker/desktop/docker.sock")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|path| path.exists())
        .map_or("unix:///var/run/docker.sock".to_string(), |path| {
            format!("unix://{}", path.display())
        })
}

/// One `GET /_ping`; the engine answers `200 OK`. Not the socket file's existence alone: a stale socket
/// with no daemon behind it is common. Engines behind TLS or SSH are not supported (testcontainers is built
/// here without its TLS feature).
pub fn ping(host: &str, timeout: Duration) -> anyhow::Result<()> {
    match request(host, "GET", "/_ping", timeout)? {
        (200, _) => Ok(()),
        (status, _) => bail!("{host} answered {status} to /_ping"),
    }
}

/// The ids of the containers (running or not) carrying `label` (`key` or `key=value`).
pub fn containers_with_label(host: &str, label: &str) -> anyhow::Result<Vec<String>> {
    let filters = serde_json::json!({ "label": [label] }).to_string();
    let path = format!(
        "/containers/json?all=true&filters={}",
        percent_encode(&filters)
    );
    let (status, body) = request(host, "GET", &path, Duration::from_secs(30))?;
    if status != 200 {
        bail!("listing containers on {host} answered {status}: {body}");
    }
    let listed: serde_json::Value = serde_json::from_str(&body)
        .with_context(|| format!("{host} listed containers as {body:?}"))?;
    Ok(listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|container| container["Id"].as_str().map(str::to_string))
        .collect())
}

/// The host address the engine published a container's `port` (e.g. "5432/tcp") on, e.g. "127.0.0.1";
/// `None` when it is published on every address (0.0.0.0, ::) or not at all.
pub fn published_ip(host: &str, id: &str, port: &str) -> anyhow::Result<Option<String>> {
    let (status, body) = request(
        host,
        "GET",
        &format!("/containers/{id}/json"),
        Duration::from_secs(30),
    )?;
    if status != 200 {
        bail!("inspecting container {id} answered {status}: {body}");
    }
    let inspected: serde_json::Value = serde_json::from_str(&body)
        .with_context(|| format!("{host} described container {id} as {body:?}"))?;
    let bindings = inspected["NetworkSettings"]["Ports"][port].as_array();
    Ok(bindings
        .into_iter()
        .flatten()
        .filter_map(|binding| binding["HostIp"].as_str())
        .find(|ip| !ip.is_empty() && *ip != "0.0.0.0" && *ip != "::")
        .map(str::to_string))
}

/// Removes a container and its anonymous volumes, running or not; one that is already gone (404) or being
/// removed by another caller (409) is fine.
pub fn remove_container(host: &str, id: &str) -> anyhow::Result<()> {
    let path = format!("/containers/{id}?force=true&v=true");
    match request(host, "DELETE", &path, Duration::from_secs(60))? {
        (204 | 404 | 409, _) => Ok(()),
        (status, body) => bail!("removing container {id} answered {status}: {body}"),
    }
}

/// One bodyless HTTP/1.0 request (so the answer is neither chunked nor kept alive); its status and body.
fn request(
    host: &str,
    method: &str,
    path: &str,
    timeout: Duration,
) -> anyhow::Result<(u16, String)> {
    let request = format!("{method} {path} HTTP/1.0\r\nHost: docker\r\nConnection: close\r\n\r\n");
    let mut response = Vec::new();
    if let Some(socket) = host.strip_prefix("unix://") {
        let mut stream = std::os::unix::net::UnixStream::connect(socket)
            .with_context(|| format!("nothing listens on {socket}"))?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.write_all(request.as_bytes())?;
        stream.read_to_end(&mut response)?;
    } else if let Some(authority) = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))
    {
        use std::net::ToSocketAddrs;
        let authority = authority.split('/').next().unwrap_or_default();
        let address = authority.to_socket_addrs()?.next().context("no address")?;
        let mut stream = std::net::TcpStream::connect_timeout(&address, timeout)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.write_all(request.as_bytes())?;
        stream.read_to_end(&mut response)?;
    } else {
        bail!("unsupported DOCKER_HOST {host}");
    }
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status_line = head.lines().next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|status| status.parse().ok())
        .with_context(|| format!("{host} is not an HTTP server (answered {status_line:?})"))?;
    Ok((status, body.to_string()))
}

/// Query-string encoding for the JSON filter (everything but unreserved characters).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot HTTP server on a Unix socket, answering `answer` to whatever it is sent.
    fn fake_engine(answer: &'static str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 512];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (dir, format!("unix://{}", path.display()))
    }

    #[test]
    fn ping_accepts_an_engine_that_answers_ok() {
        let (_dir, host) = fake_engine("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
        ping(&host, Duration::from_secs(2)).unwrap();
    }

    #[test]
    fn ping_rejects_an_error_answer_a_missing_socket_and_tls() {
        let (_dir, host) = fake_engine("HTTP/1.1 500 Internal Server Error\r\n\r\n");
        assert!(ping(&host, Duration::from_secs(2)).is_err());
        assert!(ping("unix:///nonexistent/docker.sock", Duration::from_secs(2)).is_err());
        assert!(ping("https://example.invalid:2376", Duration::from_secs(2)).is_err());
    }

    #[test]
    fn containers_with_label_reads_the_ids() {
        let (_dir, host) = fake_engine(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[{\"Id\":\"abc\"},{\"Id\":\"def\"}]",
        );
        assert_eq!(
            containers_with_label(&host, "run=1").unwrap(),
            ["abc", "def"]
        );
    }

    #[test]
    fn published_ip_reads_a_loopback_binding_and_ignores_all_addresses() {
        let (_dir, host) = fake_engine(
            "HTTP/1.1 200 OK\r\n\r\n{\"NetworkSettings\":{\"Ports\":{\"5432/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"32768\"}]}}}",
        );
        assert_eq!(
            published_ip(&host, "abc", "5432/tcp").unwrap().as_deref(),
            Some("127.0.0.1")
        );
        let (_dir, host) = fake_engine(
            "HTTP/1.1 200 OK\r\n\r\n{\"NetworkSettings\":{\"Ports\":{\"5432/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"32768\"}]}}}",
        );
        assert_eq!(published_ip(&host, "abc", "5432/tcp").unwrap(), None);
    }

    #[test]
    fn the_filter_is_percent_encoded() {
        assert_eq!(
            percent_encode(r#"{"label":["a=b"]}"#),
            "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"
        );
    }
}
