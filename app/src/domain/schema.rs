//! The OpenAPI schemas of the types that parse themselves from a string (ids, bounded text):
//! serde sees only a `String`, so their shape is written here, once for each macro.

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// A UUID in its hyphenated form.
pub(super) fn uuid(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("uuid".into())))
        .description(Some(description))
        .into()
}

/// Text of 1 to `max` characters once trimmed, matching `pattern` when given.
pub(super) fn text(max: usize, pattern: Option<&str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(pattern)
        .into()
}
