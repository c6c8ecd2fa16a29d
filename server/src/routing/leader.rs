//! One router at a time: with several nodes on one PostgreSQL, the node holding a session
//! advisory lock runs the timers and the assigner. The lock lives on a connection of its own;
//! if the node dies, PostgreSQL ends the session and frees the lock, and another node takes
//! it on its next tick (within seconds). With SQLite there is one node, and it leads.
//! A double assignment is impossible either way: every change is a conditional write on the
//! conversation's version.

use sqlx::postgres::PgConnection;
use sqlx::{ConnectOptions, Connection};
use tokio::sync::Mutex;

use crate::store::postgres::PgStore;

/// How long connecting for the lock may take before the node tries again next tick.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Whether this node runs the router.
pub enum Leadership {
    /// The only node (SQLite).
    Alone,
    /// Whoever holds the database's routing lock leads.
    Lock {
        store: PgStore,
        held: Mutex<Option<PgConnection>>,
    },
}

impl Leadership {
    /// Leadership through a lock in `store`'s database (and schema).
    pub fn postgres(store: PgStore) -> Self {
        Leadership::Lock {
            store,
            held: Mutex::new(None),
        }
    }

    /// True when this node leads now: it holds the lock (checking its connection is alive),
    /// or has just taken it.
    pub async fn lead(&self) -> bool {
        let Leadership::Lock { store, held } = self else {
            return true;
        };
        let mut held = held.lock().await;
        if let Some(connection) = held.as_mut() {
            let alive = tokio::time::timeout(CONNECT_TIMEOUT, connection.ping()).await;
            if matches!(alive, Ok(Ok(()))) {
                return true;
            }
            tracing::warn!("lost the routing lock's connection");
            *held = None;
        }
        match tokio::time::timeout(CONNECT_TIMEOUT, take(store)).await {
            Ok(Ok(Some(connection))) => {
                tracing::info!("this node now runs the router");
                *held = Some(connection);
                true
            }
            Ok(Ok(None)) => false,
            Ok(Err(err)) => {
                tracing::warn!(%err, "could not try the routing lock");
                false
            }
            Err(_) => false,
        }
    }

    /// Gives the lead up (shutdown): another node takes it at once.
    pub async fn resign(&self) {
        if let Leadership::Lock { held, .. } = self {
            if let Some(connection) = held.lock().await.take() {
                let _ = connection.close().await;
            }
        }
    }
}

/// Connects and tries the lock; the connection when it was taken.
async fn take(store: &PgStore) -> Result<Option<PgConnection>, sqlx::Error> {
    let options = store
        .pool()
        .connect_options()
        .as_ref()
        .clone()
        .application_name(&format!("{}-router", store.connection_name()));
    let mut connection = options.connect().await?;
    let (taken,): (bool,) = sqlx::query_as(
        "SELECT pg_try_advisory_lock(hashtext('baton-router:' || current_schema())::bigint)",
    )
    .fetch_one(&mut connection)
    .await?;
    if taken {
        Ok(Some(connection))
    } else {
        let _ = connection.close().await;
        Ok(None)
    }
}
