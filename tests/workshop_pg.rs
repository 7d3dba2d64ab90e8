//! The PostgreSQL workshop store against a real server: round trips, migrations that
//! two processes may start at once, exactly one writer per journal `seq` (racing threads
//! on separate connections, and a writer waiting on another's uncommitted entry), a
//! reconnect after the connection is killed, and calls from inside tokio runtimes.
//!
//! The server comes from `THIN_MARGIN_TEST_PG` (a `postgres://` URL of a database whose
//! user may create schemas; each test works in a schema of its own and drops it). Without
//! it they say so and skip, so `cargo test` works on a machine without PostgreSQL — unless
//! `THIN_MARGIN_REQUIRE_PG=1`, which `.ci/run` sets after starting a local server, so CI
//! cannot skip them by accident.

#![cfg(feature = "postgres")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use thin_margin::workshop::pg_store::PgStore;
use thin_margin::workshop::session::{Command, Entry, Setup};
use thin_margin::workshop::store::{self, Store, StoreError, StoredWorkshop};

/// The server's URL; `None` (skip, with a note) when there is none and CI did not ask
/// for one.
fn server_url() -> Option<String> {
    match std::env::var("THIN_MARGIN_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("THIN_MARGIN_REQUIRE_PG").as_deref() == Ok("1") => panic!(
            "THIN_MARGIN_REQUIRE_PG=1 but THIN_MARGIN_TEST_PG is not set: the PostgreSQL store tests need a server \
             (e.g. postgres://thin:thin@127.0.0.1/thin_margin_test; `.ci/run` starts one)"
        ),
        _ => {
            eprintln!("THIN_MARGIN_TEST_PG is not set: skipping a PostgreSQL store test (`.ci/run` runs them)");
            None
        }
    }
}

/// A schema of its own for one test, dropped afterwards; `url` points into it.
struct Scratch {
    base: String,
    schema: String,
    url: String,
}

impl Scratch {
    fn new() -> Option<Scratch> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let base = server_url()?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .subsec_nanos();
        let schema = format!(
            "tm_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        admin(&base)
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create a test schema");
        let separator = if base.contains('?') { '&' } else { '?' };
        // The server's search_path for every connection of this URL: `-c search_path=…`.
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}&application_name={schema}");
        Some(Scratch { base, schema, url })
    }

    fn store(&self) -> PgStore {
        PgStore::open(&self.url).expect("open the store")
    }

    /// A plain connection in the test's schema (not named like the store's).
    fn client(&self) -> postgres::Client {
        let mut config: postgres::Config = self.url.parse().expect("URL");
        config.application_name("thin-margin-test");
        config.connect(postgres::NoTls).expect("connect")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Also after a failure, so that failed runs do not pile up schemas; but without a
        // second panic then.
        let dropped = postgres::Client::connect(&self.base, postgres::NoTls)
            .and_then(|mut c| c.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema)));
        if !std::thread::panicking() {
            dropped.expect("drop the test schema");
        }
    }
}

fn admin(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| panic!("connect to THIN_MARGIN_TEST_PG: {e:?}"))
}

fn setup(id: &str) -> Setup {
    Setup {
        id: id.into(),
        title: "t".into(),
        scenario_id: "first-phone".into(),
        scenario_hash: "h".into(),
        teams: vec!["A".into(), "B".into()],
        computer_seats: 1,
        seed: 1,
        variant: Default::default(),
        practice_rounds: 0,
        auto_close: true,
        public_key: "p".into(),
        facilitator_token_hash: "f".into(),
        team_token_hashes: vec!["a".into(), "b".into()],
    }
}

fn workshop(id: &str, created_ms: u64) -> StoredWorkshop {
    StoredWorkshop {
        setup: setup(id),
        scenario_text: format!("scenario text of {id}: ünïcode — and 'quotes'"),
        secret_key: format!("secret of {id}"),
        created_ms,
    }
}

fn entry(seq: u64, team: usize) -> Entry {
    Entry {
        seq,
        at_ms: 1_000 * seq + team as u64,
        command: Command::Join { team },
    }
}

fn schema_versions(scratch: &Scratch) -> i64 {
    scratch
        .client()
        .query_one("SELECT COUNT(*) FROM schema_version", &[])
        .expect("schema_version")
        .get(0)
}

#[test]
fn workshops_and_journals_round_trip() {
    let Some(scratch) = Scratch::new() else { return };
    // Through `store::open`, as the server opens it.
    let a = store::open(&scratch.url).expect("open");
    let (w1, w2) = (workshop("w1", 5), workshop("w0", 3));
    a.create(&w1).expect("create w1");
    a.create(&w2).expect("create w2");
    assert!(
        matches!(a.create(&w1), Err(StoreError::Db(ref m)) if m.contains("already exists")),
        "a second create of w1"
    );
    assert_eq!(a.ids().expect("ids"), ["w0", "w1"], "oldest first");
    assert_eq!(a.load("w1").expect("load"), Some(w1.clone()));
    assert_eq!(a.load("nope").expect("load"), None);
    assert_eq!(a.entries("w1", 0).expect("entries"), []);

    let mut open_round = entry(2, 0);
    open_round.command = Command::OpenRound {
        deadline_ms: u64::MAX / 2,
    };
    a.append("w1", &entry(1, 1)).expect("append 1");
    a.append("w1", &open_round).expect("append 2");
    a.append("w0", &entry(1, 0)).expect("another workshop's seq 1");
    assert!(matches!(a.append("w1", &entry(1, 0)), Err(StoreError::Conflict(1))));
    // An unknown workshop is an error, not a conflict to catch up from.
    assert!(matches!(a.append("nope", &entry(1, 0)), Err(StoreError::Db(_))));

    // A second process: migrations are not run twice, and it sees the same journal.
    let b = scratch.store();
    assert_eq!(schema_versions(&scratch), 1);
    assert_eq!(
        b.entries("w1", 0).expect("entries"),
        vec![entry(1, 1), open_round.clone()]
    );
    assert_eq!(b.entries("w1", 1).expect("entries"), vec![open_round]);
    assert_eq!(b.entries("w1", 2).expect("entries"), []);
    assert_eq!(b.load("w0").expect("load"), Some(w2));
    assert_eq!(b.ids().expect("ids"), ["w0", "w1"]);
}

#[test]
fn processes_opening_an_empty_database_at_once_migrate_it_once() {
    // Several empty databases, so that a missing lock shows (it failed 6 runs in 6).
    for _ in 0..5 {
        let Some(scratch) = Scratch::new() else { return };
        let barrier = Barrier::new(8);
        std::thread::scope(|s| {
            let opened: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        PgStore::open(&scratch.url)
                    })
                })
                .collect();
            for store in opened {
                store.join().expect("thread").expect("open");
            }
        });
        assert_eq!(schema_versions(&scratch), 1);
    }
}

#[test]
fn of_two_connections_racing_for_each_seq_exactly_one_appends() {
    let Some(scratch) = Scratch::new() else { return };
    const SEQS: u64 = 100;
    let stores = [Arc::new(scratch.store()), Arc::new(scratch.store())];
    stores[0].create(&workshop("race", 1)).expect("create");
    let barrier = Arc::new(Barrier::new(2));
    let racers: Vec<_> = (0..2)
        .map(|team| {
            let (store, barrier) = (stores[team].clone(), barrier.clone());
            std::thread::spawn(move || {
                (1..=SEQS)
                    .map(|seq| {
                        barrier.wait();
                        match store.append("race", &entry(seq, team)) {
                            Ok(()) => true,
                            Err(StoreError::Conflict(s)) if s == seq => false,
                            Err(e) => panic!("seq {seq}: {e}"),
                        }
                    })
                    .collect::<Vec<bool>>()
            })
        })
        .collect();
    let won: Vec<Vec<bool>> = racers.into_iter().map(|r| r.join().expect("racer")).collect();
    let journal = stores[1].entries("race", 0).expect("entries");
    assert_eq!(journal.len() as u64, SEQS);
    for (i, stored) in journal.iter().enumerate() {
        let seq = i as u64 + 1;
        assert!(won[0][i] != won[1][i], "seq {seq}: both or neither appended");
        let winner = if won[0][i] { 0 } else { 1 };
        assert_eq!(
            *stored,
            entry(seq, winner),
            "seq {seq}: the stored entry is the winner's"
        );
    }
    let wins = |team: usize| won[team].iter().filter(|&&w| w).count();
    eprintln!(
        "{SEQS} seqs raced by two connections: {} + {} appends, {} conflicts",
        wins(0),
        wins(1),
        2 * SEQS as usize - wins(0) - wins(1)
    );
}

#[test]
fn a_writer_waiting_on_an_uncommitted_entry_conflicts_if_it_commits_and_appends_if_not() {
    let Some(scratch) = Scratch::new() else { return };
    let store = scratch.store();
    store.create(&workshop("w", 1)).expect("create");
    let mut other = scratch.client();
    for commit in [true, false] {
        let seq = if commit { 1 } else { 2 };
        let mut tx = other.transaction().expect("begin");
        tx.execute(
            "INSERT INTO journal (workshop, seq, at_ms, command) VALUES ('w', $1, 0, '{\"Join\":{\"team\":1}}')",
            &[&(seq as i64)],
        )
        .expect("the other process's insert");
        std::thread::scope(|s| {
            let waiting = s.spawn(|| store.append("w", &entry(seq, 0)));
            std::thread::sleep(Duration::from_millis(300));
            assert!(!waiting.is_finished(), "the append waits for the other transaction");
            if commit {
                tx.commit().expect("commit");
                assert!(matches!(waiting.join().expect("append"), Err(StoreError::Conflict(1))));
            } else {
                tx.rollback().expect("rollback");
                waiting
                    .join()
                    .expect("append")
                    .expect("the other transaction rolled back");
            }
        });
    }
    let journal = store.entries("w", 0).expect("entries");
    assert_eq!(journal[0].at_ms, 0, "the other process's seq 1");
    assert_eq!(journal[1], entry(2, 0));
}

#[test]
fn a_killed_connection_is_replaced_once_and_a_retried_append_knows_its_own_entry() {
    let Some(scratch) = Scratch::new() else { return };
    let store = scratch.store();
    store.create(&workshop("w", 1)).expect("create");
    store.append("w", &entry(1, 0)).expect("append");
    let kill = || {
        let killed: i64 = scratch
            .client()
            .query_one(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE application_name = $1 AND pid <> pg_backend_pid()",
                &[&scratch.schema],
            )
            .expect("terminate")
            .get(0);
        // The store's one connection (a replaced one may still be on its way out).
        assert!(killed >= 1, "no connection of the store's to kill");
        // Let the server finish closing it.
        std::thread::sleep(Duration::from_millis(100));
    };
    kill();
    assert_eq!(store.entries("w", 0).expect("entries after a reconnect"), [entry(1, 0)]);
    kill();
    store.append("w", &entry(2, 0)).expect("append after a reconnect");
    assert!(matches!(store.append("w", &entry(2, 1)), Err(StoreError::Conflict(2))));
    assert_eq!(store.entries("w", 1).expect("entries"), [entry(2, 0)]);

    // The connection breaks during an append whose entry is then found stored: as if the
    // first attempt had committed and only its answer was lost. The same entry is ours...
    let store_raw = |e: &Entry| {
        let command = serde_json::to_string(&e.command).expect("json");
        scratch
            .client()
            .execute(
                "INSERT INTO journal (workshop, seq, at_ms, command) VALUES ('w', $1, $2, $3)",
                &[&(e.seq as i64), &(e.at_ms as i64), &command],
            )
            .expect("insert");
    };
    store_raw(&entry(3, 0));
    kill();
    store.append("w", &entry(3, 0)).expect("the retry finds its own entry");
    // ...another one is a conflict.
    store_raw(&entry(4, 1));
    kill();
    assert!(matches!(store.append("w", &entry(4, 0)), Err(StoreError::Conflict(4))));
    // Without a broken connection, even the same entry is a conflict.
    assert!(matches!(store.append("w", &entry(3, 0)), Err(StoreError::Conflict(3))));
    assert_eq!(store.entries("w", 2).expect("entries"), [entry(3, 0), entry(4, 1)]);
}

#[test]
fn the_store_can_be_opened_used_and_dropped_inside_tokio_runtimes() {
    let Some(scratch) = Scratch::new() else { return };
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let current = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    for (i, runtime) in [multi, current].iter().enumerate() {
        runtime.block_on(async {
            let id = format!("w{i}");
            let store = store::open(&scratch.url).expect("open in an async task");
            store.create(&workshop(&id, 1)).expect("create");
            store.append(&id, &entry(1, 0)).expect("append");
            assert_eq!(store.entries(&id, 0).expect("entries"), [entry(1, 0)]);
            drop(store);
        });
    }
}
