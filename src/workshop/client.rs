//! A blocking HTTP client for the workshop server (feature `client`), for the game:
//! one method per endpoint of `docs/workshop-protocol.md`, each answering the
//! protocol's own types. Every call blocks (5 s to connect, 10 s in all), so the game
//! calls them on a worker thread. Errors are of three kinds: the server cannot be
//! reached ([`ClientError::Offline`]), it refused ([`ClientError::Refused`], with its
//! error body and the fields at fault), or it answered something this build does not
//! understand ([`ClientError::BadAnswer`], naming the endpoint). Plain `http://` only:
//! the client is built without TLS (a classroom server on a local network).

use super::brief::{RoundBrief, TeamGuide};
use super::protocol::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Time allowed to connect to the server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for a whole request, answer included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A workshop server, by its base URL.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientError {
    /// The server cannot be reached (or the address is not one): a sentence with the URL.
    Offline(String),
    /// The server said no: its status and error body.
    Refused { status: u16, body: ErrorBody },
    /// The answer is not JSON this build understands: a sentence naming the endpoint.
    BadAnswer(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Offline(s) | ClientError::BadAnswer(s) => f.write_str(s),
            ClientError::Refused { body, .. } => {
                f.write_str(&body.message)?;
                for p in &body.problems {
                    write!(f, "\n{}: {}", p.field, p.message)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ClientError {}

/// The join code in a pasted team link (`http://host:7878/?code=XYZ`), if any.
pub fn code_in_link(link: &str) -> Option<String> {
    let query = link.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("code="))
        .map(str::to_string)
        .filter(|c| !c.is_empty())
}

/// Percent-encodes one path segment (ids are hex, but a pasted one may not be).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Client {
    /// A client for the server at `base_url`: `host:port`, `http://host:port`, with or
    /// without a trailing slash, or a pasted team link (`http://host:port/?code=XYZ`:
    /// the query is dropped; [`code_in_link`] reads the code). Only http and https.
    pub fn new(base_url: &str) -> Result<Client, ClientError> {
        let given = base_url.trim();
        let bad = |why: &str| ClientError::Offline(format!("\"{given}\" is not a workshop server's address: {why}"));
        let cut = given.find(['?', '#']).map_or(given, |i| &given[..i]);
        let (scheme, rest) = match cut.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {
                (scheme.to_ascii_lowercase(), rest)
            }
            Some((scheme, _)) => return Err(bad(&format!("only http:// and https:// are served, not {scheme}://"))),
            None => ("http".to_string(), cut),
        };
        let rest = rest.trim_end_matches('/');
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() || host.starts_with(':') {
            return Err(bad("it names no host (try 192.168.1.20:7878)"));
        }
        if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains spaces"));
        }
        let base = format!("{scheme}://{rest}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Client { base, agent })
    }

    /// The server's base URL, normalised (`http://host:port`, no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The browser page's link for a team: `{base}/?code={code}`.
    pub fn team_link(&self, code: &str) -> String {
        format!("{}/?code={}", self.base, segment(code))
    }

    /// `GET /healthz`.
    pub fn health(&self) -> Result<Health, ClientError> {
        self.get_json("/healthz", None)
    }

    /// `GET /v1/library`: the scenarios and constraints the server offers.
    pub fn library(&self) -> Result<Library, ClientError> {
        self.get_json("/v1/library", None)
    }

    /// `POST /v1/workshops` with the server's admin token.
    pub fn create(&self, admin_token: &str, req: &CreateWorkshop) -> Result<Created, ClientError> {
        self.post_json("/v1/workshops", admin_token, Some(req))
    }

    /// `GET /v1/workshops/{id}`.
    pub fn facilitator_view(&self, id: &str, token: &str) -> Result<FacilitatorView, ClientError> {
        self.get_json(&workshop_path(id, ""), Some(token))
    }

    /// `POST /v1/workshops/{id}/rounds`: opens the next round, closing in
    /// `deadline_secs`; answers the facilitator's view.
    pub fn open_round(&self, id: &str, token: &str, deadline_secs: u64) -> Result<FacilitatorView, ClientError> {
        self.post_json(&workshop_path(id, "/rounds"), token, Some(&OpenRound { deadline_secs }))
    }

    /// `POST /v1/workshops/{id}/close`: resolves the open round now.
    pub fn close_round(&self, id: &str, token: &str) -> Result<FacilitatorView, ClientError> {
        self.post_json::<FacilitatorView, ()>(&workshop_path(id, "/close"), token, None)
    }

    /// `POST /v1/workshops/{id}/pause`.
    pub fn pause(&self, id: &str, token: &str) -> Result<FacilitatorView, ClientError> {
        self.post_json::<FacilitatorView, ()>(&workshop_path(id, "/pause"), token, None)
    }

    /// `POST /v1/workshops/{id}/resume`.
    pub fn resume(&self, id: &str, token: &str) -> Result<FacilitatorView, ClientError> {
        self.post_json::<FacilitatorView, ()>(&workshop_path(id, "/resume"), token, None)
    }

    /// `POST /v1/workshops/{id}/end`.
    pub fn end(&self, id: &str, token: &str) -> Result<FacilitatorView, ClientError> {
        self.post_json::<FacilitatorView, ()>(&workshop_path(id, "/end"), token, None)
    }

    /// `POST /v1/workshops/{id}/leaderboard`: show the leaderboard to teams, or hide it.
    pub fn show_leaderboard(&self, id: &str, token: &str, shown: bool) -> Result<FacilitatorView, ClientError> {
        self.post_json(
            &workshop_path(id, "/leaderboard"),
            token,
            Some(&ShowLeaderboard { shown }),
        )
    }

    /// `POST /v1/workshops/{id}/events`: a library constraint or an event, for the next
    /// resolution.
    pub fn inject(&self, id: &str, token: &str, req: &InjectEvent) -> Result<FacilitatorView, ClientError> {
        self.post_json(&workshop_path(id, "/events"), token, Some(req))
    }

    /// `GET /v1/workshops/{id}/results`: the signed results file, byte for byte (check
    /// it with `chain::verify`).
    pub fn results_text(&self, id: &str, token: &str) -> Result<String, ClientError> {
        self.get_text(&workshop_path(id, "/results"), Some(token))
    }

    /// `GET /v1/workshops/{id}/results.csv`: the leaderboard.
    pub fn results_csv(&self, id: &str, token: &str) -> Result<String, ClientError> {
        self.get_text(&workshop_path(id, "/results.csv"), Some(token))
    }

    /// `GET /v1/workshops/{id}/audit.csv`: the audit trail.
    pub fn audit_csv(&self, id: &str, token: &str) -> Result<String, ClientError> {
        self.get_text(&workshop_path(id, "/audit.csv"), Some(token))
    }

    /// `GET /v1/workshops/{id}/brief`: the brief of every round on show.
    pub fn briefs(&self, id: &str, token: &str) -> Result<Vec<RoundBrief>, ClientError> {
        self.get_json(&workshop_path(id, "/brief"), Some(token))
    }

    /// `GET /v1/workshops/{id}/guide`: the discussion guide.
    pub fn guide(&self, id: &str, token: &str) -> Result<Vec<TeamGuide>, ClientError> {
        self.get_json(&workshop_path(id, "/guide"), Some(token))
    }

    /// `GET /v1/workshops/{id}/series`: the numbers behind the facilitator's charts.
    pub fn series(&self, id: &str, token: &str) -> Result<Series, ClientError> {
        self.get_json(&workshop_path(id, "/series"), Some(token))
    }

    /// `GET /v1/team` with a team's join code (the first call joins the team).
    pub fn team_view(&self, code: &str) -> Result<TeamView, ClientError> {
        self.get_json("/v1/team", Some(code))
    }

    /// `GET /v1/team/desk`: the team's own company, for `desk::team_world`.
    pub fn desk(&self, code: &str) -> Result<TeamDesk, ClientError> {
        self.get_json("/v1/team/desk", Some(code))
    }

    /// `POST /v1/team/decisions`.
    pub fn submit(&self, code: &str, req: &SubmitDecisions) -> Result<Submitted, ClientError> {
        self.post_json("/v1/team/decisions", code, Some(req))
    }

    /// `GET /v1/team/debrief`, once the workshop has ended (refused with 409 before).
    pub fn team_debrief(&self, code: &str) -> Result<TeamDebrief, ClientError> {
        self.get_json("/v1/team/debrief", Some(code))
    }

    fn get_json<T: DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Result<T, ClientError> {
        let text = self.get_text(path, token)?;
        decode(path, &text)
    }

    fn get_text(&self, path: &str, token: Option<&str>) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.agent.get(&url);
        if let Some(token) = token {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        answer(path, &url, req.call())
    }

    fn post_json<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        token: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        let req = self.agent.post(&url).header("Authorization", format!("Bearer {token}"));
        let sent = match body {
            Some(body) => req.send_json(body),
            None => req.send_empty(),
        };
        let text = answer(path, &url, sent)?;
        decode(path, &text)
    }
}

fn workshop_path(id: &str, rest: &str) -> String {
    format!("/v1/workshops/{}{rest}", segment(id))
}

fn decode<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, ClientError> {
    parse_json(text.as_bytes()).map_err(|p| {
        let at = if p.field.is_empty() {
            String::new()
        } else {
            format!(" at {}", p.field)
        };
        ClientError::BadAnswer(format!(
            "the server's answer to {path} is not what this version of Thin Margin understands{at}: {} (line {}, column {})",
            p.message, p.line, p.column
        ))
    })
}

/// The body of a successful answer, or the error it stands for.
fn answer(
    path: &str,
    url: &str,
    sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<String, ClientError> {
    let response = sent.map_err(|e| match e {
        ureq::Error::Protocol(_) | ureq::Error::BodyExceedsLimit(_) => ClientError::BadAnswer(format!(
            "the answer to {path} from {url} is not HTTP this client reads: {e}"
        )),
        e => ClientError::Offline(format!("cannot reach the workshop server at {url}: {e}")),
    })?;
    let status = response.status().as_u16();
    let text = response.into_body().read_to_string().map_err(|e| match e {
        ureq::Error::Io(_) | ureq::Error::Timeout(_) => {
            ClientError::Offline(format!("the workshop server at {url} stopped answering: {e}"))
        }
        e => ClientError::BadAnswer(format!("the answer to {path} is not text: {e}")),
    })?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| ErrorBody {
        error: format!("http_{status}"),
        message: format!(
            "the server answered {status} to {path}{}",
            if text.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", text.trim().chars().take(200).collect::<String>())
            }
        ),
        problems: Vec::new(),
    });
    Err(ClientError::Refused { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        for given in [
            "localhost:7878",
            "http://localhost:7878",
            "http://localhost:7878/",
            " http://localhost:7878/?code=AB ",
            "localhost:7878/?code=AB",
            "HTTP://localhost:7878#top",
        ] {
            let c = Client::new(given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(c.base_url(), "http://localhost:7878", "{given}");
        }
        assert_eq!(
            Client::new("https://example.org/").map(|c| c.base_url().to_string()),
            Ok("https://example.org".to_string())
        );
        assert!(matches!(Client::new("ftp://x:1"), Err(ClientError::Offline(_))));
        assert!(matches!(Client::new(""), Err(ClientError::Offline(_))));
        assert!(matches!(Client::new("http://:7878"), Err(ClientError::Offline(_))));
        assert_eq!(code_in_link("localhost:7878/?code=AB"), Some("AB".into()));
        assert_eq!(code_in_link("localhost:7878/?x=1&code=AB#f"), Some("AB".into()));
        assert_eq!(code_in_link("localhost:7878/"), None);
        let c = Client::new("localhost:7878").expect("client");
        assert_eq!(c.team_link("ab12"), "http://localhost:7878/?code=ab12");
    }

    #[test]
    fn a_refusal_shows_its_message_and_each_field() {
        let e = ClientError::Refused {
            status: 422,
            body: ErrorBody {
                error: "invalid_decisions".into(),
                message: "the decisions were refused".into(),
                problems: vec![Problem {
                    field: "skus.phone.price".into(),
                    message: "must be positive".into(),
                }],
            },
        };
        assert_eq!(
            e.to_string(),
            "the decisions were refused\nskus.phone.price: must be positive"
        );
    }
}
