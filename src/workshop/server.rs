//! The workshop server (`thin-margin serve`): HTTP + JSON and server-sent events on
//! axum, wrapped around the no-I/O [`Workshop`] state machine and a [`Store`].
//!
//! Every change goes the same way: authenticate the bearer token (stored hashed;
//! never logged), catch up on the journal (another process may have written), check
//! the command against the state, append it to the journal under the next `seq` (a
//! conflict means another writer won: catch up and check again), apply it, answer.
//! Nothing is acknowledged before it is stored. On start, every workshop is rebuilt
//! from its journal, so a crash loses nothing acknowledged; a deadline timer closes
//! rounds that are due (in every process; the journal makes it happen once).
//!
//! Limits: request bodies of at most 64 KiB, 20 requests in a burst and 10 a second
//! per token, 10 s per request. The server binds to loopback unless told otherwise.
//!
//! [`serve`] runs until Ctrl-C; [`start_local`] runs the same server on a thread of its
//! own inside the calling process (the game hosting a workshop) until dropped.

use super::chain;
use super::market::MAX_TEAMS;
use super::protocol::{self, *};
use super::session::{Command, Entry, Phase, Setup, Workshop, WorkshopError};
use super::store::{Store, StoreError, StoredWorkshop};
use crate::scenario::constraint::load_constraint;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Per token: a burst of this many requests, refilled at [`RATE_PER_SEC`].
const BURST: f64 = 20.0;
const RATE_PER_SEC: f64 = 10.0;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How `serve` is configured.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub addr: String,
    pub db: String,
    /// Folders of scenarios (`<id>.ron`) and constraints (`constraints/<name>.ron`),
    /// searched in order: a scenario id or constraint name found in an earlier folder
    /// wins.
    pub scenarios: Vec<PathBuf>,
    /// The admin token (to create workshops) is read from here, or created here.
    pub admin_token_file: PathBuf,
}

/// Who a token belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Facilitator,
    Team(usize),
}

/// A workshop in memory.
struct Live {
    w: Workshop,
    stored: StoredWorkshop,
    updates: watch::Sender<u64>,
}

/// The server's shared state.
pub struct App {
    store: Box<dyn Store>,
    scenarios: Vec<PathBuf>,
    admin_hash: String,
    workshops: Mutex<BTreeMap<String, Arc<Mutex<Live>>>>,
    tokens: Mutex<HashMap<String, (String, Role)>>,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// An error as the client sees it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    problems: Vec<Problem>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            problems: Vec::new(),
        }
    }
}

impl From<WorkshopError> for ApiError {
    fn from(e: WorkshopError) -> ApiError {
        match e {
            WorkshopError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            WorkshopError::BadRequest(m) => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m),
            WorkshopError::Invalid(ref problems) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_decisions",
                message: e.to_string(),
                problems: problems.iter().map(Problem::from).collect(),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.into(),
            message: self.message,
            problems: self.problems,
        };
        let mut r = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        r
    }
}

type ApiResult = Result<Response, ApiError>;

fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResult {
    Ok((status, axum::Json(value)).into_response())
}

/// Milliseconds since 1970 (the server's clock; the session never reads one).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A random token: 16 bytes (128 bits) from the operating system, as hex.
fn random_hex(bytes: usize) -> Result<String, ApiError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "random",
            format!("no random source: {e}"),
        )
    })?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn token_hash(token: &str) -> String {
    chain::sha256_hex(token.as_bytes())
}

/// Parses a JSON body, naming the line, column and field of any problem.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_json(body).map_err(|p| {
        let at = if p.field.is_empty() {
            String::new()
        } else {
            format!("{}: ", p.field)
        };
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("line {} column {}: {at}{}", p.line, p.column, p.message),
        )
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl App {
    /// Opens the store and rebuilds every workshop from its journal. `scenarios` are
    /// the folders workshops are made from, searched in order.
    pub fn open(store: Box<dyn Store>, scenarios: Vec<PathBuf>, admin_token: &str) -> Result<App, String> {
        let app = App {
            store,
            scenarios,
            admin_hash: token_hash(admin_token),
            workshops: Mutex::new(BTreeMap::new()),
            tokens: Mutex::new(HashMap::new()),
            buckets: Mutex::new(HashMap::new()),
        };
        app.load_new_workshops().map_err(|e| e.message)?;
        Ok(app)
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Loads workshops this process has not seen (created here before a restart, or by
    /// another process sharing the database).
    fn load_new_workshops(&self) -> Result<(), ApiError> {
        for id in self.store.ids()? {
            if Self::lock(&self.workshops).contains_key(&id) {
                continue;
            }
            let Some(stored) = self.store.load(&id)? else { continue };
            let base = crate::scenario::parse_scenario(Path::new(&format!("workshop {id}")), &stored.scenario_text)
                .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", e.to_string()))?;
            let w = Workshop::new(stored.setup.clone(), &base)?;
            let (updates, _) = watch::channel(0);
            let mut live = Live { w, stored, updates };
            self.catch_up(&mut live)?;
            self.register(&live.stored.setup);
            Self::lock(&self.workshops).insert(id, Arc::new(Mutex::new(live)));
        }
        Ok(())
    }

    fn register(&self, setup: &Setup) {
        let mut tokens = Self::lock(&self.tokens);
        tokens.insert(
            setup.facilitator_token_hash.clone(),
            (setup.id.clone(), Role::Facilitator),
        );
        for (i, h) in setup.team_token_hashes.iter().enumerate() {
            tokens.insert(h.clone(), (setup.id.clone(), Role::Team(i)));
        }
    }

    /// Applies journal entries written since this process last looked.
    fn catch_up(&self, live: &mut Live) -> Result<(), ApiError> {
        let entries = self.store.entries(&live.w.setup.id, live.w.next_seq - 1)?;
        for e in &entries {
            live.w.apply(e).map_err(|err| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "journal",
                    format!(
                        "journal entry {} of workshop {} cannot be replayed: {err}",
                        e.seq, live.w.setup.id
                    ),
                )
            })?;
        }
        if !entries.is_empty() {
            live.updates.send_replace(live.w.next_seq - 1);
        }
        Ok(())
    }

    /// Checks, stores, then applies a command: the only way the state changes.
    fn execute(
        &self,
        live: &mut Live,
        command: Command,
        precheck: &dyn Fn(&Workshop) -> Result<(), ApiError>,
    ) -> Result<Entry, ApiError> {
        for _ in 0..8 {
            self.catch_up(live)?;
            precheck(&live.w)?;
            let entry = Entry {
                seq: live.w.next_seq,
                at_ms: now_ms(),
                command: command.clone(),
            };
            live.w.check(&entry.command, entry.at_ms)?;
            match self.store.append(&live.w.setup.id, &entry) {
                Ok(()) => {
                    live.w.apply(&entry)?;
                    live.updates.send_replace(entry.seq);
                    return Ok(entry);
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the workshop is changing too fast; try again",
        ))
    }

    /// The workshop and role a request's token gives, refusing a missing or unknown
    /// token and spending one request of the token's allowance.
    fn authenticate(&self, headers: &HeaderMap) -> Result<(Arc<Mutex<Live>>, Role), ApiError> {
        let token = bearer(headers).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send your token as `Authorization: Bearer <token>`",
            )
        })?;
        let hash = token_hash(token);
        self.spend(&hash)?;
        let mut found = Self::lock(&self.tokens).get(&hash).cloned();
        if found.is_none() {
            self.load_new_workshops()?;
            found = Self::lock(&self.tokens).get(&hash).cloned();
        }
        let (id, role) =
            found.ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "this token is not valid"))?;
        let live = Self::lock(&self.workshops)
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such workshop"))?;
        Ok((live, role))
    }

    /// The facilitator of workshop `id`, else 403 (another workshop's, or a team's token).
    fn facilitator(&self, headers: &HeaderMap, id: &str) -> Result<Arc<Mutex<Live>>, ApiError> {
        let (live, role) = self.authenticate(headers)?;
        let same = Self::lock(&live).w.setup.id == id;
        if role != Role::Facilitator || !same {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "only this workshop's facilitator may do that",
            ));
        }
        Ok(live)
    }

    fn team(&self, headers: &HeaderMap) -> Result<(Arc<Mutex<Live>>, usize), ApiError> {
        match self.authenticate(headers)? {
            (live, Role::Team(t)) => Ok((live, t)),
            _ => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this needs a team's join code",
            )),
        }
    }

    /// Token-bucket rate limit per token.
    fn spend(&self, key: &str) -> Result<(), ApiError> {
        let mut buckets = Self::lock(&self.buckets);
        let now = Instant::now();
        // Forget full buckets now and then, so unknown tokens cannot grow the table forever.
        if buckets.len() > 10_000 {
            buckets.retain(|_, (level, at)| *level + now.duration_since(*at).as_secs_f64() * RATE_PER_SEC < BURST);
        }
        let (level, at) = buckets.entry(key.to_string()).or_insert((BURST, now));
        *level = (*level + now.duration_since(*at).as_secs_f64() * RATE_PER_SEC).min(BURST);
        *at = now;
        if *level < 1.0 {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests with this token: wait a second",
            ));
        }
        *level -= 1.0;
        Ok(())
    }

    fn create(&self, headers: &HeaderMap, body: &[u8]) -> ApiResult {
        let token = bearer(headers).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "creating a workshop needs the server's admin token",
            )
        })?;
        let hash = token_hash(token);
        self.spend(&hash)?;
        if hash != self.admin_hash {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this is not the server's admin token",
            ));
        }
        let req: CreateWorkshop = parse(body)?;
        let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m);
        if req.scenario.is_empty()
            || !req
                .scenario
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(format!("scenario \"{}\" is not a scenario id", req.scenario)));
        }
        if !(2..=MAX_TEAMS).contains(&req.teams.len()) {
            return Err(bad(format!(
                "a workshop has 2 to {MAX_TEAMS} teams, found {}",
                req.teams.len()
            )));
        }
        if req.computer_seats > 20 || req.practice_rounds > 4 {
            return Err(bad("at most 20 computer seats and 4 practice rounds".into()));
        }
        let text = self
            .scenarios
            .iter()
            .map(|dir| dir.join(format!("{}.ron", req.scenario)))
            .find_map(|path| Some((std::fs::read_to_string(&path).ok()?, path)));
        let (text, path) = text.ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no scenario \"{}\" on this server", req.scenario),
            )
        })?;
        let base = crate::scenario::parse_scenario(&path, &text).map_err(|e| bad(e.to_string()))?;
        let facilitator_token = random_hex(16)?;
        let codes: Vec<String> = (0..req.teams.len()).map(|_| random_hex(16)).collect::<Result<_, _>>()?;
        let key = chain::signing_key(&random_hex(32)?)
            .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "random", "no signing key"))?;
        let seed = match req.seed {
            Some(s) => s,
            None => u64::from_str_radix(&random_hex(8)?, 16).unwrap_or(0),
        };
        let setup = Setup {
            id: random_hex(8)?,
            title: req.title.clone().unwrap_or_else(|| base.title.clone()),
            scenario_id: req.scenario.clone(),
            scenario_hash: crate::save::run_file::scenario_hash(&text),
            teams: req.teams.iter().map(|t| t.trim().to_string()).collect(),
            computer_seats: req.computer_seats,
            seed,
            variant: req.variant,
            practice_rounds: req.practice_rounds,
            auto_close: req.auto_close,
            public_key: chain::public_hex(&key),
            facilitator_token_hash: token_hash(&facilitator_token),
            team_token_hashes: codes.iter().map(|c| token_hash(c)).collect(),
        };
        let w = Workshop::new(setup.clone(), &base)?;
        let stored = StoredWorkshop {
            setup: setup.clone(),
            scenario_text: text,
            secret_key: chain::secret_hex(&key),
            created_ms: now_ms(),
        };
        self.store.create(&stored)?;
        self.register(&setup);
        let (updates, _) = watch::channel(0);
        Self::lock(&self.workshops).insert(setup.id.clone(), Arc::new(Mutex::new(Live { w, stored, updates })));
        json(
            StatusCode::CREATED,
            &Created {
                id: setup.id.clone(),
                facilitator_token,
                teams: setup
                    .teams
                    .iter()
                    .cloned()
                    .zip(codes)
                    .map(|(team, code)| TeamCode { team, code })
                    .collect(),
                public_key: setup.public_key,
            },
        )
    }

    /// What workshops can be made of: the scenarios (id, title, quarters) and the
    /// constraints that can be injected (name, title), read from the server's folders;
    /// of two with the same id (or name), the one in the earlier folder.
    fn library(&self) -> Library {
        let mut scenarios: Vec<LibraryScenario> = Vec::new();
        let mut constraints: Vec<LibraryConstraint> = Vec::new();
        for dir in &self.scenarios {
            // Files that do not load are left out: `thin-margin check` names their problems.
            let found = crate::scenario::list_scenarios(dir)
                .map(|(found, _)| found)
                .unwrap_or_default();
            for s in found {
                // Workshops are created by file name: list only what `create` would find.
                let by_file = s.path.file_stem().is_some_and(|stem| *stem == *s.id);
                if by_file && !scenarios.iter().any(|known| known.id == s.id) {
                    scenarios.push(LibraryScenario {
                        id: s.id,
                        title: s.title,
                        quarters: s.quarters,
                    });
                }
            }
            for p in crate::scenario::load::ron_files(&dir.join("constraints")).unwrap_or_default() {
                let Some(name) = p.file_stem().map(|n| n.to_string_lossy().into_owned()) else {
                    continue;
                };
                if constraints.iter().any(|c| c.name == name) {
                    continue;
                }
                if let Ok(event) = load_constraint(&p) {
                    constraints.push(LibraryConstraint {
                        name,
                        title: event.title,
                        description: event.description,
                    });
                }
            }
        }
        scenarios.sort_by(|a, b| a.id.cmp(&b.id));
        constraints.sort_by(|a, b| a.name.cmp(&b.name));
        Library { scenarios, constraints }
    }

    /// A facilitator's command on workshop `id`, answered with the new view.
    fn facilitator_command(&self, headers: &HeaderMap, id: &str, command: Command) -> ApiResult {
        let live = self.facilitator(headers, id)?;
        let mut live = Self::lock(&live);
        self.execute(&mut live, command, &|_| Ok(()))?;
        json(StatusCode::OK, &facilitator_view(&live.w, now_ms()))
    }

    fn inject(&self, headers: &HeaderMap, id: &str, body: &[u8]) -> ApiResult {
        let req: InjectEvent = parse(body)?;
        let bad = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m);
        let event = match (req.constraint, req.event) {
            (Some(name), None) => {
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    return Err(bad("a constraint is named by its file's name, e.g. memory-price"));
                }
                let path = self
                    .scenarios
                    .iter()
                    .map(|dir| dir.join("constraints").join(format!("{name}.ron")))
                    .find(|path| path.exists())
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::NOT_FOUND,
                            "not_found",
                            format!("no constraint \"{name}\" in the library"),
                        )
                    })?;
                load_constraint(&path).map_err(|e| bad(&e.to_string()))?
            }
            (None, Some(event)) => event,
            _ => return Err(bad("send either \"constraint\" (a library name) or \"event\"")),
        };
        self.facilitator_command(headers, id, Command::Inject { event })
    }

    fn team_view(&self, headers: &HeaderMap) -> ApiResult {
        let (live, team) = self.team(headers)?;
        let mut live = Self::lock(&live);
        self.catch_up(&mut live)?;
        if !live.w.teams[team].joined && live.w.phase != Phase::Ended {
            self.execute(&mut live, Command::Join { team }, &|_| Ok(()))?;
        }
        json(StatusCode::OK, &protocol::team_view(&live.w, team, now_ms()))
    }

    /// The team's desk: its own company's state, for the game's decision screen.
    fn team_desk(&self, headers: &HeaderMap) -> ApiResult {
        let (live, team) = self.team(headers)?;
        let mut live = Self::lock(&live);
        self.catch_up(&mut live)?;
        json(
            StatusCode::OK,
            &protocol::team_desk(&live.w, &live.stored.scenario_text, team),
        )
    }

    /// The team's own debrief, once the workshop has ended.
    fn team_debrief(&self, headers: &HeaderMap) -> ApiResult {
        let (live, team) = self.team(headers)?;
        let w = {
            let mut live = Self::lock(&live);
            self.catch_up(&mut live)?;
            live.w.clone()
        };
        // Replaying the market for the guide takes a while: not under the workshop's lock.
        let debrief = protocol::team_debrief(&w, team).ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "not_ended",
                "the debrief is ready once the facilitator ends the workshop (or every quarter has been played)",
            )
        })?;
        json(StatusCode::OK, &debrief)
    }

    fn submit(&self, headers: &HeaderMap, body: &[u8]) -> ApiResult {
        let (live, team) = self.team(headers)?;
        let req: SubmitDecisions = parse(body)?;
        let mut live = Self::lock(&live);
        let (round, revision) = (req.round, req.revision);
        let entry = self.execute(
            &mut live,
            Command::Submit {
                team,
                decisions: req.decisions,
            },
            &|w| {
                if !matches!(w.phase, Phase::Open { .. }) || w.round() != round {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "round_closed",
                        format!(
                            "round {round} is not open (the workshop is at round {}, {})",
                            w.round(),
                            match w.phase {
                                Phase::Open { .. } => "open",
                                Phase::Waiting => "waiting for the facilitator",
                                Phase::Paused { .. } => "paused",
                                Phase::Ended => "ended",
                            }
                        ),
                    ));
                }
                let seen = w.teams[team].revisions;
                if revision != seen {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "stale_revision",
                        format!(
                            "this submission says revision {revision}, but your team has submitted {seen} times this round (a repeated or out-of-date request): read your state and send revision {seen}"
                        ),
                    ));
                }
                Ok(())
            },
        )?;
        json(
            StatusCode::OK,
            &Submitted {
                round,
                revision: live.w.teams[team].revisions,
                received_at_ms: entry.at_ms,
            },
        )
    }

    /// One of the team page's charts as SVG: `profit.svg` (revenue and net profit per
    /// quarter) or `share.svg` (the team's share of each segment).
    fn team_chart(&self, headers: &HeaderMap, name: &str) -> ApiResult {
        let (live, team) = self.team(headers)?;
        let mut live = Self::lock(&live);
        self.catch_up(&mut live)?;
        let rows = live.w.team_rows(team);
        let quarters: Vec<String> = rows.iter().map(|r| r.quarter.to_string()).collect();
        let (title, metric, series) = match name {
            "profit.svg" => (
                "Revenue and net profit per quarter",
                "net_profit",
                vec![
                    ("revenue".to_string(), rows.iter().map(|r| r.revenue_hardware).collect()),
                    ("net profit".to_string(), rows.iter().map(|r| r.net_profit).collect()),
                ],
            ),
            "share.svg" => {
                let segments: Vec<String> = rows
                    .first()
                    .map(|r| r.share_by_segment.keys().map(|k| k.to_string()).collect())
                    .unwrap_or_default();
                let series = segments
                    .into_iter()
                    .map(|seg| {
                        let values = rows
                            .iter()
                            .map(|r| r.share_by_segment.get(seg.as_str()).copied().unwrap_or(0.0))
                            .collect();
                        (seg, values)
                    })
                    .collect();
                ("Your share of each segment", "share", series)
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "charts are profit.svg and share.svg",
                ));
            }
        };
        let svg = crate::chart::lines_svg(title, metric, &quarters, &series, (640, 420))
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "chart", e.to_string()))?;
        Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
    }

    /// The facilitator's charts, per team over the rounds on show (the eight teams with
    /// the highest last value): `score.svg`, `profit.svg` (cumulative net profit),
    /// `share.svg` (share of units sold), `trust.svg` — drawn from [`protocol::series`],
    /// the numbers `GET /v1/workshops/{id}/series` sends.
    fn facilitator_chart(&self, headers: &HeaderMap, id: &str, name: &str) -> ApiResult {
        let (w, _) = self.results(headers, id)?;
        let (title, metric): (&str, &str) = match name {
            "score.svg" => ("Score after each round (top 8 teams)", "score"),
            "profit.svg" => ("Cumulative net profit (top 8 teams)", "net_profit"),
            "share.svg" => ("Share of units sold (top 8 teams)", "share"),
            "trust.svg" => ("Trust (top 8 teams)", "trust"),
            _ => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "charts are score.svg, profit.svg, share.svg and trust.svg",
                ));
            }
        };
        let Series { quarters, teams } = protocol::series(&w);
        let series: Vec<(String, Vec<f64>)> = teams
            .into_iter()
            .map(|t| {
                let values = match name {
                    "score.svg" => t.score,
                    "profit.svg" => t.profit,
                    "share.svg" => t.share,
                    _ => t.trust,
                };
                (t.team, values)
            })
            .collect();
        let last = |v: &[f64]| v.last().copied().filter(|x| x.is_finite()).unwrap_or(f64::NEG_INFINITY);
        let mut order: Vec<usize> = (0..series.len()).collect();
        order.sort_by(|&a, &b| last(&series[b].1).total_cmp(&last(&series[a].1)).then(a.cmp(&b)));
        order.truncate(8);
        // Kept in the teams' own order, so a team has the same colour in every chart.
        order.sort_unstable();
        let series: Vec<(String, Vec<f64>)> = order.into_iter().map(|i| series[i].clone()).collect();
        let svg = crate::chart::lines_svg(title, metric, &quarters, &series, (720, 440))
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "chart", e.to_string()))?;
        Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
    }

    fn results(&self, headers: &HeaderMap, id: &str) -> Result<(Workshop, StoredWorkshop), ApiError> {
        let live = self.facilitator(headers, id)?;
        let mut live = Self::lock(&live);
        self.catch_up(&mut live)?;
        Ok((live.w.clone(), live.stored.clone()))
    }

    /// Closes every round that is due (the deadline timer's work).
    fn close_due_rounds(&self) {
        let _ = self.load_new_workshops();
        let all: Vec<Arc<Mutex<Live>>> = Self::lock(&self.workshops).values().cloned().collect();
        for live in all {
            let mut live = Self::lock(&live);
            if self.catch_up(&mut live).is_err() {
                continue;
            }
            if live.w.setup.auto_close && live.w.is_due(now_ms()) {
                let _ = self.execute(&mut live, Command::CloseRound, &|w| {
                    if w.is_due(now_ms()) {
                        Ok(())
                    } else {
                        Err(ApiError::new(StatusCode::CONFLICT, "conflict", "already closed"))
                    }
                });
            }
        }
    }
}

/// Runs blocking work (database, simulation) off the async threads.
async fn blocking(app: Arc<App>, f: impl FnOnce(&App) -> ApiResult + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(move || f(&app)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request failed").into_response(),
    }
}

fn csv_response(text: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], text).into_response()
}

fn csv_text<R: Serialize>(rows: &[R]) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "csv", e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "csv", e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "csv", e.to_string()))
}

/// The HTTP routes over `app`.
pub fn router(app: Arc<App>) -> Router {
    type S = State<Arc<App>>;
    let fac = |command: fn() -> Command| {
        move |State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
            blocking(app, move |a| a.facilitator_command(&headers, &id, command()))
        }
    };
    Router::new()
        .route(
            "/healthz",
            get(|| async {
                axum::Json(Health {
                    status: "ok".into(),
                    server: format!("thin-margin {}", env!("CARGO_PKG_VERSION")),
                    protocol: PROTOCOL_VERSION,
                })
            }),
        )
        .route(
            "/v1/workshops",
            post(|State(app): S, headers: HeaderMap, body: Bytes| blocking(app, move |a| a.create(&headers, &body))),
        )
        .route(
            "/v1/library",
            get(|State(app): S| blocking(app, move |a| json(StatusCode::OK, &a.library()))),
        )
        .route(
            "/common.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    include_str!("web/common.css"),
                )
            }),
        )
        .route(
            "/facilitator",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    include_str!("web/facilitator.html"),
                )
            }),
        )
        .route(
            "/v1/workshops/{id}",
            get(|State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| {
                    let live = a.facilitator(&headers, &id)?;
                    let mut live = App::lock(&live);
                    a.catch_up(&mut live)?;
                    json(StatusCode::OK, &facilitator_view(&live.w, now_ms()))
                })
            }),
        )
        .route(
            "/v1/workshops/{id}/rounds",
            post(
                |State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap, body: Bytes| {
                    blocking(app, move |a| {
                        let req: OpenRound = parse(&body)?;
                        if req.deadline_secs == 0 || req.deadline_secs > 7 * 24 * 3600 {
                            return Err(ApiError::new(
                                StatusCode::BAD_REQUEST,
                                "bad_request",
                                "deadline_secs must be from 1 second to 7 days",
                            ));
                        }
                        let deadline_ms = now_ms() + 1000 * req.deadline_secs;
                        a.facilitator_command(&headers, &id, Command::OpenRound { deadline_ms })
                    })
                },
            ),
        )
        .route("/v1/workshops/{id}/close", post(fac(|| Command::CloseRound)))
        .route("/v1/workshops/{id}/pause", post(fac(|| Command::Pause)))
        .route("/v1/workshops/{id}/resume", post(fac(|| Command::Resume)))
        .route("/v1/workshops/{id}/end", post(fac(|| Command::End)))
        .route(
            "/v1/workshops/{id}/leaderboard",
            post(
                |State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap, body: Bytes| {
                    blocking(app, move |a| {
                        let req: ShowLeaderboard = parse(&body)?;
                        a.facilitator_command(&headers, &id, Command::ShowLeaderboard { shown: req.shown })
                    })
                },
            ),
        )
        .route(
            "/v1/workshops/{id}/events",
            post(
                |State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap, body: Bytes| {
                    blocking(app, move |a| a.inject(&headers, &id, &body))
                },
            ),
        )
        .route(
            "/v1/workshops/{id}/results",
            get(|State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| {
                    let (w, stored) = a.results(&headers, &id)?;
                    let key = chain::signing_key(&stored.secret_key).ok_or_else(|| {
                        ApiError::new(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "storage",
                            "the workshop's key is damaged",
                        )
                    })?;
                    let text = chain::results(&w, &stored.scenario_text, &key).to_text();
                    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
                })
            }),
        )
        .route(
            "/v1/workshops/{id}/brief",
            get(|State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| {
                    let (w, _) = a.results(&headers, &id)?;
                    let briefs: Vec<_> = (1..=w.shown_reports().len())
                        .filter_map(|r| super::brief::round_brief(&w, r))
                        .collect();
                    json(StatusCode::OK, &briefs)
                })
            }),
        )
        .route(
            "/v1/workshops/{id}/guide",
            get(|State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| {
                    let (w, _) = a.results(&headers, &id)?;
                    json(StatusCode::OK, &super::brief::discussion_guide(&w))
                })
            }),
        )
        .route(
            "/v1/workshops/{id}/series",
            get(|State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| {
                    let (w, _) = a.results(&headers, &id)?;
                    json(StatusCode::OK, &protocol::series(&w))
                })
            }),
        )
        .route(
            "/v1/workshops/{id}/charts/{name}",
            get(
                |State(app): S, UrlPath((id, name)): UrlPath<(String, String)>, headers: HeaderMap| {
                    blocking(app, move |a| a.facilitator_chart(&headers, &id, &name))
                },
            ),
        )
        .route(
            "/v1/workshops/{id}/results.csv",
            get(|State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| {
                    let (w, _) = a.results(&headers, &id)?;
                    Ok(csv_response(csv_text(&w.leaderboard())?))
                })
            }),
        )
        .route(
            "/v1/workshops/{id}/audit.csv",
            get(|State(app): S, UrlPath(id): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| {
                    let (w, _) = a.results(&headers, &id)?;
                    Ok(csv_response(csv_text(&w.audit)?))
                })
            }),
        )
        .route(
            "/v1/team",
            get(|State(app): S, headers: HeaderMap| blocking(app, move |a| a.team_view(&headers))),
        )
        .route(
            "/v1/team/desk",
            get(|State(app): S, headers: HeaderMap| blocking(app, move |a| a.team_desk(&headers))),
        )
        .route(
            "/v1/team/debrief",
            get(|State(app): S, headers: HeaderMap| blocking(app, move |a| a.team_debrief(&headers))),
        )
        .route(
            "/v1/team/decisions",
            post(|State(app): S, headers: HeaderMap, body: Bytes| blocking(app, move |a| a.submit(&headers, &body))),
        )
        .route("/v1/stream", get(stream))
        .route(
            "/",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    include_str!("web/team.html"),
                )
            }),
        )
        .route(
            "/v1/team/charts/{name}",
            get(|State(app): S, UrlPath(name): UrlPath<String>, headers: HeaderMap| {
                blocking(app, move |a| a.team_chart(&headers, &name))
            }),
        )
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method (see docs/workshop-protocol.md)",
            )
        })
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint (see docs/workshop-protocol.md)",
            )
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(
            |req: axum::extract::Request, next: axum::middleware::Next| async move {
                match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
                    Ok(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        format!("request bodies are limited to {BODY_LIMIT} bytes"),
                    )
                    .into_response(),
                    Ok(r) => r,
                    Err(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the request took too long")
                        .into_response(),
                }
            },
        ))
        .with_state(app)
}

/// `GET /v1/stream`: server-sent `update` events carrying the workshop's journal
/// position whenever it changes (clients then fetch their view).
async fn stream(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let auth = {
        let app = app.clone();
        tokio::task::spawn_blocking(move || app.authenticate(&headers).map(|(live, _)| live)).await
    };
    let live = match auth {
        Ok(Ok(live)) => live,
        Ok(Err(e)) => return e.into_response(),
        Err(_) => return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "failed").into_response(),
    };
    let rx = App::lock(&live).updates.subscribe();
    let events = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let seq = *rx.borrow_and_update();
        let event = SseEvent::default().event("update").data(format!("{{\"seq\":{seq}}}"));
        Some((Ok::<_, std::convert::Infallible>(event), (rx, false)))
    });
    Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}

/// Reads the admin token from `path`, or makes one and writes it there (mode 0600).
fn admin_token(path: &Path) -> Result<String, String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let t = text.trim().to_string();
        if t.len() >= 32 {
            return Ok(t);
        }
        return Err(format!(
            "{}: the admin token must be at least 32 characters",
            path.display()
        ));
    }
    let token = random_hex(16).map_err(|e| e.message)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .map_err(|e| format!("{}: cannot write the admin token: {e}", path.display()))?;
    writeln!(f, "{token}").map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(token)
}

/// Runs the server until Ctrl-C. Prints where it listens (the first line: the URL).
pub fn serve(options: &ServeOptions, out: &mut dyn Write) -> Result<(), String> {
    let (app, _) = open_app(options)?;
    let listener = bind(&options.addr)?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let _ = writeln!(
        out,
        "http://{addr}\nThin Margin workshop server {} (protocol {PROTOCOL_VERSION}); database {}; admin token in {}",
        env!("CARGO_PKG_VERSION"),
        options.db,
        options.admin_token_file.display()
    );
    let _ = out.flush();
    run(app, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// A workshop server running inside this process (the game hosting a workshop): the
/// HTTP server and the deadline timer on a thread of their own with their own tokio
/// runtime. Dropping it (or [`LocalServer::stop`]) shuts it down: open requests get
/// [`SHUTDOWN_GRACE`] to finish.
pub struct LocalServer {
    /// `http://<address bound>`, with `127.0.0.1` when bound to every interface.
    pub url: String,
    /// The admin token that creates workshops (read from, or written to, the options' file).
    pub admin_token: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

/// How long a stopping server waits for open requests (server-sent event streams
/// never finish by themselves) before it closes them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

impl LocalServer {
    /// Stops the server and waits for its thread; says why if it had failed.
    pub fn stop(mut self) -> Result<(), String> {
        self.shutdown_and_join()
    }

    fn shutdown_and_join(&mut self) -> Result<(), String> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err("the workshop server's thread panicked".into())),
            None => Ok(()),
        }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.shutdown_and_join();
    }
}

/// Starts a workshop server in this process (see [`LocalServer`]): opens the database
/// and the admin token as `serve` does and binds `options.addr` (`127.0.0.1:0` picks a
/// free port) before returning, so a bad address or database is reported here.
pub fn start_local(options: ServeOptions) -> Result<LocalServer, String> {
    let (app, admin_token) = open_app(&options)?;
    let listener = bind(&options.addr)?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let url = if addr.ip().is_unspecified() {
        let loopback: std::net::IpAddr = if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        };
        format!("http://{}", std::net::SocketAddr::new(loopback, addr.port()))
    } else {
        format!("http://{addr}")
    };
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("workshop-server".into())
        .spawn(move || {
            run(app, listener, async {
                let _ = stopped.await;
            })
        })
        .map_err(|e| format!("cannot start the workshop server's thread: {e}"))?;
    Ok(LocalServer {
        url,
        admin_token,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}

/// Opens the store, reads (or makes) the admin token and rebuilds every workshop.
fn open_app(options: &ServeOptions) -> Result<(Arc<App>, String), String> {
    let store = super::store::open(&options.db).map_err(|e| e.to_string())?;
    let token = admin_token(&options.admin_token_file)?;
    let app = Arc::new(App::open(store, options.scenarios.clone(), &token)?);
    Ok((app, token))
}

fn bind(addr: &str) -> Result<std::net::TcpListener, String> {
    let listener = std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    Ok(listener)
}

/// Serves `app` on `listener` with the deadline timer until `shutdown` completes, on a
/// tokio runtime of its own (blocks the calling thread).
fn run(
    app: Arc<App>,
    listener: std::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| format!("cannot listen: {e}"))?;
        let ticker = app.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(250));
            loop {
                every.tick().await;
                let app = ticker.clone();
                let _ = tokio::task::spawn_blocking(move || app.close_due_rounds()).await;
            }
        });
        let (stopping, mut stop_seen) = watch::channel(false);
        let mut graceful = stopping.subscribe();
        tokio::spawn(async move {
            shutdown.await;
            let _ = stopping.send(true);
        });
        let server = axum::serve(listener, router(app)).with_graceful_shutdown(async move {
            let _ = graceful.wait_for(|stop| *stop).await;
        });
        tokio::select! {
            served = server => served.map_err(|e| format!("the server stopped: {e}")),
            // Open event streams would hold a graceful shutdown forever.
            _ = async {
                let _ = stop_seen.wait_for(|stop| *stop).await;
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } => Ok(()),
        }
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result
}
