//! Hosting a workshop from the game: the setup form's state (a server started on this
//! computer or one already running, the scenario, teams, computer seats, practice
//! rounds, the scenario adjustments), and the facilitator's console state (the
//! workshop created, the latest facilitator view, the chart series, round briefs and
//! discussion guide). The server does the work; this only asks it and keeps answers.

use super::link::{Command, Link, Reply, Role};
use crate::game::screens::event_effect;
use crate::scenario::adjust::Adjustments;
use crate::sim::params::{Event, EventKind};
use crate::workshop::brief::{RoundBrief, TeamGuide};
use crate::workshop::client::Client;
use crate::workshop::market::Variant;
use crate::workshop::protocol::{
    CreateWorkshop, Created, FacilitatorView, InjectEvent, Library, LibraryConstraint, Series,
};
use bevy::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The port a server started from the game listens on.
pub const DEFAULT_PORT: u16 = 7878;

/// Where the hosting computer keeps workshop data: the database, the admin token,
/// adjusted scenarios and exports.
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "thin-margin")
        .map(|d| d.data_dir().join("workshops"))
        .unwrap_or_else(|| PathBuf::from("workshops"))
}

/// Where adjusted scenarios are saved (the local server reads them before the campaign's).
pub fn adjusted_scenarios_dir(data: &Path) -> PathBuf {
    data.join("scenarios")
}

/// A scenario's file: the campaign's, else an adjusted one.
pub fn scenario_file(id: &str, campaign_dir: &Path, data: &Path) -> PathBuf {
    let campaign = campaign_dir.join(format!("{id}.ron"));
    if campaign.exists() {
        campaign
    } else {
        adjusted_scenarios_dir(data).join(format!("{id}.ron"))
    }
}

/// Which server the workshop runs on.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerChoice {
    /// Start one inside the game; `open` lets other computers on the network join.
    Local { port: u16, open: bool },
    /// One already running (`thin-margin serve`), with its admin token.
    Remote { url: String, admin_token: String },
}

/// A custom event, as the form edits it.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomEvent {
    pub title: String,
    pub kind: usize,
    /// Demand or capacity factor, or the traffic factor.
    pub factor: f64,
    /// Unit-cost factor of a supply shock.
    pub cost_factor: f64,
    /// Platform commission change (fraction).
    pub commission_delta: f64,
    pub duration: u32,
}

impl Default for CustomEvent {
    fn default() -> Self {
        CustomEvent {
            title: "Demand slump".into(),
            kind: 0,
            factor: 0.8,
            cost_factor: 1.1,
            commission_delta: 0.03,
            duration: 1,
        }
    }
}

/// The kinds the custom-event form offers (a price cut on a team is not allowed; the
/// library has the rival undercuts).
pub const CUSTOM_KINDS: [&str; 4] = [
    "Demand shock",
    "Supply shock",
    "Traffic cost spike",
    "Platform regulation",
];

impl CustomEvent {
    pub fn event(&self) -> Event {
        let kind = match self.kind {
            0 => EventKind::DemandShock {
                segment: None,
                factor: self.factor,
            },
            1 => EventKind::SupplyShock {
                capacity_factor: self.factor,
                cost_factor: self.cost_factor,
            },
            2 => EventKind::TrafficCostSpike { factor: self.factor },
            _ => EventKind::Regulation {
                commission_delta: self.commission_delta,
                dealer_margin_max: None,
            },
        };
        let description = format!(
            "{} {}",
            event_effect(&kind),
            match self.duration {
                0 => "From now on.".to_string(),
                1 => "For one quarter.".to_string(),
                n => format!("For {n} quarters."),
            }
        );
        Event {
            title: self.title.trim().to_string(),
            description,
            kind,
            duration: self.duration,
        }
    }
}

/// The host's setup form.
#[derive(Resource)]
pub struct HostSetup {
    /// Where the database, admin token, adjusted scenarios and exports go.
    pub data: PathBuf,
    pub server: ServerChoice,
    /// The server once started or reached, with its library.
    pub connected: Option<(Client, String, Library)>,
    pub scenario: String,
    pub title: String,
    pub teams: u32,
    pub team_names: String,
    pub computer_seats: u32,
    pub practice_rounds: u32,
    pub variant: Variant,
    pub auto_close: bool,
    pub adjust: Option<Adjustments>,
    /// The source scenario's rival count (the most the adjustment can keep).
    pub rivals_max: usize,
    pub message: Option<(String, bool)>,
    #[cfg(feature = "server")]
    pub local: Option<crate::workshop::server::LocalServer>,
}

impl Default for HostSetup {
    fn default() -> Self {
        HostSetup {
            data: data_dir(),
            server: ServerChoice::Local {
                port: DEFAULT_PORT,
                open: true,
            },
            connected: None,
            scenario: "camera-bom".into(),
            title: String::new(),
            teams: 6,
            team_names: String::new(),
            computer_seats: 1,
            practice_rounds: 0,
            variant: Variant::Standard,
            auto_close: true,
            adjust: None,
            rivals_max: 0,
            message: None,
            #[cfg(feature = "server")]
            local: None,
        }
    }
}

impl HostSetup {
    /// The team names: those typed (one per line or comma), then "Team k" up to the count.
    pub fn names(&self) -> Vec<String> {
        let typed: Vec<String> = self
            .team_names
            .split([',', '\n'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect();
        (0..self.teams as usize)
            .map(|i| typed.get(i).cloned().unwrap_or_else(|| format!("Team {}", i + 1)))
            .collect()
    }

    pub fn request(&self, seed: u64) -> CreateWorkshop {
        CreateWorkshop {
            scenario: self.scenario.clone(),
            title: Some(self.title.trim().to_string()).filter(|t| !t.is_empty()),
            teams: self.names(),
            computer_seats: self.computer_seats,
            seed: Some(seed),
            variant: self.variant,
            practice_rounds: self.practice_rounds,
            auto_close: self.auto_close,
        }
    }

    /// Starts the chosen server (or reaches it) and reads its scenario library.
    pub fn connect(&mut self, campaign_dir: &Path) -> Result<(), String> {
        let (url, admin) = match self.server.clone() {
            ServerChoice::Remote { url, admin_token } => (url, admin_token.trim().to_string()),
            ServerChoice::Local { port, open } => self.start_local(campaign_dir, port, open)?,
        };
        let client = Client::new(&url).map_err(|e| e.to_string())?;
        let library = client.library().map_err(|e| e.to_string())?;
        if !library.scenarios.iter().any(|s| s.id == self.scenario)
            && let Some(first) = library.scenarios.first()
        {
            self.scenario = first.id.clone();
        }
        self.connected = Some((client, admin, library));
        Ok(())
    }

    /// Reads the library again (after saving an adjusted scenario).
    pub fn refresh_library(&mut self) -> Result<(), String> {
        if let Some((client, _, library)) = &mut self.connected {
            *library = client.library().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    #[cfg(feature = "server")]
    fn start_local(&mut self, campaign_dir: &Path, port: u16, open: bool) -> Result<(String, String), String> {
        if let Some(local) = &self.local {
            return Ok((local.url.clone(), local.admin_token.clone()));
        }
        let dir = self.data.clone();
        let adjusted = adjusted_scenarios_dir(&dir);
        std::fs::create_dir_all(&adjusted).map_err(|e| format!("{}: {e}", adjusted.display()))?;
        let host = if open { "0.0.0.0" } else { "127.0.0.1" };
        let options = crate::workshop::server::ServeOptions {
            addr: format!("{host}:{port}"),
            db: dir.join("workshops.sqlite").display().to_string(),
            scenarios: vec![adjusted, campaign_dir.to_path_buf()],
            admin_token_file: dir.join("admin-token"),
        };
        let local = crate::workshop::server::start_local(options)?;
        let answer = (local.url.clone(), local.admin_token.clone());
        self.local = Some(local);
        Ok(answer)
    }

    #[cfg(not(feature = "server"))]
    fn start_local(&mut self, _: &Path, _: u16, _: bool) -> Result<(String, String), String> {
        Err("this build has no workshop server (built without the `server` feature): connect to one started with `thin-margin serve`".into())
    }

    /// Creates the workshop on the connected server.
    pub fn create(&self, seed: u64) -> Result<(Client, Created, Vec<LibraryConstraint>), String> {
        let Some((client, admin, library)) = &self.connected else {
            return Err("Start or connect to a server first.".into());
        };
        let created = client.create(admin, &self.request(seed)).map_err(|e| e.to_string())?;
        Ok((client.clone(), created, library.constraints.clone()))
    }
}

/// The facilitator's console.
#[derive(Resource)]
pub struct Console {
    pub link: Link,
    pub created: Created,
    /// The address teams on other computers type (the server's, with this computer's
    /// network address when it listens on every interface).
    pub class_url: String,
    pub view: Option<FacilitatorView>,
    pub received: Instant,
    pub series: Option<Series>,
    pub briefs: Vec<RoundBrief>,
    pub guide: Option<Vec<TeamGuide>>,
    pub offline: Option<String>,
    /// The last thing the server said about a command (`true`: a problem).
    pub message: Option<(String, bool)>,
    pub project_mode: bool,
    pub round_minutes: u32,
    /// The library constraint picked for injection, or the custom event.
    pub inject_pick: Option<String>,
    pub custom: CustomEvent,
    pub use_custom: bool,
    /// The server's constraint library.
    pub library: Vec<LibraryConstraint>,
    /// Where the campaign's constraint files are (for their effect preview).
    pub constraints_dir: PathBuf,
    pub export_dir: PathBuf,
    /// Which chart the console shows.
    pub chart: usize,
}

impl Console {
    pub fn new(
        client: Client,
        created: Created,
        library: Vec<LibraryConstraint>,
        class_url: String,
        campaign_dir: &Path,
        data: &Path,
    ) -> Console {
        let export_dir = data.join("exports").join(&created.id);
        let link = Link::start(
            client,
            Role::Facilitator {
                id: created.id.clone(),
                token: created.facilitator_token.clone(),
            },
        );
        Console {
            link,
            created,
            class_url,
            view: None,
            received: Instant::now(),
            series: None,
            briefs: Vec::new(),
            guide: None,
            offline: None,
            message: None,
            project_mode: false,
            round_minutes: 10,
            inject_pick: None,
            custom: CustomEvent::default(),
            use_custom: false,
            library,
            constraints_dir: campaign_dir.join("constraints"),
            export_dir,
            chart: 0,
        }
    }

    pub fn receive(&mut self) {
        for reply in self.link.drain() {
            match reply {
                Reply::Facilitator(news) => {
                    self.view = Some(news.view);
                    self.received = Instant::now();
                    if let Some(s) = news.series {
                        self.series = Some(s);
                    }
                    if let Some(b) = news.briefs {
                        self.briefs = b;
                    }
                    if news.guide.is_some() {
                        self.guide = news.guide;
                    }
                }
                Reply::Done(text) => self.message = Some((text, false)),
                Reply::Failed { what, error } => self.message = Some((format!("{what}: {error}"), true)),
                Reply::Connection(why) => self.offline = why,
                Reply::Team(_) => {}
            }
        }
    }

    pub fn send(&mut self, command: Command) {
        self.link.send(command);
    }

    /// The event the inject form would send, and its effect in words.
    pub fn injection(&self) -> Option<(InjectEvent, String, String)> {
        if self.use_custom {
            let event = self.custom.event();
            if event.title.is_empty() {
                return None;
            }
            let effect = event.description.clone();
            return Some((
                InjectEvent {
                    constraint: None,
                    event: Some(event.clone()),
                },
                event.title,
                effect,
            ));
        }
        let name = self.inject_pick.clone()?;
        let known = self.library.iter().find(|c| c.name == name)?;
        let path = self.constraints_dir.join(format!("{name}.ron"));
        let effect = crate::scenario::constraint::load_constraint(&path)
            .map(|e| {
                let lasts = match e.duration {
                    0 => "from now on".to_string(),
                    1 => "for one quarter".to_string(),
                    n => format!("for {n} quarters"),
                };
                format!("{} {} ({lasts})", known.description, event_effect(&e.kind))
            })
            .unwrap_or_else(|_| known.description.clone());
        Some((
            InjectEvent {
                constraint: Some(name.clone()),
                event: None,
            },
            known.title.clone(),
            effect,
        ))
    }

    /// The browser link a team opens.
    pub fn team_link(&self, code: &str) -> String {
        format!("{}/?code={code}", self.class_url.trim_end_matches('/'))
    }
}

/// This computer's address on the local network (what other laptops type), if it has one.
pub fn lan_address() -> Option<std::net::IpAddr> {
    // Connecting a UDP socket sends nothing; it only picks the outgoing interface.
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// The URL for the class: the server's, with the LAN address in place of loopback when
/// the server listens on every interface.
pub fn class_url(server_url: &str, open: bool) -> String {
    if !open {
        return server_url.to_string();
    }
    match (lan_address(), server_url.rsplit_once(':')) {
        (Some(ip), Some((_, port))) => format!("http://{ip}:{port}"),
        _ => server_url.to_string(),
    }
}
