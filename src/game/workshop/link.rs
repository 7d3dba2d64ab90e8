//! The game's connection to a workshop server: one worker thread per role (a team or
//! the facilitator) that owns the blocking [`Client`], polls the server every second,
//! and runs the player's commands in order. The window never waits on the network: it
//! sends [`Command`]s and reads [`Reply`]s once a frame.
//!
//! When the server cannot be reached the worker says so once, keeps trying every
//! [`RETRY`] and says when it is back. A team's submission that could not be sent is
//! kept and sent again as soon as the server answers (unless the round has moved on),
//! so nothing a player typed is lost to a dropped connection.

use crate::workshop::brief::{RoundBrief, TeamGuide};
use crate::workshop::client::{Client, ClientError};
use crate::workshop::protocol::{
    FacilitatorView, InjectEvent, Series, SubmitDecisions, TeamDebrief, TeamDesk, TeamView,
};
use crate::workshop::session::Phase;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often the worker asks the server for news.
pub const POLL: Duration = Duration::from_secs(1);
/// How often it tries again while the server cannot be reached.
pub const RETRY: Duration = Duration::from_secs(2);

/// Who the link speaks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    Team { code: String },
    Facilitator { id: String, token: String },
}

/// What the player asks the server to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Submit(SubmitDecisions),
    OpenRound {
        deadline_secs: u64,
    },
    CloseRound,
    Pause,
    Resume,
    End,
    Inject(InjectEvent),
    /// Show the leaderboard to teams (`true`) or hide it.
    ShowLeaderboard(bool),
    /// Write the signed results, `results.csv` and `audit.csv` into this folder.
    Export(PathBuf),
}

impl Command {
    /// What the command does, for messages about it.
    pub fn describe(&self) -> String {
        match self {
            Command::Submit(s) if s.revision == 0 => format!("Submitting round {}", s.round),
            Command::Submit(s) => format!("Revising round {} (revision {})", s.round, s.revision + 1),
            Command::OpenRound { deadline_secs } => format!("Opening the round ({} min)", deadline_secs.div_ceil(60)),
            Command::CloseRound => "Closing the round".into(),
            Command::Pause => "Pausing".into(),
            Command::Resume => "Resuming".into(),
            Command::End => "Ending the workshop".into(),
            Command::Inject(e) => match (&e.constraint, &e.event) {
                (Some(name), _) => format!("Injecting \"{name}\""),
                (None, Some(ev)) => format!("Injecting \"{}\"", ev.title),
                (None, None) => "Injecting an event".into(),
            },
            Command::ShowLeaderboard(true) => "Showing the leaderboard to teams".into(),
            Command::ShowLeaderboard(false) => "Hiding the leaderboard from teams".into(),
            Command::Export(dir) => format!("Exporting to {}", dir.display()),
        }
    }
}

/// What a team's worker learns.
#[derive(Clone, Debug)]
pub struct TeamNews {
    pub view: TeamView,
    /// Sent again whenever the workshop changed (a new journal entry).
    pub desk: Option<TeamDesk>,
    /// Once the workshop has ended.
    pub debrief: Option<TeamDebrief>,
}

/// What the facilitator's worker learns.
#[derive(Clone, Debug)]
pub struct FacilitatorNews {
    pub view: FacilitatorView,
    pub series: Option<Series>,
    pub briefs: Option<Vec<RoundBrief>>,
    /// Once the workshop has ended.
    pub guide: Option<Vec<TeamGuide>>,
}

/// What comes back to the window.
#[derive(Clone, Debug)]
pub enum Reply {
    Team(Box<TeamNews>),
    Facilitator(Box<FacilitatorNews>),
    /// A command went through: a sentence for the player.
    Done(String),
    /// A command was refused or could not be sent.
    Failed {
        what: String,
        error: ClientError,
    },
    /// The server stopped answering (`Some(why)`) or answers again (`None`).
    Connection(Option<String>),
}

/// The window's end of a link.
pub struct Link {
    commands: Sender<Command>,
    /// In a mutex only so the link can live in a Bevy resource (which must be `Sync`).
    replies: std::sync::Mutex<Receiver<Reply>>,
    pub role: Role,
    pub base_url: String,
}

impl Link {
    /// Starts the worker for `role` on `client`'s server.
    pub fn start(client: Client, role: Role) -> Link {
        let (commands, inbox) = mpsc::channel();
        let (outbox, replies) = mpsc::channel();
        let base_url = client.base_url().to_string();
        let worker_role = role.clone();
        std::thread::Builder::new()
            .name("workshop-link".into())
            .spawn(move || Worker::new(client, worker_role, outbox).run(inbox))
            .ok();
        Link {
            commands,
            replies: std::sync::Mutex::new(replies),
            role,
            base_url,
        }
    }

    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The replies that arrived since the last call.
    pub fn drain(&self) -> Vec<Reply> {
        match self.replies.lock() {
            Ok(replies) => replies.try_iter().collect(),
            Err(_) => Vec::new(),
        }
    }
}

struct Worker {
    client: Client,
    role: Role,
    out: Sender<Reply>,
    /// The journal position last reported (news that depends on it is fetched again when it moves).
    seen_seq: Option<u64>,
    offline: Option<String>,
    /// A submission that could not be sent, kept for when the server answers again.
    unsent: Option<SubmitDecisions>,
}

impl Worker {
    fn new(client: Client, role: Role, out: Sender<Reply>) -> Worker {
        Worker {
            client,
            role,
            out,
            seen_seq: None,
            offline: None,
            unsent: None,
        }
    }

    fn run(mut self, inbox: Receiver<Command>) {
        let mut next_poll = Instant::now();
        loop {
            let wait = next_poll.saturating_duration_since(Instant::now());
            match inbox.recv_timeout(wait) {
                Ok(command) => {
                    self.execute(command);
                    next_poll = Instant::now();
                }
                Err(RecvTimeoutError::Timeout) => {
                    let ok = self.poll();
                    next_poll = Instant::now() + if ok { POLL } else { RETRY };
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn tell(&self, reply: Reply) -> bool {
        self.out.send(reply).is_ok()
    }

    /// Notes whether the server answered; says so when that changes.
    fn connection<T>(&mut self, result: &Result<T, ClientError>) {
        match result {
            Err(ClientError::Offline(why)) => {
                if self.offline.is_none() {
                    self.offline = Some(why.clone());
                    self.tell(Reply::Connection(Some(why.clone())));
                }
            }
            _ => {
                if self.offline.take().is_some() {
                    self.tell(Reply::Connection(None));
                }
            }
        }
    }

    fn execute(&mut self, command: Command) {
        let what = command.describe();
        let result: Result<String, ClientError> = match (&self.role, &command) {
            (Role::Team { code }, Command::Submit(s)) => {
                let sent = self.client.submit(code, s);
                if matches!(sent, Err(ClientError::Offline(_))) {
                    self.unsent = Some(s.clone());
                } else {
                    self.unsent = None;
                }
                sent.map(|r| {
                    // The answer counts submissions: 1 is the first.
                    if r.revision <= 1 {
                        format!("Round {}: decisions submitted.", r.round)
                    } else {
                        format!("Round {}: revision {} submitted.", r.round, r.revision - 1)
                    }
                })
            }
            (Role::Facilitator { id, token }, c) => self.facilitate(id, token, c),
            (Role::Team { .. }, _) => Ok(String::new()),
        };
        self.connection(&result);
        match result {
            Ok(done) if done.is_empty() => {}
            Ok(done) => {
                self.tell(Reply::Done(done));
            }
            Err(error) => {
                let what = if self.unsent.is_some() {
                    format!("{what}: kept, and sent again once the server answers")
                } else {
                    what
                };
                self.tell(Reply::Failed { what, error });
            }
        }
        // Whatever changed, show it now.
        self.seen_seq = None;
        self.poll();
    }

    fn facilitate(&self, id: &str, token: &str, command: &Command) -> Result<String, ClientError> {
        let c = &self.client;
        Ok(match command {
            Command::OpenRound { deadline_secs } => {
                c.open_round(id, token, *deadline_secs)?;
                format!("Round open for {} minutes.", deadline_secs.div_ceil(60))
            }
            Command::CloseRound => {
                c.close_round(id, token)?;
                "Round closed: reports are out.".into()
            }
            Command::Pause => {
                c.pause(id, token)?;
                "Paused: the clock has stopped.".into()
            }
            Command::Resume => {
                c.resume(id, token)?;
                "Resumed.".into()
            }
            Command::End => {
                c.end(id, token)?;
                "The workshop has ended: results, brief and guide are ready.".into()
            }
            Command::Inject(req) => {
                c.inject(id, token, req)?;
                format!(
                    "{}: arrives with the next round's results.",
                    command.describe().replace("Injecting ", "Injected ")
                )
            }
            Command::ShowLeaderboard(shown) => {
                c.show_leaderboard(id, token, *shown)?;
                if *shown {
                    "Teams now see the leaderboard and every company's rank.".into()
                } else {
                    "The leaderboard and ranks are hidden from teams until you show them (or the workshop ends).".into()
                }
            }
            Command::Export(dir) => {
                let results = c.results_text(id, token)?;
                let csv = c.results_csv(id, token)?;
                let audit = c.audit_csv(id, token)?;
                let write = |name: &str, text: &str| -> Result<(), ClientError> {
                    std::fs::create_dir_all(dir)
                        .and_then(|()| std::fs::write(dir.join(name), text))
                        .map_err(|e| ClientError::BadAnswer(format!("{}: cannot write: {e}", dir.join(name).display())))
                };
                write("results.json", &results)?;
                write("results.csv", &csv)?;
                write("audit.csv", &audit)?;
                format!(
                    "Exported results.json (signed), results.csv and audit.csv to {}",
                    dir.display()
                )
            }
            Command::Submit(_) => String::new(),
        })
    }

    /// Asks for news; false when the server could not be reached.
    fn poll(&mut self) -> bool {
        match self.role.clone() {
            Role::Team { code } => self.poll_team(&code),
            Role::Facilitator { id, token } => self.poll_facilitator(&id, &token),
        }
    }

    fn poll_team(&mut self, code: &str) -> bool {
        let view = self.client.team_view(code);
        self.connection(&view);
        let view = match view {
            Ok(v) => v,
            Err(ClientError::Offline(_)) => return false,
            Err(error) => {
                self.tell(Reply::Failed {
                    what: "Reading the workshop".into(),
                    error,
                });
                return false;
            }
        };
        // A submission kept while offline goes out now, if its round is still open.
        if let Some(s) = self.unsent.take() {
            if matches!(view.status.phase, Phase::Open { .. }) && view.status.round == s.round {
                self.execute(Command::Submit(s));
                return true;
            }
            self.tell(Reply::Failed {
                what: format!("Round {}", s.round),
                error: ClientError::BadAnswer(
                    "the round closed while the connection was down: your last decisions were repeated".into(),
                ),
            });
        }
        let changed = self.seen_seq != Some(view.status.seq);
        let desk = if changed { self.client.desk(code).ok() } else { None };
        let debrief = if changed && view.status.phase == Phase::Ended {
            self.client.team_debrief(code).ok()
        } else {
            None
        };
        if changed && (desk.is_some() || view.bankrupt || view.status.phase == Phase::Ended) {
            self.seen_seq = Some(view.status.seq);
        }
        self.tell(Reply::Team(Box::new(TeamNews { view, desk, debrief })))
    }

    fn poll_facilitator(&mut self, id: &str, token: &str) -> bool {
        let view = self.client.facilitator_view(id, token);
        self.connection(&view);
        let view = match view {
            Ok(v) => v,
            Err(ClientError::Offline(_)) => return false,
            Err(error) => {
                self.tell(Reply::Failed {
                    what: "Reading the workshop".into(),
                    error,
                });
                return false;
            }
        };
        let changed = self.seen_seq != Some(view.status.seq);
        let (series, briefs) = if changed {
            (self.client.series(id, token).ok(), self.client.briefs(id, token).ok())
        } else {
            (None, None)
        };
        let guide = if changed && view.status.phase == Phase::Ended {
            self.client.guide(id, token).ok()
        } else {
            None
        };
        if changed && series.is_some() {
            self.seen_seq = Some(view.status.seq);
        }
        self.tell(Reply::Facilitator(Box::new(FacilitatorNews {
            view,
            series,
            briefs,
            guide,
        })))
    }
}
