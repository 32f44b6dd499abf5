//! The bench plays Better Auth: an Ed25519 key from the OS's CSPRNG, a JWKS endpoint on loopback that
//! counts its fetches, and tokens shaped like the jwt() plugin's (header `{alg, kid}`, the user row plus
//! `sub`, `iat`, `exp` 15 minutes later, `iss` = `aud` = the app's base URL).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::json;

/// Better Auth's default token lifetime.
const LIFETIME_S: u64 = 15 * 60;

pub struct Issuer {
    key: SigningKey,
    pub kid: String,
    /// `iss` and `aud`: the base URL Better Auth signs with.
    pub base_url: String,
    header: String,
}

impl Issuer {
    pub fn new(base_url: &str) -> anyhow::Result<Issuer> {
        let mut secret = [0u8; 32];
        getrandom::getrandom(&mut secret).context("the OS random number generator failed")?;
        let key = SigningKey::from_bytes(&secret);
        let mut kid_bytes = [0u8; 16];
        getrandom::getrandom(&mut kid_bytes).context("the OS random number generator failed")?;
        let kid = URL_SAFE_NO_PAD.encode(kid_bytes);
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA", "kid": kid}).to_string());
        Ok(Issuer {
            key,
            kid,
            base_url: base_url.to_string(),
            header,
        })
    }

    /// The public key as Better Auth's `/api/auth/jwks` publishes it.
    pub fn jwks(&self) -> String {
        json!({"keys": [{
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "kid": self.kid,
            "x": self.public_x(),
        }]})
        .to_string()
    }

    /// The raw public key, base64url (the JWK's `x`).
    pub fn public_x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes())
    }

    /// The `sub` (= `id`) and `email` of user number `user`.
    pub fn identity(&self, user: u64) -> (String, String) {
        let id = format!("bench{user:016x}");
        let email = format!("{id}@example.com");
        (id, email)
    }

    /// A token for user number `user`, issued now: distinct users give distinct tokens.
    pub fn token(&self, user: u64) -> String {
        let (id, email) = self.identity(user);
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_secs();
        let created = "2026-11-01T12:00:00.000Z";
        let payload = json!({
            "id": id,
            "name": format!("Bench User {user}"),
            "email": email,
            "emailVerified": false,
            "image": null,
            "createdAt": created,
            "updatedAt": created,
            "iat": iat,
            "iss": self.base_url,
            "aud": self.base_url,
            "exp": iat + LIFETIME_S,
            "sub": id,
        });
        let signing_input = format!(
            "{}.{}",
            self.header,
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let signature = self.key.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }
}

/// A JWKS endpoint on 127.0.0.1 that answers every GET with the key set and counts the requests.
pub struct JwksServer {
    pub url: String,
    fetches: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    address: std::net::SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl JwksServer {
    pub fn start(document: String) -> anyhow::Result<JwksServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let fetches = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (fetches, stop) = (fetches.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream
                        && answer(stream, &document).unwrap_or(false)
                    {
                        fetches.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        };
        Ok(JwksServer {
            url: format!("http://{address}/api/auth/jwks"),
            fetches,
            stop,
            address,
            thread: Some(thread),
        })
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.fetches.store(0, Ordering::SeqCst);
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request and answers it (one request per connection); true when it was a GET.
fn answer(stream: TcpStream, document: &str) -> std::io::Result<bool> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let is_get = request_line.starts_with("GET ");
    let (status, body) = if is_get {
        ("200 OK", document)
    } else {
        ("405 Method Not Allowed", "{}")
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()?;
    Ok(is_get)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, VerifyingKey};
    use serde_json::Value;

    /// What a verifier does with a token and the JWKS: the key by `kid`, then the signature.
    fn verify_with_jwks(token: &str, jwks: &Value) -> anyhow::Result<Value> {
        let parts: Vec<&str> = token.split('.').collect();
        anyhow::ensure!(parts.len() == 3, "three parts");
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0])?)?;
        assert_eq!(header["alg"], "EdDSA");
        let jwk = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == header["kid"])
            .context("no key with the token's kid")?;
        let x: [u8; 32] = URL_SAFE_NO_PAD
            .decode(jwk["x"].as_str().unwrap())?
            .try_into()
            .unwrap();
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2])?)?;
        VerifyingKey::from_bytes(&x)?
            .verify_strict(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)?;
        Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1])?)?)
    }

    #[test]
    fn a_minted_token_verifies_against_the_served_jwks() {
        let issuer = Issuer::new("http://localhost:3000").unwrap();
        let server = JwksServer::start(issuer.jwks()).unwrap();
        let body = e2e::http::agent()
            .get(&server.url)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let jwks: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(server.fetches(), 1);

        let claims = verify_with_jwks(&issuer.token(7), &jwks).unwrap();
        assert_eq!(claims["sub"], claims["id"]);
        assert_eq!(claims["iss"], "http://localhost:3000");
        assert_eq!(claims["aud"], "http://localhost:3000");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            900
        );
        assert_ne!(issuer.token(1), issuer.token(2));

        let mut tampered = issuer.token(1).into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(verify_with_jwks(&String::from_utf8(tampered).unwrap(), &jwks).is_err());
    }
}
