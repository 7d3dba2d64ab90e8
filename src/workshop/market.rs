//! The workshop's market: a shipped scenario turned into one market for many teams.
//! The scenario's player company becomes one company per team (same cash, capacity,
//! products and opening plan, named after the team), placed where the player was;
//! empty seats the facilitator asks for are filled by more copies of it run by a
//! computer (MODEL.md's price-follower policy); the scenario's own rivals stay.
//! Segment sizes grow with the number of companies sharing them, so a class of any
//! size meets the market a single player would (each company's fair share is the same).
//!
//! The **macro variant** is not announced to teams: `growth` and `recession` scale
//! every segment's potential buyers by +15% / −15%; `standard` leaves them. With the
//! workshop's seed it makes last year's answers a poor guide.

use crate::sim::Scenario;
use crate::sim::params::RivalPolicy;
use serde::{Deserialize, Serialize};

/// The market conditions a workshop runs under (not shown to teams).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    #[default]
    Standard,
    Growth,
    Recession,
}

impl Variant {
    /// Multiplier on every segment's potential buyers.
    pub fn demand_factor(self) -> f64 {
        match self {
            Variant::Standard => 1.0,
            Variant::Growth => 1.15,
            Variant::Recession => 0.85,
        }
    }
}

/// Most teams in one workshop.
pub const MAX_TEAMS: usize = 60;

/// The workshop scenario: `teams` player companies and `computer_seats` computer-run
/// copies in place of the base scenario's one player company.
pub fn workshop_scenario(
    base: &Scenario,
    teams: &[String],
    computer_seats: u32,
    variant: Variant,
) -> Result<Scenario, String> {
    if !(2..=MAX_TEAMS).contains(&teams.len()) {
        return Err(format!("a workshop has 2 to {MAX_TEAMS} teams, found {}", teams.len()));
    }
    let Some(player_idx) = base.first_player() else {
        return Err(format!("scenario \"{}\" has no player company to copy", base.id));
    };
    let template = &base.companies[player_idx];
    let computer_names: Vec<String> = (1..=computer_seats).map(|k| format!("Computer {k}")).collect();
    let mut names: Vec<&str> = base
        .companies
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != player_idx)
        .map(|(_, c)| c.name.as_str())
        .chain(computer_names.iter().map(String::as_str))
        .collect();
    let mut seats = Vec::new();
    for name in teams {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(format!("team name \"{name}\" must be 1 to 40 characters"));
        }
        if names.contains(&name) {
            return Err(format!("two companies would be called \"{name}\""));
        }
        names.push(name);
        let mut c = template.clone();
        c.name = name.to_string();
        seats.push(c);
    }
    for name in &computer_names {
        let mut c = template.clone();
        c.name = name.clone();
        c.is_player = false;
        c.policy = Some(RivalPolicy::PriceFollower { speed: 0.5 });
        seats.push(c);
    }
    let mut s = base.clone();
    let n_seats = seats.len() as f64;
    s.companies.splice(player_idx..=player_idx, seats);
    for seg in &mut s.market.segments {
        seg.potential *= n_seats * variant.demand_factor();
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_scenario;

    fn base() -> Scenario {
        load_scenario(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/first-phone.ron"))
            .expect("first-phone")
    }

    #[test]
    fn teams_take_the_players_seat_and_computers_fill_the_rest() {
        let b = base();
        let teams = vec!["Red".to_string(), "Blue".to_string(), "Green".to_string()];
        let s = workshop_scenario(&b, &teams, 2, Variant::Recession).expect("scenario");
        let players: Vec<&str> = s
            .companies
            .iter()
            .filter(|c| c.is_player)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(players, ["Red", "Blue", "Green"]);
        assert_eq!(s.companies.len(), b.companies.len() - 1 + 5);
        assert_eq!(
            s.market.segments[0].potential,
            b.market.segments[0].potential * 5.0 * 0.85
        );
        assert!(workshop_scenario(&b, &teams[..1], 0, Variant::Standard).is_err());
        let twins = vec!["Red".to_string(), "Red".to_string()];
        assert!(workshop_scenario(&b, &twins, 0, Variant::Standard).is_err());
        // A team may not take a computer seat's name (it would see that company's rows).
        let impostor = vec!["Red".to_string(), "Computer 2".to_string()];
        assert!(workshop_scenario(&b, &impostor, 2, Variant::Standard).is_err());
        assert!(workshop_scenario(&b, &impostor, 1, Variant::Standard).is_ok());
    }
}
