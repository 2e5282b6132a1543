//! The serde types of scenario format v1 (RON): exactly what a scenario file says, nothing derived.
//!
//! Every field is documented for users in `scenarios/README.md`; keep the two in step. These types
//! are never ECS components: `engine::build_app` and each domain's plugin convert a validated
//! scenario into resources and entities, one place per domain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::time::{Dur, TimeSpec};

/// The format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; must be 1.
    pub format: u32,
    pub meta: Meta,
    pub map: Map,
    pub agencies: Vec<Agency>,
    #[serde(default)]
    pub resources: Resources,
    #[serde(default)]
    pub hazards: Vec<Hazard>,
    #[serde(default)]
    pub injects: Vec<Inject>,
    #[serde(default)]
    pub plan: Plan,
    #[serde(default)]
    pub reporting: Reporting,
    #[serde(default)]
    pub scoring: ScoringWeights,
    /// The critical tasks the exercise evaluates (HSEEP P/S/M/U), each under an AQ/T 9009 item.
    /// When empty, the score rates one task per triggered level and one for reporting.
    #[serde(default)]
    pub critical_tasks: Vec<CriticalTaskSpec>,
    /// Parameters a sweep samples (`drillsim sweep`); a plain run uses the values above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<super::uncertain::Uncertain>,
    /// What the after-action report says about the exercise that the rest of the file cannot
    /// tell (type, date, scope, objectives, summary) and the improvement plan's timing.
    #[serde(default)]
    pub exercise: ExerciseInfo,
    /// What each agency's seat of a served exercise may see (`drillsim serve`).
    #[serde(default)]
    pub visibility: super::visibility::Visibility,
}

/// The exercise as the after-action report's overview describes it; every field optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseInfo {
    /// Kind of exercise in the report's words, Chinese and English ("桌面推演 Tabletop exercise").
    #[serde(default)]
    pub kind: Option<String>,
    /// The day the exercise was held, "2026-06-21"; the improvement plan's dates count from it
    /// (default: the day of `meta.start`).
    #[serde(default)]
    pub date: Option<String>,
    /// Who and what the exercise covered.
    #[serde(default)]
    pub scope: Option<String>,
    /// The exercise objectives, one sentence each.
    #[serde(default)]
    pub objectives: Vec<String>,
    /// The scenario in a few sentences (default: `meta.description`).
    #[serde(default)]
    pub summary: Option<String>,
    /// Days after the exercise date to start and to complete a corrective action (default 30/90).
    #[serde(default)]
    pub improvement_start_days: Option<u32>,
    #[serde(default)]
    pub improvement_complete_days: Option<u32>,
}

impl Map {
    /// The levee with this id, on whichever river it stands.
    pub fn levee(&self, id: &str) -> Option<&Levee> {
        self.rivers.iter().flat_map(|r| &r.levees).find(|l| l.id == id)
    }

    /// The places (node ids) a place id stands for, each once, in the order written: a node
    /// itself, a flood zone's nodes, an area's nodes (its zones' nodes included). Empty for an
    /// unknown id. Orders, plans and scores that name a place all read it through here.
    pub fn places_of<'a>(&'a self, id: &str) -> Vec<&'a str> {
        let zone = |z: &str| self.flood_zones.iter().find(|f| f.id == z).map(|f| f.nodes.iter().map(String::as_str));
        let mut out: Vec<&str> = Vec::new();
        let mut add = |n: &'a str| {
            if !out.contains(&n) {
                out.push(n);
            }
        };
        if let Some(a) = self.areas.iter().find(|a| a.id == id) {
            for p in &a.places {
                match zone(p) {
                    Some(nodes) => nodes.for_each(&mut add),
                    None => add(p),
                }
            }
        } else if let Some(nodes) = zone(id) {
            nodes.for_each(&mut add);
        } else if let Some(n) = self.nodes.iter().find(|n| n.id == id) {
            add(&n.id);
        }
        out
    }
}

/// Name, calendar window, step and seed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The scenario's real calendar time at t = 0, ISO 8601 local time: "2010-06-21T12:00:00".
    pub start: String,
    /// Fixed simulation step, e.g. "1m".
    pub step: Dur,
    /// Simulated span, e.g. "72h".
    pub duration: Dur,
    /// Seed used when the command line gives none.
    #[serde(default)]
    pub seed: u64,
}

/// The county: places, roads, flood zones and rivers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Map {
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub roads: Vec<Road>,
    #[serde(default)]
    pub flood_zones: Vec<FloodZone>,
    #[serde(default)]
    pub rivers: Vec<River>,
    #[serde(default)]
    pub intakes: Vec<Intake>,
    /// Named groups of places (a township, a village group): an evacuation order or a plan
    /// action naming one covers every place in it.
    #[serde(default)]
    pub areas: Vec<Area>,
}

/// A named group of places: a township and its villages, a district, a village group.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Node ids and flood-zone ids (a zone stands for its nodes).
    pub places: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Village,
    Town,
    Township,
    Junction,
    Shelter,
    Depot,
    Hospital,
    WaterIntake,
    CommandPost,
    LeveePoint,
    RailSite,
    Bridge,
    Site,
}

/// A place on the map; roads join them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub id: String,
    /// Display name (Chinese or English); the id is used when absent.
    #[serde(default)]
    pub name: Option<String>,
    pub kind: NodeKind,
    /// Position in km, x east and y north, from any origin.
    pub pos: (f64, f64),
    /// Residents (people), for villages and towns.
    #[serde(default)]
    pub population: u32,
    /// Ground elevation in metres, if it matters (flooding).
    #[serde(default)]
    pub elevation_m: Option<f64>,
}

/// A road between two nodes; two-way unless `one_way`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Road {
    #[serde(default)]
    pub id: Option<String>,
    pub from: String,
    pub to: String,
    pub length_km: f64,
    /// Free-flow speed in km/h.
    pub speed_kmh: f64,
    #[serde(default = "one")]
    pub lanes: u32,
    /// Vehicles per hour per direction; default 1,800 per lane (HCM saturation flow, rounded).
    #[serde(default)]
    pub capacity_vph: Option<f64>,
    #[serde(default)]
    pub one_way: bool,
}

fn one() -> u32 {
    1
}

/// A storage cell for flood water: a polder, a low-lying township.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FloodZone {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Nodes inside the zone (their people are exposed when it floods).
    pub nodes: Vec<String>,
    /// Lowest ground elevation in metres.
    pub ground_elevation_m: f64,
    /// Plan area in km².
    pub area_km2: f64,
    /// Where water spills to a neighbouring zone, and over what sill elevation.
    #[serde(default)]
    pub spills_to: Vec<Spill>,
    /// Water depth (m) over a node of the zone at which roads ending there close to cars;
    /// default 0.3 m (docs/models.md; see `hazards::flood::DEFAULT_ROAD_CLOSURE_DEPTH_M`).
    #[serde(default)]
    pub road_closure_depth_m: Option<f64>,
    /// Vertical refuge (`hazards::flood`): the share of the residents whose house has an upper
    /// floor or roof they can reach (default 0) ...
    #[serde(default)]
    pub refuge_share: Option<f64>,
    /// ... and how high above the ground it is, m: while the water at a node is below it, those
    /// residents are out of the water (not exposed); above it they are exposed like the others.
    #[serde(default)]
    pub refuge_height_m: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spill {
    pub zone: String,
    pub sill_elevation_m: f64,
    /// Width of the connection in metres.
    pub width_m: f64,
    /// Weir discharge coefficient C_d of the connection (Q = C_d·(2/3)·√(2g)·B·H^{3/2});
    /// default 0.5 (see `hazards::flood::DEFAULT_DISCHARGE_COEFFICIENT`).
    #[serde(default)]
    pub discharge_coefficient: Option<f64>,
}

/// A river as a chain of reaches, with its levees.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct River {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub reaches: Vec<Reach>,
    #[serde(default)]
    pub levees: Vec<Levee>,
}

/// A stretch of river with uniform hydraulics (for 1-D advection–dispersion).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reach {
    pub id: String,
    pub length_km: f64,
    /// Mean flow velocity U in m/s.
    pub velocity_ms: f64,
    /// Wetted cross-section A in m².
    pub cross_section_m2: f64,
    /// Longitudinal dispersion coefficient K in m²/s.
    pub dispersion_m2s: f64,
    /// The reach the water flows into next, if any.
    #[serde(default)]
    pub downstream: Option<String>,
}

/// A levee along a reach, protecting a flood zone.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Levee {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub reach: String,
    /// The map node where the levee can be reached by road (kind `levee_point`).
    pub node: String,
    pub crest_elevation_m: f64,
    /// The flood zone behind the levee.
    pub protects: String,
}

/// A drinking-water intake on a river reach.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    /// The map node of the intake (kind `water_intake`).
    pub node: String,
    pub reach: String,
    /// Distance from the upstream end of the reach, km.
    pub at_km: f64,
    /// People supplied from this intake.
    pub serves: u32,
    /// The agency that may close it (usually the water utility).
    pub operator: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyRole {
    /// The county emergency office (应急办): runs the response, the one information outlet.
    EmergencyOffice,
    /// A county department or force (水利, 公安, 消防, 卫生…).
    Agency,
    /// A township government (乡镇).
    Township,
    /// A higher level (city or province); receives reports; played by the facilitator.
    Higher,
    /// A neighbouring county; played by the facilitator.
    Neighbour,
    /// A utility or company (water works, power, railway).
    Operator,
}

/// A seat in the exercise.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub role: AgencyRole,
    /// Kinds of order this agency may give beyond what its role allows (see `exercise::authority`).
    /// An agency may also do whatever the plan assigns to it.
    #[serde(default)]
    pub powers: Vec<ActionKind>,
    /// Point of contact for the improvement plan ("张三 0794-8221234"), if known.
    #[serde(default)]
    pub contact: Option<String>,
}

/// What teams can do (the task an order names must be one of these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    Rescue,
    BoatEvacuation,
    Extrication,
    Triage,
    MedicalTransport,
    BreachClosure,
    TrafficControl,
    WaterSampling,
    IntakeClosure,
    SupplyDelivery,
    Firefighting,
    Hazmat,
    SiteClearance,
    Security,
    PowerRepair,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    #[serde(default)]
    pub teams: Vec<Team>,
    #[serde(default)]
    pub depots: Vec<Depot>,
    #[serde(default)]
    pub shelters: Vec<Shelter>,
    #[serde(default)]
    pub hospitals: Vec<Hospital>,
    /// How people evacuate (`agents::evacuees`); every field has a default.
    #[serde(default)]
    pub evacuation: EvacuationParams,
    /// How boats rescue people from flooded places (`hazards::rescue`); every field has a default.
    #[serde(default)]
    pub rescue: RescueParams,
}

/// Boat rescue (see `hazards::rescue` for the model and the grounds of the defaults).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RescueParams {
    /// People one boat takes off per trip, crew not counted.
    pub boat_capacity: u32,
    /// Team members per boat: a team of `size` people runs `size / crew_per_boat` boats.
    pub crew_per_boat: u32,
    /// Boat speed over flooded ground, km/h.
    pub boat_speed_kmh: f64,
    /// Loading and unloading per trip, minutes.
    pub load_min: f64,
}

impl Default for RescueParams {
    fn default() -> Self {
        RescueParams { boat_capacity: 10, crew_per_boat: 3, boat_speed_kmh: 10.0, load_min: 10.0 }
    }
}

/// Behaviour of evacuees and traffic (see `agents::evacuees` for the model and sources).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvacuationParams {
    /// People per household (one household travels together, one car or one group on foot).
    pub household_size: f64,
    /// Mean delay from the order to a household's departure.
    pub mobilisation_mean: Dur,
    /// Weibull shape of the departure delays (2 = Rayleigh, the classic S-curve).
    pub mobilisation_shape: f64,
    /// Share of households that obey the order (the others stay).
    pub compliance: f64,
    /// Share of households that leave by car (the others walk).
    pub car_share: f64,
    /// Walking speed, km/h.
    pub walk_speed_kmh: f64,
    /// Road length one stopped car takes up, m (storage of a road = lanes × length / this).
    pub jam_spacing_m: f64,
}

impl Default for EvacuationParams {
    fn default() -> Self {
        EvacuationParams {
            household_size: 3.0,
            mobilisation_mean: Dur(7200),
            mobilisation_shape: 2.0,
            compliance: 0.9,
            car_share: 0.5,
            walk_speed_kmh: 4.0,
            jam_spacing_m: 7.5,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The owning agency: only it may give this team orders.
    pub agency: String,
    /// Free label for people: "fire brigade", "ambulance", "militia".
    pub kind: String,
    pub home: String,
    pub capabilities: Vec<Capability>,
    /// People in the team.
    pub size: u32,
    /// Road speed as a share of the free speed (1.0 = free speed).
    #[serde(default = "unit_f64")]
    pub speed_factor: f64,
    /// Boats the team brings (boat rescue, `hazards::rescue`); none given: one per
    /// `resources.rescue.crew_per_boat` people.
    #[serde(default)]
    pub boats: Option<u32>,
}

fn unit_f64() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Depot {
    pub node: String,
    #[serde(default)]
    pub agency: Option<String>,
    /// Stock by item name ("sandbags", "tents", "water_t", …).
    pub stock: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Shelter {
    pub node: String,
    /// People it can take.
    pub capacity: u32,
    /// Open at the start of the scenario.
    #[serde(default)]
    pub open: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hospital {
    pub node: String,
    pub beds: u32,
    #[serde(default)]
    pub surgical_per_hour: Option<f64>,
}

/// The grade of an incident (State Council Decree 493, art. 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 一般
    Ordinary,
    /// 较大
    Larger,
    /// 重大
    Serious,
    /// 特别重大
    ExtremelySerious,
}

/// A river stage hydrograph point.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StagePoint {
    pub at: TimeSpec,
    pub stage_m: f64,
}

/// START triage shares (sum to 1).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TriageShares {
    pub green: f64,
    pub yellow: f64,
    pub red: f64,
    pub black: f64,
}

/// The hazards of the scenario. The dynamics are the hazard models' business; this is their input.
/// Each kind's fields are a struct of their own; a file still writes them as a struct variant
/// (`Derailment(id: …, …)`): see the `Deserialize` impl below.
#[derive(Debug, Clone, Serialize, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Hazard {
    LeveeBreach(LeveeBreachParams),
    Derailment(DerailmentParams),
    ChemicalSpill(ChemicalSpillParams),
    /// A gas released to the air at a node (a ruptured tank, a tanker leak): a Gaussian plume.
    GasRelease(GasReleaseParams),
}

/// Reads a hazard as the struct variant the format has always had (`Derailment(id: …, …)`):
/// the variant's fields go to its params struct's own `Deserialize` (so its field list, its
/// `deny_unknown_fields` and its defaults hold), and ron names the variant in its problems
/// ("Unexpected field named `x` in `Derailment`") and places them as before.
impl<'de> Deserialize<'de> for Hazard {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Hazard, D::Error> {
        use std::marker::PhantomData;

        use serde::de::{EnumAccess, MapAccess, VariantAccess, Visitor};

        #[derive(Deserialize)]
        #[serde(variant_identifier)]
        enum Kind {
            LeveeBreach,
            Derailment,
            ChemicalSpill,
            GasRelease,
        }
        const KINDS: &[&str] = &["LeveeBreach", "Derailment", "ChemicalSpill", "GasRelease"];

        /// A struct variant's fields, read by `T`'s derived `Deserialize`.
        struct Fields<T>(&'static str, PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Fields<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "struct variant Hazard::{}", self.0)
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<T, M::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        fn fields<'de, T: Deserialize<'de>, V: VariantAccess<'de>>(v: V, name: &'static str) -> Result<T, V::Error> {
            v.struct_variant(&[], Fields(name, PhantomData))
        }

        struct HazardVisitor;
        impl<'de> Visitor<'de> for HazardVisitor {
            type Value = Hazard;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("enum Hazard")
            }
            fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Hazard, A::Error> {
                Ok(match data.variant()? {
                    (Kind::LeveeBreach, v) => Hazard::LeveeBreach(fields(v, "LeveeBreach")?),
                    (Kind::Derailment, v) => Hazard::Derailment(fields(v, "Derailment")?),
                    (Kind::ChemicalSpill, v) => Hazard::ChemicalSpill(fields(v, "ChemicalSpill")?),
                    (Kind::GasRelease, v) => Hazard::GasRelease(fields(v, "GasRelease")?),
                })
            }
        }
        d.deserialize_enum("Hazard", KINDS, HazardVisitor)
    }
}

/// A levee breach (`LeveeBreach(…)`), as the file gives it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LeveeBreachParams {
    pub id: String,
    pub levee: String,
    /// When the levee breaches; with `None` it breaches when the stage first passes the crest.
    #[serde(default)]
    pub at: Option<TimeSpec>,
    /// Initial breach width, m.
    pub initial_width_m: f64,
    /// Breach bottom elevation, m.
    pub bottom_elevation_m: f64,
    /// River stage at the levee over time, m (linear between points).
    pub stage: Vec<StagePoint>,
    /// Critical flow velocity u_c for erosion of the levee material, m/s, in the breach
    /// growth law of Verheij & Van der Knaap (2003); default 0.5 (defaults of the four model
    /// parameters: `hazard_models::BreachModel`; grounds: `hazards::flood`).
    #[serde(default)]
    pub critical_velocity_ms: Option<f64>,
    /// Weir discharge coefficient C_d of the breach; default 0.5.
    #[serde(default)]
    pub discharge_coefficient: Option<f64>,
    /// Width the breach cannot grow beyond, m; default 500.
    #[serde(default)]
    pub max_width_m: Option<f64>,
    /// Closure work: team person-hours at the levee node to close one metre of breach;
    /// default 400.
    #[serde(default)]
    pub closure_person_hours_per_m: Option<f64>,
    /// River routing (`hazards::flood`): the stage at which the levee's reach carries no
    /// flow (its bed), m. With it the reach is a store whose outflow follows a rating
    /// `Q = A·U·((h − bed)/(h_peak − bed))^{5/3}` (A, U the reach's section and velocity at
    /// the hydrograph's peak `h_peak`): the breach draws the stage down at the breach and
    /// downstream, and the flood can take no more than the river brings. Without it the
    /// river is an infinite reservoir at the hydrograph's stage.
    #[serde(default)]
    pub river_bed_elevation_m: Option<f64>,
}

/// A train derailment (`Derailment(…)`), as the file gives it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DerailmentParams {
    pub id: String,
    pub node: String,
    pub at: TimeSpec,
    /// Casualties in all (dead and injured).
    pub casualties: u32,
    pub triage: TriageShares,
    /// Roads (by id) blocked until the site is cleared.
    #[serde(default)]
    pub blocks_roads: Vec<String>,
    // ---- the casualty model (`hazards::derailment`); every field optional, defaults in
    // `hazard_models::CasualtyModel`.
    /// Share of the non-green casualties trapped in the wreck (default 0.4).
    #[serde(default)]
    pub trapped_share: Option<f64>,
    /// Untreated yellow → red, per hour (default 0.1).
    #[serde(default)]
    pub yellow_to_red_per_h: Option<f64>,
    /// Untreated red → black, per hour (default 0.35).
    #[serde(default)]
    pub red_to_black_per_h: Option<f64>,
    /// Deterioration of patients treated on site or in an ambulance, as a share of the
    /// untreated rate (default 0.2).
    #[serde(default)]
    pub treated_factor: Option<f64>,
    /// Trapped casualties freed per rescuer-hour of extrication (default 0.1).
    #[serde(default)]
    pub extrication_per_person_h: Option<f64>,
    /// Most rescuers who can work at the wreck at once (default 60).
    #[serde(default)]
    pub max_extricators: Option<u32>,
    /// Casualties stabilised per medic-hour of on-site treatment (default 1.0).
    #[serde(default)]
    pub treatment_per_person_h: Option<f64>,
    /// Casualties one ambulance carries per trip (default 2).
    #[serde(default)]
    pub ambulance_capacity: Option<u32>,
    /// Loading at the site plus handover at the hospital, minutes per trip (default 10).
    #[serde(default)]
    pub handover_min: Option<f64>,
    /// Person-hours of site-clearance work before the line and roads reopen (default 2000).
    #[serde(default)]
    pub clearance_person_h: Option<f64>,
    /// Share of casualties the triage teams put one START category off (a tired or
    /// untrained team; default 0). Each casualty's observations are drawn from `triage` (the
    /// injury profile) and START assigns the category.
    #[serde(default)]
    pub mistriage_rate: Option<f64>,
}

/// A chemical spill into a river (`ChemicalSpill(…)`), as the file gives it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChemicalSpillParams {
    pub id: String,
    pub substance: String,
    /// Where it happened on land (a road node), for responders.
    pub node: String,
    pub at: TimeSpec,
    pub reach: String,
    pub at_km: f64,
    /// Mass reaching the river, kg.
    pub mass_kg: f64,
    /// Release duration ("0s" for an instant release).
    pub release: Dur,
    /// Concentration of concern at intakes, mg/L.
    pub threshold_mg_l: f64,
    /// First-order decay rate, per hour.
    #[serde(default)]
    pub decay_per_h: f64,
}

/// A gas released to the air at a node (a ruptured tank, a tanker leak): a Gaussian plume.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GasReleaseParams {
    pub id: String,
    /// What is released (free text).
    #[serde(default)]
    pub substance: String,
    pub node: String,
    pub at: TimeSpec,
    /// Release rate, kg/s.
    pub rate_kg_s: f64,
    /// How long the release lasts.
    pub duration: Dur,
    /// Where the wind blows from, degrees clockwise from north (meteorological).
    pub wind_dir_deg: f64,
    /// Wind speed at 10 m, m/s.
    pub wind_ms: f64,
    /// Pasquill–Gifford stability class.
    pub stability: Stability,
    /// Height of the release above ground, m.
    #[serde(default)]
    pub release_height_m: f64,
    /// Level of concern (e.g. AEGL-2 or ERPG-2) at ground level, mg/m³.
    pub level_of_concern_mg_m3: f64,
    /// What the gas does to people (`hazards::plume`, dose model); without it the plume
    /// draws its threat zone and harms nobody.
    #[serde(default)]
    pub toxicity: Option<Toxicity>,
}

/// A gas's harm to people: lethality probit on the toxic load, injury thresholds, and how much
/// homes keep out. Concentrations in mg/m³, time in minutes (the convention of the TNO "Green
/// Book" CPR 16E and "Purple Book" CPR 18E probits).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Toxicity {
    /// Lethality probit `Pr = a + b·ln(∫ C^n dt)`: a.
    pub probit_a: f64,
    /// b.
    pub probit_b: f64,
    /// n, the toxic-load exponent.
    pub probit_n: f64,
    /// Injury (yellow): a toxic load above that of this concentration for 60 minutes (AEGL-2
    /// 60 min); default the release's `level_of_concern_mg_m3`.
    #[serde(default)]
    pub injury_mg_m3_60min: Option<f64>,
    /// Severe injury (red): a toxic load above that of this concentration for 60 minutes (AEGL-3
    /// 60 min); without it nobody is red.
    #[serde(default)]
    pub severe_mg_m3_60min: Option<f64>,
    /// Air changes per hour of homes as they are (default 1.0) and once the public is told to
    /// shelter in place (windows shut, ventilation off; default 0.3).
    #[serde(default)]
    pub air_changes_per_h: Option<f64>,
    #[serde(default)]
    pub sheltered_air_changes_per_h: Option<f64>,
}

/// Pasquill–Gifford atmospheric stability class: A very unstable … D neutral … F moderately stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub enum Stability {
    A,
    B,
    C,
    D,
    E,
    F,
}

impl Hazard {
    pub fn id(&self) -> &str {
        match self {
            Hazard::LeveeBreach(h) => &h.id,
            Hazard::Derailment(h) => &h.id,
            Hazard::ChemicalSpill(h) => &h.id,
            Hazard::GasRelease(h) => &h.id,
        }
    }
    /// The kind in snake_case (`levee_breach`), as the journal's `hazard_kind` writes it.
    pub fn kind_name(&self) -> &'static str {
        self.into()
    }
}

/// Observable conditions, for plan triggers and conditional injects.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub enum Condition {
    /// At a fixed time.
    At(TimeSpec),
    /// Never by itself: the facilitator fires it (`FireInject`).
    Manual,
    /// When a hazard begins (plus an optional delay: the time it takes the news to arrive).
    HazardOnset {
        hazard: String,
        #[serde(default)]
        after: Option<Dur>,
    },
    /// When an inject has been delivered.
    InjectDelivered(String),
    /// When the response level is at least this one.
    LevelAtLeast(Level),
    /// River stage at a levee at or above this, m.
    StageAtLeast { levee: String, stage_m: f64 },
    /// Known casualties (dead and injured) at least n.
    CasualtiesAtLeast(u32),
    /// Water depth in a flood zone at least this, m.
    DepthAtLeast { zone: String, depth_m: f64 },
    /// A report of this kind has not been sent by this time after the rule's start.
    ReportMissing { rule: String },
}

/// A response level: IV lowest, I highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum Level {
    IV,
    III,
    II,
    I,
}

impl Level {
    pub fn roman(self) -> &'static str {
        match self {
            Level::IV => "IV",
            Level::III => "III",
            Level::II => "II",
            Level::I => "I",
        }
    }
}

/// What an agency does; what plan actions and expected actions name, and what orders carry out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    RaiseLevel,
    DispatchTeam,
    Evacuate,
    OpenShelter,
    DeliverSupplies,
    CloseRoad,
    CloseIntake,
    SetUpCommandPost,
    SetUpWorkingGroup,
    RequestSupport,
    SendReport,
    WarnPublic,
    Acknowledge,
    Log,
}

impl ActionKind {
    /// Every action kind, in declaration order.
    pub const ALL: [ActionKind; 14] = [
        ActionKind::RaiseLevel,
        ActionKind::DispatchTeam,
        ActionKind::Evacuate,
        ActionKind::OpenShelter,
        ActionKind::DeliverSupplies,
        ActionKind::CloseRoad,
        ActionKind::CloseIntake,
        ActionKind::SetUpCommandPost,
        ActionKind::SetUpWorkingGroup,
        ActionKind::RequestSupport,
        ActionKind::SendReport,
        ActionKind::WarnPublic,
        ActionKind::Acknowledge,
        ActionKind::Log,
    ];

    pub fn name(self) -> String {
        super::ron_name(&self)
    }
}

/// Figures a report carries; absent figures were not reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injured: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evacuated: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_taken: Option<String>,
}

/// An order: what a seat asks the simulated world to do. Orders come from order files, live
/// mode's standard input, the GUI and the automatic plan-follower, and all pass the one door
/// (`exercise::orders`). A plan action may name the order that carries it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum OrderKind {
    /// Declare (raise or lower) the response level.
    SetLevel(Level),
    /// Send one's own team to a node to do a task it is capable of.
    Dispatch {
        team: String,
        to: String,
        task: Capability,
    },
    /// Send one's own team back to its home node.
    Recall {
        team: String,
    },
    /// Order the people of a village, town or flood zone to a shelter.
    Evacuate {
        from: String,
        to: String,
    },
    OpenShelter(String),
    CloseShelter(String),
    /// Send supplies from a depot (node id) to a node.
    DeliverSupplies {
        from: String,
        to: String,
        item: String,
        #[serde(deserialize_with = "crate::scenario::time::finite")]
        quantity: f64,
    },
    /// Close a road (by road id) to traffic.
    CloseRoad(String),
    ReopenRoad(String),
    /// Close a water intake (by its node id).
    CloseIntake(String),
    OpenIntake(String),
    /// Set up a command post at a node.
    SetUpCommandPost {
        name: String,
        at: String,
    },
    /// Set up a working group (e.g. medical treatment, families, press).
    SetUpWorkingGroup {
        name: String,
        #[serde(default)]
        lead: Option<String>,
        /// What the group does; when absent it is read from the name (`GroupFunction::recognise`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        function: Option<GroupFunction>,
    },
    /// Ask a higher level or a neighbouring county for support.
    RequestSupport {
        to: String,
        what: String,
    },
    /// Warn the public (text of the warning).
    WarnPublic(String),
    /// Send a report.
    Report {
        kind: ReportKind,
        to: String,
        #[serde(default)]
        figures: Figures,
    },
    /// Acknowledge an inject that reached one.
    Acknowledge(String),
    /// A free-text duty-log line.
    Log(String),
    /// Facilitator: stop the exercise clock (live mode).
    Pause,
    /// Facilitator: restart the exercise clock (live mode).
    Resume,
    /// Facilitator: run at this many times real time (live mode).
    Speed(#[serde(deserialize_with = "crate::scenario::time::finite")] f64),
    /// Facilitator: deliver an inject now (any inject not yet delivered, usually a `Manual` one).
    FireInject(String),
    /// Facilitator: move the next timed inject to this time and every later timed inject by the
    /// same amount, keeping their gaps.
    Retime(TimeSpec),
    /// Facilitator: end the exercise now.
    EndExercise,
    /// Control cell: an evaluator's observation (`drillsim serve`'s evaluator seat): the critical
    /// task or capability observed, what was seen, a P/S/M/U rating and free text. Journaled as
    /// `observation`; it changes nothing in the simulated world.
    Observe {
        /// The evaluator's seat name.
        evaluator: String,
        /// The critical task id or capability observed (free text when none fits).
        #[serde(default)]
        capability: String,
        /// What was seen.
        #[serde(default)]
        seen: String,
        #[serde(default)]
        rating: Option<Rating>,
        #[serde(default)]
        note: String,
    },
}

/// HSEEP's rating of a capability or critical task: performed without challenges (P), with
/// some challenges (S), with major challenges (M), unable to be performed (U).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum Rating {
    P,
    S,
    M,
    U,
}

impl OrderKind {
    /// The plan action kind this order carries out, if any.
    pub fn action_kind(&self) -> Option<ActionKind> {
        Some(match self {
            OrderKind::SetLevel(_) => ActionKind::RaiseLevel,
            OrderKind::Dispatch { .. } => ActionKind::DispatchTeam,
            OrderKind::Evacuate { .. } => ActionKind::Evacuate,
            OrderKind::OpenShelter(_) => ActionKind::OpenShelter,
            OrderKind::DeliverSupplies { .. } => ActionKind::DeliverSupplies,
            OrderKind::CloseRoad(_) => ActionKind::CloseRoad,
            OrderKind::CloseIntake(_) => ActionKind::CloseIntake,
            OrderKind::SetUpCommandPost { .. } => ActionKind::SetUpCommandPost,
            OrderKind::SetUpWorkingGroup { .. } => ActionKind::SetUpWorkingGroup,
            OrderKind::RequestSupport { .. } => ActionKind::RequestSupport,
            OrderKind::WarnPublic(_) => ActionKind::WarnPublic,
            OrderKind::Report { .. } => ActionKind::SendReport,
            OrderKind::Acknowledge(_) => ActionKind::Acknowledge,
            OrderKind::Log(_) => ActionKind::Log,
            _ => return None,
        })
    }

    /// Whether only the exercise control cell (the facilitator) gives this order.
    pub fn is_facilitator(&self) -> bool {
        matches!(
            self,
            OrderKind::Pause
                | OrderKind::Resume
                | OrderKind::Speed(_)
                | OrderKind::FireInject(_)
                | OrderKind::Retime(_)
                | OrderKind::EndExercise
                | OrderKind::Observe { .. }
        )
    }

    /// The ids this order names (team, places, road, intake, inject…), for matching plan targets.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            OrderKind::Dispatch { team, to, .. } => vec![team.as_str(), to.as_str()],
            OrderKind::Recall { team } => vec![team.as_str()],
            OrderKind::Evacuate { from, to } => vec![from.as_str(), to.as_str()],
            OrderKind::DeliverSupplies { from, to, item, .. } => vec![from.as_str(), to.as_str(), item.as_str()],
            OrderKind::SetUpCommandPost { name, at } => vec![name.as_str(), at.as_str()],
            OrderKind::SetUpWorkingGroup { name, lead, .. } => {
                let mut v = vec![name.as_str()];
                v.extend(lead.as_deref());
                v
            }
            OrderKind::RequestSupport { to, .. } | OrderKind::Report { to, .. } => vec![to.as_str()],
            OrderKind::OpenShelter(x)
            | OrderKind::CloseShelter(x)
            | OrderKind::CloseRoad(x)
            | OrderKind::ReopenRoad(x)
            | OrderKind::CloseIntake(x)
            | OrderKind::OpenIntake(x)
            | OrderKind::Acknowledge(x)
            | OrderKind::FireInject(x) => vec![x.as_str()],
            _ => vec![],
        }
    }
}

/// An inject of the master events list.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    pub id: String,
    /// When it fires: `At("+2h")` or any other condition, first time it holds.
    pub when: Condition,
    /// Who it comes from (an agency id, or "control" for the exercise control cell).
    pub from: String,
    pub to: Vec<String>,
    pub text: String,
    #[serde(default)]
    pub text_en: Option<String>,
    #[serde(default)]
    pub expected: Vec<ExpectedAction>,
}

/// An action an inject expects of an agency within a window after delivery.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedAction {
    pub agency: String,
    pub action: ActionKind,
    pub within: Dur,
    /// What it applies to, as a plan action's `target` (for `evacuate`: a node, flood zone or
    /// area, credited by the share of its people ordered out); none: any.
    #[serde(default)]
    pub target: Option<String>,
}

/// The emergency plan under test.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[serde(default)]
    pub name: String,
    /// A response level already in force when the scenario starts.
    #[serde(default)]
    pub initial_level: Option<Level>,
    #[serde(default)]
    pub levels: Vec<PlanLevel>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanLevel {
    pub level: Level,
    /// Any one of these starts the level.
    pub triggers: Vec<Condition>,
    pub actions: Vec<PlanAction>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanAction {
    pub id: String,
    pub owner: String,
    pub action: ActionKind,
    /// What it applies to (a node, team, zone, shelter, intake…), if anything.
    #[serde(default)]
    pub target: Option<String>,
    /// Time limit after the level's trigger.
    pub deadline: Dur,
    #[serde(default)]
    pub description: String,
    /// The order that carries the action out, for the automatic plan-follower. When absent it
    /// is derived where it can be (see `exercise::autoplan`).
    #[serde(default)]
    pub order: Option<OrderKind>,
    /// For `set_up_working_group`: the group's function; the owner is its lead. When absent the
    /// function is read from the action's id and description (`GroupFunction::recognise`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<GroupFunction>,
    /// For `send_report`: the kind of report asked for. When absent it is read from the id and
    /// description (`ReportKind::recognise`); when none is named, any kind will do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportKind>,
}

/// What a working group does: the closed list of the groups the county plans set up (the name
/// of a group is free text). A plan action names a function and its owner leads the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupFunction {
    /// 医疗救护组 medical treatment.
    Medical,
    /// 后勤保障组 logistics and supplies.
    Logistics,
    /// 新闻宣传组 press and public information.
    Press,
    /// 现场处置组 site handling (the wreck, the spill).
    Site,
    /// 治安维稳组 public order and stability.
    Stability,
    /// 家属接待组 / 善后组 families, visitors, aftercare.
    Visitors,
    /// 抢险救援组 rescue.
    Rescue,
    /// 群众安置组 / 转移安置组 resettlement of evacuees.
    Resettlement,
    /// 堵口组 breach closure.
    BreachClosure,
    /// 监测组 / 专家组 monitoring and expert assessment (water quality, the river).
    Monitoring,
    /// 供水保障组 emergency water supply.
    WaterSupply,
    /// 领导小组 / 综合协调组 the leading group, general coordination.
    Leading,
    /// 值班 duty staff (reinforced watch).
    Duty,
}

impl GroupFunction {
    pub const ALL: [GroupFunction; 13] = [
        GroupFunction::Medical,
        GroupFunction::Logistics,
        GroupFunction::Press,
        GroupFunction::Site,
        GroupFunction::Stability,
        GroupFunction::Visitors,
        GroupFunction::Rescue,
        GroupFunction::Resettlement,
        GroupFunction::BreachClosure,
        GroupFunction::Monitoring,
        GroupFunction::WaterSupply,
        GroupFunction::Leading,
        GroupFunction::Duty,
    ];

    pub fn name(self) -> String {
        super::ron_name(&self)
    }

    /// Words (Chinese and English, lower case) that name each function in a group's free-text
    /// name, most specific first.
    const WORDS: [(GroupFunction, &'static [&'static str]); 13] = [
        (GroupFunction::BreachClosure, &["堵口", "决口", "breach", "closure"]),
        (GroupFunction::Medical, &["医疗", "医学", "救治", "卫生", "medical", "health"]),
        (GroupFunction::Visitors, &["家属", "接待", "善后", "探视", "famil", "visitor", "aftercare", "relatives"]),
        (GroupFunction::Press, &["宣传", "新闻", "舆论", "舆情", "信息发布", "press", "media", "publicity", "news"]),
        (GroupFunction::Stability, &["治安", "维稳", "稳定", "秩序", "警戒", "security", "stability", "order"]),
        (GroupFunction::Resettlement, &["安置", "转移", "resettle", "shelter", "evacu"]),
        (GroupFunction::WaterSupply, &["供水", "water supply", "water_supply"]),
        (GroupFunction::Monitoring, &["监测", "专家", "评估", "monitor", "expert", "sampling"]),
        (GroupFunction::Logistics, &["后勤", "保障", "物资", "logistic", "supplies", "supply"]),
        (GroupFunction::Rescue, &["抢险", "救援", "搜救", "rescue"]),
        (GroupFunction::Site, &["现场", "处置", "site", "scene"]),
        (GroupFunction::Leading, &["领导小组", "指挥", "协调", "leading", "coordination", "command"]),
        (GroupFunction::Duty, &["值守", "值班", "duty", "watch"]),
    ];

    /// The function a free-text group name (or a plan action's id and description) names, if
    /// one of the words of exactly the first matching function appears in it.
    pub fn recognise(text: &str) -> Option<GroupFunction> {
        let t = text.to_lowercase();
        Self::WORDS.iter().find(|(_, words)| words.iter().any(|w| t.contains(w))).map(|(f, _)| *f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Phone report "at zero time".
    Phone,
    /// Written report.
    Written,
    /// Important urgent information.
    Urgent,
    /// Follow-up on development, response, causes.
    FollowUp,
    /// Feedback on a leader's instruction.
    Feedback,
}

impl ReportKind {
    /// The kind a plan action's id and description name, if exactly one family of words
    /// appears ("phone", "电话"; "written", "书面", "呈报", "文字"; "urgent", "紧急"; "follow", "续报";
    /// "feedback", "反馈").
    pub fn recognise(text: &str) -> Option<ReportKind> {
        let t = text.to_lowercase();
        let words: [(ReportKind, &[&str]); 5] = [
            (ReportKind::Phone, &["phone", "电话"]),
            (ReportKind::Written, &["written", "书面", "呈报", "文字"]),
            (ReportKind::Urgent, &["urgent", "紧急"]),
            (ReportKind::FollowUp, &["follow", "续报"]),
            (ReportKind::Feedback, &["feedback", "反馈"]),
        ];
        let hits: Vec<ReportKind> =
            words.iter().filter(|(_, ws)| ws.iter().any(|w| t.contains(w))).map(|(k, _)| *k).collect();
        if hits.len() == 1 { Some(hits[0]) } else { None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineFrom {
    /// From the incident's onset (`onset` in files; `incident` is the older word).
    #[serde(alias = "onset")]
    Incident,
    /// From when the reporting agency was notified: the first inject that reached it
    /// (`notified`; `notification` is the older word). When the first news is not about the
    /// incident, name the inject that is (`from: inject`).
    #[serde(alias = "notified")]
    Notification,
    /// From the delivery of the inject the rule's `inject` names (a leader's instruction, a
    /// request for information).
    Inject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Dead,
    Injured,
    Missing,
    Affected,
    Evacuated,
    ActionsTaken,
}

/// Reporting rules and the one information outlet.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reporting {
    /// The agency through which all upward reports go (the emergency office).
    #[serde(default)]
    pub outlet: Option<String>,
    /// Relative tolerance before a figure counts as false (over) or concealed (under); default 0.1.
    #[serde(default)]
    pub tolerance: Option<f64>,
    #[serde(default)]
    pub rules: Vec<ReportingRule>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingRule {
    pub id: String,
    pub kind: ReportKind,
    /// The rule applies to incidents of at least this grade (default: all).
    #[serde(default)]
    pub min_grade: Option<Grade>,
    pub from: DeadlineFrom,
    pub deadline: Dur,
    /// After the first report, one more is due every `repeat` while the run lasts (follow-ups
    /// "at least twice a day": `repeat: "12h"`).
    #[serde(default)]
    pub repeat: Option<Dur>,
    /// Who must report.
    pub by: String,
    pub to: String,
    /// Figures the report must carry: each is checked against the simulated truth when the
    /// report is sent, and a report without one of them is incomplete.
    #[serde(default)]
    pub figures: Vec<Figure>,
    #[serde(default)]
    pub basis: String,
    /// With `from: inject`: the inject whose delivery starts the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inject: Option<String>,
    /// Report kinds that satisfy the rule besides `kind` (e.g. an urgent report for a phone
    /// rule); by default only `kind`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<ReportKind>,
}

impl ReportingRule {
    /// Whether a report of this kind satisfies the rule.
    pub fn accepts(&self, k: ReportKind) -> bool {
        self.kind == k || self.also.contains(&k)
    }
}

/// How the overall score weighs its parts (need not sum to 1; they are normalised).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringWeights {
    pub plan: f64,
    pub reporting: f64,
    pub coordination: f64,
    pub outcomes: f64,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        Self { plan: 0.35, reporting: 0.25, coordination: 0.2, outcomes: 0.2 }
    }
}

/// The evaluation items of a drill (AQ/T 9009-2015, table A.2). Every scored item falls under one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvalArea {
    /// Early warning and information reporting (预警与信息报告).
    WarningAndReporting,
    /// Emergency mobilisation: determine the grade, start the matching response (应急响应启动).
    Mobilisation,
    /// Incident monitoring and assessment (监测与研判).
    Monitoring,
    /// Command and coordination (指挥与协调).
    #[default]
    CommandAndCoordination,
    /// Incident handling: rescue, breach closure, hazmat (事故处置).
    Handling,
    /// Resource management: supplies, support from outside (资源管理).
    Resources,
    /// Communications (通信).
    Communications,
    /// Public information and warning (信息发布).
    PublicInformation,
    /// Protection of people: evacuation, shelter, safe water (人员保护).
    ProtectionOfPeople,
    /// Cordon and traffic control (警戒与交通管制).
    TrafficControl,
    /// Medical rescue (医疗救护).
    MedicalRescue,
    /// Site control and recovery (现场控制与恢复).
    SiteControl,
}

impl EvalArea {
    pub const ALL: [EvalArea; 12] = [
        EvalArea::WarningAndReporting,
        EvalArea::Mobilisation,
        EvalArea::Monitoring,
        EvalArea::CommandAndCoordination,
        EvalArea::Handling,
        EvalArea::Resources,
        EvalArea::Communications,
        EvalArea::PublicInformation,
        EvalArea::ProtectionOfPeople,
        EvalArea::TrafficControl,
        EvalArea::MedicalRescue,
        EvalArea::SiteControl,
    ];

    pub fn name(self) -> String {
        super::ron_name(&self)
    }

    /// The item a plan or expected action of this kind is evaluated under.
    pub fn of_action(k: ActionKind) -> EvalArea {
        match k {
            ActionKind::RaiseLevel => EvalArea::Mobilisation,
            ActionKind::DispatchTeam => EvalArea::Handling,
            ActionKind::Evacuate | ActionKind::OpenShelter | ActionKind::CloseIntake => EvalArea::ProtectionOfPeople,
            ActionKind::DeliverSupplies | ActionKind::RequestSupport => EvalArea::Resources,
            ActionKind::CloseRoad => EvalArea::TrafficControl,
            ActionKind::SetUpCommandPost | ActionKind::SetUpWorkingGroup => EvalArea::CommandAndCoordination,
            ActionKind::SendReport => EvalArea::WarningAndReporting,
            ActionKind::WarnPublic => EvalArea::PublicInformation,
            ActionKind::Acknowledge | ActionKind::Log => EvalArea::Communications,
        }
    }
}

/// A critical task declared by the exercise designers: what it is, the plan actions, reporting
/// rules and injects' expected actions that make it up, and outcome targets it must reach.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriticalTaskSpec {
    pub id: String,
    pub name: String,
    /// The evaluation item it belongs to.
    pub area: EvalArea,
    /// Plan action ids (`plan.levels[..].actions[..].id`).
    #[serde(default)]
    pub actions: Vec<String>,
    /// Reporting rule ids: the reports those rules require.
    #[serde(default)]
    pub reports: Vec<String>,
    /// Inject ids: the actions those injects expect.
    #[serde(default)]
    pub injects: Vec<String>,
    /// Outcome targets, each met or not at the end of the run.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// An outcome a critical task must reach, read from the journal at the end of the run.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub enum Target {
    /// Deaths from all hazards at most this many.
    MaxDeaths(u32),
    /// Of the people ordered to evacuate, at least this share (0–1) left before their place flooded.
    MinLeftBeforeFlood(f64),
    /// Every levee breach closed within this time of its onset.
    BreachClosedWithin(Dur),
    /// Every trapped casualty freed within this time of the derailment.
    TrappedFreedWithin(Dur),
    /// People served water above the threshold at most this many.
    MaxUnsafeWater(u32),
}
