//! What the runs of one backend measured — our backend and its peer, interleaved on the same machine with
//! the same tokens — summarised as figures, judged against the targets, and shown in BENCHMARKS.md.

use serde_json::{Map, Value, json};
use xtask::combination::BACKENDS;

use super::backend;
use super::wrk::Load;
use crate::stats::{Stats, get_figure, put_figure};

/// Targets: a repeated token costs at most half an Ed25519 verification (a verified-token cache) …
pub const ONE_TOKEN_VS_FLOOR_MAX: f64 = 0.5;
/// … a token's first sight costs no more than in the usual setup of the same library …
pub const DISTINCT_VS_PEER_MAX: f64 = 1.05;
/// … and a run fetches the JWKS once.
pub const JWKS_FETCHES_PER_RUN: u64 = 1;

/// One server's loads in one run, each pooled over its slices, and the JWKS fetches it made.
#[derive(Clone, Copy, Debug)]
pub struct Loads {
    pub health: Load,
    pub one: Load,
    pub distinct: Load,
    pub jwks_fetches: usize,
}

impl Loads {
    /// The time a protected request costs beyond an unprotected one: 1e6/rps difference.
    pub fn added_us(&self, protected: &Load) -> f64 {
        1e6 / protected.rps - 1e6 / self.health.rps
    }
}

/// One run: our backend, its peer, a second copy of the peer (the A/A comparison), and the floor they
/// all verify against (the same crypto library).
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub ours: Loads,
    pub peer: Loads,
    pub twin: Loads,
    pub floor_us: f64,
}

impl Run {
    /// Ours ÷ peer in time added per first-seen token, within this run (both saw the same machine).
    pub fn distinct_vs_peer(&self) -> f64 {
        self.ours.added_us(&self.ours.distinct) / self.peer.added_us(&self.peer.distinct)
    }

    /// The same ratio between two copies of the peer: what an identical server scores here, so how much
    /// of `distinct_vs_peer`'s distance from 1 this machine's noise explains.
    pub fn distinct_twin_vs_peer(&self) -> f64 {
        self.twin.added_us(&self.twin.distinct) / self.peer.added_us(&self.peer.distinct)
    }
}

/// How the two servers of a backend were started, for the report.
pub struct Described<'a> {
    pub ours_started_with: &'a str,
    pub peer_setup: &'a str,
    pub peer_started_with: &'a str,
}

/// The backend's entry in results.json: our figures, `distinct_vs_peer`, `targets_met`, the peer's
/// figures under `peer`, and the A/A ratio `peer.distinct_twin_vs_peer` (not a target: the noise).
pub fn summarize(runs: &[Run], described: &Described) -> Value {
    let floors: Vec<f64> = runs.iter().map(|run| run.floor_us).collect();
    let ours: Vec<Loads> = runs.iter().map(|run| run.ours).collect();
    let peer: Vec<Loads> = runs.iter().map(|run| run.peer).collect();
    let mut object = side_figures(&ours, &floors);
    put_figure(&mut object, "floor_us", Stats::of(&floors));
    let vs_peer = Stats::of(&runs.iter().map(Run::distinct_vs_peer).collect::<Vec<_>>());
    put_figure(&mut object, "distinct_vs_peer", vs_peer);
    let one_vs_floor = get_figure(&Value::Object(object.clone()), "added_vs_floor")
        .expect("side_figures puts added_vs_floor");
    let met = one_vs_floor.median <= ONE_TOKEN_VS_FLOOR_MAX
        && vs_peer.median <= DISTINCT_VS_PEER_MAX
        && object["jwks_fetches"] == JWKS_FETCHES_PER_RUN;
    object.insert("targets_met".into(), json!(met));
    object.insert("started_with".into(), json!(described.ours_started_with));
    let mut peer = side_figures(&peer, &floors);
    let twin_vs_peer = runs
        .iter()
        .map(Run::distinct_twin_vs_peer)
        .collect::<Vec<_>>();
    put_figure(&mut peer, "distinct_twin_vs_peer", Stats::of(&twin_vs_peer));
    peer.insert("setup".into(), json!(described.peer_setup));
    peer.insert("started_with".into(), json!(described.peer_started_with));
    object.insert("peer".into(), Value::Object(peer));
    Value::Object(object)
}

/// The figures of one server over the runs.
fn side_figures(runs: &[Loads], floors: &[f64]) -> Map<String, Value> {
    let mut object = Map::new();
    let mut figure = |name: &str, of: &dyn Fn(&Loads, f64) -> f64| {
        let samples: Vec<f64> = runs.iter().zip(floors).map(|(r, &f)| of(r, f)).collect();
        put_figure(&mut object, name, Stats::of(&samples));
    };
    figure("ratio", &|r, _| r.one.rps / r.health.rps);
    figure("ratio_distinct", &|r, _| r.distinct.rps / r.health.rps);
    figure("added_us", &|r, _| r.added_us(&r.one));
    figure("added_us_distinct", &|r, _| r.added_us(&r.distinct));
    figure("added_vs_floor", &|r, floor| r.added_us(&r.one) / floor);
    figure("added_distinct_vs_floor", &|r, floor| {
        r.added_us(&r.distinct) / floor
    });
    for (suffix, load) in [
        ("health", (|r: &Loads| r.health) as fn(&Loads) -> Load),
        ("me", |r: &Loads| r.one),
        ("me_distinct", |r: &Loads| r.distinct),
    ] {
        figure(&format!("rps_{suffix}"), &|r, _| load(r).rps);
        figure(&format!("p50_us_{suffix}"), &|r, _| load(r).p50_us);
        figure(&format!("p99_us_{suffix}"), &|r, _| load(r).p99_us);
    }
    let jwks_fetches = runs.iter().map(|r| r.jwks_fetches).max().unwrap_or(0);
    object.insert("jwks_fetches".into(), json!(jwks_fetches));
    object.insert(
        "distinct_tokens_max".into(),
        json!(runs.iter().map(|r| r.distinct.requests).max().unwrap_or(0)),
    );
    object
}

/// The tables of the auth part: targets, ours beside the peer, and the raw loads.
pub fn tables(value: &Value) -> String {
    let show = |object: &Value, name: &str, decimals: usize| {
        get_figure(object, name).map_or_else(|| "–".to_string(), |stats| stats.show(decimals))
    };
    let mut targets = format!(
        "| Backend | added µs (one token) | floor µs | added / floor (one token, target ≤ {ONE_TOKEN_VS_FLOOR_MAX}) | \
         added µs (distinct) | the peer's added µs (distinct) | ours ÷ peer (distinct, target ≤ {DISTINCT_VS_PEER_MAX}) | \
         A/A: second peer ÷ peer (distinct) | JWKS fetches per run, ours / peer (target {JWKS_FETCHES_PER_RUN}) | \
         targets |\n\
         |---|---|---|---|---|---|---|---|---|---|\n"
    );
    let mut side_by_side = String::from(
        "| Server | ratio (one token) | added µs (one token) | ratio (distinct) | added µs (distinct) | \
         added / floor (one token) | added / floor (distinct) | JWKS fetches per run |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    let mut load = String::from(
        "| Server | /health req/s | /api/me req/s (one token) | /api/me req/s (distinct) | \
         p50 / p99 µs /health | p50 / p99 µs /api/me (one token) | p50 / p99 µs /api/me (distinct) |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let mut peers = String::new();
    for backend in BACKENDS {
        let name = backend::name(backend);
        let Some(ours) = value.get(name) else {
            continue;
        };
        let peer = ours.get("peer").unwrap_or(&Value::Null);
        let met = match ours["targets_met"].as_bool() {
            Some(true) => "met",
            Some(false) => "**not met**",
            None => "–",
        };
        let fetches = |object: &Value| {
            object
                .get("jwks_fetches")
                .map_or("–".into(), Value::to_string)
        };
        targets.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {met} |\n",
            show(ours, "added_us", 1),
            show(ours, "floor_us", 1),
            show(ours, "added_vs_floor", 2),
            show(ours, "added_us_distinct", 1),
            show(peer, "added_us_distinct", 1),
            show(ours, "distinct_vs_peer", 2),
            show(peer, "distinct_twin_vs_peer", 2),
            fetches(ours),
            fetches(peer),
        ));
        for (server, object) in [
            (format!("{name} (ours)"), ours),
            (format!("{name} peer"), peer),
        ] {
            side_by_side.push_str(&format!(
                "| {server} | {} | {} | {} | {} | {} | {} | {} |\n",
                show(object, "ratio", 2),
                show(object, "added_us", 1),
                show(object, "ratio_distinct", 2),
                show(object, "added_us_distinct", 1),
                show(object, "added_vs_floor", 2),
                show(object, "added_distinct_vs_floor", 2),
                fetches(object),
            ));
            let latency = |suffix: &str| {
                format!(
                    "{} / {}",
                    show(object, &format!("p50_us_{suffix}"), 0),
                    show(object, &format!("p99_us_{suffix}"), 0)
                )
            };
            load.push_str(&format!(
                "| {server} | {} | {} | {} | {} | {} | {} |\n",
                show(object, "rps_health", 0),
                show(object, "rps_me", 0),
                show(object, "rps_me_distinct", 0),
                latency("health"),
                latency("me"),
                latency("me_distinct"),
            ));
        }
        if let Some(setup) = peer["setup"].as_str() {
            peers.push_str(&format!(
                "- **{name} peer** (bench/peers/{name}, started as {}): {setup}.\n",
                peer["started_with"].as_str().unwrap_or("?")
            ));
        }
    }
    format!("{targets}\n{peers}\n{side_by_side}\n{load}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(rps: f64) -> Load {
        Load {
            requests: (rps * 5.0) as u64,
            rps,
            p50_us: 1e6 / rps * 8.0,
            p99_us: 3e6 / rps * 8.0,
        }
    }

    /// A server whose /health takes 100 µs, plus `one_us` / `distinct_us` on /api/me.
    fn loads(one_us: f64, distinct_us: f64, jwks_fetches: usize) -> Loads {
        Loads {
            health: load(1e6 / 100.0),
            one: load(1e6 / (100.0 + one_us)),
            distinct: load(1e6 / (100.0 + distinct_us)),
            jwks_fetches,
        }
    }

    const DESCRIBED: Described = Described {
        ours_started_with: "python -m app",
        peer_setup: "FastAPI + PyJWT",
        peer_started_with: "python main.py",
    };

    /// Three alike runs with a floor of 100 µs and a twin 4 % slower than the peer, as the report's input.
    fn summary(ours: Loads, peer: Loads) -> Value {
        let twin_us = peer.added_us(&peer.distinct) * 1.04;
        let run = Run {
            ours,
            peer,
            twin: loads(twin_us, twin_us, 1),
            floor_us: 100.0,
        };
        json!({"fastapi": summarize(&[run, run, run], &DESCRIBED)})
    }

    fn close(value: &Value, expected: f64) -> bool {
        (value.as_f64().unwrap() - expected).abs() < 1e-3
    }

    #[test]
    fn ours_and_the_peer_are_reported_side_by_side() {
        let value = summary(loads(10.0, 200.0, 1), loads(250.0, 250.0, 1));
        let ours = &value["fastapi"];
        assert!(close(&ours["added_us"], 10.0), "{ours}");
        assert!(close(&ours["added_us_distinct"], 200.0), "{ours}");
        assert!(close(&ours["peer"]["added_us"], 250.0), "{ours}");
        assert!(close(&ours["peer"]["added_us_distinct"], 250.0), "{ours}");
        assert!(
            close(&ours["peer"]["added_distinct_vs_floor"], 2.5),
            "{ours}"
        );
        assert!(close(&ours["distinct_vs_peer"], 0.8), "{ours}");
        assert!(
            close(&ours["peer"]["distinct_twin_vs_peer"], 1.04),
            "{ours}"
        );
        assert_eq!(ours["peer"]["stats"]["added_us_distinct"]["runs"], 3);
        assert_eq!(ours["peer"]["jwks_fetches"], 1);
        assert_eq!(ours["peer"]["setup"], "FastAPI + PyJWT");
        assert_eq!(ours["targets_met"], true);
    }

    #[test]
    fn each_target_can_fail_on_its_own() {
        // Distinct tokens 10 % slower than the peer's: above 1.05 × the peer, whatever the floor says.
        let slower = summary(loads(10.0, 220.0, 1), loads(200.0, 200.0, 1));
        assert!(close(&slower["fastapi"]["distinct_vs_peer"], 1.1));
        assert_eq!(slower["fastapi"]["targets_met"], false);
        // Within 5 % of the peer is met.
        let level = summary(loads(10.0, 209.0, 1), loads(200.0, 200.0, 1));
        assert_eq!(level["fastapi"]["targets_met"], true);
        // A repeated token costing more than half the floor (no cache).
        let uncached = summary(loads(60.0, 100.0, 1), loads(200.0, 200.0, 1));
        assert_eq!(uncached["fastapi"]["targets_met"], false);
        // A second JWKS fetch in a run; the peer's fetches are shown, not judged.
        let refetching = summary(loads(10.0, 100.0, 2), loads(200.0, 200.0, 1));
        assert_eq!(refetching["fastapi"]["targets_met"], false);
        let peer_refetching = summary(loads(10.0, 100.0, 1), loads(200.0, 200.0, 3));
        assert_eq!(peer_refetching["fastapi"]["targets_met"], true);
        assert_eq!(peer_refetching["fastapi"]["peer"]["jwks_fetches"], 3);
    }

    #[test]
    fn the_ratio_to_the_peer_is_taken_within_each_run() {
        // The machine is twice as slow in the second run, for both servers alike: the ratio holds.
        let fast = Run {
            ours: loads(10.0, 100.0, 1),
            peer: loads(200.0, 200.0, 1),
            twin: loads(200.0, 220.0, 1),
            floor_us: 100.0,
        };
        let slow = Run {
            ours: Loads {
                health: load(1e6 / 200.0),
                one: load(1e6 / 220.0),
                distinct: load(1e6 / 400.0),
                jwks_fetches: 1,
            },
            peer: Loads {
                health: load(1e6 / 200.0),
                one: load(1e6 / 600.0),
                distinct: load(1e6 / 600.0),
                jwks_fetches: 1,
            },
            twin: Loads {
                health: load(1e6 / 200.0),
                one: load(1e6 / 600.0),
                distinct: load(1e6 / 640.0),
                jwks_fetches: 1,
            },
            floor_us: 200.0,
        };
        assert!((fast.distinct_vs_peer() - 0.5).abs() < 1e-9);
        assert!((slow.distinct_vs_peer() - 0.5).abs() < 1e-9);
        assert!((fast.distinct_twin_vs_peer() - 1.1).abs() < 1e-9);
        assert!((slow.distinct_twin_vs_peer() - 1.1).abs() < 1e-9);
        let value = summarize(&[fast, slow, fast], &DESCRIBED);
        assert!(close(&value["distinct_vs_peer"], 0.5), "{value}");
        assert_eq!(value["stats"]["distinct_vs_peer"]["max"], 0.5);
    }

    #[test]
    fn the_tables_show_both_servers_and_the_targets() {
        let value = summary(loads(10.0, 220.0, 1), loads(200.0, 200.0, 1));
        let text = tables(&value);
        assert!(
            text.contains("target ≤ 0.5") && text.contains("target ≤ 1.05"),
            "{text}"
        );
        assert!(
            !text.contains("1.5 ×"),
            "the old distinct target is gone: {text}"
        );
        assert!(text.contains("| fastapi | 10.0 (10.0–10.0) |"), "{text}");
        assert!(text.contains("| 220.0 (220.0–220.0) | 200.0 (200.0–200.0) | 1.10 (1.10–1.10) | 1.04 (1.04–1.04) | 1 / 1 | **not met** |"), "{text}");
        assert!(
            text.contains("| fastapi peer | 0.33 (0.33–0.33) | 200.0 (200.0–200.0) |"),
            "{text}"
        );
        assert!(text.contains("- **fastapi peer** (bench/peers/fastapi, started as python main.py): FastAPI + PyJWT."), "{text}");
        assert!(
            text.contains("| fastapi (ours) | 10000 (10000–10000) |"),
            "{text}"
        );
    }

    #[test]
    fn results_from_before_the_peers_still_show() {
        let old = json!({"axum": {"added_us": 1.2, "stats": {"added_us": {"min": 1.0, "median": 1.2, "max": 1.6, "runs": 3}}, "jwks_fetches": 1, "targets_met": true}});
        let text = tables(&old);
        assert!(text.contains("| axum | 1.2 (1.0–1.6) | – |"), "{text}");
        assert!(text.contains("| axum peer | – |"), "{text}");
        assert!(text.contains("| – | 1 / – | met |"), "{text}");
    }
}
