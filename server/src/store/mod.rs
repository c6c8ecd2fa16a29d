//! Storage backends behind the [`app::backend::Store`] port.

/// SQLite: the embedded default.
pub mod sqlite;
