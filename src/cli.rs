//! The command line: clap definitions → plain data → run the command.
//!
//! Subcommands: `scenarios` (list), `simulate` (play a scenario headless and print
//! the reports as a table, JSON or CSV), `balance` (many strategies against each
//! other), `sweep`, `goal-seek`, `sensitivity` and `challenge` (the analysis tools of
//! `crate::analysis`), `check` (validate scenario, campaign, constraint, decision-log
//! and save files), `adjust` (a scenario adjusted for a workshop, written as a new
//! file), `play` (the scripted game). Every error is rendered as `file:line:column: field: sentence`; nothing
//! here panics on input.

use crate::analysis::address::Address;
use crate::analysis::balance::{self, BalanceOptions, Contender, Kind, Plan};
use crate::analysis::challenge;
use crate::analysis::sensitivity;
use crate::analysis::sweep::{self, BasePlan, GoalSeek, Measure, Range, SweepResult, SweepSpec, Vary};
use crate::chart::Chart;
use crate::report::cap_comparison;
use crate::report::format::{metric_value, money, thousands};
use crate::report::key_decisions::key_decisions;
use crate::report::slides;
use crate::save::{decision_log, run_file};
use crate::scenario::{self, FileErrors, load};
use crate::sim::metric::{CHANNEL_FIELDS, SCALAR_FIELDS, field_value};
use crate::sim::params::Scenario;
use crate::sim::report::CompanyReport;
use crate::sim::run::{RunOutput, run};
use crate::sim::score::{self, ObjectiveStatus};
use crate::sim::strategies::{Policy, Strategy};
use crate::sim::{Channel, DecisionError};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "thin-margin",
    version,
    about = "Thin Margin: run a consumer-hardware product line quarter by quarter.",
    long_about = "Thin Margin: run a consumer-hardware product line quarter by quarter.\n\
                  With no subcommand the game will start (once it exists); until then this help is shown."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the scenarios in a folder: id, title, start quarter, length, pitch.
    Scenarios {
        /// Folder holding the scenario files.
        #[arg(long, default_value = "scenarios")]
        dir: PathBuf,
    },
    /// Play a scenario without a window and print one row per company per quarter.
    Simulate {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// Seed of the run's random numbers (default: the decision log's, else 0).
        #[arg(long)]
        seed: Option<u64>,
        /// How the player company decides: reference, hold, cost-plus[:MARKUP], max-price, zero-marketing, max-bom-cut, random:N.
        #[arg(long, conflicts_with = "decisions")]
        strategy: Option<String>,
        /// A decision log (RON) to play instead of a named strategy.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Stop after this many quarters.
        #[arg(long)]
        quarters: Option<u32>,
        /// Switch the 5% hardware margin cap on or off, whatever the scenario says.
        #[arg(long, value_enum)]
        cap: Option<Switch>,
    },
    /// Join a classroom workshop as a team in the game window (the facilitator gives
    /// the address and the team's code).
    #[cfg(feature = "gui")]
    Join {
        /// The workshop server's address (http://host:port), or a team link with ?code=.
        url: String,
        /// The team's join code.
        code: Option<String>,
        /// Scripted: submit in every open round and photograph the decision screen
        /// (40-team-round-N) and, at the end, the debrief (41-team-debrief); then exit.
        #[arg(long, requires = "screenshots")]
        autoplay: bool,
        /// Folder for the autoplay's screenshots.
        #[arg(long, requires = "autoplay")]
        screenshots: Option<PathBuf>,
    },
    /// Host a classroom workshop from the game window: start a server here (or reach
    /// one), create the workshop, and run it from the facilitator's console.
    #[cfg(feature = "gui")]
    Host {
        /// Scripted: host a demo workshop on a loopback port (data in DIR/workshop-data),
        /// play three rounds as facilitator and one team, photograph every workshop
        /// screen (20-… to 32-…), verify the exported results, then exit.
        #[arg(long)]
        screenshots: Option<PathBuf>,
    },
    /// Play a scenario in the game window by script, saving a PNG of each screen it
    /// passes (title, briefing, decisions, events, report, debrief), then exit.
    #[cfg(feature = "gui")]
    Play {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// Seed of the run's random numbers (default: the decision log's, else 0).
        #[arg(long)]
        seed: Option<u64>,
        /// How the player company decides: reference, hold, cost-plus[:MARKUP], max-price, zero-marketing, max-bom-cut, random:N.
        #[arg(long, conflicts_with = "decisions")]
        strategy: Option<String>,
        /// A decision log (RON) to play instead of a named strategy.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Folder for the screenshots (created if missing).
        #[arg(long)]
        screenshots: PathBuf,
        /// Also measure frame times (an empty window, the decision and report screens, and
        /// the Analysis screen while a sweep runs with --analysis) into this file.
        #[arg(long)]
        timings: Option<PathBuf>,
        /// In the first quarter, open the Analysis screen and run a sweep, a heatmap, goal
        /// seek and a tornado on the plan (screenshots 09-analysis-*).
        #[arg(long)]
        analysis: bool,
        /// Halfway through, draw a panel challenge and play on under it (screenshot
        /// 03-challenge-*; the reports and debrief then compare the three plans).
        #[arg(long)]
        panel_challenge: bool,
    },
    /// Play a scenario with many strategies and print who wins: the reference plan,
    /// hold, cost-plus, the trivial extremes (max-price, zero-marketing, max-bom-cut),
    /// the scenario's alternative plans (decisions/ID-*.ron) and random players.
    Balance {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// Seeds each strategy plays (the same seeds for all: common random numbers).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        seeds: u32,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        first_seed: u64,
        /// Random players to add.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(0..=100_000))]
        random: u32,
        /// Output format.
        #[arg(long, value_enum, default_value_t = BalanceFormat::Table)]
        format: BalanceFormat,
    },
    /// Play a plan over a grid of one or two varied decisions or scenario parameters,
    /// every point on the same seeds, and print each metric's mean and P10–P90.
    Sweep {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// PARAM=FROM..TO[:STEP], e.g. q1.flagship.price=1499..2499:100 or
        /// market.premium.price_sensitivity=0.5..2 (11 points without a step). Once or twice.
        #[arg(long, required = true)]
        vary: Vec<String>,
        /// The plan: a named strategy (reference, hold, cost-plus…; default reference).
        #[arg(long, conflicts_with = "decisions")]
        strategy: Option<String>,
        /// The plan: a decision log (RON).
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Report fields, comma-separated: net_profit@sum, cash@min, units_sold@2012Q2 …
        #[arg(long, required = true, value_delimiter = ',')]
        metric: Vec<String>,
        /// Seeds per grid point.
        #[arg(long, default_value_t = 20)]
        runs: u32,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = BalanceFormat::Table)]
        format: BalanceFormat,
        /// Also draw the first metric to this file (.png or .svg): a line with its
        /// P10–P90 band for one --vary, a heatmap for two.
        #[arg(long)]
        chart: Option<PathBuf>,
    },
    /// Find the value of one decision or parameter at which a metric meets a target.
    GoalSeek {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// PARAM=FROM..TO, e.g. q1.flagship.price=999..2999.
        #[arg(long)]
        vary: String,
        /// METRIC=VALUE, e.g. net_profit@sum=2e9.
        #[arg(long)]
        target: String,
        /// The plan: a named strategy (default reference).
        #[arg(long, conflicts_with = "decisions")]
        strategy: Option<String>,
        /// The plan: a decision log (RON).
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Seeds the expected value is taken over.
        #[arg(long, default_value_t = 20)]
        runs: u32,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Switch the demand noise off and play one run per value.
        #[arg(long)]
        no_noise: bool,
    },
    /// A tornado: every scenario parameter and decision of the plan moved by ±spread,
    /// one at a time on the same seeds, ranked by the effect on the metric.
    Sensitivity {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// The plan: reference or hold (default reference).
        #[arg(long, conflicts_with = "decisions")]
        strategy: Option<String>,
        /// The plan: a decision log (RON).
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// The metric, e.g. net_profit@sum.
        #[arg(long)]
        metric: String,
        /// Relative move, e.g. 10% or 0.1.
        #[arg(long, default_value = "10%")]
        spread: String,
        /// Seeds per variant.
        #[arg(long, default_value_t = 20)]
        runs: u32,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Bars to print (all with --format json).
        #[arg(long, default_value_t = 15)]
        top: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = BalanceFormat::Table)]
        format: BalanceFormat,
        /// Also draw the tornado (the --top bars) to this file (.png or .svg).
        #[arg(long)]
        chart: Option<PathBuf>,
    },
    /// A panel constraint arrives mid-plan: compare the plan without it, the plan under
    /// it, and (with --replan) a re-plan under it, side by side.
    Challenge {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// The plan: a decision log (RON).
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// The plan: reference or hold (default reference).
        #[arg(long, conflicts_with = "decisions")]
        strategy: Option<String>,
        /// The quarter the constraint arrives: 2012Q3, or q5 (the fifth quarter).
        #[arg(long)]
        at: String,
        /// A constraint from scenarios/constraints/ by name (memory-price,
        /// platform-commission, rival-undercut, dealer-margin-cap, demand-drop,
        /// chipset-delay) or a constraint file (RON).
        #[arg(long)]
        constraint: String,
        /// A re-plan (decision log) answering the constraint; it may change decisions
        /// only from the constraint's quarter on.
        #[arg(long)]
        replan: Option<PathBuf>,
        /// Seeds each plan is played on (the same for all three).
        #[arg(long, default_value_t = 10)]
        runs: u32,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = BalanceFormat::Table)]
        format: BalanceFormat,
    },
    /// Write the three-slide debrief (Problem → Decision → Measured result) of a run:
    /// debrief.pdf (3 pages, 16:9), slide-1.png … slide-3.png and debrief.md.
    Debrief {
        /// Scenario file, or the id of one in ./scenarios (with --save: the save's).
        scenario: Option<String>,
        /// The plan: a decision log (RON).
        #[arg(long, conflicts_with_all = ["strategy", "save"])]
        decisions: Option<PathBuf>,
        /// The plan: a named strategy (default reference).
        #[arg(long, conflicts_with = "save")]
        strategy: Option<String>,
        /// A saved game: its decisions and seed.
        #[arg(long)]
        save: Option<PathBuf>,
        /// Seed (default: the log's or save's, else 0).
        #[arg(long)]
        seed: Option<u64>,
        /// Folder for the files (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Validate scenario, decision-log and save files; exit 0 when all are valid.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write a copy of a scenario adjusted for a workshop (market size, scheduled
    /// shocks, the margin cap, computer-run rivals) as DIR/ID.ron; print its path.
    Adjust {
        /// Scenario file, or the id of one in ./scenarios.
        scenario: String,
        /// The new scenario's id, also its file name: a-z, 0-9 and '-'.
        #[arg(long)]
        id: String,
        /// Its title (default: the source's).
        #[arg(long)]
        title: Option<String>,
        /// Multiplier on every segment's potential buyers and installed base (0.25 to 4).
        #[arg(long)]
        market_size: Option<f64>,
        /// Drop every scheduled event (supply shocks, price cuts, regulation …).
        #[arg(long, conflicts_with = "shocks")]
        no_shocks: bool,
        /// Keep the scheduled events (the default).
        #[arg(long)]
        shocks: bool,
        /// Switch the hardware margin cap on or off (default: as the scenario says).
        #[arg(long, value_enum)]
        cap: Option<Switch>,
        /// Computer-run rivals to keep, the first ones listed (default: all).
        #[arg(long)]
        rivals: Option<usize>,
        /// Folder to write to (default: the source file's folder); an existing file is never overwritten.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run the workshop server: one market, many teams, for a classroom (HTTP + JSON;
    /// see docs/workshop-protocol.md). Binds to loopback unless --addr says otherwise.
    #[cfg(feature = "server")]
    Serve {
        /// Address to listen on (use 0.0.0.0:7878 to open it to a classroom network).
        #[arg(long, default_value = "127.0.0.1:7878")]
        addr: String,
        /// The database: a SQLite file (created if missing) or a postgres:// URL.
        #[arg(long, default_value = "workshop.sqlite")]
        db: String,
        /// Folder of scenarios (and constraints/) workshops are created from; repeat it
        /// for several folders (a scenario or constraint in an earlier one wins).
        #[arg(long, default_value = "scenarios")]
        scenarios: Vec<PathBuf>,
        /// File holding the admin token that creates workshops (made if missing).
        #[arg(long)]
        admin_token_file: Option<PathBuf>,
    },
    /// Check a workshop's signed results: re-simulate every round from the file,
    /// check the hash chain, the leaderboard and the ed25519 signature; exit 1 naming
    /// the first thing that does not match.
    Verify {
        /// The results file (JSON) the workshop server exported.
        file: PathBuf,
        /// The workshop's public key (hex), as shown when it was created.
        #[arg(long)]
        public_key: Option<String>,
    },
}

/// How `simulate` prints its reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// On or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// How `balance` prints its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BalanceFormat {
    Table,
    Markdown,
    Json,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Files(#[from] FileErrors),
    #[error("{0}")]
    Decisions(#[from] DecisionError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write the output: {0}")]
    Output(String),
    #[error("{0}")]
    Game(String),
    /// A results file that does not verify.
    #[error("{0}")]
    Verify(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// Starts the game on the default campaign (`scenarios/campaign.ron`).
#[cfg(feature = "gui")]
pub fn run_game() -> Result<(), CliError> {
    run_workshop_game(crate::game::workshop::WorkshopStart::default())
}

/// Starts the game on the default campaign, joining or hosting a workshop.
#[cfg(feature = "gui")]
fn run_workshop_game(workshop: crate::game::workshop::WorkshopStart) -> Result<(), CliError> {
    crate::game::run(crate::game::GameOptions {
        campaign_path: PathBuf::from("scenarios/campaign.ron"),
        script: None,
        workshop,
    })
    .map_err(CliError::Game)
}

/// `thin-margin join URL CODE [--autoplay --screenshots DIR]`.
#[cfg(feature = "gui")]
fn join_workshop(
    url: String,
    code: Option<String>,
    screenshots: Option<PathBuf>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::game::workshop::script::{ScriptMode, WorkshopScript};
    // A pasted team link carries the code (the client drops the query from the address).
    let Some(code) = code.or_else(|| crate::workshop::client::code_in_link(&url)) else {
        return Err(CliError::Usage(
            "give the team's code after the address (thin-margin join URL CODE), or a team link with ?code=".into(),
        ));
    };
    let script = match &screenshots {
        Some(dir) => Some(WorkshopScript {
            mode: ScriptMode::Autoplay,
            screenshots: screenshots_folder(dir)?,
        }),
        None => None,
    };
    run_workshop_game(crate::game::workshop::WorkshopStart {
        join: Some((url, code)),
        host: false,
        script,
    })?;
    match screenshots {
        Some(dir) => write_out(
            out,
            &format!("autoplayed the workshop; screenshots in {}\n", dir.display()),
        ),
        None => Ok(()),
    }
}

/// Creates the folder a scripted run saves its screenshots in.
#[cfg(feature = "gui")]
fn screenshots_folder(dir: &Path) -> Result<PathBuf, CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Output(format!("{}: cannot create the folder: {e}", dir.display())))?;
    Ok(dir.to_path_buf())
}

/// `thin-margin host [--screenshots DIR]`.
#[cfg(feature = "gui")]
fn host_workshop(screenshots: Option<PathBuf>, out: &mut dyn Write) -> Result<(), CliError> {
    use crate::game::workshop::script::{ScriptMode, WorkshopScript, check_demo};
    let script = match &screenshots {
        Some(dir) => Some(WorkshopScript {
            mode: ScriptMode::Demo,
            screenshots: screenshots_folder(dir)?,
        }),
        None => None,
    };
    run_workshop_game(crate::game::workshop::WorkshopStart {
        join: None,
        host: true,
        script,
    })?;
    match screenshots {
        Some(dir) => write_out(out, &check_demo(&dir).map_err(CliError::Game)?),
        None => Ok(()),
    }
}

/// Runs a parsed command, writing results to `out`.
pub fn run_command(command: Command, out: &mut dyn Write) -> Result<(), CliError> {
    match command {
        Command::Scenarios { dir } => list(&dir, out),
        Command::Simulate {
            scenario,
            seed,
            strategy,
            decisions,
            format,
            quarters,
            cap,
        } => simulate(
            &scenario,
            seed,
            strategy.as_deref(),
            decisions.as_deref(),
            format,
            quarters,
            cap,
            out,
        ),
        Command::Balance {
            scenario,
            seeds,
            first_seed,
            random,
            format,
        } => balance(
            &scenario,
            BalanceOptions {
                seeds,
                first_seed,
                random_players: random,
            },
            format,
            out,
        ),
        Command::Sweep {
            scenario,
            vary,
            strategy,
            decisions,
            metric,
            runs,
            seed,
            format,
            chart,
        } => {
            let scenario = resolve_scenario(&scenario, None)?;
            let plan = base_plan(&scenario, strategy.as_deref(), decisions.as_deref())?;
            let vary = vary
                .iter()
                .map(|v| parse_vary(v, &scenario))
                .collect::<Result<Vec<_>, _>>()?;
            let metrics = metric.iter().map(|m| parse_metric(m)).collect::<Result<Vec<_>, _>>()?;
            let spec = SweepSpec {
                plan,
                vary,
                metrics,
                runs,
                first_seed: seed,
                quarters: None,
            };
            run_sweep(&scenario, &spec, format, chart.as_deref(), out)
        }
        Command::GoalSeek {
            scenario,
            vary,
            target,
            strategy,
            decisions,
            runs,
            seed,
            no_noise,
        } => {
            let mut scenario = resolve_scenario(&scenario, None)?;
            let plan = base_plan(&scenario, strategy.as_deref(), decisions.as_deref())?;
            let (name, range_text) = vary
                .split_once('=')
                .ok_or_else(|| CliError::Usage(format!("--vary \"{vary}\": write PARAM=FROM..TO")))?;
            let address = Address::parse(name, &scenario).map_err(CliError::Usage)?;
            let range = Range::parse(range_text).map_err(CliError::Usage)?;
            let (metric_text, value_text) = target
                .split_once('=')
                .ok_or_else(|| CliError::Usage(format!("--target \"{target}\": write METRIC=VALUE")))?;
            let metric = parse_metric(metric_text)?;
            let value = value_text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| CliError::Usage(format!("--target: \"{value_text}\" is not a number")))?;
            let runs = if no_noise {
                scenario = Arc::new(sweep::without_noise(&scenario));
                1
            } else {
                runs
            };
            let spec = sweep::GoalSpec {
                plan,
                name: name.to_string(),
                address,
                range,
                metric,
                target: value,
                runs,
                first_seed: seed,
            };
            let found = with_progress(|progress, cancel| sweep::goal_seek(&scenario, &spec, progress, cancel))?;
            write_out(out, &goal_seek_text(&scenario, &found, no_noise, runs))
        }
        Command::Sensitivity {
            scenario,
            strategy,
            decisions,
            metric,
            spread,
            runs,
            seed,
            top,
            format,
            chart,
        } => {
            let scenario = resolve_scenario(&scenario, None)?;
            let BasePlan::Log(plan) = base_plan(&scenario, strategy.as_deref(), decisions.as_deref())? else {
                return Err(CliError::Usage(
                    "sensitivity moves the plan's decisions: use a decision log (--decisions FILE, or --strategy reference or hold)".into(),
                ));
            };
            let metric = parse_metric(&metric)?;
            let spread = parse_spread(&spread)?;
            let t = with_progress(|progress, cancel| {
                sensitivity::tornado(&scenario, &plan, &metric, spread, runs, seed, progress, cancel)
            })?;
            if let Some(path) = chart {
                Chart::Tornado(&t, top)
                    .save(&path)
                    .map_err(|e| CliError::Output(e.to_string()))?;
            }
            let text = match format {
                BalanceFormat::Json => {
                    serde_json::to_string_pretty(&t).map_err(|e| CliError::Output(e.to_string()))? + "\n"
                }
                _ => tornado_table(&t, top),
            };
            write_out(out, &text)
        }
        Command::Challenge {
            scenario,
            decisions,
            strategy,
            at,
            constraint,
            replan,
            runs,
            seed,
            format,
        } => {
            let path = scenario_path(&scenario, None)?;
            let scenario = Arc::new(scenario::load_scenario(&path)?);
            let BasePlan::Log(plan) = base_plan(&scenario, strategy.as_deref(), decisions.as_deref())? else {
                return Err(CliError::Usage(
                    "a challenge plays a decision log (--decisions FILE, or --strategy reference or hold)".into(),
                ));
            };
            let at_idx = quarter_arg(&scenario, &at)?;
            let event = constraint_arg(&path, &constraint)?;
            let replan = match replan {
                Some(p) => {
                    let (log, text) = decision_log::load_decision_log(&p)?;
                    decision_log::check_against(&p, &text, &log, &scenario)?;
                    Some(log.quarters)
                }
                None => None,
            };
            let c = challenge::challenge(&scenario, &plan, replan.as_deref(), at_idx, &event, runs, seed)
                .map_err(CliError::Usage)?;
            let text = match format {
                BalanceFormat::Json => {
                    serde_json::to_string_pretty(&c).map_err(|e| CliError::Output(e.to_string()))? + "\n"
                }
                _ => challenge_table(&scenario, &c),
            };
            write_out(out, &text)
        }
        Command::Debrief {
            scenario,
            decisions,
            strategy,
            save,
            seed,
            out: dir,
        } => debrief(
            scenario.as_deref(),
            decisions.as_deref(),
            strategy.as_deref(),
            save.as_deref(),
            seed,
            &dir,
            out,
        ),
        Command::Check { files } => check(&files, out),
        Command::Adjust {
            scenario,
            id,
            title,
            market_size,
            no_shocks,
            shocks: _,
            cap,
            rivals,
            out: dir,
        } => adjust_command(
            &scenario,
            AdjustArgs {
                id,
                title,
                market_size,
                no_shocks,
                cap,
                rivals,
            },
            dir.as_deref(),
            out,
        ),
        #[cfg(feature = "server")]
        Command::Serve {
            addr,
            db,
            scenarios,
            admin_token_file,
        } => {
            // Beside a SQLite file by default; in the working folder for a database URL.
            let admin_token_file = admin_token_file.unwrap_or_else(|| {
                if db.contains("://") {
                    PathBuf::from("workshop.admin-token")
                } else {
                    PathBuf::from(format!("{db}.admin-token"))
                }
            });
            crate::workshop::server::serve(
                &crate::workshop::server::ServeOptions {
                    addr,
                    db,
                    scenarios,
                    admin_token_file,
                },
                out,
            )
            .map_err(CliError::Game)
        }
        Command::Verify { file, public_key } => verify_results(&file, public_key.as_deref(), out),
        #[cfg(feature = "gui")]
        Command::Join {
            url,
            code,
            autoplay: _,
            screenshots,
        } => join_workshop(url, code, screenshots, out),
        #[cfg(feature = "gui")]
        Command::Host { screenshots } => host_workshop(screenshots, out),
        #[cfg(feature = "gui")]
        Command::Play {
            scenario,
            seed,
            strategy,
            decisions,
            screenshots,
            timings,
            analysis,
            panel_challenge,
        } => play(
            &scenario,
            seed,
            strategy.as_deref(),
            decisions.as_deref(),
            &screenshots,
            crate::game::script::Extras {
                timings,
                analysis,
                panel_challenge,
            },
            out,
        ),
    }
}

fn verify_results(file: &Path, public_key: Option<&str>, out: &mut dyn Write) -> Result<(), CliError> {
    let text =
        std::fs::read_to_string(file).map_err(|e| CliError::Verify(format!("{}: cannot read: {e}", file.display())))?;
    let v = crate::workshop::chain::verify(&file.display().to_string(), &text, public_key).map_err(CliError::Verify)?;
    write_out(
        out,
        &format!(
            "{}: verified — {} round{} re-simulated, {} teams, hash chain and leaderboard match, signed by {}{}{}\n",
            file.display(),
            v.rounds,
            if v.rounds == 1 { "" } else { "s" },
            v.teams,
            v.public_key,
            if public_key.is_some() {
                " (the key given)"
            } else {
                " (the key inside the file: pass --public-key with the key shown when the workshop was created to prove the file is that workshop's)"
            },
            v.winner.map(|w| format!("; winner: {w}")).unwrap_or_default()
        ),
    )
}

/// The player's decisions for a whole run of `scenario`, from a log or a strategy,
/// played in the core (for the scripted game and the debrief slides), and the seed.
fn planned_decisions(
    scenario: &Arc<Scenario>,
    seed: Option<u64>,
    strategy: Option<&str>,
    decisions: Option<&Path>,
) -> Result<(Vec<crate::sim::CompanyDecisions>, u64), CliError> {
    let (policy, seed) = player_policy(scenario, seed, strategy, decisions)?;
    let output = run(scenario.clone(), seed, &mut [policy], None)?;
    Ok((
        output
            .decisions
            .into_iter()
            .filter_map(|d| d.into_iter().next())
            .collect(),
        seed,
    ))
}

#[cfg(feature = "gui")]
fn play(
    scenario_arg: &str,
    seed: Option<u64>,
    strategy: Option<&str>,
    decisions: Option<&Path>,
    screenshots: &Path,
    extras: crate::game::script::Extras,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let path = scenario_path(scenario_arg, None)?;
    let scenario = Arc::new(scenario::load_scenario(&path)?);
    let (planned, seed) = planned_decisions(&scenario, seed, strategy, decisions)?;
    screenshots_folder(screenshots)?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    crate::game::run(crate::game::GameOptions {
        campaign_path: dir.join("campaign.ron"),
        workshop: Default::default(),
        script: Some(crate::game::script::ScriptOptions {
            scenario_id: scenario.id.clone(),
            seed,
            decisions: planned,
            screenshots: screenshots.to_path_buf(),
            extras,
        }),
    })
    .map_err(CliError::Game)?;
    let report = crate::game::script::check_screenshots(screenshots).map_err(CliError::Game)?;
    write_out(out, &report)
}

fn write_out(out: &mut dyn Write, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::Output(e.to_string()))
}

fn list(dir: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let (found, failed) = scenario::list_scenarios(dir)?;
    let id_width = found.iter().map(|s| s.id.chars().count()).max().unwrap_or(0).max(2);
    let title_width = found.iter().map(|s| s.title.chars().count()).max().unwrap_or(0).max(5);
    let mut text = format!(
        "{:<id_width$} {:<7} {:>8}  {:<title_width$} {}\n",
        "ID", "START", "QUARTERS", "TITLE", "PITCH"
    );
    for s in &found {
        text += &format!(
            "{:<id_width$} {:<7} {:>8}  {:<title_width$} {}\n",
            s.id, s.start, s.quarters, s.title, s.pitch
        );
    }
    if found.is_empty() {
        text += &format!("(no scenarios in {})\n", dir.display());
    }
    write_out(out, &text)?;
    if let Some(first) = failed.into_iter().reduce(|mut a, b| {
        a.0.extend(b.0);
        a
    }) {
        return Err(first.into());
    }
    Ok(())
}

/// Finds a scenario by path, or by id in `./scenarios` or next to `near`.
fn resolve_scenario(arg: &str, near: Option<&Path>) -> Result<Arc<Scenario>, CliError> {
    let path = scenario_path(arg, near)?;
    Ok(Arc::new(scenario::load_scenario(&path)?))
}

/// The file a scenario argument names: a path, or an id in `./scenarios` or next to `near`.
fn scenario_path(arg: &str, near: Option<&Path>) -> Result<PathBuf, CliError> {
    let candidates = scenario_candidates(arg, near);
    candidates.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        CliError::Usage(format!(
            "no scenario file or id \"{arg}\" (looked for {}); `thin-margin scenarios` lists them",
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// The plan a sweep plays: a decision log (from a file, or the reference and hold
/// strategies, which are logs) or another named strategy.
fn base_plan(scenario: &Arc<Scenario>, strategy: Option<&str>, decisions: Option<&Path>) -> Result<BasePlan, CliError> {
    if let Some(path) = decisions {
        let (log, text) = decision_log::load_decision_log(path)?;
        decision_log::check_against(path, &text, &log, scenario)?;
        return Ok(BasePlan::Log(log.quarters));
    }
    Ok(
        match Strategy::parse(strategy.unwrap_or("reference")).map_err(CliError::Usage)? {
            Strategy::Reference => BasePlan::Log(scenario.reference.clone()),
            Strategy::Hold => BasePlan::Log(Vec::new()),
            other => BasePlan::Strategy(other),
        },
    )
}

/// `PARAM=FROM..TO[:STEP]`.
fn parse_vary(text: &str, scenario: &Scenario) -> Result<Vary, CliError> {
    let (name, range) = text
        .split_once('=')
        .ok_or_else(|| CliError::Usage(format!("--vary \"{text}\": write PARAM=FROM..TO[:STEP]")))?;
    let address = Address::parse(name, scenario).map_err(CliError::Usage)?;
    let range = Range::parse(range).map_err(CliError::Usage)?;
    if range.len() > sweep::MAX_RUNS {
        return Err(CliError::Usage(format!(
            "--vary {name}: {} grid values; a sweep may run at most {} runs",
            range.len(),
            sweep::MAX_RUNS
        )));
    }
    Ok(Vary {
        name: name.to_string(),
        address,
        values: range.values(),
    })
}

/// A metric name (`score`, or a report field with its aggregation), or the closest
/// valid ones.
fn parse_metric(text: &str) -> Result<Measure, CliError> {
    Measure::parse(text).map_err(|_| {
        let field = text.split('@').next().unwrap_or(text);
        let mut names: Vec<String> = SCALAR_FIELDS.iter().map(|f| f.to_string()).collect();
        names.push("score".into());
        for f in CHANNEL_FIELDS {
            for ch in Channel::ALL {
                names.push(format!("{f}.{}", ch.key()));
            }
        }
        let near = crate::analysis::address::closest(field, names.iter().map(String::as_str));
        CliError::Usage(format!(
            "unknown metric \"{text}\": did you mean {}? (a metric is score, or FIELD[@sum|mean|min|max|last|QUARTER])",
            near.join(", ")
        ))
    })
}

/// Runs a long analysis with a progress bar on a terminal (runs done of the total);
/// Ctrl-C stops it cleanly with a message saying how far it got.
fn with_progress<T>(
    work: impl FnOnce(sweep::Progress, &std::sync::atomic::AtomicBool) -> Result<T, sweep::SweepError>,
) -> Result<T, CliError> {
    static CANCEL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    // A second handler cannot be set in the same process (tests call this twice): fine.
    let _ = ctrlc::set_handler(|| CANCEL.store(true, std::sync::atomic::Ordering::Relaxed));
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let result = work(
        &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
        &CANCEL,
    );
    bar.finish_and_clear();
    result.map_err(|e| CliError::Usage(e.to_string()))
}

/// Runs a sweep with a progress bar on a terminal; Ctrl-C stops it cleanly.
fn run_sweep(
    scenario: &Scenario,
    spec: &SweepSpec,
    format: BalanceFormat,
    chart: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let total = spec.total_runs();
    if total > sweep::MAX_RUNS {
        return Err(CliError::Usage(format!(
            "{total} runs asked for; a sweep may run at most {} (fewer grid points or --runs)",
            sweep::MAX_RUNS
        )));
    }
    let result = with_progress(|progress, cancel| sweep::sweep(scenario, spec, progress, cancel))?;
    if let Some(path) = chart {
        Chart::Sweep(&result)
            .save(path)
            .map_err(|e| CliError::Output(e.to_string()))?;
    }
    let text = match format {
        BalanceFormat::Json => {
            serde_json::to_string_pretty(&result).map_err(|e| CliError::Output(e.to_string()))? + "\n"
        }
        BalanceFormat::Table | BalanceFormat::Markdown => sweep_table(&result),
    };
    write_out(out, &text)
}

/// A sweep as a table: one row per grid point, each metric as mean (P10–P90).
fn sweep_table(r: &SweepResult) -> String {
    let mut t = format!(
        "Sweep of {} over {} ({} seeds per point from seed {}; common random numbers)\n",
        r.scenario,
        r.params.join(" × "),
        r.runs_per_point,
        r.first_seed
    );
    let mut header: Vec<String> = r.params.clone();
    for m in &r.metrics {
        header.push(format!("{m} mean"));
        header.push("P10".into());
        header.push("P90".into());
    }
    t += &header.join("\t");
    t += "\n";
    for p in &r.points {
        let mut cells: Vec<String> = p.values.iter().map(|v| format!("{v}")).collect();
        for (m, s) in r.metrics.iter().zip(&p.metrics) {
            cells.push(metric_value(m, s.mean));
            cells.push(metric_value(m, s.p10));
            cells.push(metric_value(m, s.p90));
        }
        if p.refused > 0 {
            cells.push(format!(
                "({} runs refused: {})",
                p.refused,
                p.refusal.clone().unwrap_or_default()
            ));
        }
        t += &cells.join("\t");
        t += "\n";
    }
    t
}

fn goal_seek_text(scenario: &Scenario, g: &GoalSeek, no_noise: bool, runs: u32) -> String {
    let how = if no_noise {
        "one run with the demand noise off".to_string()
    } else {
        format!("the mean over {runs} seeds")
    };
    match g.found {
        Some(x) => format!(
            "{} = {x:.4} gives {} = {} ({how}; target {}; {} evaluations in {})\n",
            g.param,
            g.metric,
            metric_value(&g.metric, g.metric_at_closest),
            metric_value(&g.metric, g.target),
            g.evaluations,
            scenario.id
        ),
        None => format!(
            "The target {} = {} is out of reach for {} in that range ({how}). The closest: {} = {:.4} gives {}.\n",
            g.metric,
            metric_value(&g.metric, g.target),
            g.param,
            g.param,
            g.closest,
            metric_value(&g.metric, g.metric_at_closest)
        ),
    }
}

/// `10%` or `0.1`.
fn parse_spread(text: &str) -> Result<f64, CliError> {
    let value = match text.trim().strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => text.trim().parse::<f64>(),
    };
    value.ok().filter(|v| *v > 0.0 && *v < 1.0).ok_or_else(|| {
        CliError::Usage(format!(
            "--spread \"{text}\": give a share between 0% and 100%, e.g. 10%"
        ))
    })
}

fn tornado_table(t: &sensitivity::Tornado, top: usize) -> String {
    let mut s = format!(
        "Sensitivity of {} in {}: each parameter and decision moved by ±{:.0}% alone ({} seeds each, common random numbers)\nBase: {}\n",
        t.metric,
        t.scenario,
        t.spread * 100.0,
        t.runs,
        metric_value(&t.metric, t.base)
    );
    s += &format!(
        "{:<44} {:>14} {:>14} {:>14} {:>14}\n",
        "PARAMETER", "BASE VALUE", "−SPREAD", "+SPREAD", "SWING"
    );
    for b in t.bars.iter().take(top) {
        s += &format!(
            "{:<44} {:>14} {:>14} {:>14} {:>14}\n",
            b.param,
            format!("{:.4}", b.base_value)
                .trim_end_matches('0')
                .trim_end_matches('.'),
            metric_value(&t.metric, b.low),
            metric_value(&t.metric, b.high),
            metric_value(&t.metric, b.swing(t.base))
        );
    }
    if t.bars.len() > top {
        s += &format!("… {} more (--top N, or --format json for all)\n", t.bars.len() - top);
    }
    s
}

/// `2012Q3` or `q5` as a quarter index of the scenario.
fn quarter_arg(scenario: &Scenario, text: &str) -> Result<usize, CliError> {
    let idx = if let Some(n) = text.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()) {
        n.checked_sub(1)
    } else {
        crate::sim::Quarter::parse(text).and_then(|q| {
            (0..scenario.n_quarters)
                .find(|i| scenario.quarter_at(*i) == q)
                .map(|i| i as usize)
        })
    };
    idx.filter(|i| *i < scenario.n_quarters as usize).ok_or_else(|| {
        CliError::Usage(format!(
            "--at \"{text}\": give a quarter of the scenario, {} to {} (or q1 to q{})",
            scenario.start,
            scenario.quarter_at(scenario.n_quarters - 1),
            scenario.n_quarters
        ))
    })
}

/// A constraint by library name (scenarios/constraints/NAME.ron) or file path.
fn constraint_arg(scenario_path: &Path, arg: &str) -> Result<crate::sim::params::Event, CliError> {
    let library = scenario_path
        .parent()
        .map_or_else(|| PathBuf::from("constraints"), |p| p.join("constraints"));
    let named = library.join(format!("{arg}.ron"));
    let path = if Path::new(arg).is_file() {
        PathBuf::from(arg)
    } else if named.is_file() {
        named
    } else {
        let names: Vec<String> = std::fs::read_dir(&library)
            .map(|d| {
                let mut v: Vec<String> = d
                    .filter_map(Result::ok)
                    .filter_map(|e| e.path().file_stem().and_then(|s| s.to_str()).map(str::to_string))
                    .collect();
                v.sort();
                v
            })
            .unwrap_or_default();
        let near = crate::analysis::address::closest(arg, names.iter().map(String::as_str));
        return Err(CliError::Usage(format!(
            "no constraint \"{arg}\" in {} (did you mean {}?), and no such file",
            library.display(),
            near.join(", ")
        )));
    };
    Ok(crate::scenario::constraint::load_constraint(&path)?)
}

fn challenge_table(scenario: &Scenario, c: &challenge::Challenge) -> String {
    let cur = &scenario.currency;
    let mut t = format!(
        "Panel challenge in {}: \"{}\" from {} ({} seeds each, the same for every plan)\n{}\n\n",
        c.scenario, c.constraint, c.at, c.runs, c.description
    );
    let mut columns: Vec<(&str, &challenge::Outcome)> =
        vec![("ORIGINAL PLAN", &c.original), ("UNDER THE CONSTRAINT", &c.constrained)];
    if let Some(r) = &c.replanned {
        columns.push(("RE-PLAN", r));
    }
    t += &format!("{:<24}", "");
    for (name, _) in &columns {
        t += &format!("{name:>22}");
    }
    t += "\n";
    let rows: [(&str, fn(&challenge::Outcome, &str) -> String); 6] = [
        ("score", |o, _| format!("{:.1}/100", o.score)),
        ("net profit", |o, cur| money(cur, o.net_profit)),
        ("units sold", |o, _| thousands(o.units_sold.round().max(0.0) as u64)),
        ("lowest cash", |o, cur| money(cur, o.cash_min)),
        ("trust at the end", |o, _| format!("{:.2}", o.final_trust)),
        ("objectives met", |o, _| format!("{:.0}%", o.objectives_met * 100.0)),
    ];
    for (name, show) in rows {
        t += &format!("{name:<24}");
        for (_, o) in &columns {
            t += &format!("{:>22}", show(o, cur));
        }
        t += "\n";
    }
    t
}

/// Writes the three-slide debrief files into `dir`.
fn debrief(
    scenario_arg: Option<&str>,
    decisions: Option<&Path>,
    strategy: Option<&str>,
    save: Option<&Path>,
    seed: Option<u64>,
    dir: &Path,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (scenario, played, seed) = match save {
        Some(path) => {
            let (file, text) = run_file::read_save(path)?;
            let scenario_path = scenario_named_in(path, &text, &file.scenario)?;
            let scenario_text = load::read_text(&scenario_path)?;
            let scenario = Arc::new(scenario::parse_scenario(&scenario_path, &scenario_text)?);
            run_file::replay(
                path,
                &text,
                &file,
                &scenario,
                &run_file::scenario_hash(&scenario_text),
                None,
            )?;
            (scenario, file.quarters, seed.unwrap_or(file.seed))
        }
        None => {
            let arg = scenario_arg.ok_or_else(|| CliError::Usage("name a scenario, or give --save FILE".into()))?;
            let scenario = resolve_scenario(arg, None)?;
            let (played, seed) = planned_decisions(&scenario, seed, strategy, decisions)?;
            (scenario, played, seed)
        }
    };
    let deck = slides::deck(&scenario, seed, &played)
        .ok_or_else(|| CliError::Usage(format!("scenario \"{}\" has no objective to present", scenario.id)))?;
    let written = crate::chart::write_debrief(&deck, dir).map_err(|e| CliError::Output(e.to_string()))?;
    let mut text = format!("The debrief of {} (seed {seed}):\n", deck.title);
    for (slide, n) in deck.slides.iter().zip(1..) {
        text += &format!("  {n}. {}: {}\n", slide.kicker, slide.headline);
    }
    for path in written {
        text += &format!("wrote {}\n", path.display());
    }
    write_out(out, &text)
}

/// The balance report of a scenario (see [`crate::analysis::balance`]).
fn balance(
    scenario_arg: &str,
    options: BalanceOptions,
    format: BalanceFormat,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let path = scenario_path(scenario_arg, None)?;
    let scenario = Arc::new(scenario::load_scenario(&path)?);
    let mut contenders = balance::standard_contenders();
    contenders.extend(alternative_plans(&path, &scenario)?);
    let report = balance::balance(&scenario, &contenders, options)
        .map_err(|(name, e)| CliError::Usage(format!("strategy {name}: {e}")))?;
    let text = match format {
        BalanceFormat::Table => report.to_table(),
        BalanceFormat::Markdown => report.to_markdown(),
        BalanceFormat::Json => {
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Output(e.to_string()))? + "\n"
        }
    };
    write_out(out, &text)
}

/// The scenario's named alternative plans: `decisions/<id>-<name>.ron` next to the
/// scenarios folder, each checked against the scenario.
fn alternative_plans(scenario_path: &Path, scenario: &Arc<Scenario>) -> Result<Vec<Contender>, CliError> {
    let dir = scenario_path
        .parent()
        .map_or_else(|| PathBuf::from(".."), |p| p.join(".."))
        .join("decisions");
    let prefix = format!("{}-", scenario.id);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "ron")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix))
        })
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let (log, text) = decision_log::load_decision_log(&path)?;
        decision_log::check_against(&path, &text, &log, scenario)?;
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .map_or_else(String::new, |n| n.trim_start_matches(&prefix).to_string());
        out.push(Contender {
            name,
            kind: Kind::Alternative,
            plan: Plan::Log(log.quarters),
        });
    }
    Ok(out)
}

fn scenario_candidates(arg: &str, near: Option<&Path>) -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from(arg)];
    let file = format!("{arg}.ron");
    out.push(Path::new("scenarios").join(&file));
    if let Some(dir) = near.and_then(Path::parent) {
        out.push(dir.join(&file));
        out.push(dir.join("..").join("scenarios").join(&file));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn simulate(
    scenario_arg: &str,
    seed: Option<u64>,
    strategy: Option<&str>,
    decisions: Option<&Path>,
    format: Format,
    quarters: Option<u32>,
    cap: Option<Switch>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut scenario = resolve_scenario(scenario_arg, None)?;
    if let Some(cap) = cap {
        scenario = Arc::new(cap_comparison::with_cap(&scenario, cap == Switch::On));
    }
    let (policy, seed) = player_policy(&scenario, seed, strategy, decisions)?;
    let n_players = scenario.companies.iter().filter(|c| c.is_player).count();
    let mut policies: Vec<Box<dyn Policy>> = vec![policy];
    if n_players != 1 {
        return Err(CliError::Usage(format!(
            "scenario \"{}\" has {n_players} player companies; simulate plays scenarios with one",
            scenario.id
        )));
    }
    let output = run(scenario.clone(), seed, &mut policies, quarters)?;
    let text = match format {
        Format::Table => table(&scenario, &output, seed),
        Format::Json => json(&output)?,
        Format::Csv => csv_text(&scenario, &output)?,
    };
    write_out(out, &text)
}

/// How the player company decides, and the seed: a decision log (checked against the
/// scenario; its seed unless one is given) or a named strategy (seed 0 by default).
fn player_policy(
    scenario: &Arc<Scenario>,
    seed: Option<u64>,
    strategy: Option<&str>,
    decisions: Option<&Path>,
) -> Result<(Box<dyn Policy>, u64), CliError> {
    match decisions {
        Some(path) => {
            let (log, text) = decision_log::load_decision_log(path)?;
            decision_log::check_against(path, &text, &log, scenario)?;
            let seed = seed.or(log.seed).unwrap_or(0);
            Ok((Box::new(log.policy()), seed))
        }
        None => {
            let strategy = Strategy::parse(strategy.unwrap_or("reference")).map_err(CliError::Usage)?;
            Ok((strategy.policy(scenario), seed.unwrap_or(0)))
        }
    }
}

/// The reports as a JSON array, one object per company per quarter.
pub fn json(output: &RunOutput) -> Result<String, CliError> {
    let rows: Vec<&CompanyReport> = output.rows().collect();
    let mut text = serde_json::to_string_pretty(&rows).map_err(|e| CliError::Output(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

fn csv_text(scenario: &Scenario, output: &RunOutput) -> Result<String, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["quarter".into(), "company".into(), "is_player".into()];
    header.extend(SCALAR_FIELDS.iter().map(|s| s.to_string()));
    header.push("cap".into());
    for map in CHANNEL_FIELDS {
        header.extend(Channel::ALL.iter().map(|ch| format!("{map}.{ch}")));
    }
    header.extend(
        scenario
            .market
            .segments
            .iter()
            .map(|s| format!("share_by_segment.{}", s.name)),
    );
    header.push("bankrupt".into());
    header.push("events".into());
    let err = |e: csv::Error| CliError::Output(e.to_string());
    w.write_record(&header).map_err(err)?;
    for r in output.rows() {
        let mut rec: Vec<String> = vec![r.quarter.to_string(), r.company.to_string(), r.is_player.to_string()];
        rec.extend(
            SCALAR_FIELDS
                .iter()
                .map(|f| field_value(r, f).map_or(String::new(), |v| v.to_string())),
        );
        rec.push(r.cap.map_or(String::new(), |c| c.to_string()));
        for map in CHANNEL_FIELDS {
            rec.extend(
                Channel::ALL
                    .iter()
                    .map(|ch| field_value(r, &format!("{map}.{ch}")).map_or(String::new(), |v| v.to_string())),
            );
        }
        rec.extend(scenario.market.segments.iter().map(|s| {
            r.share_by_segment
                .get(s.name.as_str())
                .map_or(String::new(), |v| v.to_string())
        }));
        rec.push(r.bankrupt.to_string());
        rec.push(r.events.join("; "));
        w.write_record(&rec).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| CliError::Output(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| CliError::Output(e.to_string()))
}

fn pct(x: f64) -> String {
    let v = if x.abs() < 0.0005 { 0.0 } else { x * 100.0 };
    format!("{v:.1}%")
}

fn table(scenario: &Scenario, output: &RunOutput, seed: u64) -> String {
    let cur = &scenario.currency;
    let mut t = format!("{} — {} (seed {seed})\n", scenario.title, scenario.id);
    t += &format!(
        "{:<7} {:<18} {:>11} {:>10} {:>7} {:>7} {:>6} {:>8} {:>7} {:>10} {:>10} {:>6} {:>6}\n",
        "QUARTER",
        "COMPANY",
        "UNITS",
        "REVENUE",
        "GM",
        "EXP",
        "TURN",
        "ROI",
        "HW NET",
        "PROFIT",
        "CASH",
        "TRUST",
        "SHARE"
    );
    for report in &output.reports {
        for r in &report.companies {
            let share = if r.share_by_segment.len() == 1 {
                r.share_by_segment.values().next().map_or("—".into(), |s| pct(*s))
            } else {
                r.share_by_segment
                    .iter()
                    .map(|(k, v)| format!("{k} {}", pct(*v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let name = if r.is_player {
                format!("{} *", r.company)
            } else {
                r.company.to_string()
            };
            t += &format!(
                "{:<7} {:<18} {:>11} {:>10} {:>7} {:>7} {:>5.1}× {:>8} {:>7} {:>10} {:>10} {:>6.2} {:>6}{}\n",
                r.quarter.to_string(),
                truncate(&name, 18),
                thousands(r.units_sold),
                money(cur, r.revenue_hardware + r.revenue_services),
                pct(r.gross_margin),
                pct(r.expense_ratio),
                r.turnover,
                pct(r.roi),
                pct(r.hw_margin_after_cap),
                money(cur, r.net_profit),
                money(cur, r.cash),
                r.trust,
                share,
                if r.bankrupt { "  BANKRUPT" } else { "" }
            );
        }
        if !report.events.is_empty() {
            t += &format!("        events: {}\n", report.events.join("; "));
        }
    }
    t += "* = your company. GM gross margin, EXP expense ratio, TURN inventory turnover (annualised),\n";
    t += "ROI = (GM − EXP) × TURN, HW NET hardware net margin after the cap (trailing four quarters).\n";
    let rows = output.player_rows();
    let objectives = score::objectives(scenario, &rows);
    if !objectives.is_empty() {
        t += "\nObjectives\n";
        for o in &objectives {
            let mark = match o.status {
                ObjectiveStatus::Met => "[met]    ",
                ObjectiveStatus::Missed => "[missed] ",
                ObjectiveStatus::Pending => "[pending]",
            };
            let value = o.value.map_or("—".into(), |v| metric_value(&o.metric, v));
            t += &format!(
                "  {mark} {} — now {value}, target {}\n",
                o.text,
                metric_value(&o.metric, o.target)
            );
        }
    }
    if !scenario.calibration.is_empty() {
        t += "\nThe documents' figures (the reference strategy reproduces each within its tolerance)\n";
        for k in &scenario.calibration {
            let value = k.metric.evaluate(&rows);
            let mark = match value {
                Some(v) if k.holds(v) => "[within] ",
                Some(_) => "[outside]",
                None => "[pending]",
            };
            let shown = value.map_or("—".into(), |v| metric_value(&k.metric.to_string(), v));
            t += &format!(
                "  {mark} {} — this run {shown}, documents {} ±{:.0}%\n",
                k.figure,
                metric_value(&k.metric.to_string(), k.target),
                k.tolerance * 100.0
            );
        }
    }
    let played: Vec<_> = output.decisions.iter().filter_map(|d| d.first().cloned()).collect();
    if let Some(c) = cap_comparison::compare_cap(&Arc::new(scenario.clone()), seed, &played) {
        let (on, off) = c.on_off();
        t += &format!(
            "\nThe {:.0}% hardware margin cap: these decisions with the cap on and off (same seed)\n",
            scenario.cap.level * 100.0
        );
        t += &format!("  {:<34} {:>14} {:>14}\n", "", "CAP ON", "CAP OFF");
        let cur = &scenario.currency;
        for (name, a, b) in [
            ("score", format!("{:.0}/100", on.score), format!("{:.0}/100", off.score)),
            ("net profit", money(cur, on.net_profit), money(cur, off.net_profit)),
            (
                "rebates returned to buyers",
                money(cur, on.rebates),
                money(cur, off.rebates),
            ),
            (
                "margin before the cap (last)",
                pct(on.margin_before_cap),
                pct(off.margin_before_cap),
            ),
            (
                "trust at the end",
                format!("{:.2}", on.final_trust),
                format!("{:.2}", off.final_trust),
            ),
            ("units sold", thousands(on.units_sold), thousands(off.units_sold)),
            (
                "objectives met",
                format!("{} of {}", on.objectives_met, on.objectives),
                format!("{} of {}", off.objectives_met, off.objectives),
            ),
        ] {
            t += &format!("  {name:<34} {a:>14} {b:>14}\n");
        }
        t += &format!("  (this run: cap {})\n", if c.played.cap_on { "on" } else { "off" });
    }
    let s = score::score(scenario, &rows);
    let effects = key_decisions(&Arc::new(scenario.clone()), seed, &played, 3);
    if !effects.is_empty() {
        t += "\nDecisions that moved the result most (each reverted alone, same seed)\n";
        for e in &effects {
            t += &format!(
                "  {}  {:<48} score {:+.1} pts, net profit {}\n",
                e.quarter,
                e.description,
                e.score_effect,
                signed_money(&scenario.currency, e.profit_effect)
            );
        }
    }
    t += &format!(
        "\nScore {:.0}/100 (profit {:.2}, trust {:.2}, users {:.2}, ROI {:.2}, cap compliance {:.2}, objectives {:.2})\n",
        s.total, s.profit, s.trust, s.users, s.roi, s.cap_compliance, s.objectives
    );
    t
}

fn signed_money(currency: &str, v: f64) -> String {
    if v > 0.0 {
        format!("+{}", money(currency, v))
    } else {
        money(currency, v)
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn check(files: &[PathBuf], out: &mut dyn Write) -> Result<(), CliError> {
    let mut errors = Vec::new();
    for path in files {
        match check_file(path) {
            Ok(kind) => write_out(out, &format!("{}: ok ({kind})\n", path.display()))?,
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(FileErrors(errors).into())
    }
}

/// The `adjust` command's changes, as given on the command line (unset: as the scenario is).
struct AdjustArgs {
    id: String,
    title: Option<String>,
    market_size: Option<f64>,
    no_shocks: bool,
    cap: Option<Switch>,
    rivals: Option<usize>,
}

/// Writes the adjusted scenario to `dir/ID.ron` (never over an existing file) and prints its path.
fn adjust_command(arg: &str, args: AdjustArgs, dir: Option<&Path>, out: &mut dyn Write) -> Result<(), CliError> {
    use crate::scenario::adjust::{AdjustError, Adjustments, adjust};
    let source = scenario_path(arg, None)?;
    let text = load::read_text(&source)?;
    let file: scenario::file::ScenarioFile = load::parse_ron(&source, &text)?;
    let mut a = Adjustments::from_scenario(&file);
    a.id = args.id;
    if let Some(title) = args.title {
        a.title = title;
    }
    if let Some(size) = args.market_size {
        a.market_size = size;
    }
    a.shocks = !args.no_shocks;
    if let Some(cap) = args.cap {
        a.cap_enabled = cap == Switch::On;
    }
    if let Some(rivals) = args.rivals {
        a.rivals = rivals;
    }
    let adjusted = adjust(&source, &text, &a).map_err(|e| match e {
        AdjustError::Source(e) | AdjustError::Result(e) => CliError::Files(e),
        AdjustError::Value { field, message } => {
            let flag = field.replace('_', "-");
            CliError::Usage(format!("--{flag}: {field} {message}"))
        }
        AdjustError::Write(_) => CliError::Output(e.to_string()),
    })?;
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => source.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let path = dir.join(format!("{}.ron", a.id));
    // `create_new`: an existing file (even one made a moment ago) is never replaced.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            CliError::Output(if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!(
                    "{}: the file exists; adjust never overwrites a file (choose another --id or --out)",
                    path.display()
                )
            } else {
                format!("{}: {e}", path.display())
            })
        })?;
    if let Err(e) = file.write_all(adjusted.as_bytes()).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(CliError::Output(format!("{}: {e}", path.display())));
    }
    write_out(out, &format!("{}\n", path.display()))
}

/// The scenario file a log or save at `path` names by `id`: in ./scenarios or beside
/// the file; if none exists, an error pointing at the file's `scenario` field.
fn scenario_named_in(path: &Path, text: &str, id: &str) -> Result<PathBuf, FileErrors> {
    let candidates = scenario_candidates(id, Some(path));
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let looked = candidates
        .iter()
        .skip(1)
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Err(decision_log::missing_scenario(path, text, id, &looked))
}

/// Checks one file of any known kind; returns what kind it was.
pub fn check_file(path: &Path) -> Result<&'static str, FileErrors> {
    let text = load::read_text(path)?;
    if text.trim().is_empty() {
        return Err(FileErrors::whole_file(path, "the file is empty"));
    }
    match load::top_level_name(&text) {
        Some("Scenario") => scenario::parse_scenario(path, &text).map(|_| "scenario"),
        Some("DecisionLog") => {
            let log = decision_log::parse_decision_log(path, &text)?;
            let scenario_path = scenario_named_in(path, &text, &log.scenario)?;
            let scenario = Arc::new(scenario::load_scenario(&scenario_path)?);
            decision_log::check_against(path, &text, &log, &scenario).map(|_| "decision log")
        }
        Some("Save") => {
            let save = run_file::parse_save(path, &text)?;
            let scenario_path = scenario_named_in(path, &text, &save.scenario)?;
            let scenario_text = load::read_text(&scenario_path)?;
            let scenario = Arc::new(scenario::parse_scenario(&scenario_path, &scenario_text)?);
            run_file::replay(
                path,
                &text,
                &save,
                &scenario,
                &run_file::scenario_hash(&scenario_text),
                None,
            )
            .map(|_| "save")
        }
        Some("Campaign") => crate::scenario::campaign::load_campaign(path).map(|_| "campaign"),
        Some("Constraint") => crate::scenario::constraint::load_constraint(path).map(|_| "constraint"),
        _ => Err(FileErrors::whole_file(
            path,
            "not a Thin Margin file: expected a scenario `Scenario(…)`, a campaign `Campaign(…)`, a constraint `Constraint(…)`, a decision log `DecisionLog(…)` or a save `Save(…)`",
        )),
    }
}
