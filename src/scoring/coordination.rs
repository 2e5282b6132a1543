//! The coordination part: duplicate dispatches, conflicting orders, how fast each recipient of
//! an inject responded, whether intake operators were told in time, and idle teams
//! (`doctrine::idle_teams`).

use std::collections::{BTreeMap, BTreeSet};

use super::{
    CONFLICT_WINDOW_S, Conflict, Ctx, DuplicateDispatch, Element, Findings, Improvement, ImprovementKind,
    IntakeInformed, PROMPT_RESPONSE_S, Response, hm,
};
use crate::journal::Event;
use crate::scenario::types::{AgencyRole, Capability, OrderKind};

/// Orders that carried out a plan action: the agency's last accepted order before each
/// `plan_action_done` (the door journals it right after the order).
fn plan_orders(ctx: &Ctx) -> BTreeSet<u64> {
    let mut out = BTreeSet::new();
    for e in ctx.entries {
        if let Event::PlanActionDone { by, .. } = &e.event
            && let Some(c) = ctx.effects.accepted.iter().rev().find(|c| c.seq < e.seq && c.by == by)
        {
            out.insert(c.seq);
        }
    }
    out
}

/// A team sent again to the same place and task while there or on its way, unless the plan
/// asked for that order.
pub(super) fn duplicate_dispatches(ctx: &Ctx, f: &mut Findings) -> Vec<DuplicateDispatch> {
    let planned = plan_orders(ctx);
    let mut out = Vec::new();
    let mut team_at: BTreeMap<&str, (&str, Capability)> = BTreeMap::new();
    for c in &ctx.effects.accepted {
        match c.order {
            OrderKind::Dispatch { team, to, task } => {
                if team_at.get(team.as_str()) == Some(&(to.as_str(), *task)) && !planned.contains(&c.seq) {
                    out.push(DuplicateDispatch {
                        seq: c.seq,
                        by: c.by.to_string(),
                        team: team.clone(),
                        to: to.clone(),
                    });
                    f.improvements.push(Improvement {
                        kind: ImprovementKind::DuplicateDispatch,
                        subject: team.clone(),
                        issue: format!(
                            "{} dispatched {team} to {to} again while it was already there or on its way",
                            c.by
                        ),
                        corrective_action: "Keep a shared resource board of teams and their tasks at the command post"
                            .into(),
                        element: Element::Organisation,
                        agency: c.by.to_string(),
                        evidence: vec![c.seq],
                        issue_zh: format!("{team} 已在 {to} 或在途,{} 又重复派遣", c.by),
                        corrective_action_zh: "在指挥部设立共享的队伍与任务看板".into(),
                        ..Default::default()
                    });
                }
                team_at.insert(team, (to, *task));
            }
            OrderKind::Recall { team } => {
                team_at.remove(team.as_str());
            }
            _ => {}
        }
    }
    out
}

/// Two agencies' opposite orders on one road, intake or shelter within `CONFLICT_WINDOW_S`.
pub(super) fn conflicts(ctx: &Ctx, f: &mut Findings) -> Vec<Conflict> {
    let mut out = Vec::new();
    // target → (close?, seq, t, by) of the last order on it
    let mut last_on: BTreeMap<String, (bool, u64, u64, String)> = BTreeMap::new();
    for c in &ctx.effects.accepted {
        let toggle = match c.order {
            OrderKind::CloseRoad(x) => Some((format!("road {x}"), true)),
            OrderKind::ReopenRoad(x) => Some((format!("road {x}"), false)),
            OrderKind::CloseIntake(x) => Some((format!("intake {x}"), true)),
            OrderKind::OpenIntake(x) => Some((format!("intake {x}"), false)),
            OrderKind::CloseShelter(x) => Some((format!("shelter {x}"), true)),
            OrderKind::OpenShelter(x) => Some((format!("shelter {x}"), false)),
            _ => None,
        };
        let Some((target, close)) = toggle else { continue };
        if let Some((pclose, pseq, pt, pby)) = last_on.get(&target)
            && *pclose != close
            && pby != c.by
            && c.t.saturating_sub(*pt) <= CONFLICT_WINDOW_S
        {
            let gap = c.t.saturating_sub(*pt);
            f.improvements.push(Improvement {
                kind: ImprovementKind::ConflictingOrders,
                subject: target.clone(),
                issue: format!("{pby} and {} gave opposite orders on {target} {} apart", c.by, hm(gap as i64)),
                corrective_action: "Agree such decisions at the command post and announce them through one channel"
                    .into(),
                element: Element::Organisation,
                agency: c.by.to_string(),
                evidence: vec![*pseq, c.seq],
                issue_zh: format!("{pby} 与 {} 对 {target} 下达了相反的指令,间隔 {}", c.by, hm(gap as i64)),
                corrective_action_zh: "此类决定在指挥部会商,经同一渠道发布".into(),
                ..Default::default()
            });
            out.push(Conflict {
                target: target.clone(),
                first_seq: *pseq,
                first_by: pby.clone(),
                second_seq: c.seq,
                second_by: c.by.to_string(),
                gap_s: gap,
            });
        }
        last_on.insert(target, (close, c.seq, c.t, c.by.to_string()));
    }
    out
}

/// Each recipient's first accepted order at or after an inject's delivery (the same step counts).
pub(super) fn responses(ctx: &Ctx) -> Vec<Response> {
    let mut out = Vec::new();
    for inj in &ctx.sc.scenario.injects {
        let Some((dt, _, to)) = ctx.delivered.get(&inj.id) else { continue };
        let mut seen = BTreeSet::new();
        for a in to {
            let role = ctx.sc.agency(a).map(|x| x.role);
            if !seen.insert(a) || matches!(role, None | Some(AgencyRole::Higher) | Some(AgencyRole::Neighbour)) {
                continue;
            }
            let first = ctx.effects.accepted.iter().find(|c| c.t >= *dt && c.by == a);
            let after = first.map(|c| c.t - dt);
            let credit = match after {
                Some(s) if s <= PROMPT_RESPONSE_S => 1.0,
                Some(_) => 0.5,
                None => 0.0,
            };
            out.push(Response {
                inject: inj.id.clone(),
                agency: a.clone(),
                delivered_t: *dt,
                first_order_after_s: after,
                credit,
            });
        }
    }
    out
}

/// Each intake whose water crossed the threshold: was its operator told (an inject or a report
/// reaching it) by then?
pub(super) fn intakes_informed(ctx: &Ctx, f: &mut Findings) -> Vec<IntakeInformed> {
    let sc = &ctx.sc.scenario;
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for e in ctx.entries {
        let Event::IntakeThreshold { intake, above: true, .. } = &e.event else { continue };
        if !seen.insert(intake.clone()) {
            continue;
        }
        let operator =
            sc.map.intakes.iter().find(|i| i.node == *intake).map(|i| i.operator.clone()).unwrap_or_default();
        let evidence: Vec<u64> = ctx
            .entries
            .iter()
            .take_while(|x| x.t <= e.t)
            .filter(|x| match &x.event {
                Event::InjectDelivered { to, .. } => to.contains(&operator),
                Event::ReportSent { to, .. } => *to == operator,
                _ => false,
            })
            .map(|x| x.seq)
            .take(1)
            .collect();
        let informed = !evidence.is_empty();
        if !informed {
            f.improvements.push(Improvement {
                kind: ImprovementKind::OperatorNotInformed,
                subject: intake.clone(),
                issue: format!(
                    "{operator}, operator of intake {intake}, was not informed before the water there became unsafe"
                ),
                corrective_action: "Add the water-works operators to the spill notification list with a direct line"
                    .into(),
                element: Element::Planning,
                agency: sc.reporting.outlet.clone().unwrap_or_else(|| operator.clone()),
                evidence: vec![e.seq],
                issue_zh: format!("取水口 {intake} 的运营单位 {operator} 在水质超标前未得到通知"),
                corrective_action_zh: "将水厂运营单位列入泄漏通报名单并建立直通电话".into(),
                ..Default::default()
            });
        }
        out.push(IntakeInformed {
            intake: intake.clone(),
            operator,
            threshold_t: e.t,
            informed,
            evidence: if informed { evidence } else { vec![e.seq] },
        });
    }
    out
}
