//! Where webhooks may go. By default never to loopback, private, link-local (the cloud
//! metadata service at 169.254.169.254 included), carrier-grade NAT, multicast or reserved
//! addresses: the check is made on the addresses a name resolves to when the delivery
//! connects (so a name that later resolves inward is caught), and on addresses written in
//! the URL. Redirects are not followed and no proxy is used.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether an address is one a webhook must not reach unless private targets are allowed.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
                // NAT64 64:ff9b::/96 and IPv4-compatible ::/96 carry an IPv4 address.
                || (v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                    && internal_v4(embedded_v4(v6)))
                || (v6.segments()[..6] == [0; 6] && internal_v4(embedded_v4(v6)))
                || v6.segments()[..2] == [0x2001, 0xdb8] // documentation
        }
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Ipv4Addr {
    let [.., a, b, c, d] = v6.octets();
    Ipv4Addr::new(a, b, c, d)
}

fn internal_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT 100.64.0.0/10
        || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking 198.18.0.0/15
        || a >= 240 // reserved
}

/// Resolves names and keeps only the addresses a webhook may reach.
struct Guarded;

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|addr| !is_internal(addr.ip()))
                .collect();
            if allowed.is_empty() {
                let refused = resolved.first().map(|addr| addr.ip().to_string());
                return Err(format!(
                    "refused: {host} resolves to an internal address ({}); start Baton with \
                     --webhook-allow-private to allow it",
                    refused.unwrap_or_else(|| "none".into())
                )
                .into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client deliveries are sent with: `timeout` per attempt, no redirects, no
/// proxy, and unless `allow_private` the resolver that refuses internal addresses.
pub fn client(allow_private: bool, timeout: Duration) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("Baton-Webhooks/", env!("CARGO_PKG_VERSION")));
    let builder = if allow_private {
        builder
    } else {
        builder.dns_resolver(Arc::new(Guarded))
    };
    builder.build().unwrap_or_else(|err| {
        tracing::error!(%err, "webhook client: using the defaults");
        reqwest::Client::new()
    })
}

/// Why a URL must not be sent to, when its host is an internal address written as such
/// (a name is checked by the resolver when it connects).
pub fn refused_literal(url: &str, allow_private: bool) -> Option<String> {
    if allow_private {
        return None;
    }
    let url = reqwest::Url::parse(url).ok()?;
    let host = url.host_str()?;
    let ip: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    is_internal(ip).then(|| {
        format!(
            "refused: {ip} is an internal address; start Baton with --webhook-allow-private \
             to allow it"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_allowed() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_literal_internal_address_in_the_url_is_refused_unless_allowed() {
        assert!(refused_literal("http://127.0.0.1:9000/in", false).is_some());
        assert!(refused_literal("http://[::1]/in", false).is_some());
        assert!(refused_literal("http://127.0.0.1:9000/in", true).is_none());
        assert!(refused_literal("https://hooks.shop.example/in", false).is_none());
    }
}
