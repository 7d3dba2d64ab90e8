//! A team's own market, rebuilt from its desk ([`TeamDesk`]) without the server: the
//! base scenario with only the player company (named after the team), its state as
//! the shared market holds it, and the events in force and injected. The decision
//! preview, the validation and the upcoming capacity read nothing else of the world
//! (the scenario's parameters, the company, the quarter, the events, the chipset
//! multiplier), so on it `sim::preview::preview` and `sim::preview::problems` for
//! company 0 give exactly what the server computes for the team in the shared market
//! with the round's injected events added. Segment sizes and the public market are
//! the base scenario's, not the shared market's: the preview does not read them, and
//! the desk does not carry them (they would give the macro variant away). Pure: no I/O.

use super::protocol::TeamDesk;
use crate::sim::World;
use std::path::Path;
use std::sync::Arc;

/// The one-company world a team previews its decisions in (see the module doc).
pub fn team_world(desk: &TeamDesk) -> Result<World, String> {
    let mut scenario = crate::scenario::parse_scenario(Path::new("the workshop's scenario"), &desk.scenario_text)
        .map_err(|e| e.to_string())?;
    let player = scenario
        .first_player()
        .ok_or_else(|| format!("scenario \"{}\" has no player company", scenario.id))?;
    let mut company = scenario.companies.swap_remove(player);
    company.name = desk.company.name.to_string();
    scenario.companies = vec![company];
    let mut world = World::new(Arc::new(scenario), 0);
    world.companies[0] = desk.company.clone();
    world.quarter_idx = desk.quarter_idx;
    world.active_events = desk.active_events.clone();
    world.injected = desk.injected.clone();
    world.chipset_perf = desk.chipset_perf;
    world.public = crate::sim::world::public_market_of(&world.companies);
    Ok(world)
}
