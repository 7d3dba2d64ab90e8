//! The workshop's browser pages end to end in headless Chromium, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`; the W3C protocol spoken with ureq): a
//! team joins with its code, submits a decision, sees the round resolve and the
//! leaderboard; a second team's browser never sees the first team's decisions, and gets
//! the core's validation message beside the field it got wrong; the facilitator page
//! opens the workshop and shows the round brief. Screenshots go to `target/tmp/browser-*.png`.
//!
//! The classroom rehearsal adds one team playing from the game window (`thin-margin
//! join URL CODE --autoplay`, under Xvfb with Mesa's software Vulkan) when those are
//! installed.
//!
//! Without chromedriver the test says it is skipped, unless `THIN_MARGIN_REQUIRE_BROWSER=1`
//! (set by `.ci/run`, which installs both packages, and Xvfb and Mesa for the game client).
#![cfg(feature = "server")]

mod common;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_thin-margin");
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn request(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let a = agent();
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut resp = match method {
        "GET" => {
            let mut r = a.get(url);
            if let Some(h) = &auth {
                r = r.header("Authorization", h);
            }
            r.call()
        }
        "DELETE" => a.delete(url).call(),
        _ => {
            let mut r = a.post(url);
            if let Some(h) = &auth {
                r = r.header("Authorization", h);
            }
            r.send_json(body.unwrap_or(json!({})))
        }
    }
    .unwrap_or_else(|e| panic!("{url}: {e}"));
    let text = resp.body_mut().read_to_string().expect("body");
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One headless Chromium, through chromedriver.
struct Browser {
    driver: String,
    session: String,
}

impl Browser {
    fn open(driver: &str, profile: &Path) -> Browser {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000", format!("--user-data-dir={}", profile.display()),
            ]}
        }}});
        let v = request("POST", &format!("{driver}/session"), None, Some(caps));
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_string();
        Browser {
            driver: driver.to_string(),
            session,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.driver, self.session)
    }

    fn go(&self, url: &str) {
        request("POST", &self.url("/url"), None, Some(json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        request(
            "POST",
            &self.url("/execute/sync"),
            None,
            Some(json!({"script": script, "args": []})),
        )["value"]
            .clone()
    }

    fn text(&self) -> String {
        self.script("return document.body.innerText")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Waits until `script` returns true (up to 20 s), else fails saying what was on screen.
    fn wait_for(&self, what: &str, script: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if self.script(script) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("waited 20 s for {what}; the page says:\n{}", self.text());
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let v = request("GET", &self.url("/screenshot"), None, None);
        let png = base64_decode(v["value"].as_str().expect("base64 PNG"));
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-{name}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        eprintln!("screenshot {}", path.display());
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = agent().delete(self.url("")).call();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk.iter().fold(0u32, |acc, c| (acc << 6) | value(*c)) << (6 * (4 - chunk.len()));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

/// Whether the browser tests can run here (else they say why and skip, unless CI
/// requires them).
fn browser_available() -> bool {
    if Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    if std::env::var("THIN_MARGIN_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!(
            "THIN_MARGIN_REQUIRE_BROWSER=1 but {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
    }
    eprintln!("{CHROMEDRIVER} is missing: skipping the browser test (`.ci/run` runs it)");
    false
}

const LAVAPIPE: &str = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json";

/// Starts the game as a team (`join --autoplay`) under Xvfb with software Vulkan, if the
/// game is built and those are installed (required when `THIN_MARGIN_REQUIRE_BROWSER=1`).
fn start_game_client(url: &str, code: &str, dir: &Path) -> Option<Process> {
    let have = cfg!(feature = "gui") && Path::new("/usr/bin/xvfb-run").exists() && Path::new(LAVAPIPE).exists();
    if !have {
        if std::env::var("THIN_MARGIN_REQUIRE_BROWSER").as_deref() == Ok("1") && cfg!(feature = "gui") {
            panic!("THIN_MARGIN_REQUIRE_BROWSER=1 but xvfb-run or Mesa's lavapipe is missing for the game client");
        }
        eprintln!("no xvfb-run or lavapipe (or no gui feature): the rehearsal runs without the game client");
        return None;
    }
    let runtime = dir.join("xdg");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let log = std::fs::File::create(dir.join("game-client.log")).expect("log");
    let child = Command::new("xvfb-run")
        .args([
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            BIN,
            "join",
            url,
            code,
            "--autoplay",
            "--screenshots",
        ])
        .arg(dir.join("game-client"))
        .env("VK_DRIVER_FILES", LAVAPIPE)
        .env("WGPU_BACKEND", "vulkan")
        .env("XDG_RUNTIME_DIR", &runtime)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("xvfb-run");
    Some(Process(child))
}

/// A workshop server on a fresh SQLite file in `dir`: (process, URL, admin token).
fn start_server(dir: &Path) -> (Process, String, String) {
    let db = dir.join("w.sqlite").display().to_string();
    let (child, url, admin) = common::start_workshop_server(&db, &dir.join("admin-token"));
    (Process(child), url, admin)
}

/// chromedriver on a free port: (process, its URL).
fn start_driver() -> (Process, String) {
    let port = free_port();
    let driver = Process(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while agent().get(format!("{url}/status")).call().is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (driver, url)
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thin-margin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

#[test]
fn teams_play_a_round_in_the_browser_and_never_see_each_others_decisions() {
    if !browser_available() {
        return;
    }
    let dir = tempdir("browser");
    let (_server, url, admin) = start_server(&dir);
    let created = request(
        "POST",
        &format!("{url}/v1/workshops"),
        Some(&admin),
        Some(json!({"scenario": "first-phone", "teams": ["Red", "Blue"], "seed": 5, "auto_close": false})),
    );
    let (id, fac) = (
        created["id"].as_str().expect("id"),
        created["facilitator_token"].as_str().expect("token"),
    );
    let code = |i: usize| created["teams"][i]["code"].as_str().expect("code").to_string();
    let opened = request(
        "POST",
        &format!("{url}/v1/workshops/{id}/rounds"),
        Some(fac),
        Some(json!({"deadline_secs": 600})),
    );
    assert_eq!(opened["phase"], "open", "{opened}");

    let (driver, driver_url) = start_driver();

    // Red joins with its code and submits a price of ¥1,873.
    let red = Browser::open(&driver_url, &dir.join("profile-red"));
    red.go(&format!("{url}/?code={}", code(0)));
    red.wait_for(
        "the decision form",
        "return !!document.querySelector('[data-field=\"flagship.price\"]')",
    );
    red.script(
        "const i = document.querySelector('[data-field=\"flagship.price\"]'); i.value = '1873'; \
         i.dispatchEvent(new Event('input', {bubbles: true})); document.getElementById('submit').click(); return true",
    );
    red.wait_for(
        "the acknowledgement",
        "return document.getElementById('status').innerText.includes('Submitted')",
    );
    red.screenshot("team-red-submitted");
    let view = request("GET", &format!("{url}/v1/workshops/{id}"), Some(fac), None);
    assert_eq!(view["teams"][0]["submitted"], true, "{view}");
    assert_eq!(view["teams"][1]["submitted"], false);

    // Blue's browser shows nothing of Red's submission, and the core's message for a bad value.
    let blue = Browser::open(&driver_url, &dir.join("profile-blue"));
    blue.go(&format!("{url}/?code={}", code(1)));
    blue.wait_for(
        "the decision form",
        "return !!document.querySelector('[data-field=\"flagship.bom_cut\"]')",
    );
    let seen = blue
        .script("return document.documentElement.outerHTML")
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        !seen.contains("1873") && !seen.contains("1,873"),
        "Blue sees Red's price before the round resolves"
    );
    assert!(!seen.contains(&code(0)), "Blue's page holds Red's code");
    blue.script(
        "const i = document.querySelector('[data-field=\"flagship.bom_cut\"]'); i.value = '0.9'; \
         document.getElementById('submit').click(); return true",
    );
    blue.wait_for(
        "the validation message",
        "return [...document.querySelectorAll('.problem')].some(p => p.innerText.length > 0)",
    );
    let problem = blue
        .script("return document.querySelector('.problem').innerText")
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(problem.contains("0.5") || problem.contains("0.9"), "{problem}");
    blue.screenshot("team-blue-refused");

    // The facilitator closes the round: Red's page shows the industry report and leaderboard.
    let closed = request("POST", &format!("{url}/v1/workshops/{id}/close"), Some(fac), None);
    assert_eq!(closed["round"], 2, "{closed}");
    red.wait_for(
        "the industry report",
        "return document.getElementById('industry').innerText.includes('¥1,873')",
    );
    red.wait_for(
        "the leaderboard",
        "return document.getElementById('leaderboard').innerText.includes('Blue')",
    );
    red.wait_for(
        "the charts",
        "return document.querySelectorAll('#charts svg').length === 2",
    );
    assert!(red.text().contains("Round 2"), "{}", red.text());
    red.screenshot("team-red-after-round");
    // On a tablet (768×1024, portrait) the page is one column and nothing runs off the side.
    request(
        "POST",
        &red.url("/window/rect"),
        None,
        Some(json!({"width": 768, "height": 1024})),
    );
    red.wait_for(
        "the one-column layout",
        "return window.innerWidth <= 800 && document.documentElement.scrollWidth <= window.innerWidth",
    );
    red.screenshot("team-red-tablet");
    request(
        "POST",
        &red.url("/window/rect"),
        None,
        Some(json!({"width": 1280, "height": 1000})),
    );

    // The facilitator page opens the workshop with its token.
    red.go(&format!("{url}/facilitator"));
    red.wait_for("the facilitator page", "return !!document.getElementById('open-id')");
    red.script(&format!(
        "document.getElementById('open-id').value = '{id}'; document.getElementById('open-token').value = '{fac}'; \
         document.getElementById('open-button').click(); return true"
    ));
    red.wait_for(
        "the teams table",
        "return document.getElementById('teams-table').innerText.includes('Blue')",
    );
    red.wait_for(
        "the leaderboard",
        "return document.getElementById('leaderboard').innerText.includes('Objectives')",
    );
    red.wait_for(
        "the round brief",
        "return document.getElementById('brief').innerText.includes('Ask the class')",
    );
    red.wait_for(
        "the four charts",
        "return document.querySelectorAll('#charts svg').length === 4",
    );
    red.screenshot("facilitator");
    drop((red, blue, driver));
    std::fs::remove_dir_all(&dir).ok();
}

/// A classroom rehearsal: the facilitator runs four rounds from the facilitator page with
/// two injected events, twenty teams submit from their browsers each round (four
/// browser windows, five teams each), one more team plays from the game window, and
/// the signed results verify.
#[test]
fn a_classroom_rehearsal_with_twenty_browser_teams_and_a_game_client_verifies() {
    if !browser_available() {
        return;
    }
    let dir = tempdir("rehearsal");
    let (_server, url, admin) = start_server(&dir);
    let mut teams: Vec<String> = (1..=20).map(|i| format!("Team {i:02}")).collect();
    teams.push("Game".into());
    let created = request(
        "POST",
        &format!("{url}/v1/workshops"),
        Some(&admin),
        Some(json!({"scenario": "camera-bom", "teams": teams, "computer_seats": 1, "seed": 9, "auto_close": false})),
    );
    let id = created["id"].as_str().expect("id").to_string();
    let fac = created["facilitator_token"].as_str().expect("token").to_string();
    let key = created["public_key"].as_str().expect("key").to_string();
    let codes: Vec<String> = (0..20)
        .map(|i| created["teams"][i]["code"].as_str().expect("code").to_string())
        .collect();
    let game_code = created["teams"][20]["code"].as_str().expect("code").to_string();
    let mut game = start_game_client(&url, &game_code, &dir);
    // Without the game client the facilitator submits for its team (the same decisions
    // a team that does not submit would repeat), so the round counts stay the same.
    let all = 21;
    let (driver, driver_url) = start_driver();
    let console = Browser::open(&driver_url, &dir.join("profile-facilitator"));
    console.go(&format!("{url}/facilitator"));
    console.wait_for("the facilitator page", "return !!document.getElementById('open-id')");
    console.script(&format!(
        "document.getElementById('open-id').value = '{id}'; document.getElementById('open-token').value = '{fac}'; \
         document.getElementById('open-button').click(); return true"
    ));
    console.wait_for(
        "the console",
        "return document.getElementById('teams-table').innerText.includes('Team 20')",
    );
    let windows: Vec<Browser> = (0..4)
        .map(|k| Browser::open(&driver_url, &dir.join(format!("profile-{k}"))))
        .collect();
    for round in 1..=4 {
        console.script("document.getElementById('open-round').click(); return true");
        console.wait_for(
            "the round to open",
            "return document.getElementById('phase').innerText === 'open'",
        );
        for (t, code) in codes.iter().enumerate() {
            let w = &windows[t % 4];
            w.go(&format!("{url}/?code={code}"));
            w.wait_for(
                "the decision form of the open round",
                &format!(
                    "return !!document.querySelector('[data-field=\"camera.price\"]') && \
                     document.getElementById('round').innerText.startsWith('Round {round}') && \
                     !document.getElementById('submit').disabled"
                ),
            );
            w.script(&format!(
                "const i = document.querySelector('[data-field=\"camera.price\"]'); i.value = '{}'; \
                 document.getElementById('submit').click(); return true",
                199 + 2 * (t % 5)
            ));
            w.wait_for(
                "the acknowledgement",
                "return document.getElementById('status').innerText.includes('Submitted')",
            );
        }
        if game.is_none() {
            let view = request("GET", &format!("{url}/v1/team"), Some(&game_code), None);
            request(
                "POST",
                &format!("{url}/v1/team/decisions"),
                Some(&game_code),
                Some(json!({"round": round, "revision": 0, "decisions": view["last"]})),
            );
        }
        console.wait_for(
            "every team (and the game client) to have submitted",
            &format!("return document.getElementById('teams-table').innerText.includes('{all} of {all}')"),
        );
        if round == 2 || round == 3 {
            let name = if round == 2 {
                "memory-price"
            } else {
                "platform-commission"
            };
            console.script(&format!(
                "document.getElementById('constraint').value = '{name}'; document.getElementById('inject').click(); return true"
            ));
            console.wait_for(
                "the event to wait for the close",
                "return document.getElementById('pending').innerText.includes('Waiting to arrive')",
            );
        }
        console.script("document.getElementById('close-round').click(); return true");
        console.wait_for(
            "the round to close",
            &if round < 4 {
                format!(
                    "return document.getElementById('round').innerText.startsWith('Round {}')",
                    round + 1
                )
            } else {
                "return document.getElementById('round').innerText === 'Ended after 4 rounds'".to_string()
            },
        );
    }
    console.wait_for(
        "the round brief",
        "return document.getElementById('brief').innerText.includes('Round 4')",
    );
    console.wait_for(
        "the discussion guide",
        "return !document.getElementById('guide-card').hidden && document.getElementById('guide').innerText.includes('Team 20')",
    );
    console.screenshot("rehearsal-facilitator");
    console.script("document.getElementById('guide-card').scrollIntoView(); return true");
    console.screenshot("rehearsal-guide");
    windows[0].screenshot("rehearsal-team");
    // The results the facilitator would download, byte for byte, verify with the key.
    let mut resp = agent()
        .get(format!("{url}/v1/workshops/{id}/results"))
        .header("Authorization", format!("Bearer {fac}"))
        .call()
        .expect("results");
    let results = resp.body_mut().read_to_string().expect("body");
    let path = dir.join("results.json");
    std::fs::write(&path, results).expect("write");
    let out = Command::new(BIN)
        .args(["verify", "--public-key", &key])
        .arg(&path)
        .output()
        .expect("verify");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("4 rounds re-simulated, 21 teams"), "{said}");
    // Both events are in the chain, in rounds 2 and 3.
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(v["rounds"][1]["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["rounds"][2]["events"].as_array().map(Vec::len), Some(1));
    // The game client photographed each round's decision screen and its debrief, and
    // its submissions are the ones in the chain (a 2% price cut each round).
    if let Some(Process(child)) = game.as_mut() {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "the game client did not finish; its log:\n{}",
                std::fs::read_to_string(dir.join("game-client.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        let log = std::fs::read_to_string(dir.join("game-client.log")).unwrap_or_default();
        assert!(status.success(), "the game client failed; its log:\n{log}");
        for shot in ["40-team-round-1", "40-team-round-4", "41-team-debrief"] {
            let png = dir.join("game-client").join(format!("{shot}.png"));
            assert!(png.exists(), "{} is missing; the log:\n{log}", png.display());
            let keep = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/tmp")
                .join(format!("rehearsal-game-{shot}.png"));
            std::fs::create_dir_all(keep.parent().expect("parent")).ok();
            std::fs::copy(&png, keep).expect("copy");
        }
        let game_price = |r: usize| {
            v["rounds"][r]["decisions"]
                .as_array()
                .and_then(|d| d.iter().find(|d| d["team"] == "Game"))
                .map(|d| d["decisions"]["skus"]["camera"]["price"].as_f64())
        };
        assert_eq!(game_price(0), Some(Some(195.0)), "{}", v["rounds"][0]["decisions"]);
        assert_eq!(game_price(3), Some(Some(183.0)), "{}", v["rounds"][3]["decisions"]);
    }
    drop((console, windows, driver, game));
    std::fs::remove_dir_all(&dir).ok();
}
