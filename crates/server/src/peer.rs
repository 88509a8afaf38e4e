//! Who is at the other end of a request: the client's address, which wrong passwords are counted
//! against. Behind a reverse proxy every connection comes from the proxy, so the address is taken from
//! `X-Forwarded-For` when, and only when, the connection comes from a configured proxy
//! (`HISTO_TRUSTED_PROXIES`); anyone else could write any address there.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::HttpRequest;

/// The client's address: the connection's, or the last address before the trusted proxies in
/// `X-Forwarded-For`.
pub fn client_address(request: &HttpRequest, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = request
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |peer| peer.ip());
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    // Each proxy appends the address it saw: read from the right, past our own proxies.
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(address) if trusted_proxies.contains(&address) => continue,
            Ok(address) => return address,
            // Garbage written by the client itself: the last proxy's view is what is known.
            Err(_) => break,
        }
    }
    peer
}

/// Reads `HISTO_TRUSTED_PROXIES`: comma-separated IP addresses.
pub fn parse_proxies(text: &str) -> Result<Vec<IpAddr>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(|address| {
            address
                .parse()
                .map_err(|_| format!("'{address}' is not an IP address"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn address(peer: &str, forwarded: Option<&str>, trusted: &str) -> String {
        let mut request = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(forwarded) = forwarded {
            request = request.insert_header(("x-forwarded-for", forwarded));
        }
        client_address(&request.to_http_request(), &parse_proxies(trusted).unwrap()).to_string()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        assert_eq!(
            address("203.0.113.7:5000", Some("1.2.3.4"), ""),
            "203.0.113.7"
        );
        assert_eq!(
            address("10.0.0.1:5000", Some("1.2.3.4, 198.51.100.2"), "10.0.0.1"),
            "198.51.100.2"
        );
        assert_eq!(
            address(
                "10.0.0.1:5000",
                Some("1.2.3.4, 198.51.100.2, 10.0.0.2"),
                "10.0.0.1, 10.0.0.2"
            ),
            "198.51.100.2"
        );
        assert_eq!(address("10.0.0.1:5000", None, "10.0.0.1"), "10.0.0.1");
        assert_eq!(
            address("10.0.0.1:5000", Some("junk"), "10.0.0.1"),
            "10.0.0.1"
        );
        assert!(parse_proxies("10.0.0.1, nope").is_err());
    }
}
