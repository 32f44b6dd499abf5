//! The notes API: user scoping, validation answers (JSON, never 500), CORS, health.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestApp, assert_invalid_token};
use serde_json::{Value, json};

fn request(method: Method, path: &str, token: &str, body: Option<&str>) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned())),
        None => builder.body(Body::empty()),
    }
    .unwrap()
}

async fn create(app: &TestApp, token: &str, text: &str) -> Value {
    let body = json!({ "text": text }).to_string();
    let reply = app
        .send(request(Method::POST, "/api/notes", token, Some(&body)))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

async fn list(app: &TestApp, token: &str) -> Vec<Value> {
    let reply = app
        .send(request(Method::GET, "/api/notes", token, None))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn health_needs_no_token() {
    let app = TestApp::start().await;
    let reply = app.get("/health", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({ "status": "ok" }));
}

#[tokio::test]
async fn notes_are_created_and_listed_newest_first() {
    let app = TestApp::start().await;
    let token = app.token();
    assert_eq!(list(&app, &token).await, Vec::<Value>::new());
    let first = create(&app, &token, "first ✓").await;
    let second = create(&app, &token, "second").await;
    assert_eq!(first["text"], "first ✓");
    let created_at = first["createdAt"].as_str().unwrap();
    assert!(
        created_at.len() == 24 && created_at.ends_with('Z') && created_at.as_bytes()[10] == b'T',
        "RFC 3339 UTC with milliseconds: {created_at}"
    );
    assert_eq!(list(&app, &token).await, vec![second, first]);
}

#[tokio::test]
async fn users_never_see_or_delete_each_others_notes() {
    let app = TestApp::start().await;
    let (alice, bob) = (app.token(), app.token());
    let note = create(&app, &alice, "alice's secret").await;
    let path = format!("/api/notes/{}", note["id"].as_str().unwrap());

    assert_eq!(list(&app, &bob).await, Vec::<Value>::new());
    let reply = app.send(request(Method::DELETE, &path, &bob, None)).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "someone else's note is a 404"
    );
    assert_eq!(reply.detail(), "not found");
    assert_eq!(list(&app, &alice).await, vec![note.clone()]);

    let reply = app.send(request(Method::DELETE, &path, &alice, None)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.body, "");
    let reply = app.send(request(Method::DELETE, &path, &alice, None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = app
        .send(request(
            Method::DELETE,
            "/api/notes/no-such-note",
            &alice,
            None,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn text_length_is_checked() {
    let app = TestApp::start().await;
    let token = app.token();
    create(&app, &token, &"é".repeat(1000)).await;
    for text in [String::new(), "   ".into(), "x".repeat(1001)] {
        let body = json!({ "text": text }).to_string();
        let reply = app
            .send(request(Method::POST, "/api/notes", &token, Some(&body)))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.detail(), "text must be 1 to 1000 characters");
    }
}

#[tokio::test]
async fn bad_bodies_get_json_reasons_not_500() {
    let app = TestApp::start().await;
    let token = app.token();
    let cases = [
        ("{not json", StatusCode::BAD_REQUEST),
        ("", StatusCode::BAD_REQUEST),
        ("{}", StatusCode::UNPROCESSABLE_ENTITY),
        (r#"{"text": 5}"#, StatusCode::UNPROCESSABLE_ENTITY),
        (r#"["text"]"#, StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (body, status) in cases {
        let reply = app
            .send(request(Method::POST, "/api/notes", &token, Some(body)))
            .await;
        assert_eq!(reply.status, status, "body {body:?}: {}", reply.body);
        assert!(!reply.detail().is_empty());
    }
    let no_content_type = Request::post("/api/notes")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(r#"{"text":"hi"}"#))
        .unwrap();
    let reply = app.send(no_content_type).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.detail(), "Content-Type must be application/json");
}

#[tokio::test]
async fn every_notes_route_needs_a_token() {
    let app = TestApp::start().await;
    let token = app.token();
    let routes = [
        (Method::GET, "/api/notes", None),
        (Method::POST, "/api/notes", Some(r#"{"text":"hi"}"#)),
        (Method::DELETE, "/api/notes/some-id", None),
    ];
    for (method, path, body) in routes {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, format!("better-auth.session_token={token}"));
        if body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        let request = builder.body(Body::from(body.unwrap_or_default())).unwrap();
        assert_invalid_token(&app.send(request).await, &token);
    }
}

#[tokio::test]
async fn unknown_routes_answer_json_404() {
    let app = TestApp::start().await;
    let reply = app.get("/api/nothing-here", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.detail(), "not found");
}

#[tokio::test]
async fn cors_allows_only_the_frontend_origin() {
    let app = TestApp::start().await;
    let preflight = |origin: &str| {
        Request::options("/api/notes")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let reply = app.send(preflight("http://localhost:3000")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:3000"
    );
    let allowed_headers = reply.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap();
    assert_eq!(allowed_headers, "authorization,content-type");
    let methods = reply.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap();
    assert_eq!(methods, "GET,POST,DELETE,OPTIONS");
    assert!(
        !reply
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
    );

    // An exact origin is always announced as itself, so a browser on any other origin fails.
    let reply = app.send(preflight("https://evil.example.com")).await;
    assert_eq!(
        reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:3000"
    );
}
