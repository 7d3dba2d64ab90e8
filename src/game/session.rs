//! The run being played, as a Bevy resource around the pure [`Session`].

use crate::save::session::Session;
use bevy::prelude::*;

/// The run in progress (present from "start scenario" on).
#[derive(Resource, Deref, DerefMut, Debug)]
pub struct ActiveSession(pub Session);
