//! Sign-in throttling per username and per client address (GCRA via `governor`), so password
//! guessing is slow whether it targets one account or sprays many from one address.

use std::{net::IpAddr, num::NonZeroU32};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct LoginThrottle {
    by_user: DefaultKeyedRateLimiter<String>,
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
}

impl LoginThrottle {
    pub fn new(per_user_per_minute: u32, per_ip_per_minute: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"));
        Self {
            by_user: RateLimiter::keyed(quota(per_user_per_minute)),
            by_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
        }
    }

    /// Counts one attempt; `Err(seconds)` says how long to wait before the next is allowed.
    pub fn check(&self, username_key: &str, ip: IpAddr) -> Result<(), u64> {
        let clock = governor::clock::DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| {
            not_until.wait_time_from(clock.now()).as_secs().max(1)
        };
        self.by_ip.check_key(&ip).map_err(wait)?;
        self.by_user
            .check_key(&username_key.to_owned())
            .map_err(wait)
    }

    /// Forgets keys whose limits have fully replenished; run periodically to bound memory.
    pub fn prune(&self) {
        self.by_user.retain_recent();
        self.by_ip.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_username_and_each_address() {
        let throttle = LoginThrottle::new(2, 3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(throttle.check("alice", a).is_ok());
        assert!(throttle.check("alice", b).is_ok());
        let retry = throttle.check("alice", b).unwrap_err();
        assert!(retry >= 1);
        // Other users are unaffected until their address runs out of its 3 attempts.
        assert!(throttle.check("bob", b).is_ok());
        assert!(
            throttle.check("bob", b).is_err(),
            "address b spent its 3 attempts"
        );
        assert!(throttle.check("carol", a).is_ok());
        assert!(throttle.check("dave", a).is_ok());
        assert!(
            throttle.check("erin", a).is_err(),
            "address a spent its 3 attempts"
        );
    }
}
