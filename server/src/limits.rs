//! Rate limits: one token bucket per (limit, key), refilled continuously.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use app::backend::{Limit, RateLimiter};

/// Buckets kept before idle, full ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Requests per minute allowed for each limit (0: unlimited). A burst of a full minute's
/// worth is allowed, then requests refill at the per-minute rate.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub sign_in_failures_per_account: u32,
    pub sign_in_failures_per_account_and_address: u32,
    pub sign_in_per_address: u32,
    pub handshake_per_address: u32,
    pub start_per_address: u32,
    pub send_per_conversation: u32,
}

impl Rates {
    fn per_minute(&self, limit: Limit) -> u32 {
        match limit {
            Limit::SignInFailuresPerAccount => self.sign_in_failures_per_account,
            Limit::SignInFailuresPerAccountAndAddress => {
                self.sign_in_failures_per_account_and_address
            }
            Limit::SignInPerAddress => self.sign_in_per_address,
            Limit::HandshakePerAddress => self.handshake_per_address,
            Limit::StartPerAddress => self.start_per_address,
            Limit::SendPerConversation => self.send_per_conversation,
        }
    }
}

/// In-memory token buckets. With several nodes each allows its share of every rate (the
/// rate ÷ the nodes serving the database, at least 1 per minute), so together they never
/// allow more than the rate, however the load balancer spreads the requests.
pub struct TokenBuckets {
    rates: Rates,
    buckets: Mutex<HashMap<(Limit, String), Bucket>>,
    nodes: AtomicU32,
}

impl TokenBuckets {
    /// Limits at `rates`.
    pub fn new(rates: Rates) -> Self {
        Self {
            rates,
            buckets: Mutex::new(HashMap::new()),
            nodes: AtomicU32::new(1),
        }
    }

    /// How many nodes share the rates (see [`crate::fanout::heartbeat`]).
    pub fn set_nodes(&self, nodes: u32) {
        self.nodes.store(nodes.max(1), Ordering::Relaxed);
    }

    /// How many nodes share the rates.
    pub fn nodes(&self) -> u32 {
        self.nodes.load(Ordering::Relaxed)
    }

    /// This node's share of `limit` per minute (0: unlimited).
    fn share(&self, limit: Limit) -> u32 {
        match self.rates.per_minute(limit) {
            0 => 0,
            rate => (rate / self.nodes()).max(1),
        }
    }

    /// Counts a request at `now`.
    pub fn check_at(&self, limit: Limit, key: &str, now: Instant) -> Result<(), u64> {
        self.take_at(limit, key, now, true)
    }

    /// Whether a request at `now` would pass, without counting it.
    pub fn peek_at(&self, limit: Limit, key: &str, now: Instant) -> Result<(), u64> {
        self.take_at(limit, key, now, false)
    }

    fn take_at(&self, limit: Limit, key: &str, now: Instant, count: bool) -> Result<(), u64> {
        let per_minute = self.share(limit);
        if per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().expect("rate limit lock poisoned");
        if buckets.len() > SWEEP_AT {
            buckets.retain(|(l, _), b| {
                let cap = f64::from(self.share(*l));
                b.tokens + now.duration_since(b.updated).as_secs_f64() * cap / 60.0 < cap
            });
        }
        let bucket = buckets.entry((limit, key.to_owned())).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            if count {
                bucket.tokens -= 1.0;
            }
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

impl RateLimiter for TokenBuckets {
    fn check(&self, limit: Limit, key: &str) -> Result<(), u64> {
        self.check_at(limit, key, Instant::now())
    }

    fn peek(&self, limit: Limit, key: &str) -> Result<(), u64> {
        self.peek_at(limit, key, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn rates(n: u32) -> Rates {
        Rates {
            sign_in_failures_per_account: n,
            sign_in_failures_per_account_and_address: n,
            sign_in_per_address: n,
            handshake_per_address: n,
            start_per_address: n,
            send_per_conversation: n,
        }
    }

    #[test]
    fn with_two_nodes_each_allows_half_so_together_they_allow_the_rate() {
        let limits = TokenBuckets::new(rates(6));
        limits.set_nodes(2);
        let now = Instant::now();
        let passed = (0..6)
            .filter(|_| {
                limits
                    .check_at(Limit::StartPerAddress, "1.2.3.4", now)
                    .is_ok()
            })
            .count();
        assert_eq!(passed, 3);
        // Never below one a minute, and 0 stays unlimited.
        limits.set_nodes(100);
        assert_eq!(limits.share(Limit::StartPerAddress), 1);
        assert_eq!(TokenBuckets::new(rates(0)).share(Limit::StartPerAddress), 0);
    }

    #[test]
    fn a_burst_up_to_the_rate_passes_and_the_next_waits() {
        let limits = TokenBuckets::new(rates(6));
        let now = Instant::now();
        for _ in 0..6 {
            assert_eq!(
                limits.check_at(Limit::SignInFailuresPerAccount, "ana", now),
                Ok(())
            );
        }
        assert_eq!(
            limits.check_at(Limit::SignInFailuresPerAccount, "ana", now),
            Err(10)
        );
        assert_eq!(
            limits.check_at(Limit::SignInFailuresPerAccount, "budi", now),
            Ok(())
        );
        let later = now + Duration::from_secs(10);
        assert_eq!(
            limits.check_at(Limit::SignInFailuresPerAccount, "ana", later),
            Ok(())
        );
    }

    #[test]
    fn peeking_never_spends_a_token() {
        let limits = TokenBuckets::new(rates(2));
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(limits.peek_at(Limit::SignInPerAddress, "x", now), Ok(()));
        }
        limits.check_at(Limit::SignInPerAddress, "x", now).unwrap();
        limits.check_at(Limit::SignInPerAddress, "x", now).unwrap();
        assert_eq!(limits.peek_at(Limit::SignInPerAddress, "x", now), Err(30));
    }

    #[test]
    fn zero_means_unlimited() {
        let limits = TokenBuckets::new(rates(0));
        let now = Instant::now();
        for _ in 0..1_000 {
            assert_eq!(limits.check_at(Limit::StartPerAddress, "x", now), Ok(()));
        }
    }
}
