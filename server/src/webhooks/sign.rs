//! Signatures per the Standard Webhooks specification: `v1,` and the base64 HMAC-SHA256 of
//! `{webhook-id}.{webhook-timestamp}.{body}` under the endpoint's key (the bytes the base64
//! after `whsec_` stands for). During a rotation both keys sign, space-separated.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One `v1,…` signature of `body` sent as message `id` at `timestamp` (Unix seconds).
pub fn signature(key_base64: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(key_base64).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: the current key's signature, then the previous key's
/// while it still signs.
pub fn header(keys: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .filter_map(|key| signature(key, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks reference libraries.
    #[test]
    fn signs_like_the_specifications_reference_example() {
        let key = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(key, id, 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn two_keys_give_two_signatures_and_a_bad_key_none() {
        let header = header(
            &["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "not base64!"],
            "m",
            1,
            b"{}",
        );
        assert_eq!(header.split(' ').count(), 1);
        let both = super::header(&["YWFh", "YmJi"], "m", 1, b"{}");
        assert_eq!(both.split(' ').count(), 2);
    }
}
