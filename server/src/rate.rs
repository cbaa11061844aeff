//! Keyed rate limits (GCRA via `governor`): how often one key (a user, a pair of users, an
//! address) may do something. A quota of `n` per period allows a burst of `n`, then one more
//! each `period / n`.

use std::{hash::Hash, num::NonZeroU32, time::Duration};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Seconds to wait before the next attempt may succeed (at least 1, for `Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

pub struct RateLimit<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> RateLimit<K> {
    /// `n` per `period` (0 counts as 1: a limit cannot forbid everything).
    pub fn new(n: u32, period: Duration) -> Self {
        let n = NonZeroU32::new(n.max(1)).expect("at least one");
        let quota = Quota::with_period(period / n.get())
            .expect("a period of at least a nanosecond per unit")
            .allow_burst(n);
        Self {
            limiter: RateLimiter::keyed(quota),
        }
    }

    pub fn per_minute(n: u32) -> Self {
        Self::new(n, Duration::from_secs(60))
    }

    pub fn per_hour(n: u32) -> Self {
        Self::new(n, Duration::from_secs(3600))
    }

    /// Counts one attempt for `key`.
    pub fn check(&self, key: &K) -> Result<(), RetryAfter> {
        self.limiter.check_key(key).map_err(|not_until| {
            let now = governor::clock::DefaultClock::default().now();
            RetryAfter(not_until.wait_time_from(now).as_secs().max(1))
        })
    }

    /// Forgets keys whose quota has fully replenished; run periodically to bound memory.
    pub fn prune(&self) {
        self.limiter.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_of_n_then_says_how_long_to_wait() {
        let limit = RateLimit::per_minute(3);
        for _ in 0..3 {
            assert_eq!(limit.check(&"alice"), Ok(()));
        }
        let RetryAfter(wait) = limit.check(&"alice").unwrap_err();
        assert!(
            (1..=20).contains(&wait),
            "one more after 60/3 s, got {wait}"
        );
        // Other keys have their own quota.
        assert_eq!(limit.check(&"bob"), Ok(()));
    }

    #[test]
    fn hourly_quotas_replenish_one_unit_per_period_over_n() {
        let limit = RateLimit::per_hour(12);
        for _ in 0..12 {
            limit.check(&1).unwrap();
        }
        let RetryAfter(wait) = limit.check(&1).unwrap_err();
        assert!((1..=300).contains(&wait), "got {wait}");
    }
}
