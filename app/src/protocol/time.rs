//! Timestamps: epoch milliseconds inside, ISO 8601 UTC on the wire (`2026-11-26T17:00:00.123Z`).

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    fn to_datetime(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).ok()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Millisecond precision, always three digits, `Z` for UTC: what JavaScript's
        // `Date.toISOString()` prints and parses.
        match self.to_datetime() {
            Some(t) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            ),
            None => write!(f, "invalid timestamp {}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let parsed = OffsetDateTime::parse(&text, &Rfc3339).map_err(de::Error::custom)?;
        let millis = parsed.unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis)
            .map(Timestamp)
            .map_err(de::Error::custom)
    }
}

/// The OpenAPI schema is what goes over the wire, a date-time string, not the inner integer.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{schema::Type, KnownFormat, ObjectBuilder, SchemaFormat};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("ISO 8601 UTC with milliseconds."))
            .examples(["2026-11-26T17:00:00.123Z"])
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_iso_8601_utc_with_milliseconds() {
        let t = Timestamp(1_764_176_400_123);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2025-11-26T17:00:00.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }

    #[test]
    fn parses_offsets_and_rejects_garbage() {
        let t: Timestamp = serde_json::from_str("\"2025-11-26T18:00:00.123+01:00\"").unwrap();
        assert_eq!(t, Timestamp(1_764_176_400_123));
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
