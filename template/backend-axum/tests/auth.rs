//! Every token case of issue 4, through the real router: only a valid Better Auth token
//! gets in, and no rejection repeats anything from the token.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, TestKey, assert_invalid_token, assert_no_leak, b64, sign_with};
use jsonwebtoken::{Algorithm, EncodingKey, get_current_timestamp};
use serde_json::{Value, json};

/// Asserts the whole 401 contract for `token` sent as a Bearer token, and the reason
/// (so each case fails for the reason it is meant to test).
async fn assert_rejected(app: &TestApp, token: &str, reason: &str) {
    let reply = app.me(token).await;
    assert_invalid_token(&reply, token);
    assert_eq!(reply.detail(), reason);
}

fn claims_without(app: &TestApp, claim: &str) -> Value {
    let mut claims = app.claims();
    claims.as_object_mut().unwrap().remove(claim);
    claims
}

fn claims_with(app: &TestApp, claim: &str, value: Value) -> Value {
    let mut claims = app.claims();
    claims[claim] = value;
    claims
}

#[tokio::test]
async fn valid_token_is_accepted() {
    let app = TestApp::start().await;
    let claims = app.claims();
    let reply = app.me(&app.key.sign(&claims)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({ "id": claims["sub"], "email": claims["email"] })
    );
}

#[tokio::test]
async fn token_without_email_answers_null_email() {
    let app = TestApp::start().await;
    let claims = claims_without(&app, "email");
    let reply = app.me(&app.key.sign(&claims)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({ "id": claims["sub"], "email": null }));
}

#[tokio::test]
async fn missing_authorization_header_is_rejected() {
    let app = TestApp::start().await;
    let reply = app.get("/api/me", None).await;
    assert_invalid_token(&reply, "");
    assert_eq!(reply.detail(), "missing bearer token");
}

#[tokio::test]
async fn basic_scheme_is_rejected() {
    let app = TestApp::start().await;
    let token = app.token();
    let reply = app.get("/api/me", Some(&format!("Basic {token}"))).await;
    assert_invalid_token(&reply, &token);
    let reply = app.get("/api/me", Some("Basic dXNlcjpwYXNzd29yZA==")).await;
    assert_invalid_token(&reply, "dXNlcjpwYXNzd29yZA==");
}

#[tokio::test]
async fn empty_bearer_is_rejected() {
    let app = TestApp::start().await;
    for value in ["Bearer", "Bearer ", "Bearer    "] {
        assert_invalid_token(&app.get("/api/me", Some(value)).await, "");
    }
}

#[tokio::test]
async fn garbage_is_rejected() {
    let app = TestApp::start().await;
    for token in ["not-a-jwt", "a.b.c", "....", "eyJ.eyJ.eyJ"] {
        assert_rejected(&app, token, "malformed token").await;
    }
    // Not token68 characters (RFC 6750 §2.1): refused before any parsing.
    assert_rejected(&app, "{}.{}.{}", "malformed authorization header").await;
    let reply = app.me("😀.😀.😀").await;
    assert_invalid_token(&reply, "😀.😀.😀");
    assert_eq!(reply.detail(), "malformed authorization header");
}

#[tokio::test]
async fn header_only_token_is_rejected() {
    let app = TestApp::start().await;
    let header = b64(json!({ "alg": "EdDSA", "kid": app.key.kid })
        .to_string()
        .as_bytes());
    assert_rejected(&app, &header, "malformed token").await;
    assert_rejected(&app, &format!("{header}."), "malformed token").await;
    // Parses as a token with an empty signature, so it fails at the signature check.
    assert_rejected(&app, &format!("{header}.."), "invalid token signature").await;
}

#[tokio::test]
async fn alg_none_is_rejected() {
    let app = TestApp::start().await;
    let header = b64(json!({ "alg": "none", "kid": app.key.kid })
        .to_string()
        .as_bytes());
    let payload = b64(app.claims().to_string().as_bytes());
    assert_rejected(&app, &format!("{header}.{payload}."), "malformed token").await;
    assert_rejected(&app, &format!("{header}.{payload}"), "malformed token").await;
}

/// The classic algorithm confusion: HMAC "signed" with the public key, which anyone has.
#[tokio::test]
async fn hs256_signed_with_the_public_key_is_rejected() {
    let app = TestApp::start().await;
    let claims = app.claims();
    let raw_key = EncodingKey::from_secret(&app.key.public_key);
    assert_rejected(
        &app,
        &sign_with(&raw_key, Algorithm::HS256, &app.key.kid, &claims),
        "token algorithm not allowed",
    )
    .await;
    let jwk_text = EncodingKey::from_secret(app.key.jwk().to_string().as_bytes());
    assert_rejected(
        &app,
        &sign_with(&jwk_text, Algorithm::HS256, &app.key.kid, &claims),
        "token algorithm not allowed",
    )
    .await;
    assert_eq!(
        app.jwks.fetches(),
        0,
        "a disallowed algorithm must not reach the JWKS"
    );
}

fn rsa_key() -> EncodingKey {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    // 1024 bits keeps key generation fast in debug builds; the size is irrelevant here.
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    EncodingKey::from_rsa_der(key.to_pkcs1_der().unwrap().as_bytes())
}

fn rsa_jwk(key: &EncodingKey, kid: &str) -> Value {
    let mut jwk = serde_json::to_value(
        jsonwebtoken::jwk::Jwk::from_encoding_key(key, Algorithm::RS256).unwrap(),
    )
    .unwrap();
    jwk["kid"] = json!(kid);
    jwk
}

#[tokio::test]
async fn rs256_is_rejected_when_only_eddsa_is_allowed() {
    let app = TestApp::start().await;
    let rsa = rsa_key();
    app.jwks
        .set_keys(vec![app.key.jwk(), rsa_jwk(&rsa, "rsa-1")]);
    let token = sign_with(&rsa, Algorithm::RS256, "rsa-1", &app.claims());
    assert_rejected(&app, &token, "token algorithm not allowed").await;
}

#[tokio::test]
async fn configured_algorithms_each_verify_with_their_own_key() {
    let app = TestApp::start_with(&[("JWT_ALGORITHMS", "EdDSA, RS256")]).await;
    let rsa = rsa_key();
    app.jwks
        .set_keys(vec![app.key.jwk(), rsa_jwk(&rsa, "rsa-1")]);
    let rsa_token = sign_with(&rsa, Algorithm::RS256, "rsa-1", &app.claims());
    assert_eq!(app.me(&rsa_token).await.status, StatusCode::OK);
    assert_eq!(app.me(&app.token()).await.status, StatusCode::OK);
    // An allowed algorithm with another family's key is still refused.
    let mislabelled = sign_with(&rsa, Algorithm::RS256, &app.key.kid, &app.claims());
    assert_rejected(&app, &mislabelled, "token algorithm does not match its key").await;
}

#[tokio::test]
async fn tampered_payload_is_rejected() {
    let app = TestApp::start().await;
    let token = app.token();
    let parts: Vec<&str> = token.split('.').collect();
    let forged = b64(claims_with(&app, "sub", json!("admin"))
        .to_string()
        .as_bytes());
    assert_rejected(
        &app,
        &format!("{}.{forged}.{}", parts[0], parts[2]),
        "invalid token signature",
    )
    .await;
}

#[tokio::test]
async fn tampered_signature_is_rejected() {
    let app = TestApp::start().await;
    let token = app.token();
    let (message, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = signature.as_bytes().to_vec();
    bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{message}.{}", String::from_utf8(bytes).unwrap());
    assert_rejected(&app, &tampered, "invalid token signature").await;
    // A correct signature by a key that is not the one named by `kid`.
    let impostor = TestKey::ed25519(99, &app.key.kid);
    assert_rejected(
        &app,
        &impostor.sign(&app.claims()),
        "invalid token signature",
    )
    .await;
}

#[tokio::test]
async fn expired_token_is_rejected_after_the_leeway() {
    let app = TestApp::start().await;
    let now = get_current_timestamp();
    assert_rejected(
        &app,
        &app.key.sign(&claims_with(&app, "exp", json!(now - 60))),
        "token expired",
    )
    .await;
    let within_leeway = app.key.sign(&claims_with(&app, "exp", json!(now - 10)));
    assert_eq!(app.me(&within_leeway).await.status, StatusCode::OK);
}

#[tokio::test]
async fn not_yet_valid_token_is_rejected() {
    let app = TestApp::start().await;
    let now = get_current_timestamp();
    assert_rejected(
        &app,
        &app.key.sign(&claims_with(&app, "nbf", json!(now + 120))),
        "token not yet valid",
    )
    .await;
    let within_leeway = app.key.sign(&claims_with(&app, "nbf", json!(now + 10)));
    assert_eq!(app.me(&within_leeway).await.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_issuer_is_rejected() {
    let app = TestApp::start().await;
    let claims = claims_with(&app, "iss", json!("https://evil.example.com"));
    assert_rejected(&app, &app.key.sign(&claims), "wrong token issuer").await;
    assert_rejected(
        &app,
        &app.key.sign(&claims_without(&app, "iss")),
        "token has no issuer",
    )
    .await;
}

#[tokio::test]
async fn wrong_audience_is_rejected() {
    let app = TestApp::start().await;
    let claims = claims_with(&app, "aud", json!("https://other-app.example.com"));
    assert_rejected(&app, &app.key.sign(&claims), "wrong token audience").await;
    assert_rejected(
        &app,
        &app.key.sign(&claims_without(&app, "aud")),
        "token has no audience",
    )
    .await;
}

#[tokio::test]
async fn configured_issuer_and_audience_are_enforced() {
    let app = TestApp::start_with(&[
        ("JWT_ISSUER", "https://auth.example.com"),
        ("JWT_AUDIENCE", "https://api.example.com"),
    ])
    .await;
    assert_rejected(&app, &app.token(), "wrong token issuer").await;
    let mut claims = app.claims();
    claims["iss"] = json!("https://auth.example.com");
    claims["aud"] = json!(["https://api.example.com", "https://other.example.com"]);
    assert_eq!(app.me(&app.key.sign(&claims)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn missing_or_empty_subject_is_rejected() {
    let app = TestApp::start().await;
    assert_rejected(
        &app,
        &app.key.sign(&claims_without(&app, "sub")),
        "token has no subject",
    )
    .await;
    assert_rejected(
        &app,
        &app.key.sign(&claims_with(&app, "sub", json!(""))),
        "token has an empty subject",
    )
    .await;
    assert_rejected(
        &app,
        &app.key.sign(&claims_with(&app, "sub", json!(42))),
        "malformed token",
    )
    .await;
}

#[tokio::test]
async fn missing_expiry_is_rejected() {
    let app = TestApp::start().await;
    assert_rejected(
        &app,
        &app.key.sign(&claims_without(&app, "exp")),
        "token has no expiry",
    )
    .await;
    assert_rejected(
        &app,
        &app.key.sign(&claims_with(&app, "exp", json!("never"))),
        "malformed token",
    )
    .await;
}

#[tokio::test]
async fn token_without_kid_is_rejected() {
    let app = TestApp::start().await;
    let signed = app.token();
    let parts: Vec<&str> = signed.split('.').collect();
    let header = b64(json!({ "alg": "EdDSA" }).to_string().as_bytes());
    assert_rejected(
        &app,
        &format!("{header}.{}.{}", parts[1], parts[2]),
        "token has no key id",
    )
    .await;
}

#[tokio::test]
async fn session_cookie_is_never_a_token() {
    let app = TestApp::start().await;
    let token = app.token();
    let request = Request::get("/api/me")
        .header(
            header::COOKIE,
            format!("better-auth.session_token={token}; token={token}"),
        )
        .body(Body::empty())
        .unwrap();
    assert_invalid_token(&app.send(request).await, &token);
}

#[tokio::test]
async fn unknown_kid_refetches_once_and_stays_rejected() {
    let app = TestApp::start_with(&[("JWKS_MIN_REFETCH_SECONDS", "0.3")]).await;
    assert_eq!(app.me(&app.token()).await.status, StatusCode::OK);
    assert_eq!(app.jwks.fetches(), 1);
    tokio::time::sleep(Duration::from_millis(350)).await;

    let stranger = TestKey::ed25519(7, "kid-nobody-published");
    assert_rejected(&app, &stranger.sign(&app.claims()), "unknown signing key").await;
    assert_eq!(app.jwks.fetches(), 2, "one refetch for the unknown kid");
    assert_rejected(&app, &stranger.sign(&app.claims()), "unknown signing key").await;
    assert_eq!(
        app.jwks.fetches(),
        2,
        "no second refetch within the interval"
    );
}

#[tokio::test]
async fn rotated_key_is_accepted_after_one_refetch() {
    let app = TestApp::start_with(&[("JWKS_MIN_REFETCH_SECONDS", "0.5")]).await;
    assert_eq!(app.me(&app.token()).await.status, StatusCode::OK);
    let rotated = TestKey::ed25519(2, "key-2");
    app.jwks.set_keys(vec![rotated.jwk()]);
    let started = Instant::now();

    // Too soon after the first fetch: rate-limited, so not yet known.
    assert_rejected(&app, &rotated.sign(&app.claims()), "unknown signing key").await;
    assert_eq!(app.jwks.fetches(), 1);

    tokio::time::sleep(Duration::from_millis(550)).await;
    assert_eq!(
        app.me(&rotated.sign(&app.claims())).await.status,
        StatusCode::OK
    );
    assert_eq!(app.jwks.fetches(), 2);
    assert!(started.elapsed() < Duration::from_secs(10));
    // Now cached: no further fetch, and the retired key left with the old document.
    assert_eq!(
        app.me(&rotated.sign(&app.claims())).await.status,
        StatusCode::OK
    );
    assert_rejected(&app, &app.token(), "unknown signing key").await;
    assert_eq!(app.jwks.fetches(), 2);
}

#[tokio::test]
async fn cached_key_keeps_working_while_jwks_is_down() {
    let app = TestApp::start_with(&[("JWKS_MIN_REFETCH_SECONDS", "0")]).await;
    assert_eq!(app.me(&app.token()).await.status, StatusCode::OK);
    app.jwks.set_up(false);
    // A different token, so this is a full verification with the cached key.
    assert_eq!(app.me(&app.token()).await.status, StatusCode::OK);
    assert_eq!(app.jwks.fetches(), 1);
    // A kid we never had cannot be checked while the JWKS is down.
    let stranger = TestKey::ed25519(8, "kid-while-down");
    let reply = app.me(&stranger.sign(&app.claims())).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn jwks_down_without_cached_key_is_503() {
    let app = TestApp::start().await;
    app.jwks.set_up(false);
    let token = app.token();
    let reply = app.me(&token).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.detail(), "authentication keys unavailable");
    assert_no_leak(&reply, &token);
    // Rate-limited retries still answer 503, not 401: the keys are unavailable, not wrong.
    assert_eq!(
        app.me(&app.token()).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.jwks.fetches(), 1);
}

#[tokio::test]
async fn unreachable_jwks_is_503() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed_port}/api/auth/jwks");
    let app = TestApp::start_with(&[("JWKS_URL", &url)]).await;
    let reply = app.me(&app.token()).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.detail(), "authentication keys unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_kid_flood_is_rate_limited() {
    let app = TestApp::start().await; // default interval: 5 s
    let started = Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..200 {
        let stranger = TestKey::ed25519(3, &format!("random-kid-{i}"));
        let token = stranger.sign(&app.claims());
        let router = app.router.clone();
        requests.spawn(async move {
            use tower::ServiceExt;
            let request = Request::get("/api/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            router.oneshot(request).await.unwrap().status()
        });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let allowed = 1 + started.elapsed().as_secs() as usize / 5;
    assert!(
        app.jwks.fetches() <= allowed,
        "{} JWKS fetches for 200 random kids (allowed {allowed})",
        app.jwks.fetches()
    );
}

/// Tokens verified once are not kept; a token is cached at its second verification.
#[tokio::test]
async fn a_token_is_cached_from_its_second_verification_on() {
    let app = TestApp::start().await;
    let verifier = &backend::auth::verify::TokenVerifier::new(&app.config).unwrap();
    for _ in 0..20 {
        verifier.verify(&app.token()).await.unwrap();
    }
    let reused = app.token();
    verifier.verify(&reused).await.unwrap();
    assert_eq!(
        verifier.cached_tokens(),
        0,
        "tokens verified once are not kept"
    );
    verifier.verify(&reused).await.unwrap();
    assert_eq!(verifier.cached_tokens(), 1);
}

/// A repeated token skips the signature check: well under half its cost.
#[tokio::test]
async fn repeated_token_is_much_cheaper_than_a_signature_check() {
    let app = TestApp::start().await;
    let verifier = &backend::auth::verify::TokenVerifier::new(&app.config).unwrap();
    let repeated = app.token();
    verifier.verify(&repeated).await.unwrap(); // fetches the JWKS
    verifier.verify(&repeated).await.unwrap(); // seen again: cached
    let fresh: Vec<String> = (0..100).map(|_| app.token()).collect();

    let started = Instant::now();
    for token in &fresh {
        verifier.verify(token).await.unwrap();
    }
    let signature_checks = started.elapsed();
    let started = Instant::now();
    for _ in 0..100 {
        verifier.verify(&repeated).await.unwrap();
    }
    let cache_hits = started.elapsed();
    assert!(
        cache_hits * 2 < signature_checks,
        "100 cache hits took {cache_hits:?}, 100 verifications {signature_checks:?}"
    );
}

// Hand-made tokens: every part is checked by jsonwebtoken, nothing loosened.

/// `header.payload.signature` over arbitrary bytes, signed by the app's key (seed 1).
fn sign_raw(header: &[u8], payload: &[u8]) -> String {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let message = format!("{}.{}", b64(header), b64(payload));
    let signature = key.sign(message.as_bytes()).to_bytes();
    format!("{message}.{}", b64(&signature))
}

fn eddsa_header(app: &TestApp) -> Vec<u8> {
    json!({ "alg": "EdDSA", "kid": app.key.kid })
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn sign_raw_signs_like_jsonwebtoken() {
    let app = TestApp::start().await;
    let claims = app.claims();
    let token = sign_raw(&eddsa_header(&app), claims.to_string().as_bytes());
    assert_eq!(token, app.key.sign(&claims), "same bytes as jsonwebtoken");
    assert_eq!(app.me(&token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn header_alg_other_than_the_keys_is_rejected() {
    let app = TestApp::start_with(&[("JWT_ALGORITHMS", "EdDSA, ES256, RS256")]).await;
    let payload = app.claims().to_string();
    for alg in ["ES256", "RS256"] {
        // An Ed25519 signature under a header that claims another algorithm.
        let header = json!({ "alg": alg, "kid": app.key.kid }).to_string();
        let token = sign_raw(header.as_bytes(), payload.as_bytes());
        assert_rejected(&app, &token, "token algorithm does not match its key").await;
    }
    let app = TestApp::start().await;
    for (alg, reason) in [
        ("RS256", "token algorithm not allowed"),
        ("HS256", "token algorithm not allowed"),
        ("none", "malformed token"),
        ("eddsa", "malformed token"),
        ("Ed25519", "malformed token"),
    ] {
        let header = json!({ "alg": alg, "kid": app.key.kid }).to_string();
        let token = sign_raw(header.as_bytes(), app.claims().to_string().as_bytes());
        assert_rejected(&app, &token, reason).await;
    }
    // A non-EdDSA key under an EdDSA header.
    let rsa = rsa_key();
    let app = TestApp::start_with(&[("JWT_ALGORITHMS", "EdDSA, RS256")]).await;
    let mut rsa_jwk = rsa_jwk(&rsa, "rsa-1");
    rsa_jwk.as_object_mut().unwrap().remove("alg");
    app.jwks.set_keys(vec![app.key.jwk(), rsa_jwk]);
    let header = json!({ "alg": "EdDSA", "kid": "rsa-1" }).to_string();
    let token = sign_raw(header.as_bytes(), app.claims().to_string().as_bytes());
    assert_rejected(&app, &token, "token algorithm does not match its key").await;
}

#[tokio::test]
async fn eddsa_unknown_kid_is_rejected_after_one_refetch() {
    let app = TestApp::start().await;
    let header = json!({ "alg": "EdDSA", "kid": "key-2" }).to_string();
    let token = sign_raw(header.as_bytes(), app.claims().to_string().as_bytes());
    assert_rejected(&app, &token, "unknown signing key").await;
    assert_eq!(app.jwks.fetches(), 1);
    // Once published (after the refetch interval), the same key is accepted.
    let mut jwk = app.key.jwk();
    jwk["kid"] = json!("key-2");
    app.jwks.set_keys(vec![app.key.jwk(), jwk]);
    assert_rejected(&app, &token, "unknown signing key").await;
    assert_eq!(app.jwks.fetches(), 1, "within the refetch interval");
}

#[tokio::test]
async fn unusable_ed25519_jwks_entries_are_skipped() {
    let app = TestApp::start().await;
    let mut short = app.key.jwk();
    short["x"] = json!(b64(&app.key.public_key[..31]));
    let mut ed448 = app.key.jwk();
    ed448["crv"] = json!("Ed448");
    app.jwks.set_keys(vec![short]);
    assert_rejected(&app, &app.token(), "unknown signing key").await;
    let app = TestApp::start().await;
    app.jwks.set_keys(vec![ed448]);
    assert_rejected(&app, &app.token(), "unknown signing key").await;
}

#[tokio::test]
async fn a_weak_ed25519_key_is_never_used() {
    // The identity point as a public key: R = identity and s = 0 satisfy the verification
    // equation for every message, so anyone could "sign" with it.
    let identity = {
        let mut bytes = [0u8; 32];
        bytes[0] = 1;
        bytes
    };
    let app = TestApp::start().await;
    let mut weak = app.key.jwk();
    weak["x"] = json!(b64(&identity));
    app.jwks.set_keys(vec![weak]);
    let message = format!(
        "{}.{}",
        b64(&eddsa_header(&app)),
        b64(app.claims().to_string().as_bytes())
    );
    let forged = format!("{message}.{}", b64(&[identity, [0; 32]].concat()));
    assert_rejected(&app, &forged, "unknown signing key").await;
}

#[tokio::test]
async fn eddsa_signature_tampering_is_rejected() {
    let app = TestApp::start().await;
    let token = app.token();
    let (message, signature) = token.rsplit_once('.').unwrap();
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
            .unwrap();
    for (forged, reason) in [
        (
            format!("{message}.{}", b64(&bytes[..63])),
            "invalid token signature",
        ),
        (
            format!("{message}.{}", b64(&[bytes.as_slice(), &[0]].concat())),
            "invalid token signature",
        ),
        (
            format!("{message}.{}", b64(&[0; 64])),
            "invalid token signature",
        ),
        (format!("{message}.{signature}="), "malformed token"),
        (format!("{message}.{signature}."), "malformed token"),
        (
            format!("{message}.{signature}.{signature}"),
            "malformed token",
        ),
        (
            format!(
                "{message}.{}",
                signature.replace('-', "+").replace('_', "/")
            ),
            "malformed token",
        ),
    ] {
        if forged.ends_with(signature) && forged.len() == token.len() && forged == token {
            continue; // the `+`/`/` variant of a signature without `-`/`_`
        }
        assert_rejected(&app, &forged, reason).await;
    }
    // Every single-bit flip of the signature.
    for bit in [0, 7, 100, 255, 256, 511] {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let forged = format!("{message}.{}", b64(&flipped));
        assert_rejected(&app, &forged, "invalid token signature").await;
    }
    // The genuine token still works (nothing above poisoned the cache).
    assert_eq!(app.me(&token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn eddsa_payload_tampering_is_rejected() {
    let app = TestApp::start().await;
    let token = app.token();
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, parts[1])
            .unwrap();
    payload[5] ^= 1;
    let forged = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    assert_rejected(&app, &forged, "invalid token signature").await;
    // Header changed (same meaning, other bytes): the signature covers it too.
    let header = format!(r#"{{"kid":"{}","alg":"EdDSA"}}"#, app.key.kid);
    let forged = format!("{}.{}.{}", b64(header.as_bytes()), parts[1], parts[2]);
    assert_rejected(&app, &forged, "invalid token signature").await;
}

#[tokio::test]
async fn payload_that_is_not_json_claims_is_malformed() {
    let app = TestApp::start().await;
    let header = eddsa_header(&app);
    for payload in [
        b"not json".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        format!(r#"["user1", null, {}]"#, get_current_timestamp() + 900).into_bytes(),
        b"".to_vec(),
        format!("{} ", app.claims()).into_bytes(),
        format!("{}{{}}", app.claims()).into_bytes(),
    ] {
        let token = sign_raw(&header, &payload);
        if payload.ends_with(b" ") {
            // Trailing whitespace is still JSON (as with jsonwebtoken).
            assert_eq!(app.me(&token).await.status, StatusCode::OK);
        } else {
            assert_rejected(&app, &token, "malformed token").await;
        }
    }
    // A payload that is not base64url (`+` is standard base64), correctly signed.
    let message = format!("{}.{}", b64(&header), "e30+");
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let signature = ed25519_dalek::Signer::sign(&key, message.as_bytes()).to_bytes();
    assert_rejected(
        &app,
        &format!("{message}.{}", b64(&signature)),
        "malformed token",
    )
    .await;
    // A duplicated claim.
    let claims = app.claims().to_string();
    let duplicated = format!("{{\"sub\":\"admin\",{}", &claims[1..]);
    assert_rejected(
        &app,
        &sign_raw(&header, duplicated.as_bytes()),
        "malformed token",
    )
    .await;
}

#[tokio::test]
async fn claim_types_are_enforced() {
    let app = TestApp::start().await;
    let now = get_current_timestamp();
    for (claim, value, reason) in [
        ("exp", json!((now + 900).to_string()), "malformed token"),
        ("exp", json!(null), "malformed token"),
        ("exp", json!(now as f64 + 900.5), "malformed token"),
        ("exp", json!(-1), "malformed token"),
        ("exp", json!([now + 900]), "malformed token"),
        ("nbf", json!("0"), "malformed token"),
        ("nbf", json!(null), "malformed token"),
        ("nbf", json!(-1), "malformed token"),
        ("sub", json!(null), "malformed token"),
        ("sub", json!(["user"]), "malformed token"),
        ("email", json!(42), "malformed token"),
        ("email", json!(null), "malformed token"),
        ("iss", json!(42), "token has no issuer"),
        ("iss", json!({ "a": 1 }), "token has no issuer"),
        ("iss", json!(null), "token has no issuer"),
        ("aud", json!(true), "token has no audience"),
        ("aud", json!([1, 2]), "token has no audience"),
        ("aud", json!(null), "token has no audience"),
    ] {
        let claims = claims_with(&app, claim, value.clone());
        let reply = app.me(&app.key.sign(&claims)).await;
        assert_invalid_token(&reply, "");
        assert_eq!(reply.detail(), reason, "{claim} = {value}");
    }
    // A float `nbf` is a number, as with jsonwebtoken.
    let claims = claims_with(&app, "nbf", json!(now as f64 - 0.5));
    assert_eq!(app.me(&app.key.sign(&claims)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn audience_and_issuer_arrays() {
    let app = TestApp::start().await;
    let audience = app.jwks.base_url.clone();
    let accepted = claims_with(&app, "aud", json!(["https://other.example.com", audience]));
    assert_eq!(
        app.me(&app.key.sign(&accepted)).await.status,
        StatusCode::OK
    );
    let issuers = claims_with(&app, "iss", json!([audience]));
    assert_eq!(app.me(&app.key.sign(&issuers)).await.status, StatusCode::OK);
    for (claim, value, reason) in [
        (
            "aud",
            json!(["https://other.example.com"]),
            "wrong token audience",
        ),
        ("aud", json!([]), "wrong token audience"),
        (
            "aud",
            json!([format!("{audience}/")]),
            "wrong token audience",
        ),
        (
            "iss",
            json!(["https://evil.example.com"]),
            "wrong token issuer",
        ),
        ("iss", json!([]), "wrong token issuer"),
    ] {
        let claims = claims_with(&app, claim, value);
        assert_rejected(&app, &app.key.sign(&claims), reason).await;
    }
}

// Issue 14: the claim and header policy jsonwebtoken leaves to us, and the Bearer rules.

/// Signed by the app's key (seed 1) under any header.
fn signed_with_header(header: Value, claims: &Value) -> String {
    sign_raw(header.to_string().as_bytes(), claims.to_string().as_bytes())
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let app = TestApp::start().await;
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let reply = app
            .get("/api/me", Some(&format!("{scheme} {}", app.token())))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{scheme}: {}", reply.body);
    }
}

#[tokio::test]
async fn exactly_one_bearer_token_is_accepted() {
    let app = TestApp::start().await;
    let (a, b) = (app.token(), app.token());
    for value in [format!("Bearer {a}, Bearer {b}"), format!("Bearer {a} {b}")] {
        let reply = app.get("/api/me", Some(&value)).await;
        assert_invalid_token(&reply, &a);
        assert_eq!(reply.detail(), "malformed authorization header");
    }
    let request = Request::get("/api/me")
        .header(header::AUTHORIZATION, format!("Bearer {a}"))
        .header(header::AUTHORIZATION, format!("Bearer {b}"))
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_invalid_token(&reply, &a);
    assert_eq!(reply.detail(), "malformed authorization header");
}

#[tokio::test]
async fn a_token_over_8_kib_is_refused_unread() {
    let app = TestApp::start().await;
    let mut claims = app.claims();
    claims["padding"] = json!("x".repeat(64 * 1024));
    let token = app.key.sign(&claims);
    assert_rejected(&app, &token, "token too long").await;
    assert_eq!(app.jwks.fetches(), 0, "refused before any key lookup");
    // Just under the limit is verified as usual.
    let mut claims = app.claims();
    let room = 8 * 1024 - app.key.sign(&claims).len();
    claims["padding"] = json!("x".repeat(room * 3 / 4 - 20));
    let token = app.key.sign(&claims);
    assert!(token.len() <= 8 * 1024);
    assert_eq!(app.me(&token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn crit_header_is_refused() {
    let app = TestApp::start().await;
    for crit in [json!(["exp"]), json!(["b64"]), json!([])] {
        let header = json!({ "alg": "EdDSA", "kid": app.key.kid, "crit": crit });
        let token = signed_with_header(header, &app.claims());
        assert_rejected(&app, &token, "token has critical header extensions").await;
    }
}

#[tokio::test]
async fn typ_must_be_absent_or_jwt() {
    let app = TestApp::start().await;
    for typ in ["JWT", "jwt"] {
        let header = json!({ "alg": "EdDSA", "kid": app.key.kid, "typ": typ });
        let token = signed_with_header(header, &app.claims());
        assert_eq!(app.me(&token).await.status, StatusCode::OK, "{typ}");
    }
    for typ in ["at+jwt", "JOSE"] {
        let header = json!({ "alg": "EdDSA", "kid": app.key.kid, "typ": typ });
        let token = signed_with_header(header, &app.claims());
        assert_rejected(&app, &token, "token type is not JWT").await;
    }
}

#[tokio::test]
async fn iat_more_than_a_minute_ahead_is_refused() {
    let app = TestApp::start().await;
    let now = get_current_timestamp();
    assert_rejected(
        &app,
        &app.key.sign(&claims_with(&app, "iat", json!(now + 120))),
        "token issued in the future",
    )
    .await;
    for claims in [
        claims_with(&app, "iat", json!(now + 30)),
        claims_without(&app, "iat"),
    ] {
        assert_eq!(app.me(&app.key.sign(&claims)).await.status, StatusCode::OK);
    }
    assert_rejected(
        &app,
        &app.key.sign(&claims_with(&app, "iat", json!("yesterday"))),
        "malformed token",
    )
    .await;
}

#[tokio::test]
async fn better_auth_url_as_typed_gives_the_issuer_the_frontend_signs() {
    for typed in [
        "HTTP://LOCALHOST:3000/",
        "http://localhost:3000/",
        "http://localhost:3000",
    ] {
        let app = TestApp::start_with(&[("BETTER_AUTH_URL", typed)]).await;
        let claims = common::claims("http://localhost:3000");
        let reply = app.me(&app.key.sign(&claims)).await;
        assert_eq!(reply.status, StatusCode::OK, "{typed}: {}", reply.body);
    }
    let app = TestApp::start_with(&[("BETTER_AUTH_URL", "http://localhost:80/")]).await;
    let claims = common::claims("http://localhost");
    assert_eq!(app.me(&app.key.sign(&claims)).await.status, StatusCode::OK);
}

/// A key withdrawn from the JWKS stops being trusted once the keys are older than
/// JWKS_MAX_AGE_SECONDS, without any unknown `kid` — tokens already verified included.
#[tokio::test]
async fn a_withdrawn_key_is_dropped_after_the_max_age() {
    let app = TestApp::start_with(&[
        ("JWKS_MAX_AGE_SECONDS", "0.3"),
        ("JWKS_MIN_REFETCH_SECONDS", "0"),
    ])
    .await;
    let seen = app.token();
    assert_eq!(app.me(&seen).await.status, StatusCode::OK);
    assert_eq!(app.jwks.fetches(), 1);
    let rotated = TestKey::ed25519(2, "key-2");
    app.jwks.set_keys(vec![rotated.jwk()]);
    tokio::time::sleep(Duration::from_millis(350)).await;

    // Stale: this request starts the background refetch (and is answered meanwhile).
    app.me(&seen).await;
    let started = Instant::now();
    while app.jwks.fetches() < 2 {
        assert!(started.elapsed() < Duration::from_secs(5), "no refetch");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_rejected(&app, &seen, "unknown signing key").await;
    assert_rejected(&app, &app.token(), "unknown signing key").await;
    assert_eq!(
        app.me(&rotated.sign(&app.claims())).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn fresh_keys_are_not_refetched() {
    let app = TestApp::start().await; // max age: 10 minutes
    for _ in 0..5 {
        assert_eq!(app.me(&app.token()).await.status, StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(app.jwks.fetches(), 1);
}
