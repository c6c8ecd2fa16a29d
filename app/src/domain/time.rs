//! Time as the log records it: milliseconds since the Unix epoch, UTC.

use serde::{Deserialize, Serialize};

/// A point in time: milliseconds since the Unix epoch, UTC.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = i64, format = Int64)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds from `earlier` to `self` (never negative).
    pub fn seconds_since(self, earlier: Timestamp) -> i64 {
        ((self.0 - earlier.0) / 1000).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_since_never_goes_negative() {
        assert_eq!(Timestamp(5_000).seconds_since(Timestamp(2_000)), 3);
        assert_eq!(Timestamp(1_000).seconds_since(Timestamp(2_000)), 0);
    }
}
