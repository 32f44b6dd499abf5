//! The floor: what one Ed25519 signature verification costs in each backend's own crypto library, on the
//! server's core, measured in the same run as the loads. Each figure is the median of 7 batches.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, ensure};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};

pub const FLOOR_PY: &str = include_str!("../../auth/floor.py");
pub const FLOOR_MJS: &str = include_str!("../../auth/floor.mjs");

/// Verifications per batch: a batch takes a few hundred milliseconds at most.
const ITERATIONS: usize = 1000;

/// Runs a floor script (`python floor.py` / `node floor.mjs`, given as `command`) and reads its µs.
pub fn script(mut command: Command, x: &str, token: &str) -> anyhow::Result<f64> {
    let output = command
        .args([x, token, &ITERATIONS.to_string()])
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "{command:?} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let micros: f64 = stdout
        .trim()
        .parse()
        .with_context(|| format!("{command:?} printed `{stdout}`, not microseconds"))?;
    ensure!(micros > 0.0, "{command:?} measured {micros} µs");
    Ok(micros)
}

/// The axum backend's floor: ed25519-dalek's `verify`, which jsonwebtoken's rust_crypto backend calls,
/// in this (release) binary, on a thread pinned to `core`.
pub fn ed25519_dalek(core: usize, x: &str, token: &str) -> anyhow::Result<f64> {
    let key: [u8; 32] = URL_SAFE_NO_PAD
        .decode(x)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("the public key is not 32 bytes"))?;
    let key = VerifyingKey::from_bytes(&key)?;
    let (input, signature) = token.rsplit_once('.').context("not a JWT")?;
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature)?)?;
    std::thread::scope(|scope| {
        scope
            .spawn(|| -> anyhow::Result<f64> {
                pin_current_thread(core)?;
                key.verify(input.as_bytes(), &signature)?;
                let mut batches = Vec::new();
                for _ in 0..7 {
                    let started = std::time::Instant::now();
                    for _ in 0..ITERATIONS {
                        black_box(black_box(&key).verify(black_box(input.as_bytes()), &signature))
                            .expect("verified once already");
                    }
                    batches.push(started.elapsed().as_secs_f64() * 1e6 / ITERATIONS as f64);
                }
                Ok(crate::stats::Stats::of(&batches).median)
            })
            .join()
            .expect("the floor thread does not panic")
    })
}

/// `taskset -c <core>` for the calling thread only.
fn pin_current_thread(core: usize) -> anyhow::Result<()> {
    // SAFETY: cpu_set_t is plain data (all zeroes is the empty set) and the pointer is valid for the call.
    let result = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    ensure!(
        result == 0,
        "cannot pin to core {core}: {}",
        std::io::Error::last_os_error()
    );
    Ok(())
}

/// Writes the floor scripts into `dir` (they travel inside the bench binary).
pub fn write_scripts(dir: &Path) -> anyhow::Result<()> {
    std::fs::write(dir.join("floor.py"), FLOOR_PY)?;
    std::fs::write(dir.join("floor.mjs"), FLOOR_MJS)?;
    Ok(())
}
