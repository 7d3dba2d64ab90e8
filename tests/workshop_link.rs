//! The game's link to a workshop server when the connection drops: the worker says the
//! server is gone, keeps a submission it could not send, says when the server is back,
//! and delivers the submission then — nothing the team typed is lost; and a draft kept
//! on disk comes back when a closed game joins again.
#![cfg(all(feature = "gui", feature = "server"))]

use std::path::Path;
use std::time::{Duration, Instant};
use thin_margin::game::workshop::link::{Command, Link, Reply, Role};
use thin_margin::workshop::client::Client;
use thin_margin::workshop::protocol::{CreateWorkshop, SubmitDecisions, TeamView};
use thin_margin::workshop::server::{LocalServer, ServeOptions, start_local};

fn server(dir: &Path, addr: &str) -> LocalServer {
    start_local(ServeOptions {
        addr: addr.into(),
        db: dir.join("w.sqlite").display().to_string(),
        scenarios: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")],
        admin_token_file: dir.join("admin-token"),
    })
    .expect("server")
}

/// The replies read from a link and not yet looked at, and those passed over.
#[derive(Default)]
struct Replies {
    unread: std::collections::VecDeque<Reply>,
    passed: Vec<Reply>,
}

/// Waits (up to 20 s) for a reply that `want` accepts, in the order they came.
fn wait_for(link: &Link, what: &str, seen: &mut Replies, want: impl Fn(&Reply) -> bool) -> Reply {
    let start = Instant::now();
    loop {
        seen.unread.extend(link.drain());
        while let Some(reply) = seen.unread.pop_front() {
            if want(&reply) {
                return reply;
            }
            seen.passed.push(reply);
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waited 20 s for {what}; got {:?}",
            seen.passed
                .iter()
                .filter(|r| !matches!(r, Reply::Team(_)))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_submission_made_while_the_server_is_down_is_delivered_when_it_is_back() {
    let dir = std::env::temp_dir().join(format!("thin-margin-link-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let first = server(&dir, "127.0.0.1:0");
    let url = first.url.clone();
    let client = Client::new(&url).expect("client");
    let created = client
        .create(
            &first.admin_token,
            &CreateWorkshop {
                scenario: "camera-bom".into(),
                title: None,
                teams: vec!["Red".into(), "Blue".into()],
                computer_seats: 0,
                seed: Some(3),
                variant: Default::default(),
                practice_rounds: 0,
                auto_close: false,
            },
        )
        .expect("create");
    let fac = created.facilitator_token.clone();
    client.open_round(&created.id, &fac, 600).expect("open");
    let code = created.teams[0].code.clone();
    let link = Link::start(Client::new(&url).expect("client"), Role::Team { code: code.clone() });
    let mut seen = Replies::default();
    let Reply::Team(news) = wait_for(&link, "the team's view", &mut seen, |r| matches!(r, Reply::Team(_))) else {
        unreachable!()
    };
    let view: TeamView = news.view;
    assert!(news.desk.is_some(), "the first news carries the team's desk");

    // The server goes away.
    first.stop().expect("stop");
    let lost = wait_for(&link, "the lost connection", &mut seen, |r| {
        matches!(r, Reply::Connection(Some(_)))
    });
    let Reply::Connection(Some(why)) = lost else {
        unreachable!()
    };
    assert!(why.contains("127.0.0.1"), "{why}");

    // The team submits anyway: the link keeps it and says so.
    let mut decisions = view.last.clone();
    for sku in decisions.skus.values_mut() {
        sku.price = 189.0;
    }
    link.send(Command::Submit(SubmitDecisions {
        round: view.status.round,
        revision: view.revision,
        decisions: decisions.clone(),
    }));
    let failed = wait_for(&link, "the kept submission", &mut seen, |r| {
        matches!(r, Reply::Failed { .. })
    });
    let Reply::Failed { what, .. } = failed else {
        unreachable!()
    };
    assert!(what.contains("kept"), "{what}");

    // The server comes back on the same address and database.
    let addr = url.trim_start_matches("http://").to_string();
    let second = server(&dir, &addr);
    wait_for(&link, "the connection back", &mut seen, |r| {
        matches!(r, Reply::Connection(None))
    });
    let done = wait_for(&link, "the delivered submission", &mut seen, |r| {
        matches!(r, Reply::Done(_))
    });
    let Reply::Done(said) = done else { unreachable!() };
    assert_eq!(said, "Round 1: decisions submitted.");
    let facilitator = client.facilitator_view(&created.id, &fac).expect("view");
    assert!(
        facilitator.teams[0].submitted && !facilitator.teams[1].submitted,
        "{facilitator:?}"
    );
    let team = client.team_view(&code).expect("team");
    assert_eq!(
        team.submitted,
        Some(decisions),
        "the decisions typed while offline arrived"
    );
    drop(link);
    second.stop().expect("stop");
    std::fs::remove_dir_all(&dir).ok();
}

/// A team's seat keeps its draft on disk: a game closed mid-round and joined again
/// finds what the team had typed (and a draft for another round is not used).
#[test]
fn a_draft_survives_closing_the_game_and_joining_again() {
    use thin_margin::game::workshop::team::TeamSeat;
    let dir = std::env::temp_dir().join(format!("thin-margin-draft-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let local = server(&dir, "127.0.0.1:0");
    let client = Client::new(&local.url).expect("client");
    let created = client
        .create(
            &local.admin_token,
            &CreateWorkshop {
                scenario: "camera-bom".into(),
                title: None,
                teams: vec!["Red".into(), "Blue".into()],
                computer_seats: 0,
                seed: Some(4),
                variant: Default::default(),
                practice_rounds: 0,
                auto_close: false,
            },
        )
        .expect("create");
    client
        .open_round(&created.id, &created.facilitator_token, 600)
        .expect("open");
    let code = &created.teams[0].code;
    let drafts = dir.join("drafts");
    let ready = |seat: &mut TeamSeat| {
        let start = Instant::now();
        while seat.session.is_none() {
            seat.receive();
            assert!(start.elapsed() < Duration::from_secs(20), "no desk arrived");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let mut seat = TeamSeat::join(&local.url, code, Some(&drafts)).expect("join");
    ready(&mut seat);
    let carried = seat.session.as_ref().expect("session").draft.clone();
    let session = seat.session.as_mut().expect("session");
    for sku in session.draft.skus.values_mut() {
        sku.price = 177.0;
    }
    let typed = session.draft.clone();
    assert_ne!(typed, carried);
    seat.keep_draft();
    drop(seat);

    let mut again = TeamSeat::join(&local.url, code, Some(&drafts)).expect("join again");
    ready(&mut again);
    assert_eq!(
        again.session.as_ref().expect("session").draft,
        typed,
        "the typed draft came back"
    );

    // Without a drafts folder (scripted runs) nothing is kept or read.
    let mut bare = TeamSeat::join(&local.url, code, None).expect("join");
    ready(&mut bare);
    assert_eq!(bare.session.as_ref().expect("session").draft, carried);
    drop((again, bare));
    local.stop().expect("stop");
    std::fs::remove_dir_all(&dir).ok();
}
