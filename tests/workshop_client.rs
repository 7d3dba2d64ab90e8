//! The game's workshop client against a server started inside the test's own process
//! (`server::start_local`): a facilitator and three teams play a round through
//! `Client`, a refusal lists its fields, a team's desk previews like the server, the
//! chart series, a team's debrief and the signed results check out; an unreachable
//! server is `Offline`; several scenario folders, the earlier winning.
#![cfg(all(feature = "server", feature = "client"))]

use std::path::{Path, PathBuf};
use thin_margin::sim::preview::{preview, problems};
use thin_margin::workshop::chain;
use thin_margin::workshop::client::{Client, ClientError};
use thin_margin::workshop::desk::team_world;
use thin_margin::workshop::market::Variant;
use thin_margin::workshop::protocol::{CreateWorkshop, InjectEvent, Problem, SubmitDecisions};
use thin_margin::workshop::server::{LocalServer, ServeOptions, start_local};
use thin_margin::workshop::session::Phase;

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thin-margin-client-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn local(dir: &Path, scenarios: Vec<PathBuf>) -> LocalServer {
    start_local(ServeOptions {
        addr: "127.0.0.1:0".into(),
        db: dir.join("w.sqlite").display().to_string(),
        scenarios,
        admin_token_file: dir.join("admin-token"),
    })
    .expect("the server starts")
}

fn create(client: &Client, admin: &str, scenario: &str) -> thin_margin::workshop::protocol::Created {
    client
        .create(
            admin,
            &CreateWorkshop {
                scenario: scenario.into(),
                title: None,
                teams: vec!["Red".into(), "Blue".into(), "Green".into()],
                computer_seats: 1,
                seed: Some(7),
                variant: Variant::Standard,
                practice_rounds: 0,
                auto_close: false,
            },
        )
        .expect("created")
}

#[test]
fn a_round_played_through_the_client() {
    let dir = tempdir("round");
    let server = local(&dir, vec![shipped()]);
    assert!(server.url.starts_with("http://127.0.0.1:"), "{}", server.url);
    let client = Client::new(&format!("{}/", server.url)).expect("client");
    assert_eq!(client.base_url(), server.url);
    assert_eq!(client.health().expect("health").status, "ok");
    let library = client.library().expect("library");
    assert!(library.scenarios.iter().any(|s| s.id == "first-phone"));
    assert!(library.constraints.iter().any(|c| c.name == "memory-price"));

    let created = create(&client, &server.admin_token, "first-phone");
    let (id, fac) = (created.id.as_str(), created.facilitator_token.as_str());
    let codes: Vec<&str> = created.teams.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(client.team_link(codes[0]), format!("{}/?code={}", server.url, codes[0]));
    // A wrong token is refused with the server's sentence.
    let Err(ClientError::Refused { status: 401, .. }) = client.facilitator_view(id, "nope") else {
        panic!("a bad token is refused");
    };

    let view = client.open_round(id, fac, 600).expect("open");
    assert!(matches!(view.status.phase, Phase::Open { .. }));
    assert_eq!(view.teams.len(), 3);

    // Two teams submit a cheaper plan.
    let mut played = Vec::new();
    for code in &codes[..2] {
        let team = client.team_view(code).expect("team view");
        let mut decisions = team.last.carried_over();
        for sku in decisions.skus.values_mut() {
            sku.price -= 50.0;
        }
        let sent = client
            .submit(
                code,
                &SubmitDecisions {
                    round: team.status.round,
                    revision: team.revision,
                    decisions: decisions.clone(),
                },
            )
            .expect("submitted");
        assert_eq!(sent.revision, 1);
        played.push(decisions);
    }
    // The third cuts its BOM by 90% at a negative price: 422, naming the fields, the same
    // problems its own desk finds.
    let team = client.team_view(codes[2]).expect("team view");
    let mut bad = team.last.carried_over();
    for sku in bad.skus.values_mut() {
        sku.bom_cut = 0.9;
        sku.price = -1.0;
    }
    let refused = client
        .submit(
            codes[2],
            &SubmitDecisions {
                round: 1,
                revision: 0,
                decisions: bad.clone(),
            },
        )
        .expect_err("refused");
    let ClientError::Refused { status: 422, ref body } = refused else {
        panic!("a 422, not {refused:?}");
    };
    assert!(body.problems.iter().any(|p| p.field.contains("bom_cut")), "{body:?}");
    assert!(body.problems.iter().any(|p| p.field.contains("price")), "{body:?}");
    let shown = refused.to_string();
    for p in &body.problems {
        assert!(shown.contains(&format!("{}: {}", p.field, p.message)), "{shown}");
    }
    let desk = client.desk(codes[2]).expect("desk");
    let mine = team_world(&desk).expect("team world");
    let found: Vec<Problem> = problems(&mine, 0, &bad).iter().map(Problem::from).collect();
    assert_eq!(found, body.problems, "the desk refuses what the server refuses");

    // The facilitator injects a library constraint: the desks carry it.
    let view = client
        .inject(
            id,
            fac,
            &InjectEvent {
                constraint: Some("memory-price".into()),
                event: None,
            },
        )
        .expect("injected");
    assert_eq!(view.pending_events.len(), 1);
    let desk = client.desk(codes[0]).expect("desk");
    assert_eq!(&*desk.company.name, "Red");
    assert_eq!(desk.injected.len(), 1, "the pending constraint is on the desk");
    let mine = team_world(&desk).expect("team world");
    assert!(problems(&mine, 0, &played[0]).is_empty());
    let expected = preview(&mine, 0, &played[0]);

    let view = client.close_round(id, fac).expect("closed");
    assert_eq!(view.status.round, 2);
    // The quarter played costs what the desk previewed, constraint included.
    let red = client.team_view(codes[0]).expect("team view");
    let row = red.reports.last().expect("a report row");
    for sku in &expected.skus {
        let reported = row.skus.iter().find(|s| *s.id == sku.id).expect("the SKU is reported");
        assert_eq!(reported.unit_cost, sku.unit_cost, "{}: unit cost", sku.id);
        assert_eq!(reported.defect_rate, sku.defect_rate, "{}: defect rate", sku.id);
    }

    let series = client.series(id, fac).expect("series");
    assert_eq!(series.quarters.len(), 1);
    assert_eq!(series.teams.len(), 3);
    for t in &series.teams {
        assert_eq!(
            (t.score.len(), t.profit.len(), t.share.len(), t.trust.len()),
            (1, 1, 1, 1)
        );
        assert!((0.0..=1.0).contains(&t.share[0]), "{t:?}");
    }
    assert_eq!(client.briefs(id, fac).expect("briefs").len(), 1);

    // The facilitator hides the leaderboard: teams see neither it nor any rank, until
    // it is shown again.
    let code = &created.teams[0].code;
    assert!(client.team_view(code).expect("team").leaderboard_shown);
    let hidden = client.show_leaderboard(id, fac, false).expect("hide");
    assert!(
        !hidden.leaderboard_shown && !hidden.leaderboard.is_empty(),
        "the facilitator still sees it"
    );
    let team = client.team_view(code).expect("team");
    assert!(
        !team.leaderboard_shown && team.leaderboard.is_empty(),
        "{:?}",
        team.leaderboard
    );
    assert!(
        team.industry
            .iter()
            .flat_map(|r| &r.companies)
            .all(|c| c.rank.is_none())
    );
    match client.show_leaderboard(id, fac, false) {
        Err(ClientError::Refused { status: 409, .. }) => {}
        other => panic!("hiding twice: {other:?}"),
    }
    client.show_leaderboard(id, fac, true).expect("show");
    let team = client.team_view(code).expect("team");
    assert!(team.leaderboard_shown && team.leaderboard.len() == 3);
    assert!(
        team.industry
            .iter()
            .flat_map(|r| &r.companies)
            .any(|c| c.rank == Some(1))
    );

    // The debrief waits for the end.
    let Err(ClientError::Refused { status: 409, body }) = client.team_debrief(codes[0]) else {
        panic!("no debrief before the end");
    };
    assert!(body.message.contains("ends"), "{}", body.message);
    let view = client.pause(id, fac).expect("paused");
    assert!(matches!(view.status.phase, Phase::Paused { .. }));
    client.resume(id, fac).expect("resumed");
    let view = client.end(id, fac).expect("ended");
    assert_eq!(view.status.phase, Phase::Ended);
    for (code, name) in codes.iter().zip(["Red", "Blue", "Green"]) {
        let debrief = client.team_debrief(code).expect("debrief");
        assert_eq!(debrief.standing.team, name);
        assert_eq!(debrief.guide.team, name);
        assert_eq!(debrief.teams, 3);
        assert!(debrief.guide.decisions.len() <= 3);
    }
    let guide = client.guide(id, fac).expect("guide");
    assert_eq!(guide.len(), 3);

    let text = client.results_text(id, fac).expect("results");
    let verified = chain::verify("results.json", &text, Some(&created.public_key)).expect("the results verify");
    assert_eq!((verified.rounds, verified.teams), (1, 3));
    assert!(client.results_csv(id, fac).expect("csv").lines().count() == 4);
    assert!(client.audit_csv(id, fac).expect("audit").contains("event"));
    server.stop().expect("the server stops cleanly");
}

#[test]
fn an_unreachable_server_is_offline_and_addresses_normalise() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let client = Client::new(&url).expect("client");
    match client.health() {
        Err(e @ ClientError::Offline(_)) => assert!(e.to_string().contains(&url), "{e}"),
        other => panic!("offline, not {other:?}"),
    }
    assert_eq!(
        Client::new("localhost:7878/?code=AB").expect("client").base_url(),
        "http://localhost:7878"
    );
}

#[test]
fn several_scenario_folders_the_earlier_wins() {
    let dir = tempdir("folders");
    let mine = dir.join("mine");
    std::fs::create_dir_all(mine.join("constraints")).expect("dir");
    let text = std::fs::read_to_string(shipped().join("first-phone.ron")).expect("scenario");
    let retitled = text.replace(
        "title: \"The first phone, priced at cost\"",
        "title: \"Our own first phone\"",
    );
    std::fs::write(mine.join("first-phone.ron"), &retitled).expect("write");
    std::fs::write(
        mine.join("our-phone.ron"),
        retitled.replace("id: \"first-phone\"", "id: \"our-phone\""),
    )
    .expect("write");
    let constraint = std::fs::read_to_string(shipped().join("constraints/memory-price.ron")).expect("constraint");
    std::fs::write(
        mine.join("constraints/memory-price.ron"),
        constraint.replace("Memory prices up 20%", "Our memory prices"),
    )
    .expect("write");

    let server = local(&dir, vec![mine, shipped()]);
    let client = Client::new(&server.url).expect("client");
    let library = client.library().expect("library");
    let title = |id: &str| library.scenarios.iter().find(|s| s.id == id).map(|s| s.title.clone());
    assert_eq!(title("first-phone").as_deref(), Some("Our own first phone"));
    assert_eq!(title("our-phone").as_deref(), Some("Our own first phone"));
    assert!(title("camera-bom").is_some(), "the shipped folder is listed too");
    assert_eq!(library.scenarios.iter().filter(|s| s.id == "first-phone").count(), 1);
    let memory: Vec<_> = library
        .constraints
        .iter()
        .filter(|c| c.name == "memory-price")
        .collect();
    assert_eq!(memory.len(), 1);
    assert_eq!(memory[0].title, "Our memory prices");
    assert!(library.constraints.iter().any(|c| c.name == "demand-drop"));

    let created = create(&client, &server.admin_token, "first-phone");
    let view = client
        .facilitator_view(&created.id, &created.facilitator_token)
        .expect("view");
    assert_eq!(view.status.title, "Our own first phone");
    let view = client
        .inject(
            &created.id,
            &created.facilitator_token,
            &InjectEvent {
                constraint: Some("memory-price".into()),
                event: None,
            },
        )
        .expect("injected");
    assert_eq!(view.pending_events, ["Our memory prices"]);
    let created = create(&client, &server.admin_token, "camera-bom");
    let view = client
        .facilitator_view(&created.id, &created.facilitator_token)
        .expect("view");
    assert_eq!(view.status.scenario, "camera-bom");
}
