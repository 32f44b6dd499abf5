//! Tokens that already passed verification, so a repeated token costs a hash lookup instead
//! of a signature check. Keyed by the whole token string: any changed byte is a miss.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use jsonwebtoken::get_current_timestamp;

use super::AuthUser;

pub struct VerifiedTokens {
    capacity: usize,
    entries: Mutex<HashMap<Box<str>, Entry>>,
}

struct Entry {
    user: AuthUser,
    /// The token's `exp`: the entry is worthless from then on.
    expires_at: u64,
}

impl VerifiedTokens {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, token: &str) -> Option<AuthUser> {
        let now = get_current_timestamp();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(token) {
            Some(entry) if entry.expires_at > now => Some(entry.user.clone()),
            Some(_) => {
                entries.remove(token);
                None
            }
            None => None,
        }
    }

    pub fn insert(&self, token: &str, user: AuthUser, expires_at: u64) {
        let now = get_current_timestamp();
        if expires_at <= now || self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.retain(|_, entry| entry.expires_at > now);
        }
        if entries.len() >= self.capacity {
            // Still full of live tokens: forgetting any one only costs it a re-verification.
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        entries.insert(token.into(), Entry { user, expires_at });
    }

    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
