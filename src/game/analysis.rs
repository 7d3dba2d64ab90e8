//! The Analysis screen's work, off the UI thread: a sweep, goal seek or tornado of the
//! run's plan (the quarters played, this quarter's draft, then held), computed by
//! `crate::analysis` on a background thread. Its rayon pool is one core smaller than
//! the machine (at least one thread), so the window keeps a core and stays responsive;
//! progress comes back through atomics, and Cancel sets the flag the analysis checks
//! between runs. The chart is drawn by `crate::chart` on the same thread (the same
//! pictures the CLI writes), so the screen only uploads finished pixels. No model
//! arithmetic here: this module only prepares the request and carries results back.

use crate::analysis::address::Address;
use crate::analysis::sensitivity::{Tornado, tornado};
use crate::analysis::sweep::{
    self, BasePlan, GoalSeek, GoalSpec, MAX_RUNS, Measure, Range, SweepError, SweepResult, SweepSpec, Vary,
};
use crate::chart::Chart;
use crate::save::session::Session;
use crate::sim::Scenario;
use crate::sim::decisions::PartialDecisions;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

/// Which analysis to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tool {
    #[default]
    Sweep,
    GoalSeek,
    Tornado,
}

/// Bars the in-game tornado draws.
pub const TORNADO_BARS: usize = 12;

/// What the player asked for on the Analysis screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub tool: Tool,
    /// The varied parameter's address (`q3.flagship.price`, `market.mass.potential`).
    pub param: String,
    pub from: f64,
    pub to: f64,
    /// Grid points of a sweep.
    pub points: usize,
    /// A second parameter and its range: the sweep becomes a heatmap.
    pub param2: Option<(String, f64, f64)>,
    /// The metric (`net_profit@sum`).
    pub metric: String,
    /// Goal seek's target for the metric.
    pub target: f64,
    /// The tornado's relative move (0.1 = ±10%).
    pub spread: f64,
    /// Seeds per point, from the run's own seed.
    pub runs: u32,
}

impl Request {
    /// Runs the request asks for (goal seek: the most it may need).
    pub fn total_runs(&self, n_addresses: usize) -> u64 {
        let runs = u64::from(self.runs.max(1));
        match self.tool {
            Tool::Sweep => {
                let second = if self.param2.is_some() { self.points as u64 } else { 1 };
                runs * self.points as u64 * second
            }
            Tool::GoalSeek => runs * 51,
            Tool::Tornado => runs * (1 + 2 * n_addresses as u64),
        }
    }
}

/// A finished analysis.
#[derive(Clone, Debug)]
pub enum Outcome {
    Sweep(SweepResult),
    Goal(GoalSeek),
    Tornado(Tornado),
}

/// What the background thread hands back.
pub struct Finished {
    pub request: Request,
    pub outcome: Result<Outcome, String>,
    /// The chart's RGB pixels ([`crate::chart::SIZE`]), when there is one to draw.
    pub chart: Option<Vec<u8>>,
    pub seconds: f64,
}

/// An analysis running on its own thread.
pub struct Job {
    pub request: Request,
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<Finished>>,
    pub started: Instant,
}

/// The run's plan as a decision log: every quarter played, then this quarter's draft
/// (while the run goes on); later quarters hold the last decisions.
pub fn plan_of(session: &Session) -> Vec<PartialDecisions> {
    let mut plan: Vec<PartialDecisions> = session.played.iter().map(PartialDecisions::from).collect();
    if !session.is_over() {
        plan.push(PartialDecisions::from(&session.draft));
    }
    plan
}

/// The quarter being decided (none once the run is over).
pub fn deciding(s: &Session) -> Option<usize> {
    (!s.is_over()).then_some(s.played.len())
}

/// An address in words: `flagship price · this quarter`.
pub fn param_label(s: &Session, name: &str) -> String {
    let mut parts = name.splitn(2, '.');
    let head = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    let when = if head == "all" {
        Some("every quarter".to_string())
    } else {
        head.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()).map(|q| {
            if deciding(s) == Some(q.saturating_sub(1)) {
                "this quarter".to_string()
            } else {
                format!("in {}", s.scenario.quarter_at(q.saturating_sub(1) as u32))
            }
        })
    };
    match when {
        Some(when) => {
            let what =
                rest.split('.')
                    .map(|w| match w {
                        "bom_cut" => "BOM cut".to_string(),
                        "mitigation" => "quality mitigation".to_string(),
                        "channels" => "share to".to_string(),
                        "stores" => "own stores".to_string(),
                        "paid_traffic" => "paid traffic".to_string(),
                        "rnd" => "R&D".to_string(),
                        "community" => "community budget".to_string(),
                        "monetisation" => "services monetisation".to_string(),
                        "dealer_margin" => "dealer margin".to_string(),
                        w => crate::sim::Channel::from_key(w)
                            .map_or_else(|| w.replace('_', " "), |c| c.label().to_string()),
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
            format!("{what} · {when}")
        }
        None => name.replace('_', " ").replace('.', " · "),
    }
}

/// A parameter's value in its unit.
pub fn param_value(name: &str, v: f64) -> String {
    let field = name.rsplit('.').next().unwrap_or("");
    let decision = name.starts_with("all.") || name.starts_with('q');
    if !v.is_finite() {
        "—".into()
    } else if decision && ["price", "mitigation", "community", "paid_traffic", "rnd"].contains(&field) {
        crate::report::format::money("CNY", v)
    } else if decision && ["production", "stores"].contains(&field) {
        crate::report::format::thousands_f64(v)
    } else if decision {
        format!("{:.1}%", v * 100.0)
    } else {
        let text = format!("{v:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The work, checked and ready to run.
enum Work {
    Sweep(SweepSpec),
    Goal(GoalSpec),
    Tornado(Measure),
}

fn vary(scenario: &Scenario, name: &str, from: f64, to: f64, points: usize) -> Result<Vary, String> {
    let address = Address::parse(name, scenario)?;
    if !(from.is_finite() && to.is_finite()) || from > to {
        return Err(format!("the range of {name} must run from a lower to a higher value"));
    }
    let range = Range { from, to, step: None };
    let values = if points >= 2 && from < to {
        (0..points)
            .map(|i| from + (to - from) * i as f64 / (points - 1) as f64)
            .collect()
    } else {
        range.values()
    };
    Ok(Vary {
        name: name.to_string(),
        address,
        values,
    })
}

/// Checks a request against the scenario before any work starts.
fn prepare(scenario: &Scenario, plan: &[PartialDecisions], seed: u64, r: &Request) -> Result<Work, String> {
    let metric = Measure::parse(&r.metric).map_err(|e| format!("metric {}: {e}", r.metric))?;
    let base = BasePlan::Log(plan.to_vec());
    match r.tool {
        Tool::Sweep => {
            let mut vary_list = vec![vary(scenario, &r.param, r.from, r.to, r.points)?];
            if let Some((name, from, to)) = &r.param2 {
                if name == &r.param {
                    return Err("pick two different parameters for a heatmap".into());
                }
                vary_list.push(vary(scenario, name, *from, *to, r.points)?);
            }
            let spec = SweepSpec {
                plan: base,
                vary: vary_list,
                metrics: vec![metric],
                runs: r.runs.max(1),
                first_seed: seed,
                quarters: None,
            };
            if spec.total_runs() > MAX_RUNS {
                return Err(format!(
                    "{} runs asked for; a sweep may run at most {MAX_RUNS}",
                    spec.total_runs()
                ));
            }
            Ok(Work::Sweep(spec))
        }
        Tool::GoalSeek => {
            let v = vary(scenario, &r.param, r.from, r.to, 2)?;
            if !r.target.is_finite() {
                return Err("the target must be a number".into());
            }
            Ok(Work::Goal(GoalSpec {
                plan: base,
                name: v.name,
                address: v.address,
                range: Range {
                    from: r.from,
                    to: r.to,
                    step: None,
                },
                metric,
                target: r.target,
                runs: r.runs.max(1),
                first_seed: seed,
            }))
        }
        Tool::Tornado => {
            if !(r.spread > 0.0 && r.spread < 1.0) {
                return Err("the spread must be between 0% and 100%".into());
            }
            Ok(Work::Tornado(metric))
        }
    }
}

/// Lowers the calling thread's scheduling priority (nice +10 on Unix), so a sweep
/// takes the cores the window leaves idle rather than the window's frames.
fn lower_priority() {
    #[cfg(unix)]
    // SAFETY: `setpriority` only reads its integer arguments; on Linux `who = 0`
    // with PRIO_PROCESS names the calling thread. A failure leaves the priority as is.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Threads for analysis: all cores but one for the window, at least one.
fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .saturating_sub(1)
        .max(1)
}

impl Job {
    /// Checks the request and starts it on its own thread, the first seed being the
    /// run's own. A request the model cannot run is refused before any work starts.
    pub fn start(session: &Session, request: Request) -> Result<Job, String> {
        let scenario = session.scenario.clone();
        let plan = plan_of(session);
        let work = prepare(&scenario, &plan, session.seed, &request)?;
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (d, t, c, r) = (done.clone(), total.clone(), cancel.clone(), request.clone());
        let seed = session.seed;
        let handle = std::thread::Builder::new()
            .name("analysis".into())
            .spawn(move || {
                let started = Instant::now();
                let progress = |n: usize, of: usize| {
                    d.store(n, Ordering::Relaxed);
                    t.store(of, Ordering::Relaxed);
                };
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(worker_threads())
                    .start_handler(|_| lower_priority())
                    .build();
                let compute = || run_work(&scenario, &plan, seed, &r, work, &progress, &c);
                let outcome = match pool {
                    Ok(pool) => pool.install(compute),
                    Err(_) => compute(),
                };
                let chart = outcome.as_ref().ok().and_then(|o| {
                    match o {
                        Outcome::Sweep(s) => Chart::Sweep(s).to_rgb(),
                        Outcome::Tornado(t) => Chart::Tornado(t, TORNADO_BARS).to_rgb(),
                        Outcome::Goal(g) => Chart::GoalSeek(g).to_rgb(),
                    }
                    .ok()
                });
                Finished {
                    request: r,
                    outcome,
                    chart,
                    seconds: started.elapsed().as_secs_f64(),
                }
            })
            .map_err(|e| format!("cannot start the analysis thread: {e}"))?;
        Ok(Job {
            request,
            done,
            total,
            cancel,
            handle: Some(handle),
            started: Instant::now(),
        })
    }

    /// Runs finished so far and runs in all (0 until the first run reports).
    pub fn progress(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    /// Asks the analysis to stop; it ends after the runs under way.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The result once the thread has finished (never blocks on a running one).
    pub fn try_finish(&mut self) -> Option<Finished> {
        if !self.handle.as_ref()?.is_finished() {
            return None;
        }
        let handle = self.handle.take()?;
        Some(handle.join().unwrap_or_else(|_| Finished {
            request: self.request.clone(),
            outcome: Err("the analysis stopped on an internal error".into()),
            chart: None,
            seconds: self.started.elapsed().as_secs_f64(),
        }))
    }
}

impl Drop for Job {
    /// Leaving the screen stops the work rather than leaving it running unseen.
    fn drop(&mut self) {
        self.cancel();
    }
}

fn run_work(
    scenario: &Scenario,
    plan: &[PartialDecisions],
    seed: u64,
    request: &Request,
    work: Work,
    progress: sweep::Progress,
    cancel: &AtomicBool,
) -> Result<Outcome, String> {
    let said = |e: SweepError| match e {
        SweepError::Cancelled { done, total } => format!("Cancelled after {done} of {total} runs."),
        SweepError::Invalid(why) => why,
    };
    match work {
        Work::Sweep(spec) => sweep::sweep(scenario, &spec, progress, cancel)
            .map(Outcome::Sweep)
            .map_err(said),
        Work::Goal(spec) => sweep::goal_seek(scenario, &spec, progress, cancel)
            .map(Outcome::Goal)
            .map_err(said),
        Work::Tornado(metric) => tornado(
            scenario,
            plan,
            &metric,
            request.spread,
            request.runs.max(1),
            seed,
            progress,
            cancel,
        )
        .map(Outcome::Tornado)
        .map_err(said),
    }
}

/// The Analysis screen's state: the form, the job under way, the last result and its
/// chart, and the screen to go back to.
#[derive(bevy::prelude::Resource, Default)]
pub struct AnalysisView {
    pub form: Request,
    /// The scenario and quarter the form's defaults were made for.
    pub form_for: Option<(String, usize)>,
    pub return_to: Option<super::screens::Screen>,
    pub job: Option<Job>,
    pub last: Option<Finished>,
    pub texture: Option<bevy_egui::egui::TextureHandle>,
    /// Why the last request was refused before it started.
    pub refused: Option<String>,
}

impl AnalysisView {
    /// Starts a request (refused ones say why), cancelling any job under way.
    pub fn run(&mut self, session: &Session, request: Request) {
        self.job = None;
        self.form = request.clone();
        match Job::start(session, request) {
            Ok(job) => {
                self.job = Some(job);
                self.refused = None;
            }
            Err(why) => self.refused = Some(why),
        }
    }

    /// Takes a finished job's result and uploads its chart.
    pub fn poll(&mut self, ctx: &bevy_egui::egui::Context) {
        let Some(finished) = self.job.as_mut().and_then(Job::try_finish) else {
            return;
        };
        self.job = None;
        if let Err(why) = &finished.outcome
            && why.starts_with("Cancelled")
        {
            // A cancelled run keeps the last result on screen and says how far it got.
            self.refused = Some(why.clone());
            return;
        }
        self.texture = finished.chart.as_ref().map(|rgb| {
            let size = [crate::chart::SIZE.0 as usize, crate::chart::SIZE.1 as usize];
            ctx.load_texture(
                "analysis-chart",
                bevy_egui::egui::ColorImage::from_rgb(size, rgb),
                bevy_egui::egui::TextureOptions::LINEAR,
            )
        });
        self.last = Some(finished);
    }

    /// Whether an analysis is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }
}

impl Default for Request {
    fn default() -> Request {
        Request {
            tool: Tool::Sweep,
            param: String::new(),
            from: 0.0,
            to: 1.0,
            points: 11,
            param2: None,
            metric: "net_profit@sum".into(),
            target: 0.0,
            spread: 0.1,
            runs: 50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/first-phone.ron");
        let mut s = Session::start(&path, 7).expect("scenario");
        s.end_quarter().expect("first quarter");
        s
    }

    fn wait(mut job: Job) -> Finished {
        loop {
            if let Some(f) = job.try_finish() {
                return f;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn request() -> Request {
        Request {
            param: "q2.flagship.price".into(),
            from: 1799.0,
            to: 2199.0,
            points: 3,
            runs: 4,
            ..Request::default()
        }
    }

    #[test]
    fn a_job_gives_what_the_analysis_gives_on_the_runs_plan_and_seed() {
        let s = session();
        let finished = wait(Job::start(&s, request()).expect("start"));
        let Ok(Outcome::Sweep(result)) = finished.outcome else {
            panic!("not a sweep: {:?}", finished.outcome.err())
        };
        assert!(finished.chart.is_some());
        let spec = SweepSpec {
            plan: BasePlan::Log(plan_of(&s)),
            vary: vec![vary(&s.scenario, "q2.flagship.price", 1799.0, 2199.0, 3).expect("vary")],
            metrics: vec![Measure::parse("net_profit@sum").expect("metric")],
            runs: 4,
            first_seed: 7,
            quarters: None,
        };
        let direct = sweep::sweep(&s.scenario, &spec, &|_, _| {}, &AtomicBool::new(false)).expect("sweep");
        assert_eq!(result, direct);
        // The plan's first quarter is the one played: the run's own report.
        assert_eq!(plan_of(&s).len(), 2);
    }

    #[test]
    fn a_cancelled_job_says_how_far_it_got_and_bad_requests_never_start() {
        let s = session();
        let big = Request {
            points: 41,
            runs: 2000,
            ..request()
        };
        let job = Job::start(&s, big).expect("start");
        job.cancel();
        let finished = wait(job);
        let why = finished.outcome.expect_err("cancelled");
        assert!(why.starts_with("Cancelled after"), "{why}");
        let bad = Request {
            param: "q2.flagship.prise".into(),
            ..request()
        };
        let Err(why) = Job::start(&s, bad) else {
            panic!("a misspelt address started")
        };
        assert!(why.contains("did you mean price"), "{why}");
        let backwards = Request {
            from: 2199.0,
            to: 1799.0,
            ..request()
        };
        assert!(Job::start(&s, backwards).is_err());
    }
}
