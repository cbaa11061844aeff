//! The client's address: the TCP peer, or, when the peer is one of `TRUSTED_PROXIES`, the address
//! that proxy says it forwarded for. Forwarding headers from anyone else are ignored: a client
//! can write any `X-Forwarded-For` it likes, and believing it would let it escape every
//! per-address limit (or lock someone else out).

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// The reverse proxies whose forwarding headers we believe (empty: none, the peer is the client).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(ranges: Vec<IpNet>) -> Self {
        Self(ranges)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(&ip))
    }

    /// The client behind a connection from `peer`: the right-most `X-Forwarded-For` address that
    /// is not itself a trusted proxy, else `X-Real-IP`, but only when `peer` is trusted.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<String> = headers
            .get_all(&X_FORWARDED_FOR)
            .iter()
            .flat_map(|line| {
                String::from_utf8_lossy(line.as_bytes())
                    .split(',')
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        if !hops.is_empty() {
            return self.nearest_untrusted(peer, &hops);
        }
        headers
            .get(&X_REAL_IP)
            .and_then(|value| parse_addr(&String::from_utf8_lossy(value.as_bytes())))
            .unwrap_or(peer)
    }

    /// Walks the chain from the nearest hop: each trusted proxy appended the address it saw, so
    /// the first address that is not a trusted proxy is the client; whatever lies left of it was
    /// written by the client and proves nothing.
    fn nearest_untrusted(&self, peer: IpAddr, hops: &[String]) -> IpAddr {
        let mut nearest = peer;
        for hop in hops.iter().rev() {
            match parse_addr(hop) {
                Some(ip) if self.trusts(ip) => nearest = ip,
                Some(ip) => return ip,
                // Not an address (a misconfigured proxy): the last hop we can vouch for.
                None => return nearest,
            }
        }
        nearest
    }
}

/// `192.0.2.1`, `2001:db8::1`, or either with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`);
/// IPv4-mapped IPv6 counts as the IPv4 address.
fn parse_addr(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .or_else(|_| text.parse::<SocketAddr>().map(|addr| addr.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(ranges: &[&str]) -> TrustedProxies {
        TrustedProxies::new(ranges.iter().map(|range| range.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-real-ip", "203.0.113.8"),
        ]);
        assert_eq!(
            proxies(&[]).client_ip(ip("198.51.100.7"), &forged),
            ip("198.51.100.7")
        );
        assert_eq!(
            proxies(&["10.0.0.0/8"]).client_ip(ip("198.51.100.7"), &forged),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_right_most_untrusted_hop() {
        let trusted = proxies(&["127.0.0.1/32", "10.0.0.0/8"]);
        let peer = ip("127.0.0.1");
        // The client wrote the first entry itself; nginx appended the address it saw.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7")]);
        assert_eq!(trusted.client_ip(peer, &chain), ip("198.51.100.7"));
        // Through two proxies, over two header lines, the inner proxy is skipped.
        let chain = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "2001:db8::5, 10.1.2.3"),
        ]);
        assert_eq!(trusted.client_ip(peer, &chain), ip("2001:db8::5"));
        // Only proxies: the farthest one.
        let chain = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.2.3")]);
        assert_eq!(trusted.client_ip(peer, &chain), ip("10.9.9.9"));
    }

    #[test]
    fn garbage_falls_back_to_the_last_trusted_hop_and_x_real_ip_is_second_choice() {
        let trusted = proxies(&["127.0.0.1/32"]);
        let peer = ip("127.0.0.1");
        let chain = headers(&[("x-forwarded-for", "198.51.100.7, unknown")]);
        assert_eq!(trusted.client_ip(peer, &chain), peer);
        let real = headers(&[("x-real-ip", "198.51.100.7")]);
        assert_eq!(trusted.client_ip(peer, &real), ip("198.51.100.7"));
        let ported = headers(&[("x-forwarded-for", "[2001:db8::5]:4711")]);
        assert_eq!(trusted.client_ip(peer, &ported), ip("2001:db8::5"));
        assert_eq!(trusted.client_ip(peer, &HeaderMap::new()), peer);
    }

    #[test]
    fn ipv4_mapped_addresses_are_their_ipv4_address() {
        let trusted = proxies(&["127.0.0.1/32"]);
        let chain = headers(&[("x-forwarded-for", "::ffff:198.51.100.7")]);
        assert_eq!(
            trusted.client_ip(ip("::ffff:127.0.0.1"), &chain),
            ip("198.51.100.7")
        );
    }
}
