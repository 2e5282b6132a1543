//! Agents on the county map: teams now; supplies and evacuees join here.

pub mod teams;

use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    teams::plugin(app);
}
