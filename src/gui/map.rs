//! The county map: a 2-D camera with pan (drag) and zoom (wheel), the county drawn with gizmos
//! (roads, rivers, levees, places sized by population, shelters, depots, hospitals, intakes,
//! river contamination, the gas threat zone, teams and evacuee flows as moving markers,
//! aggregated where dense), flood zones as filled meshes coloured by depth, and hover and click
//! on places. Everything is read from the inner simulation's world; nothing here changes it.

use std::collections::BTreeMap;

use bevy::asset::RenderAssetUsages;
use bevy::input::mouse::AccumulatedMouseScroll;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::{GuiState, Sim};
use crate::agents::evacuees::{EvacNet, Households, Stage};
use crate::agents::teams::{Team, TeamIndex};
use crate::agents::{Residents, Shelters};
use crate::hazards::HazardState;
use crate::hazards::flood::FloodState;
use crate::hazards::plume::{PlumeState, sigma_y};
use crate::hazards::spill::{Equivalent, SpillState};
use crate::map::{IntakeState, RoadNetwork, ZoneDepths};
use crate::scenario::types::{ChemicalSpillParams, DerailmentParams, GasReleaseParams, Hazard, NodeKind};

/// World units per kilometre of the scenario's map.
pub const UNITS_PER_KM: f32 = 100.0;

/// Lines drawn thick (rivers, levees, closed roads).
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct Thick;

#[derive(Component)]
pub struct MapCamera;

/// The scenario's map in world units, built once.
#[derive(Resource, Default)]
pub struct MapGeo {
    /// Node id → position.
    pub pos: BTreeMap<String, Vec2>,
    /// Per graph node index: position (the road network's numbering).
    pub by_ix: Vec<Vec2>,
    pub min: Vec2,
    pub max: Vec2,
    /// River polylines (one per river), through the places known to lie on it.
    pub rivers: Vec<Vec<Vec2>>,
}

/// Markers drawn this frame that the panels label (aggregated teams, evacuee flows).
#[derive(Resource, Default)]
pub struct Markers {
    /// Position, number of teams, their ids.
    pub teams: Vec<(Vec2, Vec<String>)>,
    /// Position, people on the road there.
    pub flows: Vec<(Vec2, f32)>,
}

/// Filled flood-zone meshes: zone id → material.
#[derive(Resource, Default)]
struct ZoneMeshes(Vec<(String, Handle<ColorMaterial>)>);

pub fn world(pos: (f64, f64)) -> Vec2 {
    Vec2::new(pos.0 as f32, pos.1 as f32) * UNITS_PER_KM
}

impl MapGeo {
    /// The places' positions and their bounds (a square kilometre when there is none).
    pub fn of_places(places: impl Iterator<Item = (String, Vec2)>) -> MapGeo {
        let mut geo = MapGeo { min: Vec2::splat(f32::MAX), max: Vec2::splat(f32::MIN), ..default() };
        for (id, p) in places {
            geo.pos.insert(id, p);
            geo.min = geo.min.min(p);
            geo.max = geo.max.max(p);
        }
        if geo.pos.is_empty() {
            geo.min = Vec2::ZERO;
            geo.max = Vec2::splat(UNITS_PER_KM);
        }
        geo
    }
}

fn build_geo(mut commands: Commands, sim: NonSend<Sim>) {
    let sc = &sim.sc.scenario;
    let mut geo = MapGeo::of_places(sc.map.nodes.iter().map(|n| (n.id.clone(), world(n.pos))));
    let net = sim.world().resource::<RoadNetwork>();
    geo.by_ix = net.graph.node_indices().map(|ix| world(sc.map.nodes[net.graph[ix]].pos)).collect();
    // Rivers have no drawn course in the scenario: join the places on each reach (levees,
    // intakes, spill sites) from upstream to downstream.
    for river in &sc.map.rivers {
        let mut order: Vec<&str> = Vec::new();
        // upstream first: a reach no other reach flows into
        let mut next: Option<&str> = river
            .reaches
            .iter()
            .find(|r| !river.reaches.iter().any(|o| o.downstream.as_deref() == Some(r.id.as_str())))
            .map(|r| r.id.as_str());
        while let Some(id) = next {
            if order.contains(&id) {
                break;
            }
            order.push(id);
            next = river.reaches.iter().find(|r| r.id == id).and_then(|r| r.downstream.as_deref());
        }
        let mut line: Vec<Vec2> = Vec::new();
        for reach in order {
            let mut on: Vec<(f64, Vec2)> = Vec::new();
            for h in &sc.hazards {
                if let Hazard::ChemicalSpill(ChemicalSpillParams { node, reach: r, at_km, .. }) = h
                    && r == reach
                {
                    on.extend(geo.pos.get(node).map(|p| (*at_km, *p)));
                }
            }
            for l in river.levees.iter().filter(|l| l.reach == reach) {
                let len = river.reaches.iter().find(|r| r.id == reach).map_or(0.0, |r| r.length_km);
                on.extend(geo.pos.get(&l.node).map(|p| (len / 2.0, *p)));
            }
            for i in sc.map.intakes.iter().filter(|i| i.reach == reach) {
                on.extend(geo.pos.get(&i.node).map(|p| (i.at_km, *p)));
            }
            on.sort_by(|a, b| a.0.total_cmp(&b.0));
            line.extend(on.into_iter().map(|(_, p)| p));
        }
        line.dedup();
        if line.len() >= 2 {
            geo.rivers.push(line);
        }
    }
    commands.insert_resource(geo);
}

/// Spawns the camera and one filled mesh per flood zone (rounded hull of its places).
fn setup(
    mut commands: Commands,
    sim: NonSend<Sim>,
    geo: Res<MapGeo>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<ColorMaterial>>,
) {
    let centre = (geo.min + geo.max) / 2.0;
    commands.spawn((Camera2d, MapCamera, Transform::from_translation(centre.extend(0.0))));
    let mut zones = ZoneMeshes::default();
    for z in &sim.sc.scenario.map.flood_zones {
        let mut pts = Vec::new();
        for id in &z.nodes {
            if let Some(p) = geo.pos.get(id) {
                for k in 0..16 {
                    let a = k as f32 / 16.0 * std::f32::consts::TAU;
                    pts.push(*p + Vec2::from_angle(a) * 0.9 * UNITS_PER_KM);
                }
            }
        }
        let hull = convex_hull(pts);
        if hull.len() < 3 {
            continue;
        }
        let c = hull.iter().copied().sum::<Vec2>() / hull.len() as f32;
        let mut positions = vec![[c.x, c.y, -10.0]];
        positions.extend(hull.iter().map(|p| [p.x, p.y, -10.0]));
        let n = hull.len() as u32;
        let indices: Vec<u32> = (0..n).flat_map(|i| [0, 1 + i, 1 + (i + 1) % n]).collect();
        let mesh = Mesh::new(PrimitiveTopology::TriangleList, RenderAssetUsages::default())
            .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
            .with_inserted_indices(Indices::U32(indices));
        let mat = materials.add(ColorMaterial::from_color(depth_color(0.0)));
        commands.spawn((Mesh2d(meshes.add(mesh)), MeshMaterial2d(mat.clone()), Transform::default()));
        zones.0.push((z.id.clone(), mat));
    }
    commands.insert_resource(zones);
}

/// Andrew's monotone chain, counter-clockwise.
pub fn convex_hull(mut pts: Vec<Vec2>) -> Vec<Vec2> {
    pts.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: Vec2, a: Vec2, b: Vec2| (a - o).perp_dot(b - o);
    let mut lower: Vec<Vec2> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<Vec2> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// Flood colour: pale for dry ground at risk, deeper blue and more opaque with depth (m).
pub fn depth_color(depth: f64) -> Color {
    if depth <= 0.005 {
        return Color::srgba(0.55, 0.7, 0.85, 0.18);
    }
    let d = (depth / 4.0).clamp(0.0, 1.0) as f32;
    Color::srgba(0.45 - 0.35 * d, 0.65 - 0.4 * d, 0.95 - 0.2 * d, 0.45 + 0.4 * d)
}

fn update_zones(sim: NonSend<Sim>, zones: Res<ZoneMeshes>, mut materials: ResMut<Assets<ColorMaterial>>) {
    let depth = &sim.world().resource::<ZoneDepths>().0;
    for (id, mat) in &zones.0 {
        let c = depth_color(depth.get(id).copied().unwrap_or(0.0));
        if let Some(mut m) = materials.get_mut(mat)
            && m.color != c
        {
            m.color = c;
        }
    }
}

/// Fits the county into the part of the window the panels leave free, once.
pub(super) fn fit_view(
    mut state: ResMut<GuiState>,
    geo: Res<MapGeo>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut cam: Single<(&mut Transform, &mut Projection), With<MapCamera>>,
) {
    if state.fitted {
        return;
    }
    let Some(r) = state.map_rect else { return };
    if r.width() < 50.0 || r.height() < 50.0 {
        return;
    }
    let size = (geo.max - geo.min).max(Vec2::splat(UNITS_PER_KM)) * 1.12;
    let scale = (size.x / r.width()).max(size.y / r.height());
    let (ref mut tf, ref mut proj) = *cam;
    if let Projection::Orthographic(o) = &mut **proj {
        o.scale = scale;
    }
    // put the map's centre at the centre of the free rectangle
    let win = Vec2::new(window.width(), window.height());
    let off_px = Vec2::new(r.center().x - win.x / 2.0, -(r.center().y - win.y / 2.0));
    let centre = (geo.min + geo.max) / 2.0 - off_px * scale;
    tf.translation = centre.extend(0.0);
    state.fitted = true;
}

#[derive(Default)]
pub(super) struct Drag {
    last: Option<Vec2>,
    moved: f32,
}

/// Pan with the left button (or right/middle), zoom with the wheel about the cursor; hover and
/// click pick the nearest place.
pub(super) fn pan_zoom_pick(
    mut state: ResMut<GuiState>,
    geo: Res<MapGeo>,
    buttons: Res<ButtonInput<MouseButton>>,
    scroll: Res<AccumulatedMouseScroll>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut cam: Single<(&Camera, &GlobalTransform, &mut Transform, &mut Projection), With<MapCamera>>,
    mut drag: Local<Drag>,
) {
    let (camera, gt, ref mut tf, ref mut proj) = *cam;
    let Projection::Orthographic(o) = &mut **proj else { return };
    let cursor = window.cursor_position();
    let free = !state.pointer_over_ui;
    // zoom about the cursor
    if free
        && scroll.delta.y != 0.0
        && let Some(c) = cursor
    {
        let before = camera.viewport_to_world_2d(gt, c).ok();
        let factor = 1.15f32.powf(-scroll.delta.y.clamp(-5.0, 5.0));
        let new_scale = (o.scale * factor).clamp(0.02, 50.0);
        if let Some(before) = before {
            // keep the world point under the cursor still
            let centre = tf.translation.truncate();
            tf.translation = (before + (centre - before) * (new_scale / o.scale)).extend(0.0);
        }
        o.scale = new_scale;
    }
    // pan
    let pressed = buttons.pressed(MouseButton::Left) || buttons.pressed(MouseButton::Right);
    if buttons.just_pressed(MouseButton::Left) || buttons.just_pressed(MouseButton::Right) {
        drag.last = if free { cursor } else { None };
        drag.moved = 0.0;
    }
    if pressed && let (Some(last), Some(c)) = (drag.last, cursor) {
        let d = c - last;
        drag.moved += d.length();
        tf.translation += Vec3::new(-d.x, d.y, 0.0) * o.scale;
        drag.last = Some(c);
    }
    // hover and click
    let scale = o.scale;
    state.hovered = None;
    if let (true, Some(c)) = (free, cursor)
        && let Ok(w) = camera.viewport_to_world_2d(gt, c)
    {
        let reach = 12.0 * scale;
        state.hovered = geo
            .pos
            .iter()
            .map(|(id, p)| (id, p.distance(w)))
            .filter(|(_, d)| *d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(id, _)| id.clone());
    }
    if buttons.just_released(MouseButton::Left) && drag.last.is_some() && drag.moved < 4.0 {
        let hovered = state.hovered.clone();
        if let Some(id) = hovered {
            if state.form.picking {
                state.form.target = id.clone();
                state.form.picking = false;
            }
            state.selected = Some(id);
        }
    }
    if !pressed {
        drag.last = None;
    }
}

fn agency_color(sc: &crate::scenario::ValidScenario, agency: &str) -> Color {
    let i = sc.scenario.agencies.iter().position(|a| a.id == agency).unwrap_or(0);
    Color::hsl((i as f32 * 137.5) % 360.0, 0.75, 0.42)
}

/// Draws the county and what moves on it.
#[allow(
    clippy::too_many_lines,
    reason = "one immediate-mode pass over the map's layers (roads, zones, hazards, teams, evacuees), back to front; each layer is a few gizmo calls on the same borrowed state"
)]
fn draw(
    sim: NonSend<Sim>,
    geo: Res<MapGeo>,
    state: Res<GuiState>,
    mut markers: ResMut<Markers>,
    mut g: Gizmos,
    mut thick: Gizmos<Thick>,
    cam: Single<&Projection, With<MapCamera>>,
) {
    let px = match *cam {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    let w = sim.world();
    let sc = &sim.sc.scenario;
    let now = w.resource::<crate::sim::SimClock>().now;
    let net = w.resource::<RoadNetwork>();
    let hz = w.resource::<HazardState>();
    let depths = w.resource::<ZoneDepths>();

    // flood zone outlines
    for z in &sc.map.flood_zones {
        let pts: Vec<Vec2> = z.nodes.iter().filter_map(|n| geo.pos.get(n)).copied().collect();
        let d = depths.0.get(&z.id).copied().unwrap_or(0.0);
        if d > 0.005 && pts.len() >= 2 {
            let hull = convex_hull(pts);
            let mut ring = hull.clone();
            ring.extend(hull.first());
            g.linestrip_2d(ring, Color::srgba(0.1, 0.2, 0.6, 0.6));
        }
    }
    // rivers
    for line in &geo.rivers {
        thick.linestrip_2d(line.iter().copied(), Color::srgb(0.25, 0.5, 0.85));
    }
    // roads: grey; closed red
    for (i, r) in sc.map.roads.iter().enumerate() {
        let (Some(a), Some(b)) = (geo.pos.get(&r.from), geo.pos.get(&r.to)) else { continue };
        let closed = net.closures.get(&i).is_some_and(|s| !s.is_empty());
        if closed {
            thick.line_2d(*a, *b, Color::srgb(0.85, 0.1, 0.1));
        } else {
            let c = if r.lanes >= 2 { Color::srgb(0.35, 0.35, 0.35) } else { Color::srgb(0.55, 0.55, 0.55) };
            g.line_2d(*a, *b, c);
        }
    }
    // levees and breaches
    let flood = w.get_resource::<FloodState>();
    for river in &sc.map.rivers {
        for l in &river.levees {
            let Some(p) = geo.pos.get(&l.node) else { continue };
            let breach = flood.and_then(|f| f.model.breaches.iter().find(|b| b.levee == l.id));
            let open = breach.is_some_and(|b| b.onset.is_some() && !b.closed);
            let half = Vec2::new(10.0 * px, 0.0);
            thick.line_2d(*p - half, *p + half, Color::srgb(0.45, 0.3, 0.15));
            if open {
                let r = 9.0 * px;
                thick.line_2d(*p + Vec2::new(-r, -r), *p + Vec2::new(r, r), Color::srgb(0.9, 0.0, 0.0));
                thick.line_2d(*p + Vec2::new(-r, r), *p + Vec2::new(r, -r), Color::srgb(0.9, 0.0, 0.0));
            }
        }
    }
    // river contamination: from each spill to each intake downstream, coloured by
    // concentration / threshold
    if let Some(spill) = w.get_resource::<SpillState>() {
        for (si, trace) in &spill.traces {
            let Some(src) = spill.sources.get(*si) else { continue };
            let from = sc.hazards.iter().find_map(|h| match h {
                Hazard::ChemicalSpill(ChemicalSpillParams { id, node, .. }) if *id == src.hazard => geo.pos.get(node),
                _ => None,
            });
            let (Some(a), Some(b)) = (from, geo.pos.get(&trace.intake)) else { continue };
            let n = 40;
            for k in 0..n {
                let f = (k as f64 + 0.5) / n as f64;
                let eq = Equivalent { x_m: trace.eq.x_m * f, travel_s: trace.eq.travel_s * f, ..trace.eq };
                let c = src.at(&eq, now as f64);
                let ratio = (c / trace.threshold_mg_l) as f32;
                if ratio < 0.01 {
                    continue;
                }
                let alpha = (0.25 + 0.75 * ratio.min(1.0)).min(1.0);
                let col =
                    if ratio >= 1.0 { Color::srgba(0.8, 0.0, 0.5, alpha) } else { Color::srgba(0.95, 0.6, 0.1, alpha) };
                let p0 = a.lerp(*b, k as f32 / n as f32);
                let p1 = a.lerp(*b, (k + 1) as f32 / n as f32);
                thick.line_2d(p0, p1, col);
            }
        }
    }
    // gas threat zone
    if let Some(plume) = w.get_resource::<PlumeState>() {
        for rel in &plume.releases {
            let Some(src) = geo.pos.get(&rel.node) else { continue };
            let e = now as f64 - rel.start_s;
            if e <= 0.0 {
                continue;
            }
            let (_, reach) = rel.zone_at(e);
            let Some((near, _)) = rel.extent else { continue };
            if reach <= 0.0 {
                continue;
            }
            let u = rel.plume.wind_ms;
            let x0 = near.max(u * (e - rel.duration_s)).max(1.0);
            let th = rel.wind_dir_deg.to_radians();
            let down = Vec2::new(-th.sin() as f32, -th.cos() as f32);
            let side = down.perp();
            let mut left = Vec::new();
            let mut right = Vec::new();
            for k in 0..=24 {
                let x = x0 + (reach - x0) * k as f64 / 24.0;
                let c0 = rel.plume.ground_mg_m3(x, 0.0);
                let hw = if c0 > rel.level_mg_m3 {
                    sigma_y(rel.plume.stability, x) * (2.0 * (c0 / rel.level_mg_m3).ln()).sqrt()
                } else {
                    0.0
                };
                let along = *src + down * (x as f32 / 1000.0 * UNITS_PER_KM);
                let off = side * (hw as f32 / 1000.0 * UNITS_PER_KM);
                left.push(along + off);
                right.push(along - off);
            }
            let col = Color::srgba(0.6, 0.1, 0.7, 0.9);
            let mut ring = left.clone();
            ring.extend(right.iter().rev());
            ring.extend(left.first());
            thick.linestrip_2d(ring, col);
            for (l, r) in left.iter().zip(&right) {
                g.line_2d(*l, *r, Color::srgba(0.6, 0.1, 0.7, 0.35));
            }
        }
    }
    // places
    let residents = w.resource::<Residents>();
    let shelters = w.resource::<Shelters>();
    let intakes = w.resource::<IntakeState>();
    for n in &sc.map.nodes {
        let p = geo.pos[&n.id];
        let sel = state.selected.as_deref() == Some(n.id.as_str()) || state.hovered.as_deref() == Some(n.id.as_str());
        match n.kind {
            NodeKind::Village | NodeKind::Town | NodeKind::Township => {
                // area ∝ population (1 km radius for 10,000 people), at least 4 px
                let r = ((n.population as f32 / 10_000.0).sqrt() * 0.6 * UNITS_PER_KM).max(4.0 * px);
                let left = residents.0.get(&n.id).copied().unwrap_or(0.0) as f32;
                let frac = if n.population > 0 { (left / n.population as f32).clamp(0.0, 1.0) } else { 1.0 };
                let col = Color::srgb(0.75, 0.45, 0.15);
                g.circle_2d(p, r, col);
                g.circle_2d(p, r * 0.97, col);
                // people still there: a filled-looking core
                let core = r * frac.sqrt();
                let mut rr = core;
                while rr > 0.5 * px {
                    g.circle_2d(p, rr, Color::srgba(0.85, 0.55, 0.2, 0.55));
                    rr -= 2.0 * px;
                }
            }
            NodeKind::Shelter => {
                let s = shelters.0.get(&n.id);
                let open = s.is_some_and(|s| s.open);
                let col = if open { Color::srgb(0.1, 0.6, 0.2) } else { Color::srgb(0.5, 0.5, 0.5) };
                let size = 12.0 * px;
                g.rect_2d(p, Vec2::splat(size), col);
                if let Some(s) = s {
                    let f = if s.capacity > 0 { (s.occupants as f32 / s.capacity as f32).min(1.0) } else { 0.0 };
                    let base = p + Vec2::new(-size / 2.0, -size / 2.0 - 4.0 * px);
                    thick.line_2d(base, base + Vec2::new(size, 0.0), Color::srgb(0.8, 0.8, 0.8));
                    if f > 0.0 {
                        thick.line_2d(base, base + Vec2::new(size * f, 0.0), Color::srgb(0.1, 0.5, 0.1));
                    }
                }
            }
            NodeKind::Depot => {
                g.rect_2d(p, Vec2::splat(10.0 * px), Color::srgb(0.5, 0.3, 0.1));
                g.rect_2d(p, Vec2::splat(6.0 * px), Color::srgb(0.5, 0.3, 0.1));
            }
            NodeKind::Hospital => {
                let r = 7.0 * px;
                let col = Color::srgb(0.85, 0.05, 0.1);
                thick.line_2d(p - Vec2::X * r, p + Vec2::X * r, col);
                thick.line_2d(p - Vec2::Y * r, p + Vec2::Y * r, col);
            }
            NodeKind::WaterIntake => {
                let open = intakes.is_open(&n.id);
                let col = Color::srgb(0.0, 0.6, 0.8);
                g.circle_2d(p, 7.0 * px, col);
                g.circle_2d(p, 4.0 * px, col);
                if !open {
                    let r = 7.0 * px;
                    thick.line_2d(p + Vec2::new(-r, -r), p + Vec2::new(r, r), Color::BLACK);
                }
            }
            NodeKind::CommandPost => {
                let r = 7.0 * px;
                let col = Color::srgb(0.45, 0.1, 0.6);
                g.linestrip_2d(
                    [p + Vec2::Y * r, p + Vec2::X * r, p - Vec2::Y * r, p - Vec2::X * r, p + Vec2::Y * r],
                    col,
                );
            }
            NodeKind::RailSite | NodeKind::Site => {
                let r = 6.0 * px;
                let col = Color::srgb(0.2, 0.2, 0.2);
                g.line_2d(p + Vec2::new(-r, -r), p + Vec2::new(r, r), col);
                g.line_2d(p + Vec2::new(-r, r), p + Vec2::new(r, -r), col);
            }
            NodeKind::LeveePoint | NodeKind::Junction | NodeKind::Bridge => {
                g.circle_2d(p, 2.0 * px, Color::srgb(0.4, 0.4, 0.4));
            }
        }
        if sel {
            g.circle_2d(p, 16.0 * px, Color::srgb(1.0, 0.1, 0.6));
        }
    }
    // hazard sites (derailment, spill, gas release)
    for h in &sc.hazards {
        let (id, node) = match h {
            Hazard::Derailment(DerailmentParams { id, node, .. })
            | Hazard::ChemicalSpill(ChemicalSpillParams { id, node, .. })
            | Hazard::GasRelease(GasReleaseParams { id, node, .. }) => (id, node),
            Hazard::LeveeBreach(_) => continue,
        };
        let (Some(p), true) = (geo.pos.get(node), hz.onset.contains_key(id)) else { continue };
        let r = 11.0 * px;
        let col = Color::srgb(0.95, 0.1, 0.0);
        for k in 0..4 {
            let a = k as f32 * std::f32::consts::FRAC_PI_4;
            let d = Vec2::from_angle(a) * r;
            thick.line_2d(*p - d, *p + d, col);
        }
    }

    // evacuee flows: people on each road, in quarters of its length, as circles ∝ √people
    markers.flows.clear();
    if let (Some(hh), Some(ev)) = (w.get_resource::<Households>(), w.get_resource::<EvacNet>()) {
        let mut bins: BTreeMap<(u32, u8), f32> = BTreeMap::new();
        for h in 0..hh.len() {
            if hh.stage[h] != Stage::OnRoad || hh.edge[h] == u32::MAX {
                continue;
            }
            let e = hh.edge[h] as usize;
            let dur = if hh.car[h] {
                ev.t0.get(e).copied().unwrap_or(1) as f32
            } else {
                let walk = sc.resources.evacuation.walk_speed_kmh.max(0.1);
                (ev.len_km.get(e).copied().unwrap_or(0.0) as f64 / walk * 3600.0).max(1.0) as f32
            };
            let left = hh.t[h] as f32 - now as f32;
            let f = (1.0 - left / dur).clamp(0.0, 0.999);
            *bins.entry((e as u32, (f * 4.0) as u8)).or_default() += hh.people[h];
        }
        for ((e, q), people) in bins {
            let e = e as usize;
            let (Some(&s), Some(&t)) = (ev.source.get(e), ev.target.get(e)) else { continue };
            let (Some(a), Some(b)) = (geo.by_ix.get(s as usize), geo.by_ix.get(t as usize)) else { continue };
            let p = a.lerp(*b, (q as f32 + 0.5) / 4.0);
            markers.flows.push((p, people));
        }
    }
    for (p, people) in &markers.flows {
        let r = (people.sqrt() * 0.6).clamp(2.5, 14.0) * px;
        let col = Color::srgb(0.95, 0.75, 0.0);
        g.circle_2d(*p, r, col);
        g.circle_2d(*p, r * 0.6, col);
    }

    // teams: moving along their routes; several within a few pixels become one marker
    markers.teams.clear();
    if let Some(index) = w.get_resource::<TeamIndex>() {
        let cell = 14.0 * px;
        let mut cells: BTreeMap<(i64, i64), (Vec2, Vec<String>, Color)> = BTreeMap::new();
        for e in index.0.values() {
            let Some(team) = w.get::<Team>(*e) else { continue };
            let p = team_pos(team, now, &geo);
            let key = ((p.x / cell).floor() as i64, (p.y / cell).floor() as i64);
            let col = agency_color(&sim.sc, &team.agency);
            let entry = cells.entry(key).or_insert((Vec2::ZERO, Vec::new(), col));
            entry.0 += p;
            entry.1.push(team.id.clone());
        }
        for (_, (sum, ids, col)) in cells {
            let p = sum / ids.len() as f32;
            let r = if ids.len() > 1 { 8.0 } else { 5.0 } * px;
            thick.circle_2d(p, r, col);
            g.circle_2d(p, r * 0.5, col);
            markers.teams.push((p, ids));
        }
    }
}

/// Where a team is at `now`: between the two route nodes it is travelling between.
pub fn team_pos(team: &Team, now: u64, geo: &MapGeo) -> Vec2 {
    let at = |ix: petgraph::graph::NodeIndex| geo.by_ix.get(ix.index()).copied().unwrap_or_default();
    let Some(trip) = &team.trip else { return at(team.location) };
    for w in trip.legs.windows(2) {
        let ((a, ta), (b, tb)) = (w[0], w[1]);
        if now < tb {
            if now <= ta {
                return at(a);
            }
            let f = (now - ta) as f32 / (tb - ta).max(1) as f32;
            return at(a).lerp(at(b), f);
        }
    }
    trip.legs.last().map_or(at(team.location), |(n, _)| at(*n))
}

pub(super) fn plugin(app: &mut App) {
    app.insert_gizmo_config(Thick, GizmoConfig { line: GizmoLineConfig { width: 4.0, ..default() }, ..default() })
        .init_resource::<Markers>()
        .add_systems(Startup, (build_geo, setup).chain())
        .add_systems(Update, (fit_view, pan_zoom_pick, update_zones, draw).chain());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_of_a_square_with_a_point_inside_is_the_square() {
        let pts = vec![
            Vec2::new(0.0, 0.0),
            Vec2::new(1.0, 0.0),
            Vec2::new(1.0, 1.0),
            Vec2::new(0.0, 1.0),
            Vec2::new(0.5, 0.5),
        ];
        let h = convex_hull(pts);
        assert_eq!(h.len(), 4);
        assert!(!h.contains(&Vec2::new(0.5, 0.5)));
    }

    #[test]
    fn deeper_water_is_darker_and_more_opaque() {
        let shallow = depth_color(0.3).to_srgba();
        let deep = depth_color(3.0).to_srgba();
        assert!(deep.alpha > shallow.alpha);
        assert!(deep.blue < shallow.blue && deep.red < shallow.red);
    }
}
