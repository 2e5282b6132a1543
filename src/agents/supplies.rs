//! Supplies: depot stock by item, deliveries by road from a depot to a node, stock at the
//! destination on arrival. (Vehicle fleets and consumption come with the agents model.)

use std::collections::BTreeMap;

use bevy::prelude::*;

use crate::journal::{Event, Journaled};
use crate::map::RoadNetwork;
use crate::sim::{ScenarioRes, SimClock, StepSet};

/// Speed of a loaded supply truck as a share of the free road speed (an assumption for play).
pub const TRUCK_SPEED_FACTOR: f64 = 0.8;

/// Stock by node id, then item.
#[derive(Resource, Debug, Default, Clone)]
pub struct Stocks(pub BTreeMap<String, BTreeMap<String, f64>>);

impl Stocks {
    pub fn of(&self, node: &str, item: &str) -> f64 {
        self.0.get(node).and_then(|s| s.get(item)).copied().unwrap_or(0.0)
    }
}

/// A delivery on the road.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub arrive: u64,
    pub from: String,
    pub to: String,
    pub item: String,
    pub quantity: f64,
}

/// Deliveries on the road, in dispatch order.
#[derive(Resource, Debug, Default, Clone)]
pub struct Deliveries(pub Vec<Delivery>);

/// What the one door asks of the supply chain (already checked).
#[derive(Message, Debug, Clone)]
pub struct SupplyOrder {
    pub from: String,
    pub to: String,
    pub item: String,
    pub quantity: f64,
}

fn init_stocks(scenario: Res<ScenarioRes>, mut stocks: ResMut<Stocks>) {
    for d in &scenario.0.scenario.resources.depots {
        stocks.0.insert(d.node.clone(), d.stock.clone());
    }
}

/// Free-flow truck time from `from` to `to`, if a road leads there.
pub fn truck_secs(net: &RoadNetwork, from: &str, to: &str) -> Option<f64> {
    let (a, b) = (net.node(from)?, net.node(to)?);
    net.route(a, b, TRUCK_SPEED_FACTOR).map(|r| r.secs)
}

fn dispatch_supplies(
    mut orders: MessageReader<SupplyOrder>,
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    mut stocks: ResMut<Stocks>,
    mut deliveries: ResMut<Deliveries>,
    mut journal: MessageWriter<Journaled>,
) {
    for o in orders.read() {
        let Some(secs) = truck_secs(&net, &o.from, &o.to) else { continue };
        if let Some(q) = stocks.0.get_mut(&o.from).and_then(|s| s.get_mut(&o.item)) {
            *q -= o.quantity;
        }
        let arrive = clock.now + secs.ceil() as u64;
        journal.write(Journaled(Event::SuppliesDispatched {
            from: o.from.clone(),
            to: o.to.clone(),
            item: o.item.clone(),
            quantity: o.quantity,
            eta_s: arrive - clock.now,
        }));
        deliveries.0.push(Delivery {
            arrive,
            from: o.from.clone(),
            to: o.to.clone(),
            item: o.item.clone(),
            quantity: o.quantity,
        });
    }
}

pub(super) fn deliver_supplies(
    clock: Res<SimClock>,
    mut stocks: ResMut<Stocks>,
    mut deliveries: ResMut<Deliveries>,
    mut journal: MessageWriter<Journaled>,
) {
    let (done, pending): (Vec<Delivery>, Vec<Delivery>) = deliveries.0.drain(..).partition(|d| d.arrive <= clock.now);
    deliveries.0 = pending;
    for d in done {
        *stocks.0.entry(d.to.clone()).or_default().entry(d.item.clone()).or_default() += d.quantity;
        journal.write(Journaled(Event::SuppliesDelivered { to: d.to, item: d.item, quantity: d.quantity }));
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Stocks>()
        .init_resource::<Deliveries>()
        .add_message::<SupplyOrder>()
        .add_systems(Startup, init_stocks)
        .add_systems(
            crate::sim::SimStep,
            (dispatch_supplies, deliver_supplies).chain().in_set(StepSet::Agents).after(super::teams::arrivals),
        );
}
