//! Schema migrations: the SQL files of `migrations/<backend>/`, embedded at build time and
//! applied in order at start, each in its own transaction.
//!
//! Applied migrations are recorded in `_sqlx_migrations` with the layout and SHA-384
//! checksums of sqlx's migrator, which Baton used before, so databases it created carry on
//! unchanged. Baton does its own bookkeeping to keep sqlx's `migrate` feature out of the
//! build: that feature names every sqlx driver, MySQL's included, and so pulls crates Baton
//! never compiles into `Cargo.lock`. A migration that was changed after it was applied, or
//! one that failed half-way, stops the start with a clear error instead of guessing.

use sha2::{Digest, Sha384};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};

use super::DbError;

/// One migration file.
pub(crate) struct Migration {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($version:literal $file:literal $description:literal),* $(,)?) => {
        &[$(Migration {
            version: $version,
            description: $description,
            sql: include_str!(concat!("../../../migrations/", $dir, "/", $file)),
        }),*]
    };
}

/// SQLite's migrations, in order.
pub(crate) const SQLITE: &[Migration] = migrations!("sqlite":
    1 "0001_init.sql" "init",
    2 "0002_audit.sql" "audit",
    3 "0003_retention.sql" "retention",
    4 "0004_routing.sql" "routing",
    5 "0005_nodes.sql" "nodes",
    6 "0006_webhooks.sql" "webhooks",
    7 "0007_identity.sql" "identity",
    8 "0008_csat.sql" "csat",
    9 "0009_locale.sql" "locale",
    10 "0010_search.sql" "search",
    11 "0011_attachments.sql" "attachments",
    12 "0012_canned_replies.sql" "canned replies",
    13 "0013_contacts.sql" "contacts",
    14 "0014_labels.sql" "labels",
    15 "0015_brief_for_customer.sql" "brief for the customer",
    16 "0016_analytics_facts.sql" "analytics facts",
);

/// PostgreSQL's migrations, in order.
pub(crate) const POSTGRES: &[Migration] = migrations!("postgres":
    1 "0001_init.sql" "init",
    2 "0002_audit.sql" "audit",
    3 "0003_retention.sql" "retention",
    4 "0004_routing.sql" "routing",
    5 "0005_nodes.sql" "nodes",
    6 "0006_webhooks.sql" "webhooks",
    7 "0007_identity.sql" "identity",
    8 "0008_csat.sql" "csat",
    9 "0009_locale.sql" "locale",
    10 "0010_search.sql" "search",
    11 "0011_attachments.sql" "attachments",
    12 "0012_canned_replies.sql" "canned replies",
    13 "0013_contacts.sql" "contacts",
    14 "0014_labels.sql" "labels",
    15 "0015_brief_for_customer.sql" "brief for the customer",
    16 "0016_analytics_facts.sql" "analytics facts",
);

const SQLITE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

const POSTGRES_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// The key of the advisory lock that lets one PostgreSQL node migrate at a time.
const POSTGRES_LOCK: i64 = 0x6261_746f_6e5f_6d67; // "baton_mg"

/// What `_sqlx_migrations` says was applied: (version, checksum, success).
type Applied = Vec<(i64, Vec<u8>, bool)>;

/// The migrations still to apply, after checking that the applied ones are intact.
fn pending<'m>(all: &'m [Migration], applied: &Applied) -> Result<Vec<&'m Migration>, DbError> {
    for (version, checksum, success) in applied {
        if !success {
            return Err(DbError::Config(format!(
                "migration {version} failed part-way earlier: repair the database by hand"
            )));
        }
        if let Some(known) = all.iter().find(|m| m.version == *version) {
            if Sha384::digest(known.sql.as_bytes()).as_slice() != checksum.as_slice() {
                return Err(DbError::Config(format!(
                    "migration {version} ({}) was changed after it was applied",
                    known.description
                )));
            }
        }
    }
    Ok(all
        .iter()
        .filter(|m| !applied.iter().any(|(version, _, _)| *version == m.version))
        .collect())
}

/// Applies every pending migration, each in a transaction with its bookkeeping row.
macro_rules! apply_all {
    ($connection:expr, $table:expr, $all:expr) => {{
        let connection = $connection;
        sqlx::raw_sql($table).execute(&mut *connection).await?;
        let applied: Applied =
            sqlx::query("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut *connection)
                .await?
                .iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
                .collect::<Result<_, sqlx::Error>>()?;
        for migration in pending($all, &applied)? {
            let started = std::time::Instant::now();
            let mut tx = connection.begin().await?;
            sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES ($1, $2, TRUE, $3, $4)",
            )
            .bind(migration.version)
            .bind(migration.description)
            .bind(Sha384::digest(migration.sql.as_bytes()).to_vec())
            .bind(started.elapsed().as_nanos() as i64)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version = migration.version, migration = migration.description, "migrated");
        }
        Ok(())
    }};
}

/// Brings a SQLite database up to date.
pub(crate) async fn sqlite(connection: &mut SqliteConnection) -> Result<(), DbError> {
    apply_all!(connection, SQLITE_TABLE, SQLITE)
}

/// Brings a PostgreSQL database (schema) up to date; one node at a time.
pub(crate) async fn postgres(connection: &mut PgConnection) -> Result<(), DbError> {
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(POSTGRES_LOCK)
        .execute(&mut *connection)
        .await?;
    let result: Result<(), DbError> =
        async { apply_all!(&mut *connection, POSTGRES_TABLE, POSTGRES) }.await;
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(POSTGRES_LOCK)
        .execute(&mut *connection)
        .await?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_versions_in_order() {
        let versions = |all: &[Migration]| all.iter().map(|m| m.version).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
        assert_eq!(
            versions(SQLITE),
            (1..=SQLITE.len() as i64).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_changed_or_half_applied_migration_stops_the_start() {
        let intact = Sha384::digest(SQLITE[0].sql.as_bytes()).to_vec();
        assert_eq!(
            pending(SQLITE, &vec![(1, intact.clone(), true)])
                .unwrap()
                .len(),
            SQLITE.len() - 1
        );
        assert!(pending(SQLITE, &vec![(1, vec![0; 48], true)]).is_err());
        assert!(pending(SQLITE, &vec![(1, intact, false)]).is_err());
    }
}
