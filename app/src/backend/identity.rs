//! Verified customers. The host site's backend signs a short-lived token for the customer
//! it has signed in (a JWT, HS256, with the deployment's identity secret) and its page hands
//! it to the chat widget (`Baton.identify(token)`). Baton checks the signature, the algorithm
//! and the expiry (`exp` is required and at most an hour ahead) before anything about the
//! customer is believed; a token that fails any check is refused and changes nothing.
//!
//! Claims read: `sub` (the customer's id in the host's accounts, required), `name` and
//! `email` (optional, checked like the names and addresses Baton stores), `exp` (required).

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::domain::{DisplayName, Email, Timestamp, VerifiedCustomer};
use crate::error::ApiError;

/// The longest lifetime a token may claim: `exp` at most this far ahead of now.
pub const MAX_LIFETIME_SECS: i64 = 3_600;
/// Clock difference tolerated between the host's servers and Baton's.
const LEEWAY_SECS: i64 = 60;
/// The shortest identity secret Baton accepts (HS256 wants at least 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;
/// The longest token read; anything longer is refused unread.
pub const MAX_TOKEN_BYTES: usize = 4_096;
/// The longest customer id (`sub`).
const MAX_ID_CHARS: usize = 200;

/// The deployment's identity secret, ready to check tokens with.
pub struct IdentityKey {
    key: DecodingKey,
}

/// A verified customer: who the token says, and the name to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub customer: VerifiedCustomer,
    pub name: Option<DisplayName>,
}

/// Why a token was refused; the message is what the host page's console shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("it is not a signed JWT (three base64url parts)")]
    Malformed,
    #[error("it is not signed with HS256")]
    WrongAlgorithm,
    #[error("its signature does not match this deployment's identity secret")]
    BadSignature,
    #[error("it has no `{0}` claim")]
    MissingClaim(&'static str),
    #[error("it expired")]
    Expired,
    #[error("its `exp` is more than an hour ahead: sign short-lived tokens")]
    TooLong,
    #[error("its `{0}` claim is not valid")]
    BadClaim(&'static str),
    #[error("this Baton has no identity secret configured")]
    NotConfigured,
}

impl From<IdentityError> for ApiError {
    fn from(err: IdentityError) -> Self {
        ApiError::unauthorized(format!("The identity token was refused: {err}"))
    }
}

/// The claims Baton reads; the rest are ignored.
#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

impl IdentityKey {
    /// The key of `secret`, or why it is too weak.
    pub fn new(secret: &[u8]) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the identity secret must be at least {MIN_SECRET_BYTES} bytes (it is {})",
                secret.len()
            ));
        }
        Ok(Self {
            key: DecodingKey::from_secret(secret),
        })
    }

    /// Checks `token` at `now` and returns the customer it vouches for.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Identity, IdentityError> {
        if token.len() > MAX_TOKEN_BYTES || token.split('.').count() != 3 {
            return Err(IdentityError::Malformed);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        // Expiry is checked below against Baton's clock, with the lifetime cap.
        validation.validate_exp = false;
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &validation)
            .map_err(|err| match err.kind() {
                ErrorKind::InvalidSignature => IdentityError::BadSignature,
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    IdentityError::WrongAlgorithm
                }
                ErrorKind::MissingRequiredClaim(claim) if claim == "exp" => {
                    IdentityError::MissingClaim("exp")
                }
                ErrorKind::MissingRequiredClaim(_) => IdentityError::MissingClaim("sub"),
                ErrorKind::Json(json) if json.to_string().contains("`exp`") => {
                    IdentityError::MissingClaim("exp")
                }
                ErrorKind::Json(json) if json.to_string().contains("`sub`") => {
                    IdentityError::MissingClaim("sub")
                }
                _ => IdentityError::Malformed,
            })?
            .claims;
        let now_secs = now.0.div_euclid(1_000);
        if claims.exp <= now_secs - LEEWAY_SECS {
            return Err(IdentityError::Expired);
        }
        if claims.exp > now_secs + MAX_LIFETIME_SECS + LEEWAY_SECS {
            return Err(IdentityError::TooLong);
        }
        let id = claims.sub.trim();
        if id.is_empty() || id.chars().count() > MAX_ID_CHARS || id.chars().any(char::is_control) {
            return Err(IdentityError::BadClaim("sub"));
        }
        let name = claims
            .name
            .filter(|name| !name.trim().is_empty())
            .map(|name| DisplayName::parse(&name).map_err(|_| IdentityError::BadClaim("name")))
            .transpose()?;
        let email = claims
            .email
            .filter(|email| !email.trim().is_empty())
            .map(|email| Email::parse(&email).map_err(|_| IdentityError::BadClaim("email")))
            .transpose()?;
        Ok(Identity {
            customer: VerifiedCustomer {
                id: id.to_owned(),
                email: email.map(|email| email.as_str().to_owned()),
            },
            name,
        })
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::{json, Value};

    use super::*;

    const SECRET: &[u8] = b"a-deployment-secret-of-32-bytes!";
    const NOW_SECS: i64 = 1_800_000_000;

    fn now() -> Timestamp {
        Timestamp(NOW_SECS * 1_000)
    }

    fn signed(claims: Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap()
    }

    fn verify(token: &str) -> Result<Identity, IdentityError> {
        IdentityKey::new(SECRET).unwrap().verify(token, now())
    }

    #[test]
    fn a_good_token_vouches_for_its_customer() {
        let token = signed(json!({
            "sub": "cust-42", "exp": NOW_SECS + 600, "name": "Sari Wulandari",
            "email": "Sari@Example.com", "iat": NOW_SECS, "aud": "anything"
        }));
        let identity = verify(&token).unwrap();
        assert_eq!(identity.customer.id, "cust-42");
        assert_eq!(identity.customer.email.as_deref(), Some("sari@example.com"));
        assert_eq!(identity.name.unwrap().as_str(), "Sari Wulandari");
        let bare = verify(&signed(json!({"sub": "7", "exp": NOW_SECS + 60}))).unwrap();
        assert_eq!((bare.customer.email, bare.name), (None, None));
    }

    #[test]
    fn an_expired_token_or_one_living_over_an_hour_is_refused() {
        let expired = signed(json!({"sub": "42", "exp": NOW_SECS - 120}));
        assert_eq!(verify(&expired), Err(IdentityError::Expired));
        let too_long = signed(json!({"sub": "42", "exp": NOW_SECS + 2 * 3_600}));
        assert_eq!(verify(&too_long), Err(IdentityError::TooLong));
        let no_exp = signed(json!({"sub": "42"}));
        assert_eq!(verify(&no_exp), Err(IdentityError::MissingClaim("exp")));
        let no_sub = signed(json!({"exp": NOW_SECS + 60}));
        assert_eq!(verify(&no_sub), Err(IdentityError::MissingClaim("sub")));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let forged = encode(
            &Header::new(Algorithm::HS256),
            &json!({"sub": "42", "exp": NOW_SECS + 60}),
            &EncodingKey::from_secret(b"somebody-else's-secret-32-bytes!"),
        )
        .unwrap();
        assert_eq!(verify(&forged), Err(IdentityError::BadSignature));
        // The payload of a good token changed after signing.
        let good = signed(json!({"sub": "42", "exp": NOW_SECS + 60}));
        let parts: Vec<&str> = good.split('.').collect();
        let payload = URL_SAFE_NO_PAD.encode(json!({"sub": "1", "exp": NOW_SECS + 60}).to_string());
        let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
        assert_eq!(verify(&tampered), Err(IdentityError::BadSignature));
    }

    #[test]
    fn an_unsigned_token_or_another_algorithm_is_refused() {
        let part = |value: Value| URL_SAFE_NO_PAD.encode(value.to_string());
        let claims = part(json!({"sub": "42", "exp": NOW_SECS + 60}));
        let none = format!("{}.{claims}.", part(json!({"alg": "none", "typ": "JWT"})));
        assert!(verify(&none).is_err());
        let hs512 = encode(
            &Header::new(Algorithm::HS512),
            &json!({"sub": "42", "exp": NOW_SECS + 60}),
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert_eq!(verify(&hs512), Err(IdentityError::WrongAlgorithm));
    }

    #[test]
    fn malformed_tokens_and_claims_are_refused() {
        for token in ["", "abc", "a.b", "a.b.c", &"x.".repeat(3_000)] {
            assert_eq!(verify(token), Err(IdentityError::Malformed), "{token}");
        }
        let bad_email = signed(json!({"sub": "42", "exp": NOW_SECS + 60, "email": "nope"}));
        assert_eq!(verify(&bad_email), Err(IdentityError::BadClaim("email")));
        let bad_name = signed(json!({"sub": "42", "exp": NOW_SECS + 60, "name": "x".repeat(61)}));
        assert_eq!(verify(&bad_name), Err(IdentityError::BadClaim("name")));
        let blank_id = signed(json!({"sub": " ", "exp": NOW_SECS + 60}));
        assert_eq!(verify(&blank_id), Err(IdentityError::BadClaim("sub")));
        let string_exp = signed(json!({"sub": "42", "exp": "soon"}));
        assert!(verify(&string_exp).is_err());
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(IdentityKey::new(b"too short").is_err());
        assert!(IdentityKey::new(SECRET).is_ok());
    }
}
