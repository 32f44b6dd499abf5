//! `cargo xtask conformance`: writes `template/conformance/jwt-cases.json`, the one description of how every
//! separate backend answers a bearer token (issue 14 item 2). Each backend's test suite loads the file and
//! runs every case against its own app; references/backend-contract.md explains the verdicts.
//!
//! The file is data, not code, so three languages can share it. It is generated (not hand-written) so that
//! every token is really signed: the keys come from fixed seeds and Ed25519 signatures are deterministic, so
//! the same source always writes the same bytes and a unit test can tell when the committed file is stale.

use std::collections::BTreeMap;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::flags;

/// Where the file lives, relative to the repository root.
pub const PATH: &str = "template/conformance/jwt-cases.json";

/// What the tokens carry as `iss` and `aud`: the origin of the default BETTER_AUTH_URL.
const ISSUER: &str = "http://localhost:3000";
/// Valid tokens expire on 2100-01-01, expired ones did on 2000-01-01: no test needs to move a clock.
const EXP_VALID: i64 = 4_102_444_800;
const EXP_PAST: i64 = 946_684_800;
/// Issued 2026-01-01; "the future" is 2099-01-01.
const IAT: i64 = 1_767_225_600;
const FUTURE: i64 = 4_070_908_800;
/// The longest token a backend reads; longer ones are refused before any parsing.
const MAX_TOKEN_LEN: usize = 8 * 1024;

pub fn run(_cmd: flags::Conformance) -> anyhow::Result<()> {
    let path = crate::project_root().join(PATH);
    std::fs::create_dir_all(path.parent().unwrap())?;
    std::fs::write(&path, render()).with_context(|| format!("cannot write {PATH}"))?;
    eprintln!("Wrote {PATH} ({} cases).", cases().len());
    Ok(())
}

/// The file's exact contents.
pub fn render() -> String {
    let file = File {
        version: 1,
        issuer: ISSUER,
        audience: ISSUER,
        jwks: key_sets(),
        cases: cases(),
    };
    let mut text = serde_json::to_string_pretty(&file).expect("plain data serialises");
    text.push('\n');
    text
}

#[derive(Serialize)]
struct File {
    version: u32,
    issuer: &'static str,
    audience: &'static str,
    jwks: BTreeMap<&'static str, KeySet>,
    cases: Vec<Case>,
}

#[derive(Serialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

/// A public key as Better Auth 1.7's `/api/auth/jwks` publishes it.
#[derive(Serialize)]
struct Jwk {
    kty: &'static str,
    crv: &'static str,
    x: String,
    kid: &'static str,
    alg: &'static str,
}

#[derive(Serialize)]
struct Case {
    name: String,
    why: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    better_auth_url: Option<&'static str>,
    /// A key of the file's `jwks`, or None: the JWKS endpoint does not answer.
    jwks: Option<&'static str>,
    /// The raw Authorization header, or None: no header.
    authorization: Option<String>,
    expect: Expect,
}

#[derive(Serialize)]
struct Expect {
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'static str>,
    /// Some(None) is an explicit `null`: the user has no email claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<Option<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
}

const SUB: &str = "user-1";
const EMAIL: &str = "ada@example.com";

fn ok() -> Expect {
    Expect {
        status: 200,
        sub: Some(SUB),
        email: Some(Some(EMAIL)),
        error: None,
    }
}

fn refused() -> Expect {
    Expect {
        status: 401,
        sub: None,
        email: None,
        error: Some("invalid_token"),
    }
}

fn unavailable() -> Expect {
    Expect {
        status: 503,
        sub: None,
        email: None,
        error: None,
    }
}

/// A signing key from a fixed seed (a hash of its name, so no two keys share one).
struct Key {
    kid: &'static str,
    signing: SigningKey,
}

impl Key {
    fn new(kid: &'static str) -> Key {
        let seed: [u8; 32] = Sha256::digest(format!("better-auth-v2 conformance {kid}")).into();
        Key {
            kid,
            signing: SigningKey::from_bytes(&seed),
        }
    }

    fn public_bytes(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    fn jwk(&self) -> Jwk {
        Jwk {
            kty: "OKP",
            crv: "Ed25519",
            x: URL_SAFE_NO_PAD.encode(self.public_bytes()),
            kid: self.kid,
            alg: "EdDSA",
        }
    }
}

/// Better Auth's current key, the key it rotated to, and a key nobody publishes (an attacker's).
fn primary() -> Key {
    Key::new("conformance-primary")
}
fn rotated() -> Key {
    Key::new("conformance-rotated")
}
fn stranger() -> Key {
    Key::new("conformance-stranger")
}

fn key_sets() -> BTreeMap<&'static str, KeySet> {
    BTreeMap::from([
        (
            "primary",
            KeySet {
                keys: vec![primary().jwk()],
            },
        ),
        (
            "rotation",
            KeySet {
                keys: vec![primary().jwk(), rotated().jwk()],
            },
        ),
    ])
}

/// An ordered list of JSON members, written in that order (Better Auth's order) whatever serde_json's map is.
type Members = Vec<(&'static str, Value)>;

fn object(members: &Members) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(name, value)| format!("{}:{value}", Value::from(*name)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// The protected header Better Auth writes: `{alg, kid}`, no `typ`.
fn header(kid: &'static str) -> Members {
    vec![("alg", json!("EdDSA")), ("kid", json!(kid))]
}

/// The claims of a token minted with `definePayload` returning `{email, name}` plus what Better Auth adds.
fn claims() -> Members {
    vec![
        ("email", json!(EMAIL)),
        ("name", json!("Ada Lovelace")),
        ("sub", json!(SUB)),
        ("iat", json!(IAT)),
        ("exp", json!(EXP_VALID)),
        ("iss", json!(ISSUER)),
        ("aud", json!(ISSUER)),
    ]
}

fn with(mut members: Members, name: &'static str, value: Value) -> Members {
    match members.iter_mut().find(|(n, _)| *n == name) {
        Some(member) => member.1 = value,
        None => members.push((name, value)),
    }
    members
}

fn without(mut members: Members, name: &str) -> Members {
    members.retain(|(n, _)| *n != name);
    members
}

enum Signature<'a> {
    Ed25519(&'a Key),
    /// HMAC-SHA256 keyed with these bytes.
    Hs256(&'a [u8]),
    /// An empty signature (`alg: none`).
    Empty,
}

fn sign(header: &Members, claims: &Members, signature: Signature) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(object(header)),
        URL_SAFE_NO_PAD.encode(object(claims))
    );
    let bytes = match signature {
        Signature::Ed25519(key) => key.signing.sign(input.as_bytes()).to_bytes().to_vec(),
        Signature::Hs256(secret) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Signature::Empty => Vec::new(),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A token Better Auth would issue with its current key.
fn token(claims: &Members) -> String {
    let key = primary();
    sign(&header(key.kid), claims, Signature::Ed25519(&key))
}

/// A valid token exactly `len` characters long (a `pad` claim fills it), or None when base64 cannot
/// produce that length.
fn token_of_len(len: usize) -> Option<String> {
    let padded = |pad: usize| token(&with(claims(), "pad", json!("x".repeat(pad))));
    // Each 3 bytes of padding add 4 characters; start a little below the estimate and step up.
    let base = padded(0).len();
    let estimate = len.saturating_sub(base) * 3 / 4;
    (estimate.saturating_sub(3)..=estimate + 3)
        .map(padded)
        .find(|token| token.len() == len)
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

/// A case with the default issuer and the primary key set.
fn case(name: &str, why: &'static str, authorization: Option<String>, expect: Expect) -> Case {
    Case {
        name: name.to_string(),
        why,
        better_auth_url: None,
        jwks: Some("primary"),
        authorization,
        expect,
    }
}

fn claims_case(name: &str, why: &'static str, claims: Members, expect: Expect) -> Case {
    case(name, why, bearer(&token(&claims)), expect)
}

fn header_case(name: &str, why: &'static str, header: Members, expect: Expect) -> Case {
    let key = primary();
    case(
        name,
        why,
        bearer(&sign(&header, &claims(), Signature::Ed25519(&key))),
        expect,
    )
}

/// Every case, in the order the file lists them.
fn cases() -> Vec<Case> {
    let valid = token(&claims());
    let key = primary();
    let mut cases = vec![
        case(
            "valid EdDSA token",
            "A token exactly as Better Auth's jwt() plugin issues it, signed by the published key, is accepted and its sub and email reach the handler.",
            bearer(&valid),
            ok(),
        ),
        Case {
            jwks: Some("rotation"),
            ..case(
                "valid token signed by the second key of the JWKS",
                "After a key rotation the JWKS publishes several keys; the token's kid picks the one that verifies it.",
                bearer(&sign(
                    &header(rotated().kid),
                    &claims(),
                    Signature::Ed25519(&rotated()),
                )),
                ok(),
            )
        },
        // The Authorization header.
        case(
            "lower-case bearer scheme",
            "RFC 6750 (via RFC 7235) makes the auth-scheme case-insensitive: `bearer` is `Bearer`.",
            Some(format!("bearer {valid}")),
            ok(),
        ),
        case(
            "upper-case BEARER scheme",
            "RFC 6750 (via RFC 7235) makes the auth-scheme case-insensitive: `BEARER` is `Bearer`.",
            Some(format!("BEARER {valid}")),
            ok(),
        ),
        case(
            "no Authorization header",
            "A request without credentials is refused; RFC 6750 section 3.1 lets the challenge be plain `Bearer` (no error code) here.",
            None,
            refused(),
        ),
        case(
            "Basic scheme",
            "Only the Bearer scheme carries a token; any other scheme is refused, never parsed as one.",
            Some("Basic dXNlcjpwYXNzd29yZA==".to_string()),
            refused(),
        ),
        case(
            "Bearer with an empty token",
            "`Bearer ` followed by nothing is not a token.",
            Some("Bearer ".to_string()),
            refused(),
        ),
        case(
            "two Bearer credentials in one header",
            "`Bearer a, Bearer b` is two credentials; picking one would let a proxy and the backend disagree on who is calling.",
            Some(format!("Bearer {valid}, Bearer {valid}")),
            refused(),
        ),
        case(
            "two tokens after one Bearer",
            "RFC 6750's b64token has no spaces: `Bearer a b` is malformed, not the first token.",
            Some(format!("Bearer {valid} {valid}")),
            refused(),
        ),
        case(
            "not a JWT",
            "A bearer value that is not three base64url segments is refused without a crash.",
            Some("Bearer not-a-jwt".to_string()),
            refused(),
        ),
    ];
    // Size: the limit is on the token, checked before any parsing, so a huge header costs nothing.
    let at_limit = token_of_len(MAX_TOKEN_LEN).expect("base64 reaches 8192 characters exactly");
    let over_limit = (MAX_TOKEN_LEN + 1..)
        .find_map(token_of_len)
        .expect("some longer length is reachable");
    let huge = (64 * 1024 - "Bearer ".len()..)
        .find_map(token_of_len)
        .expect("some 64 KiB length is reachable");
    cases.extend([
        case(
            "token of exactly 8 KiB",
            "Tokens up to 8192 characters are read (Better Auth's are a few hundred); this valid one is at the limit.",
            bearer(&at_limit),
            ok(),
        ),
        case(
            "token just over 8 KiB",
            "A token longer than 8192 characters is refused before any parsing, even though this one is validly signed.",
            bearer(&over_limit),
            refused(),
        ),
        case(
            "64 KiB Authorization header",
            "A 64 KiB validly signed token is refused by the length limit before any decoding or signature work (test servers raise their own header limit so this limit is the one tested).",
            bearer(&huge),
            refused(),
        ),
    ]);
    // The signature and the algorithm.
    cases.extend([
        case(
            "alg none",
            "An unsigned token (`alg: none`) is never accepted: the algorithm is pinned to EdDSA.",
            bearer(&sign(
                &with(header(key.kid), "alg", json!("none")),
                &claims(),
                Signature::Empty,
            )),
            refused(),
        ),
        case(
            "HS256 signed with the public key",
            "Algorithm confusion: an HMAC keyed with the published public key bytes verifies only if the verifier lets the token choose its algorithm.",
            bearer(&sign(
                &with(header(key.kid), "alg", json!("HS256")),
                &claims(),
                Signature::Hs256(&key.public_bytes()),
            )),
            refused(),
        ),
        case(
            "ES256 header on an Ed25519 signature",
            "Only EdDSA is accepted by default; a token naming another algorithm is refused whatever its signature.",
            bearer(&sign(
                &with(header(key.kid), "alg", json!("ES256")),
                &claims(),
                Signature::Ed25519(&key),
            )),
            refused(),
        ),
        case(
            "tampered payload",
            "Changing the claims after signing (here sub becomes admin) breaks the signature.",
            {
                let forged = token(&with(claims(), "sub", json!("admin")));
                let [head, payload, _] = segments(&forged);
                let [_, _, signature] = segments(&valid);
                bearer(&format!("{head}.{payload}.{signature}"))
            },
            refused(),
        ),
        case(
            "signed by another key under the published kid",
            "The kid only selects a key; a signature by any other key (an attacker's) fails verification.",
            bearer(&sign(&header(key.kid), &claims(), Signature::Ed25519(&stranger()))),
            refused(),
        ),
        case(
            "unknown kid, JWKS reachable",
            "A kid the JWKS does not publish (even after the refetch it triggers) is refused.",
            bearer(&sign(
                &header(stranger().kid),
                &claims(),
                Signature::Ed25519(&stranger()),
            )),
            refused(),
        ),
        Case {
            jwks: None,
            ..case(
                "unknown kid, JWKS unreachable",
                "With no key cached and the JWKS down, the backend cannot tell a good token from a bad one: 503 (retry later), not 401.",
                bearer(&valid),
                unavailable(),
            )
        },
        header_case(
            "missing kid with one key published",
            "Better Auth always sends a kid; a token without one is refused even when the JWKS holds a single key, so verification never guesses a key.",
            without(header(key.kid), "kid"),
            refused(),
        ),
    ]);
    // The protected header's other members.
    cases.extend([
        header_case(
            "crit naming an unknown extension",
            "RFC 7515 section 4.1.11: a token whose crit lists an extension the verifier does not understand must be refused.",
            with(
                with(header(key.kid), "crit", json!(["urn:example:critical"])),
                "urn:example:critical",
                json!(true),
            ),
            refused(),
        ),
        header_case(
            "crit naming b64",
            "We understand no crit extension at all (Better Auth never sets crit), so even one a JOSE library knows (RFC 7797 b64) is refused.",
            with(
                with(header(key.kid), "crit", json!(["b64"])),
                "b64",
                json!(true),
            ),
            refused(),
        ),
        header_case(
            "typ JWT",
            "typ is optional (Better Auth omits it); `JWT` is the registered value for a JWT and accepted.",
            with(header(key.kid), "typ", json!("JWT")),
            ok(),
        ),
        header_case(
            "typ jwt in lower case",
            "RFC 7515 section 4.1.9: typ values compare case-insensitively, so `jwt` is `JWT`.",
            with(header(key.kid), "typ", json!("jwt")),
            ok(),
        ),
        header_case(
            "typ at+jwt",
            "A token typed for another purpose (here an OAuth access token, RFC 9068) is not a Better Auth session token: any typ but JWT is refused.",
            with(header(key.kid), "typ", json!("at+jwt")),
            refused(),
        ),
    ]);
    // Time claims.
    cases.extend([
        claims_case(
            "expired",
            "exp in the past: refused.",
            with(claims(), "exp", json!(EXP_PAST)),
            refused(),
        ),
        claims_case(
            "missing exp",
            "exp is required: a token without it would never expire.",
            without(claims(), "exp"),
            refused(),
        ),
        claims_case(
            "nbf in the future",
            "A token not yet valid (nbf in 2099) is refused.",
            with(claims(), "nbf", json!(FUTURE)),
            refused(),
        ),
        claims_case(
            "nbf in the past",
            "nbf is checked when present, and a past nbf is fine.",
            with(claims(), "nbf", json!(IAT)),
            ok(),
        ),
        claims_case(
            "iat in the future",
            "A token issued more than 60 s in the future (here 2099) comes from a broken or forged clock and is refused.",
            with(claims(), "iat", json!(FUTURE)),
            refused(),
        ),
        claims_case(
            "missing iat",
            "iat is not required (only checked when present).",
            without(claims(), "iat"),
            ok(),
        ),
    ]);
    // Issuer and audience.
    cases.extend([
        claims_case(
            "missing iss",
            "iss is required: the token must say it comes from our Better Auth.",
            without(claims(), "iss"),
            refused(),
        ),
        claims_case(
            "wrong iss",
            "A token issued by another origin is refused even when the key verifies it.",
            with(claims(), "iss", json!("http://evil.example")),
            refused(),
        ),
        claims_case(
            "missing aud",
            "aud is required: a token without an audience is not meant for us.",
            without(claims(), "aud"),
            refused(),
        ),
        claims_case(
            "wrong aud",
            "A token for another audience is refused.",
            with(claims(), "aud", json!("http://other.example")),
            refused(),
        ),
        claims_case(
            "aud array containing our audience",
            "RFC 7519 section 4.1.3: aud may be an array; it is enough that it contains ours.",
            with(claims(), "aud", json!([ISSUER, "http://other.example"])),
            ok(),
        ),
        claims_case(
            "aud array without our audience",
            "An aud array that does not contain ours is refused.",
            with(claims(), "aud", json!(["http://other.example"])),
            refused(),
        ),
    ]);
    // Subject and email.
    cases.extend([
        claims_case(
            "missing sub",
            "sub is the user's id: without it there is no user.",
            without(claims(), "sub"),
            refused(),
        ),
        claims_case(
            "empty sub",
            "An empty sub names no user.",
            with(claims(), "sub", json!("")),
            refused(),
        ),
        claims_case(
            "non-string sub",
            "RFC 7519 section 4.1.2: sub is a string; a number is a malformed token.",
            with(claims(), "sub", json!(42)),
            refused(),
        ),
        claims_case(
            "email absent",
            "email is optional (a definePayload may leave it out): the user is accepted with email null.",
            without(claims(), "email"),
            Expect {
                email: Some(None),
                ..ok()
            },
        ),
        claims_case(
            "non-string email",
            "An email that is not a string is a malformed token, refused rather than passed on as null or as a number.",
            with(claims(), "email", json!(42)),
            refused(),
        ),
        claims_case(
            "null email",
            "An email of null is not a string either: refused like any other non-string, not read as absent.",
            with(claims(), "email", Value::Null),
            refused(),
        ),
    ]);
    cases.extend(origin_cases());
    cases
}

/// BETTER_AUTH_URL is reduced to its origin (WHATWG `new URL(x).origin`) for issuer and audience.
fn origin_cases() -> Vec<Case> {
    let url = |name: &str,
               why: &'static str,
               better_auth_url: &'static str,
               origin: &'static str,
               expect: Expect| {
        let claims = with(with(claims(), "iss", json!(origin)), "aud", json!(origin));
        Case {
            better_auth_url: Some(better_auth_url),
            ..claims_case(name, why, claims, expect)
        }
    };
    vec![
        url(
            "BETTER_AUTH_URL in upper case with a trailing slash",
            "Scheme and host compare case-insensitively and the trailing slash is not part of the origin: HTTP://LOCALHOST:3000/ is http://localhost:3000.",
            "HTTP://LOCALHOST:3000/",
            ISSUER,
            ok(),
        ),
        url(
            "BETTER_AUTH_URL with a trailing slash",
            "http://localhost:3000/ and http://localhost:3000 are the same issuer.",
            "http://localhost:3000/",
            ISSUER,
            ok(),
        ),
        url(
            "BETTER_AUTH_URL with a path",
            "Only the origin counts: a path in BETTER_AUTH_URL (Better Auth's own base path, say) is dropped.",
            "http://localhost:3000/api/auth",
            ISSUER,
            ok(),
        ),
        url(
            "BETTER_AUTH_URL with the default http port",
            "Port 80 is http's default and is dropped from the origin: HTTP://EXAMPLE.COM:80/ is http://example.com.",
            "HTTP://EXAMPLE.COM:80/",
            "http://example.com",
            ok(),
        ),
        url(
            "BETTER_AUTH_URL with the default https port",
            "Port 443 is https's default and is dropped from the origin: https://Example.com:443 is https://example.com.",
            "https://Example.com:443",
            "https://example.com",
            ok(),
        ),
        url(
            "BETTER_AUTH_URL on another port",
            "A non-default port is part of the origin: a token for localhost:3000 is refused by a backend configured for localhost:3001.",
            "http://localhost:3001",
            ISSUER,
            refused(),
        ),
        url(
            "BETTER_AUTH_URL with another scheme",
            "The scheme is part of the origin: a token for http://localhost:3000 is refused by a backend configured for https://localhost:3000.",
            "https://localhost:3000",
            ISSUER,
            refused(),
        ),
    ]
}

fn segments(token: &str) -> [&str; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    parts.try_into().expect("a compact JWS has three segments")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature as Ed25519Signature, Verifier, VerifyingKey};
    use std::collections::HashSet;

    #[test]
    fn committed_file_is_up_to_date() {
        let path = crate::project_root().join(PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == render(),
            "{PATH} is missing or stale: run `cargo xtask conformance`"
        );
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render(), render());
    }

    #[test]
    fn case_names_are_unique() {
        let cases = cases();
        let names: HashSet<&str> = cases.iter().map(|case| case.name.as_str()).collect();
        assert_eq!(names.len(), cases.len());
    }

    /// The token of a case's header, whatever the scheme's case.
    fn token_of(case: &Case) -> &str {
        let header = case.authorization.as_deref().expect("a header");
        let (scheme, token) = header.split_once(' ').expect("scheme and token");
        assert!(scheme.eq_ignore_ascii_case("bearer"), "{}", case.name);
        token
    }

    #[test]
    fn every_accepted_token_verifies_with_its_jwks() {
        let file: Value = serde_json::from_str(&render()).unwrap();
        let accepted: Vec<Case> = cases()
            .into_iter()
            .filter(|case| case.expect.status == 200)
            .collect();
        assert!(accepted.len() >= 10);
        for (case, in_file) in accepted.iter().zip(
            file["cases"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["expect"]["status"] == 200),
        ) {
            let token = token_of(case);
            let [head, payload, signature] = segments(token);
            let head: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap();
            assert_eq!(head["alg"], "EdDSA", "{}", case.name);
            // The key comes from the JWKS as written in the file, as a backend would read it.
            let set = in_file["jwks"].as_str().unwrap();
            let jwk = file["jwks"][set]["keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|jwk| jwk["kid"] == head["kid"])
                .unwrap_or_else(|| panic!("{}: kid not in {set}", case.name));
            let x: [u8; 32] = URL_SAFE_NO_PAD
                .decode(jwk["x"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            let signature: [u8; 64] = URL_SAFE_NO_PAD
                .decode(signature)
                .unwrap()
                .try_into()
                .unwrap();
            VerifyingKey::from_bytes(&x)
                .unwrap()
                .verify(
                    format!("{}.{payload}", segments(token)[0]).as_bytes(),
                    &Ed25519Signature::from_bytes(&signature),
                )
                .unwrap_or_else(|err| panic!("{}: {err}", case.name));
            let claims: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
            assert_eq!(claims["sub"], in_file["expect"]["sub"], "{}", case.name);
            assert_eq!(
                claims.get("email").unwrap_or(&Value::Null),
                &in_file["expect"]["email"],
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn size_cases_sit_on_both_sides_of_the_limit() {
        let cases = cases();
        let len = |name: &str| token_of(cases.iter().find(|case| case.name == name).unwrap()).len();
        assert_eq!(len("token of exactly 8 KiB"), MAX_TOKEN_LEN);
        assert!(len("token just over 8 KiB") > MAX_TOKEN_LEN);
        assert!(len("token just over 8 KiB") <= MAX_TOKEN_LEN + 3);
        let huge = cases
            .iter()
            .find(|case| case.name == "64 KiB Authorization header")
            .unwrap();
        assert!(huge.authorization.as_ref().unwrap().len() >= 64 * 1024);
    }

    #[test]
    fn tokens_look_like_better_auths() {
        let file: Value = serde_json::from_str(&render()).unwrap();
        let cases = cases();
        let [head, payload, _] = segments(token_of(&cases[0]));
        let decode = |s: &str| String::from_utf8(URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
        assert_eq!(
            decode(head),
            r#"{"alg":"EdDSA","kid":"conformance-primary"}"#
        );
        assert_eq!(
            decode(payload),
            format!(
                r#"{{"email":"ada@example.com","name":"Ada Lovelace","sub":"user-1","iat":{IAT},"exp":{EXP_VALID},"iss":"{ISSUER}","aud":"{ISSUER}"}}"#
            )
        );
        let jwk = &file["jwks"]["primary"]["keys"][0];
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(file["issuer"], ISSUER);
        assert_eq!(file["version"], 1);
    }
}
