//! Part 4: client token reuse. A signed-in page (the generated dashboard, in headless Chromium) makes many
//! backend calls within one token's lifetime: count the `/api/auth/token` requests the generated
//! api-interceptor makes (target: 1), and time one token mint on the Next.js side.

use std::time::Duration;

use anyhow::{Context, ensure};
use project_xtask::project::{Architecture, Backend};
use serde_json::{Map, Value, json};

use crate::Settings;
use crate::journey;
use crate::stats::{Stats, get_figure, put_figure, timed};

/// Notes the page adds per run; each is a POST and a list reload, after the page's own first calls.
const NOTES_PER_RUN: usize = 8;
/// Token mints timed per run, over HTTP with the session cookie.
const MINTS_PER_RUN: usize = 10;

pub fn run(settings: &Settings) -> anyhow::Result<Value> {
    e2e::browser::ensure_chromium()?;
    eprintln!("==> token reuse: a separate+fastapi project, built and started for production");
    let journey = journey::run(
        Architecture::Separate,
        Some(Backend::Fastapi),
        journey::Mode::Production,
    )?;
    let backend_origin = journey
        .backend_origin
        .clone()
        .context("a separate project has a backend")?;

    let mut mint_ms = Vec::new();
    for _ in 0..settings.runs * MINTS_PER_RUN {
        let (token, seconds) = timed(|| journey.client.token(&journey.user));
        token?;
        mint_ms.push(seconds * 1000.0);
    }

    let mut calls = Vec::new();
    let mut token_requests = Vec::new();
    for run in 1..=settings.runs {
        // Better Auth allows 3 sign-ups per 10 s from one address; every run signs up a new person.
        std::thread::sleep(Duration::from_secs(4));
        let log = journey.work.path().join(format!("token-reuse-{run}.log"));
        e2e::browser::run_script(
            "token-reuse.mjs",
            &[&journey.origin, &backend_origin, &NOTES_PER_RUN.to_string()],
            &log,
        )?;
        let verdict = last_json_line(&log)?;
        ensure!(verdict["ok"] == true, "the page did not work: {verdict}");
        let backend_calls = verdict["backendCalls"].as_f64().unwrap_or_default();
        let minted = verdict["tokenRequests"].as_f64().unwrap_or_default();
        eprintln!("    run {run}: {backend_calls} backend calls, {minted} token request(s)");
        calls.push(backend_calls);
        token_requests.push(minted);
    }

    let worst = token_requests.iter().copied().fold(0.0, f64::max);
    let mut object = Map::new();
    put_figure(&mut object, "backend_calls", Stats::of(&calls));
    put_figure(&mut object, "token_requests", Stats::of(&token_requests));
    object.insert("token_requests_worst".to_string(), json!(worst));
    object.insert("target_token_requests".to_string(), json!(1));
    object.insert("target_met".to_string(), json!(worst <= 1.0));
    put_figure(&mut object, "mint_ms", Stats::of(&mint_ms));
    Ok(Value::Object(object))
}

fn last_json_line(log: &std::path::Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(log)?;
    let line = text
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .with_context(|| format!("no verdict in {}", log.display()))?;
    Ok(serde_json::from_str(line)?)
}

pub fn markdown(value: &Value) -> String {
    let figure = |name: &str, decimals: usize| {
        get_figure(value, name).map_or("–".to_string(), |stats| stats.show(decimals))
    };
    format!(
        "## Client token reuse\n\n\
         The generated dashboard in headless Chromium: sign up, load the dashboard, add {NOTES_PER_RUN} notes \
         (each a POST and a list reload through the generated api-interceptor). Median (min–max) over runs.\n\n\
         | What | Value |\n|---|---|\n\
         | Backend calls by the page | {} |\n\
         | `/api/auth/token` requests (target: 1) | {} (worst {}) |\n\
         | One token mint on the Next.js side (`GET /api/auth/token` with the session cookie, `next start`) | {} ms |\n\n\
         Command: `cargo xtask bench --only token-reuse`\n",
        figure("backend_calls", 0),
        figure("token_requests", 0),
        value["token_requests_worst"],
        figure("mint_ms", 1),
    )
}
