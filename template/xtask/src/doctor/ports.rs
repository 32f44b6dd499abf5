//! Ports the settings must agree on: a valid one in BETTER_AUTH_URL, the frontend's in JWKS_URL, and
//! the backend's PORT in the URL the browser calls (NEXT_PUBLIC_BACKEND_URL).

use super::finding::{Finding, Severity};

/// A URL's scheme, host and explicit port (`None` when it names none). `Err` says why it is invalid.
pub fn parts(url: &str) -> Result<(String, String, Option<u16>), String> {
    let (scheme, rest) = url
        .trim()
        .split_once("://")
        .ok_or_else(|| "it has no scheme (expected SCHEME://HOST[:PORT])".to_string())?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // An IPv6 literal (`[::1]:3000`) has colons of its own.
    let (host, after_host) = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']').unwrap_or((v6, "")),
        None => host_port.split_at(host_port.find(':').unwrap_or(host_port.len())),
    };
    let port = match after_host.strip_prefix(':') {
        None | Some("") => None,
        Some(port) => match port.parse::<u32>() {
            Ok(port @ 1..=65535) => Some(port as u16),
            _ => return Err(format!("`{port}` is not a port (1-65535)")),
        },
    };
    Ok((scheme.to_ascii_lowercase(), host.to_string(), port))
}

/// The port a URL reaches: the explicit one, or the scheme's default. `Err` says why it is invalid.
pub fn port_of(url: &str) -> Result<u16, String> {
    let (scheme, _host, port) = parts(url)?;
    match (port, scheme.as_str()) {
        (Some(port), _) => Ok(port),
        (None, "http") => Ok(80),
        (None, "https") => Ok(443),
        (None, other) => Err(format!("`{other}` has no default port")),
    }
}

/// BETTER_AUTH_URL must name a usable port: the app listens there and every callback URL carries it.
pub fn auth_url(file: &str, url: &str) -> Option<Finding> {
    let reason = port_of(url).err()?;
    Some(Finding::new(
        "auth-url-port",
        Severity::Error,
        format!("BETTER_AUTH_URL in {file} (`{url}`) is invalid: {reason}"),
        "Better Auth builds its callback URLs, cookies' origin and the JWT issuer from it",
        format!(
            "set BETTER_AUTH_URL in {file} to the address the frontend runs on, e.g. http://localhost:3000"
        ),
    ))
}

/// The backend fetches the signing keys from JWKS_URL; it must be the frontend's port.
pub fn jwks_url(jwks_url: &str, frontend_url: &str) -> Option<Finding> {
    let (jwks, frontend) = (port_of(jwks_url).ok()?, port_of(frontend_url).ok()?);
    (jwks != frontend).then(|| {
        Finding::new(
            "jwks-url-port",
            Severity::Error,
            format!(
                "JWKS_URL in backend/.env (`{jwks_url}`) uses port {jwks}, the frontend (BETTER_AUTH_URL) runs on {frontend}"
            ),
            "the keys are served by the frontend: the backend fetches nothing and rejects every token",
            format!("point JWKS_URL at the frontend (port {frontend}), or remove it to derive it from BETTER_AUTH_URL"),
        )
    })
}

/// The browser calls NEXT_PUBLIC_BACKEND_URL; the backend listens on PORT.
pub fn backend_port(port: &str, public_backend_url: &str) -> Option<Finding> {
    let public = port_of(public_backend_url).ok()?;
    let listening = port.trim().parse::<u16>().ok();
    (listening != Some(public)).then(|| {
        Finding::new(
            "backend-port",
            Severity::Error,
            format!(
                "backend/.env has PORT={port}, but NEXT_PUBLIC_BACKEND_URL in frontend/.env (`{public_backend_url}`) uses port {public}"
            ),
            "the browser calls a port the backend does not listen on: every API call fails",
            format!("make them one port: PORT={public} in backend/.env, or change NEXT_PUBLIC_BACKEND_URL"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_read_or_defaulted_and_invalid_ones_named() {
        assert_eq!(port_of("http://localhost:3000"), Ok(3000));
        assert_eq!(port_of("http://localhost:3000/api?x=1"), Ok(3000));
        assert_eq!(port_of("https://example.com/"), Ok(443));
        assert_eq!(port_of("http://[::1]:8000"), Ok(8000));
        assert_eq!(port_of("HTTP://LOCALHOST"), Ok(80));
        assert!(
            port_of("http://localhost:99999")
                .unwrap_err()
                .contains("99999")
        );
        assert!(port_of("http://localhost:0").is_err());
        assert!(port_of("http://localhost:abc").is_err());
        assert!(port_of("localhost:3000").is_err());
    }

    #[test]
    fn mismatched_ports_are_found() {
        assert!(auth_url("frontend/.env", "http://localhost:3000").is_none());
        assert_eq!(
            auth_url("frontend/.env", "http://localhost:99999")
                .unwrap()
                .id,
            "auth-url-port"
        );
        assert!(
            jwks_url(
                "http://localhost:3000/api/auth/jwks",
                "http://localhost:3000"
            )
            .is_none()
        );
        assert_eq!(
            jwks_url(
                "http://localhost:3001/api/auth/jwks",
                "http://localhost:3000"
            )
            .unwrap()
            .id,
            "jwks-url-port"
        );
        assert!(backend_port("8000", "http://localhost:8000").is_none());
        assert_eq!(
            backend_port("8001", "http://localhost:8000").unwrap().id,
            "backend-port"
        );
    }
}
