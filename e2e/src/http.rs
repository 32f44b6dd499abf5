//! The HTTP a browser would send: Better Auth's endpoints with cookies, the backend with a Bearer token.

use anyhow::{Context, ensure};
use serde_json::{Value, json};
use ureq::Agent;

/// An agent that returns 4xx/5xx responses instead of turning them into errors: the tests assert on them.
pub fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

pub struct Client {
    agent: Agent,
    frontend: String,
    /// The app's configured origin (BETTER_AUTH_URL); Better Auth rejects state-changing calls from others.
    origin: String,
}

/// A signed-up user and their session cookie.
pub struct User {
    pub id: String,
    pub email: String,
    /// The `Cookie` header value of the session, for requests the client has no method for.
    pub cookie: String,
}

impl Client {
    pub fn new(frontend: &str, origin: &str) -> Client {
        Client {
            agent: agent(),
            frontend: frontend.to_string(),
            origin: origin.to_string(),
        }
    }

    pub fn sign_up(&self, name: &str) -> anyhow::Result<User> {
        let email = format!("{name}-{}@example.com", std::process::id());
        let response = self
            .agent
            .post(&format!("{}/api/auth/sign-up/email", self.frontend))
            .header("Origin", &self.origin)
            .send_json(
                json!({"name": name, "email": email, "password": "correct-horse-battery-staple"}),
            )?;
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .collect::<Vec<_>>()
            .join("; ");
        let body: Value = read_json(response)?;
        ensure!(status == 200, "sign-up answered {status}: {body}");
        ensure!(!cookie.is_empty(), "sign-up set no session cookie");
        let id = body["user"]["id"]
            .as_str()
            .context("sign-up response has no user.id")?
            .to_string();
        Ok(User { id, email, cookie })
    }

    pub fn token(&self, user: &User) -> anyhow::Result<String> {
        let response = self
            .agent
            .get(&format!("{}/api/auth/token", self.frontend))
            .header("Cookie", &user.cookie)
            .call()?;
        let status = response.status().as_u16();
        let body = read_json(response)?;
        ensure!(status == 200, "/api/auth/token answered {status}: {body}");
        Ok(body["token"]
            .as_str()
            .context("no token in /api/auth/token's answer")?
            .to_string())
    }

    pub fn token_status(&self, user: &User) -> anyhow::Result<u16> {
        let response = self
            .agent
            .get(&format!("{}/api/auth/token", self.frontend))
            .header("Cookie", &user.cookie)
            .call()?;
        Ok(response.status().as_u16())
    }

    pub fn sign_out(&self, user: &User) -> anyhow::Result<()> {
        let response = self
            .agent
            .post(&format!("{}/api/auth/sign-out", self.frontend))
            .header("Cookie", &user.cookie)
            .header("Origin", &self.origin)
            .send_json(json!({}))?;
        let status = response.status().as_u16();
        ensure!(status == 200, "sign-out answered {status}");
        Ok(())
    }

    pub fn get_frontend(&self, path: &str, user: Option<&User>) -> anyhow::Result<(u16, Value)> {
        let mut request = self.agent.get(&format!("{}{path}", self.frontend));
        if let Some(user) = user {
            request = request.header("Cookie", &user.cookie);
        }
        let response = request.call()?;
        Ok((response.status().as_u16(), read_json(response)?))
    }

    pub fn backend_get(
        &self,
        backend: &str,
        path: &str,
        token: Option<&str>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self.agent.get(&format!("{backend}{path}"));
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let response = request.call()?;
        Ok((response.status().as_u16(), read_json(response)?))
    }

    /// The session cookie sent to the backend, as public guides wrongly suggest: must be refused.
    pub fn backend_get_with_cookie(
        &self,
        backend: &str,
        path: &str,
        user: &User,
    ) -> anyhow::Result<(u16, Value)> {
        let response = self
            .agent
            .get(&format!("{backend}{path}"))
            .header("Cookie", &user.cookie)
            .call()?;
        Ok((response.status().as_u16(), read_json(response)?))
    }

    pub fn backend_post(
        &self,
        backend: &str,
        path: &str,
        token: &str,
        body: Value,
    ) -> anyhow::Result<(u16, Value)> {
        let response = self
            .agent
            .post(&format!("{backend}{path}"))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(body)?;
        Ok((response.status().as_u16(), read_json(response)?))
    }

    pub fn backend_delete(&self, backend: &str, path: &str, token: &str) -> anyhow::Result<u16> {
        let response = self
            .agent
            .delete(&format!("{backend}{path}"))
            .header("Authorization", &format!("Bearer {token}"))
            .call()?;
        Ok(response.status().as_u16())
    }
}

/// The body as JSON; an empty body is `null`.
fn read_json(mut response: ureq::http::Response<ureq::Body>) -> anyhow::Result<Value> {
    let text = response.body_mut().read_to_string()?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}
