//! Tokens that already passed verification, so a repeated token costs a hash lookup instead
//! of a signature check. Keyed by the whole token string: any changed byte is a miss. Each
//! entry remembers the key set's generation: once a key is withdrawn, older entries are misses.
//!
//! A token is cached from its second verification on ([`SeenTokens`]): a flood of tokens each
//! sent once (a crawler, a burst of sign-ins) then neither evicts the tokens users keep sending
//! nor fills the cache with copies of tokens that never come back.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use jsonwebtoken::get_current_timestamp;

use super::AuthUser;

pub struct VerifiedTokens {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Arc<str>, Entry>,
    /// Tokens in insertion order, with their `exp`. Better Auth gives every token the same
    /// lifetime, so the oldest is the first to expire: making room only looks at the front, O(1)
    /// per insertion however full the cache is. The `exp` beside each token lets the front be
    /// judged without hashing the token again (hashing a ~600-byte token is most of an insertion's
    /// cost). May name tokens `get` already dropped.
    order: VecDeque<(Arc<str>, u64)>,
}

struct Entry {
    user: AuthUser,
    /// The token's `exp`: the entry is never served from then on.
    expires_at: u64,
    /// `KeySet::generation` when the token was verified.
    generation: u64,
}

impl VerifiedTokens {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::default(),
        }
    }

    pub fn get(&self, token: &str, generation: u64) -> Option<AuthUser> {
        let now = get_current_timestamp();
        let mut inner = self.lock();
        match inner.entries.get(token) {
            Some(entry) if entry.expires_at > now && entry.generation == generation => {
                Some(entry.user.clone())
            }
            Some(_) => {
                inner.entries.remove(token);
                None
            }
            None => None,
        }
    }

    pub fn insert(&self, token: &str, user: AuthUser, expires_at: u64, generation: u64) {
        let now = get_current_timestamp();
        if expires_at <= now || self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        let Inner { entries, order } = &mut *inner;
        // Expired tokens at the front go; then, while full, the oldest.
        while let Some((_, oldest_expires_at)) = order.front() {
            if *oldest_expires_at > now && entries.len() < self.capacity {
                break;
            }
            if let Some((oldest, _)) = order.pop_front() {
                entries.remove(&oldest);
            }
        }
        if order.len() >= 2 * self.capacity {
            // Many tokens dropped by `get` are still listed: forget them (once per `capacity`
            // insertions at most, so still O(1) per insertion on average).
            order.retain(|(token, _)| entries.contains_key(token));
        }
        let token: Arc<str> = token.into();
        let entry = Entry {
            user,
            expires_at,
            generation,
        };
        // Already cached (verified twice at once): replaced, and listed once.
        if entries.insert(token.clone(), entry).is_none() {
            order.push_back((token, expires_at));
        }
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Which verified tokens were seen before, without keeping them: a fixed table of hashes of
/// their last bytes (the signature's). Two tokens sharing a slot can only fake or forget a
/// sighting, so at worst a verified token is cached one verification early or verified once
/// more; what [`VerifiedTokens`] serves is still keyed by the whole token.
pub struct SeenTokens {
    hasher: RandomState,
    hashes: Box<[AtomicU64]>,
}

impl SeenTokens {
    pub fn new(slots: usize) -> Self {
        Self {
            hasher: RandomState::new(),
            hashes: (0..slots.max(1)).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Whether `token` was offered since its slot last changed; remembers it either way.
    pub fn seen_before(&self, token: &str) -> bool {
        let signature = &token.as_bytes()[token.len().saturating_sub(64)..];
        let hash = self.hasher.hash_one(signature);
        #[allow(clippy::cast_possible_truncation)] // the remainder is below the slot count
        let slot = &self.hashes[(hash % self.hashes.len() as u64) as usize];
        slot.swap(hash, Ordering::Relaxed) == hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> AuthUser {
        AuthUser {
            id: id.into(),
            email: None,
        }
    }

    #[test]
    fn a_flood_of_new_tokens_keeps_the_newest_within_the_bound() {
        let cache = VerifiedTokens::new(100);
        let exp = get_current_timestamp() + 600;
        for i in 0..10_000 {
            cache.insert(&format!("token-{i}"), user(&i.to_string()), exp, 0);
        }
        assert_eq!(cache.len(), 100);
        assert_eq!(cache.lock().order.len(), 100);
        assert!(cache.get("token-9899", 0).is_none());
        assert_eq!(cache.get("token-9900", 0), Some(user("9900")));
        assert_eq!(cache.get("token-9999", 0), Some(user("9999")));
    }

    #[test]
    fn expired_tokens_at_the_front_go_first() {
        let cache = VerifiedTokens::new(2);
        let now = get_current_timestamp();
        cache.insert("live", user("a"), now + 600, 0);
        {
            let mut inner = cache.lock();
            inner.entries.get_mut("live").unwrap().expires_at = now - 1;
            inner.order[0].1 = now - 1;
        }
        cache.insert("b", user("b"), now + 600, 0);
        cache.insert("c", user("c"), now + 600, 0);
        assert!(cache.get("live", 0).is_none());
        assert_eq!(cache.get("b", 0), Some(user("b")));
        assert_eq!(cache.get("c", 0), Some(user("c")));
        assert_eq!(cache.lock().order.len(), 2);
    }

    #[test]
    fn tokens_dropped_by_get_do_not_pile_up_in_the_order() {
        let cache = VerifiedTokens::new(4);
        let now = get_current_timestamp();
        cache.insert("keep", user("k"), now + 600, 0);
        for i in 0..100 {
            let token = format!("t{i}");
            cache.insert(&token, user("x"), now + 600, 0);
            cache
                .lock()
                .entries
                .get_mut(token.as_str())
                .unwrap()
                .expires_at = now - 1;
            assert!(cache.get(&token, 0).is_none());
        }
        assert!(cache.lock().order.len() <= 8);
        assert_eq!(cache.get("keep", 0), Some(user("k")));
    }

    #[test]
    fn a_withdrawn_key_makes_older_entries_misses() {
        let cache = VerifiedTokens::new(4);
        cache.insert("t", user("a"), get_current_timestamp() + 600, 3);
        assert_eq!(cache.get("t", 3), Some(user("a")));
        assert!(cache.get("t", 4).is_none());
    }

    #[test]
    fn seen_tokens_tell_a_second_sighting_from_a_first_in_a_fixed_table() {
        let seen = SeenTokens::new(64);
        assert!(!seen.seen_before("header.payload.signature-a"));
        assert!(seen.seen_before("header.payload.signature-a"));
        assert!(!seen.seen_before("header.payload.signature-b"));
        for i in 0..10_000 {
            seen.seen_before(&format!("header.payload.{i}"));
        }
        assert!(seen.seen_before("header.payload.9999"));
        assert_eq!(seen.hashes.len(), 64);
    }
}
