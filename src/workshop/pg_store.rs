//! Workshops kept in PostgreSQL (`--db postgres://user:password@host/db`), for several
//! server processes sharing one database. [`PgStore`] owns one connection to it, the
//! schema (the same tables as [`super::store::SqliteStore`]: `workshop`, `journal` keyed
//! by `(workshop, seq)`, and `schema_version`) and its migrations, which run when the
//! store opens, in one transaction that first takes a transaction-scoped advisory lock:
//! two processes starting at once migrate one after the other, and the second finds
//! nothing left to do.
//!
//! Exactly-once: an entry is one `INSERT` (its own transaction) under the primary key
//! `(workshop, seq)`. PostgreSQL's unique index lets one of two writers of the same `seq`
//! commit; the other, even if it was waiting on the first's uncommitted row, gets a
//! unique violation (SQLSTATE 23505), which [`Store::append`] returns as
//! [`StoreError::Conflict`]; that writer catches up from the journal and checks its
//! command again. When the connection breaks mid-call the store reconnects once and
//! retries; if the retried append then conflicts, the first attempt may have committed
//! before the connection broke, so the stored entry is compared with ours: the same
//! entry is our own write, and the append succeeded exactly once.
//!
//! The `postgres` crate drives a private tokio runtime and panics when called on a
//! thread that is running async tasks, so every call (and the drop) first leaves the
//! caller's runtime (`off_runtime`): the server may call the store from its handlers.
//! TLS is not supported (`NoTls`): the database is expected on a private network.

use super::session::Entry;
use super::store::{Store, StoreError, StoredWorkshop};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The schema, one migration per version (the same tables as SQLite's, with 64-bit
/// integers).
const MIGRATIONS: [&str; 1] = ["CREATE TABLE workshop (
        id TEXT PRIMARY KEY,
        setup TEXT NOT NULL,
        scenario_text TEXT NOT NULL,
        secret_key TEXT NOT NULL,
        created_ms BIGINT NOT NULL
    );
    CREATE TABLE journal (
        workshop TEXT NOT NULL REFERENCES workshop(id),
        seq BIGINT NOT NULL,
        at_ms BIGINT NOT NULL,
        command TEXT NOT NULL,
        PRIMARY KEY (workshop, seq)
    );"];

/// The advisory lock taken while migrating ("thinmarg" in ASCII).
const MIGRATION_LOCK: i64 = 0x7468_696e_6d61_7267;

/// A PostgreSQL workshop database: one connection, used by one call at a time.
pub struct PgStore {
    config: Config,
    /// `None` after a connection broke and reconnecting failed: the next call tries again.
    client: Mutex<Option<Client>>,
    /// `user@host:port/dbname`, for error messages (never the password).
    name: String,
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names and migrates its schema.
    /// Without a `connect_timeout` in the URL, connecting gives up after 10 s.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StoreError::Db(format!("the PostgreSQL URL: {}", describe(&e))))?;
        if config.get_application_name().is_none() {
            config.application_name("thin-margin");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let name = name(&config);
        let store = PgStore {
            config,
            client: Mutex::new(None),
            name,
        };
        store.run(|client, _| migrate(client))?;
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Client>> {
        // A panic while the lock was held may have left the connection mid-conversation:
        // start over with a new one.
        self.client.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = None;
            self.client.clear_poison();
            guard
        })
    }

    fn connect(&self) -> Result<Client, StoreError> {
        self.config
            .connect(NoTls)
            .map_err(|e| StoreError::Db(format!("PostgreSQL {}: {}", self.name, describe(&e))))
    }

    /// Runs `op` on the connection (connecting first if needed), off any async runtime.
    /// If `op` fails because the connection broke, reconnects once and runs it again with
    /// `retry` set.
    fn run<T: Send>(&self, op: impl Fn(&mut Client, bool) -> Result<T, StoreError> + Sync) -> Result<T, StoreError> {
        off_runtime(|| {
            let mut guard = self.lock();
            if guard.as_ref().is_some_and(Client::is_closed) {
                *guard = None;
            }
            let client = match &mut *guard {
                Some(client) => client,
                None => guard.insert(self.connect()?),
            };
            match op(client, false) {
                Err(first) if client.is_closed() => {
                    *guard = None;
                    let client = guard.insert(
                        self.connect()
                            .map_err(|again| StoreError::Db(format!("{first}; reconnecting: {again}")))?,
                    );
                    op(client, true)
                }
                result => result,
            }
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Closing the connection blocks on the client's runtime too.
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        if client.is_some() {
            off_runtime(move || drop(client));
        }
    }
}

impl Store for PgStore {
    fn create(&self, w: &StoredWorkshop) -> Result<(), StoreError> {
        let setup = serde_json::to_string(&w.setup).map_err(|e| StoreError::Db(e.to_string()))?;
        let created_ms = to_i64(w.created_ms)?;
        self.run(|client, retry| {
            let result = client.execute(
                "INSERT INTO workshop (id, setup, scenario_text, secret_key, created_ms) VALUES ($1, $2, $3, $4, $5)",
                &[&w.setup.id, &setup, &w.scenario_text, &w.secret_key, &created_ms],
            );
            match result {
                Ok(_) => Ok(()),
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    // After a broken connection the first attempt may have committed.
                    if retry && load(client, &w.setup.id)?.as_ref() == Some(w) {
                        return Ok(());
                    }
                    Err(StoreError::Db(format!("workshop {} already exists", w.setup.id)))
                }
                Err(e) => Err(pg_err(e)),
            }
        })
    }

    fn ids(&self) -> Result<Vec<String>, StoreError> {
        self.run(|client, _| {
            // Byte order for ties, as in SQLite, whatever the database's collation.
            let rows = client
                .query("SELECT id FROM workshop ORDER BY created_ms, id COLLATE \"C\"", &[])
                .map_err(pg_err)?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    fn load(&self, id: &str) -> Result<Option<StoredWorkshop>, StoreError> {
        self.run(|client, _| load(client, id))
    }

    fn entries(&self, id: &str, after_seq: u64) -> Result<Vec<Entry>, StoreError> {
        let after_seq = to_i64(after_seq)?;
        self.run(|client, _| {
            let rows = client
                .query(
                    "SELECT seq, at_ms, command FROM journal WHERE workshop = $1 AND seq > $2 ORDER BY seq",
                    &[&id, &after_seq],
                )
                .map_err(pg_err)?;
            rows.iter()
                .map(|r| {
                    let (seq, at_ms, command): (i64, i64, String) = (r.get(0), r.get(1), r.get(2));
                    Ok(Entry {
                        seq: seq as u64,
                        at_ms: at_ms as u64,
                        command: serde_json::from_str(&command)
                            .map_err(|e| StoreError::Db(format!("journal entry {seq}: {e}")))?,
                    })
                })
                .collect()
        })
    }

    fn append(&self, id: &str, entry: &Entry) -> Result<(), StoreError> {
        let command = serde_json::to_string(&entry.command).map_err(|e| StoreError::Db(e.to_string()))?;
        let (seq, at_ms) = (to_i64(entry.seq)?, to_i64(entry.at_ms)?);
        self.run(|client, retry| {
            let result = client.execute(
                "INSERT INTO journal (workshop, seq, at_ms, command) VALUES ($1, $2, $3, $4)",
                &[&id, &seq, &at_ms, &command],
            );
            match result {
                Ok(_) => Ok(()),
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    if retry {
                        // The first attempt may have committed before the connection broke.
                        let stored = client
                            .query_opt(
                                "SELECT at_ms, command FROM journal WHERE workshop = $1 AND seq = $2",
                                &[&id, &seq],
                            )
                            .map_err(pg_err)?;
                        if stored.is_some_and(|r| r.get::<_, i64>(0) == at_ms && r.get::<_, String>(1) == command) {
                            return Ok(());
                        }
                    }
                    Err(StoreError::Conflict(entry.seq))
                }
                Err(e) => Err(pg_err(e)),
            }
        })
    }
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(pg_err)?;
    // Held until the commit: a second process opening now waits here, then sees our version.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(pg_err)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .map_err(pg_err)?;
    let version: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
        .map_err(pg_err)?
        .get(0);
    if version as usize > MIGRATIONS.len() {
        return Err(StoreError::Db(format!(
            "the database's schema is version {version}, newer than this build's {}",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).map_err(pg_err)?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(i as i32 + 1)])
            .map_err(pg_err)?;
    }
    tx.commit().map_err(pg_err)
}

fn load(client: &mut Client, id: &str) -> Result<Option<StoredWorkshop>, StoreError> {
    let row = client
        .query_opt(
            "SELECT setup, scenario_text, secret_key, created_ms FROM workshop WHERE id = $1",
            &[&id],
        )
        .map_err(pg_err)?;
    row.map(|r| {
        Ok(StoredWorkshop {
            setup: serde_json::from_str(r.get(0)).map_err(|e| StoreError::Db(format!("workshop {id}: {e}")))?,
            scenario_text: r.get(1),
            secret_key: r.get(2),
            created_ms: r.get::<_, i64>(3) as u64,
        })
    })
    .transpose()
}

/// Runs `f` where the `postgres` client may block on its own runtime: directly on a plain
/// thread; through `block_in_place` on a multi-threaded tokio runtime's worker; on a
/// scoped thread under a current-thread runtime (which cannot give its thread away).
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Err(_) => f(),
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        Ok(_) => std::thread::scope(|s| {
            s.spawn(f)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
    }
}

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Db(format!("{n} does not fit PostgreSQL's BIGINT")))
}

fn pg_err(e: postgres::Error) -> StoreError {
    StoreError::Db(describe(&e))
}

/// The error with its causes: `postgres::Error` alone says only "db error".
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{db} (SQLSTATE {})", db.code().code()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        }
    }
}

/// `user@host:port/dbname` (no password).
fn name(config: &Config) -> String {
    use postgres::config::Host;
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let host = match host {
                Host::Tcp(h) => h.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
        .collect();
    format!(
        "{}@{}/{}",
        config.get_user().unwrap_or("?"),
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}
