//! Folders to remove when `cargo xtask new` is interrupted (Ctrl-C, SIGTERM, a closed terminal): a signal
//! ends the process without running destructors, so the staging folders and temporary copies are listed here while they exist.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

static ON_INTERRUPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// While alive, `path` is removed (with everything in it) if the process is interrupted.
#[must_use = "the path is unregistered when this is dropped"]
pub struct RemoveOnInterrupt(PathBuf);

impl RemoveOnInterrupt {
    pub fn new(path: &Path) -> RemoveOnInterrupt {
        lock().push(path.to_path_buf());
        RemoveOnInterrupt(path.to_path_buf())
    }
}

impl Drop for RemoveOnInterrupt {
    fn drop(&mut self) {
        let mut paths = lock();
        if let Some(index) = paths.iter().rposition(|path| *path == self.0) {
            paths.remove(index);
        }
    }
}

/// The first signal that interrupted the process, 0 before one arrives. Set inside the signal handler itself, so it
/// is already set when a system call of the main thread fails with EINTR because of it.
static INTERRUPTED_BY: AtomicUsize = AtomicUsize::new(0);

/// Handles SIGINT, SIGTERM and SIGHUP (the terminal closed) from now on: remove every registered folder,
/// then exit as the first signal would (128 + its number). Call once, from a binary's command.
pub fn remove_registered_on_interrupt() -> anyhow::Result<()> {
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        // SAFETY: the action only stores to an atomic, which is async-signal-safe.
        unsafe {
            signal_hook::low_level::register(signal, move || {
                // The first one counts: a prompt cut short by SIGTERM raises SIGINT itself (console crate).
                let _ = INTERRUPTED_BY.compare_exchange(
                    0,
                    signal as usize,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
            })?;
        }
    }
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        if let Some(received) = signals.forever().next() {
            let signal = match INTERRUPTED_BY.load(Ordering::SeqCst) {
                0 => received,
                first => first as i32,
            };
            for path in lock().iter().rev() {
                let _ = std::fs::remove_dir_all(path);
            }
            // During setup only the temp folder is registered: the generated project stays.
            eprintln!("\ninterrupted");
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

/// When a signal made the current operation fail: let the signal thread clean up and end the process with
/// the signal's exit code, instead of reporting the failure as an error of its own.
pub fn wait_if_interrupted() {
    if INTERRUPTED_BY.load(Ordering::SeqCst) != 0 {
        loop {
            std::thread::park();
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the lock leaves a valid list: keep using it.
    ON_INTERRUPT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
