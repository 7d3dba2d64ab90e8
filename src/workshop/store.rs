//! Where workshops are kept: an append-only journal per workshop, in SQLite (the
//! embedded default: one file, WAL) or PostgreSQL (for several server processes
//! behind a load balancer). A workshop is its row (setup, scenario text, signing
//! secret) and its journal; the state is rebuilt by replaying the journal through
//! [`super::session::Workshop`].
//!
//! Exactly-once: an entry is stored under `(workshop, seq)` as the primary key, so of
//! two processes appending the same `seq` (two facilitators' clicks, two servers'
//! deadline timers) exactly one succeeds; the other gets [`StoreError::Conflict`],
//! catches up from the journal, and checks its command again against the new state.
//! Migrations run when a store opens (`schema_version` table).

use super::session::{Entry, Setup};
use std::path::Path;
use std::sync::Mutex;

/// What a store keeps about a workshop besides its journal.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredWorkshop {
    pub setup: Setup,
    pub scenario_text: String,
    /// The ed25519 secret (hex); never leaves the server.
    pub secret_key: String,
    pub created_ms: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer stored this `seq` first.
    #[error("journal entry {0} was already written by another request")]
    Conflict(u64),
    #[error("the database: {0}")]
    Db(String),
}

/// A workshop database.
pub trait Store: Send + Sync {
    /// Stores a new workshop (no journal entries yet).
    fn create(&self, w: &StoredWorkshop) -> Result<(), StoreError>;
    /// Every workshop's id, oldest first.
    fn ids(&self) -> Result<Vec<String>, StoreError>;
    fn load(&self, id: &str) -> Result<Option<StoredWorkshop>, StoreError>;
    /// The journal entries after `after_seq`, in order.
    fn entries(&self, id: &str, after_seq: u64) -> Result<Vec<Entry>, StoreError>;
    /// Appends one entry; [`StoreError::Conflict`] when its `seq` is taken.
    fn append(&self, id: &str, entry: &Entry) -> Result<(), StoreError>;
}

/// Opens the store a `--db` argument names: `postgres://…` or a SQLite file path.
pub fn open(db: &str) -> Result<Box<dyn Store>, StoreError> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        postgres_store(db)
    } else {
        Ok(Box::new(SqliteStore::open(Path::new(db))?))
    }
}

#[cfg(feature = "postgres")]
fn postgres_store(url: &str) -> Result<Box<dyn Store>, StoreError> {
    Ok(Box::new(super::pg_store::PgStore::open(url)?))
}

#[cfg(not(feature = "postgres"))]
fn postgres_store(_url: &str) -> Result<Box<dyn Store>, StoreError> {
    // Not the URL itself: it may hold a password.
    Err(StoreError::Db(
        "a postgres:// database needs a build with the `postgres` feature (on by default); \
         use a SQLite file path instead"
            .into(),
    ))
}

fn db_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(e.to_string())
}

/// The schema, one migration per version.
const SQLITE_MIGRATIONS: [&str; 1] = ["CREATE TABLE workshop (
        id TEXT PRIMARY KEY,
        setup TEXT NOT NULL,
        scenario_text TEXT NOT NULL,
        secret_key TEXT NOT NULL,
        created_ms INTEGER NOT NULL
    );
    CREATE TABLE journal (
        workshop TEXT NOT NULL REFERENCES workshop(id),
        seq INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        command TEXT NOT NULL,
        PRIMARY KEY (workshop, seq)
    );"];

/// SQLite in WAL mode. `synchronous = NORMAL` with WAL keeps every committed entry
/// through a crash of the server process (the WAL is written before the commit
/// returns); only a power cut can lose the last commits.
pub struct SqliteStore {
    conn: Mutex<rusqlite::Connection>,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = rusqlite::Connection::open(path).map_err(|e| StoreError::Db(format!("{}: {e}", path.display())))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
        )
        .map_err(db_err)?;
        let version: i64 = conn
            .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0))
            .map_err(db_err)?;
        for (i, sql) in SQLITE_MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.unchecked_transaction().map_err(db_err)?;
            tx.execute_batch(sql).map_err(db_err)?;
            tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [i as i64 + 1])
                .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
        }
        Ok(SqliteStore { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, rusqlite::Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Db("the database connection was poisoned".into()))
    }
}

impl Store for SqliteStore {
    fn create(&self, w: &StoredWorkshop) -> Result<(), StoreError> {
        let setup = serde_json::to_string(&w.setup).map_err(db_err)?;
        self.conn()?
            .execute(
                "INSERT INTO workshop (id, setup, scenario_text, secret_key, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![w.setup.id, setup, w.scenario_text, w.secret_key, w.created_ms as i64],
            )
            .map_err(db_err)?;
        Ok(())
    }

    fn ids(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare("SELECT id FROM workshop ORDER BY created_ms, id")
            .map_err(db_err)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db_err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
    }

    fn load(&self, id: &str) -> Result<Option<StoredWorkshop>, StoreError> {
        let conn = self.conn()?;
        let row = conn.query_row(
            "SELECT setup, scenario_text, secret_key, created_ms FROM workshop WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        );
        match row {
            Ok((setup, scenario_text, secret_key, created_ms)) => Ok(Some(StoredWorkshop {
                setup: serde_json::from_str(&setup).map_err(db_err)?,
                scenario_text,
                secret_key,
                created_ms: created_ms as u64,
            })),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(db_err(e)),
        }
    }

    fn entries(&self, id: &str, after_seq: u64) -> Result<Vec<Entry>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare("SELECT seq, at_ms, command FROM journal WHERE workshop = ?1 AND seq > ?2 ORDER BY seq")
            .map_err(db_err)?;
        let rows = stmt
            .query_map(rusqlite::params![id, after_seq as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at_ms, command) = row.map_err(db_err)?;
            out.push(Entry {
                seq: seq as u64,
                at_ms: at_ms as u64,
                command: serde_json::from_str(&command)
                    .map_err(|e| StoreError::Db(format!("journal entry {seq}: {e}")))?,
            });
        }
        Ok(out)
    }

    fn append(&self, id: &str, entry: &Entry) -> Result<(), StoreError> {
        let command = serde_json::to_string(&entry.command).map_err(db_err)?;
        let result = self.conn()?.execute(
            "INSERT INTO journal (workshop, seq, at_ms, command) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, entry.seq as i64, entry.at_ms as i64, command],
        );
        match result {
            Ok(_) => Ok(()),
            // Only the journal's key taken is a conflict (SQLITE_CONSTRAINT_PRIMARYKEY); an
            // unknown workshop (a foreign-key failure) is an error, not a race to retry.
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Err(StoreError::Conflict(entry.seq))
            }
            Err(e) => Err(db_err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::session::Command;

    fn setup(id: &str) -> Setup {
        Setup {
            id: id.into(),
            title: "t".into(),
            scenario_id: "first-phone".into(),
            scenario_hash: "h".into(),
            teams: vec!["A".into(), "B".into()],
            computer_seats: 0,
            seed: 1,
            variant: Default::default(),
            practice_rounds: 0,
            auto_close: false,
            public_key: "p".into(),
            facilitator_token_hash: "f".into(),
            team_token_hashes: vec!["a".into(), "b".into()],
        }
    }

    #[test]
    fn a_journal_keeps_its_entries_and_refuses_a_seq_twice_even_across_connections() {
        let dir = std::env::temp_dir().join(format!("thin-margin-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("w.sqlite");
        let _ = std::fs::remove_file(&path);
        let a = SqliteStore::open(&path).expect("open");
        let w = StoredWorkshop {
            setup: setup("w1"),
            scenario_text: "text".into(),
            secret_key: "s".into(),
            created_ms: 5,
        };
        a.create(&w).expect("create");
        let entry = |seq| Entry {
            seq,
            at_ms: 10 * seq,
            command: Command::Join { team: 1 },
        };
        a.append("w1", &entry(1)).expect("first");
        // A second connection (another server process) loses the race for seq 1.
        let b = SqliteStore::open(&path).expect("reopen: migrations are not run twice");
        assert!(matches!(b.append("w1", &entry(1)), Err(StoreError::Conflict(1))));
        b.append("w1", &entry(2)).expect("second");
        assert_eq!(a.entries("w1", 0).expect("entries"), vec![entry(1), entry(2)]);
        assert_eq!(a.entries("w1", 1).expect("entries"), vec![entry(2)]);
        assert_eq!(b.load("w1").expect("load"), Some(w));
        assert_eq!(b.ids().expect("ids"), ["w1"]);
        assert_eq!(b.load("nope").expect("load"), None);
        // An entry for a workshop that does not exist is an error, not a conflict.
        assert!(matches!(b.append("nope", &entry(1)), Err(StoreError::Db(_))));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[cfg(not(feature = "postgres"))]
    #[test]
    fn a_postgres_url_without_the_feature_says_which_feature_and_hides_the_password() {
        let Err(StoreError::Db(message)) = open("postgres://thin:secret@127.0.0.1/db") else {
            panic!("a postgres URL opened without the postgres feature");
        };
        assert!(message.contains("`postgres` feature"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }
}
