//! Sign-in throttling per username and per client address (GCRA via `governor`), so password
//! guessing is slow whether it targets one account or sprays many from one address.

use std::net::IpAddr;

use ipnet::Ipv6Net;

use crate::rate::{RateLimit, RetryAfter};

/// The IPv6 prefix one client controls: a home or a host is handed a whole /64 (RFC 6177,
/// SLAAC) and may use any address in it, so keying by address would give it 2^64 keys.
pub const IPV6_CLIENT_PREFIX: u8 = 64;

/// The key an address is throttled under: an IPv4 address as it is, an IPv6 address as its
/// /64 ([`IPV6_CLIENT_PREFIX`]); an IPv4-mapped IPv6 address (a dual-stack listener) as its IPv4.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => Ipv6Net::new(v6, IPV6_CLIENT_PREFIX)
            .expect("a valid IPv6 prefix length")
            .network()
            .into(),
        v4 => v4,
    }
}

pub struct LoginThrottle {
    by_user: RateLimit<String>,
    by_ip: RateLimit<IpAddr>,
}

impl LoginThrottle {
    pub fn new(per_user_per_minute: u32, per_ip_per_minute: u32) -> Self {
        Self {
            by_user: RateLimit::per_minute(per_user_per_minute),
            by_ip: RateLimit::per_minute(per_ip_per_minute),
        }
    }

    /// Counts one attempt (from `ip`'s [`address_key`]), the address first.
    pub fn check(&self, username_key: &str, ip: IpAddr) -> Result<(), RetryAfter> {
        self.by_ip.check(&address_key(ip))?;
        self.by_user.check(&username_key.to_owned())
    }

    /// Forgets keys whose limits have fully replenished; run periodically to bound memory.
    pub fn prune(&self) {
        self.by_user.prune();
        self.by_ip.prune();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_is_keyed_by_its_64_and_ipv4_by_the_address() {
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(address_key(ip("198.51.100.7")), ip("198.51.100.7"));
        assert_ne!(
            address_key(ip("198.51.100.7")),
            address_key(ip("198.51.100.8"))
        );
        // Not one /64 for every IPv4 client of a dual-stack listener.
        assert_eq!(address_key(ip("::ffff:198.51.100.7")), ip("198.51.100.7"));
    }

    #[test]
    fn addresses_in_one_ipv6_64_share_a_limit() {
        let throttle = LoginThrottle::new(100, 2);
        assert!(throttle.check("a", ip("2001:db8::1")).is_ok());
        assert!(throttle.check("b", ip("2001:db8::2")).is_ok());
        assert!(throttle.check("c", ip("2001:db8::3")).is_err());
        assert!(throttle.check("d", ip("2001:db8:0:1::1")).is_ok());
    }

    #[test]
    fn limits_each_username_and_each_address() {
        let throttle = LoginThrottle::new(2, 3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(throttle.check("alice", a).is_ok());
        assert!(throttle.check("alice", b).is_ok());
        let RetryAfter(retry) = throttle.check("alice", b).unwrap_err();
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
