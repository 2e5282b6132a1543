//! The plan part: plan actions of triggered levels, inject expectations and the declared
//! response level, each judged by its effect in the world at its deadline (`effects`).

use super::effects::{Found, Want, is_one_off};
use super::{
    Ctx, Element, ExpectedResult, Findings, Improvement, ImprovementKind, LevelLowering, LevelResult, PlanActionResult,
    Status, hm, timed_credit,
};
use crate::scenario::types::{ActionKind, GroupFunction, Inject, Level, OrderKind, PlanAction, PlanLevel, ReportKind};

/// How long after its trigger a level counts as declared on time when the plan gives no
/// `raise_level` action for it.
pub const LEVEL_ALLOWANCE_S: u64 = 1800;
/// Warnings and requests for support up to this long before the moment they answer still count
/// (a warning issued just before the level starts warns the same people).
pub const EARLY_ACT_S: u64 = 3600;

/// From when an act of this kind counts for something that starts at `t0`.
fn counts_from(kind: ActionKind, t0: u64) -> u64 {
    if is_one_off(kind) {
        t0
    } else if matches!(kind, ActionKind::WarnPublic | ActionKind::RequestSupport) {
        t0.saturating_sub(EARLY_ACT_S)
    } else {
        0
    }
}

/// The function a plan action's working group serves: the one it names, else the one its id
/// and description name.
pub fn action_function(a: &PlanAction) -> Option<GroupFunction> {
    a.function.or_else(|| GroupFunction::recognise(&format!("{} {}", a.id, a.description)))
}

/// One judged item: status, seconds past the deadline, who did it when not the owner, credit,
/// evidence and whether it was in place before its trigger.
struct Verdict {
    status: Status,
    late_s: Option<i64>,
    done_by: Option<String>,
    credit: f64,
    evidence: Vec<u64>,
    early: bool,
    coverage: Option<f64>,
}

/// Turns what the world showed into a verdict; `start_t` is the trigger or delivery time.
fn verdict(found: Found, start_t: u64, start_seq: u64, deadline_t: u64, allow_s: u64, end_t: u64) -> Verdict {
    let mut evidence = vec![start_seq];
    let mut v = Verdict {
        status: Status::Missed,
        late_s: None,
        done_by: None,
        credit: 0.0,
        evidence: vec![],
        early: false,
        coverage: None,
    };
    match found {
        Found::OnTime { cause } => {
            v.status = Status::OnTime;
            v.credit = 1.0;
            if let Some((t, seq, _)) = cause {
                evidence.push(seq);
                v.late_s = Some(t as i64 - deadline_t as i64);
                v.early = t < start_t;
            } else {
                v.early = true;
            }
        }
        Found::Late { cause: (t, seq, _), share_on_time, share } => {
            evidence.push(seq);
            let late = t as i64 - deadline_t as i64;
            v.status = Status::Late;
            v.late_s = Some(late);
            v.credit = share_on_time + (share - share_on_time).max(0.0) * timed_credit(late, allow_s);
            if share < 1.0 || share_on_time > 0.0 {
                v.coverage = Some(share);
            }
        }
        Found::WrongAgency { cause: (t, seq, by) } => {
            evidence.push(seq);
            v.status = Status::WrongAgency;
            v.late_s = Some(t as i64 - deadline_t as i64);
            v.done_by = Some(by);
        }
        Found::None if deadline_t > end_t => v.status = Status::Pending,
        Found::None => {}
    }
    v.evidence = evidence;
    v
}

/// Every plan action of every triggered level.
pub(super) fn plan_actions(ctx: &Ctx, f: &mut Findings) -> Vec<PlanActionResult> {
    let mut out = Vec::new();
    for lvl in &ctx.sc.scenario.plan.levels {
        let Some(&(tt, tseq)) = ctx.triggered.get(&lvl.level) else { continue };
        for a in &lvl.actions {
            out.push(plan_action(ctx, lvl, a, tt, tseq, f));
        }
    }
    out
}

/// One plan action: satisfied when its effect is in the world at the trigger + deadline.
fn plan_action(ctx: &Ctx, lvl: &PlanLevel, a: &PlanAction, tt: u64, tseq: u64, f: &mut Findings) -> PlanActionResult {
    let function = (a.action == ActionKind::SetUpWorkingGroup).then(|| action_function(a)).flatten();
    let want = Want {
        kind: a.action,
        owner: &a.owner,
        target: a.target.as_deref(),
        function,
        level: (a.action == ActionKind::RaiseLevel).then_some(lvl.level),
        from_t: counts_from(a.action, tt),
        report: a.report.or_else(|| ReportKind::recognise(&format!("{} {}", a.id, a.description))),
        upward: true,
    };
    let deadline_t = tt + a.deadline.secs();
    let v = verdict(ctx.effects.satisfy(&want, deadline_t), tt, tseq, deadline_t, a.deadline.secs(), ctx.end_t);
    let desc = if a.description.is_empty() { a.id.clone() } else { a.description.clone() };
    let roman = lvl.level.roman();
    let late = hm(v.late_s.unwrap_or(0));
    let row = |kind: ImprovementKind, element: Element, en: (String, &str), zh: (String, &str)| Improvement {
        kind,
        subject: a.id.clone(),
        issue: en.0,
        corrective_action: en.1.into(),
        element,
        agency: a.owner.clone(),
        evidence: v.evidence.clone(),
        issue_zh: zh.0,
        corrective_action_zh: zh.1.into(),
        ..Default::default()
    };
    match v.status {
        Status::Late => f.improvements.push(row(
            ImprovementKind::PlanLate,
            Element::Training,
            (
                match v.coverage {
                    Some(c) => format!(
                        "Plan action {} ({desc}) of level {roman} covered {:.0} % of the people it names",
                        a.id,
                        100.0 * c
                    ),
                    None => format!("Plan action {} ({desc}) of level {roman} done {late} late", a.id),
                },
                "Drill the level's start-up checklist so that the action is ordered within its time limit",
            ),
            (
                match v.coverage {
                    Some(c) => format!("{roman} 级响应预案行动 {}({desc})仅覆盖应转移人员的 {:.0}%", a.id, 100.0 * c),
                    None => format!("{roman} 级响应预案行动 {}({desc})迟 {late} 完成", a.id),
                },
                "演练本级响应启动清单,确保在时限内下达该行动",
            ),
        )),
        Status::Missed => f.improvements.push(row(
            ImprovementKind::PlanMissed,
            Element::Planning,
            (
                format!("Plan action {} ({desc}) of level {roman} was not done", a.id),
                "Make the action explicit in the owner's department plan and duty checklist",
            ),
            (format!("{roman} 级响应预案行动 {}({desc})未完成", a.id), "在责任单位的部门预案和值班清单中明确该行动"),
        )),
        Status::WrongAgency => {
            let who = v.done_by.clone().unwrap_or_default();
            f.improvements.push(row(
                ImprovementKind::PlanWrongAgency,
                Element::Organisation,
                (
                    format!("Plan action {} ({desc}) was done by {who} instead of its owner {}", a.id, a.owner),
                    "Clarify responsibilities: the owning agency acts, others support on request",
                ),
                (
                    format!("预案行动 {}({desc})由 {who} 完成,而非责任单位 {}", a.id, a.owner),
                    "明确职责:责任单位负责实施,其他单位按请求配合",
                ),
            ))
        }
        Status::OnTime | Status::Pending => {}
    }
    if v.early && v.status == Status::OnTime {
        f.strength(
            "done_early",
            &a.id,
            &a.owner,
            &v.evidence,
            format!("Plan action {} ({desc}) was in place before level {roman} started", a.id),
            format!("预案行动 {}({desc})在 {roman} 级响应启动前已落实", a.id),
        );
    }
    if v.status != Status::Pending {
        f.credit(&a.owner, v.credit);
    }
    PlanActionResult {
        action: a.id.clone(),
        level: lvl.level,
        owner: a.owner.clone(),
        kind: a.action,
        triggered_t: tt,
        deadline_s: a.deadline.secs(),
        status: v.status,
        late_s: v.late_s,
        done_by: v.done_by,
        credit: v.credit,
        evidence: v.evidence,
        early: v.early,
        coverage: v.coverage,
    }
}

/// The level an inject's `raise_level` asks for: the highest level whose trigger had fired by
/// its delivery (same step included), else one above the level in force then.
fn level_wanted(ctx: &Ctx, dt: u64) -> Level {
    let fired = ctx.triggered.iter().filter(|(_, (t, _))| *t <= dt).map(|(l, _)| *l).max();
    fired.unwrap_or(match ctx.level_at(dt) {
        None => Level::IV,
        Some(Level::IV) => Level::III,
        Some(Level::III) => Level::II,
        Some(_) => Level::I,
    })
}

/// Every expected action of every delivered inject.
pub(super) fn expected_actions(ctx: &Ctx, f: &mut Findings) -> Vec<ExpectedResult> {
    let mut out = Vec::new();
    for inj in &ctx.sc.scenario.injects {
        let Some((dt, dseq, _)) = ctx.delivered.get(&inj.id) else { continue };
        for x in &inj.expected {
            out.push(expected_action(ctx, inj, x, *dt, *dseq, f));
        }
    }
    out
}

/// One expected action: satisfied when its effect is in the world `within` after delivery. A
/// report a higher level asks for goes to that level; an acknowledgement names this inject.
fn expected_action(
    ctx: &Ctx,
    inj: &Inject,
    x: &crate::scenario::types::ExpectedAction,
    dt: u64,
    dseq: u64,
    f: &mut Findings,
) -> ExpectedResult {
    let target = match x.action {
        ActionKind::Acknowledge => Some(inj.id.as_str()),
        // what the inject names (an evacuation of a place, zone or area: credit by people)
        _ if x.target.is_some() => x.target.as_deref(),
        ActionKind::SendReport if ctx.effects.is_higher(&inj.from) => Some(inj.from.as_str()),
        _ => None,
    };
    let want = Want {
        kind: x.action,
        owner: &x.agency,
        target,
        function: None,
        level: (x.action == ActionKind::RaiseLevel).then(|| level_wanted(ctx, dt)),
        from_t: counts_from(x.action, dt),
        report: None,
        upward: true,
    };
    let within = x.within.secs();
    let deadline_t = dt + within;
    let v = verdict(ctx.effects.satisfy(&want, deadline_t), dt, dseq, deadline_t, within, ctx.end_t);
    let what = x.action.name();
    let late = hm(v.late_s.unwrap_or(0));
    let row = |kind: ImprovementKind, element: Element, en: (String, &str), zh: (String, &str)| Improvement {
        kind,
        subject: inj.id.clone(),
        issue: en.0,
        corrective_action: en.1.into(),
        element,
        agency: x.agency.clone(),
        evidence: v.evidence.clone(),
        issue_zh: zh.0,
        corrective_action_zh: zh.1.into(),
        ..Default::default()
    };
    // An expected action done by another agency is not the recipient's response.
    let (status, credit) = match v.status {
        Status::WrongAgency => (Status::Missed, 0.0),
        s => (s, v.credit),
    };
    match status {
        Status::Late => f.improvements.push(row(
            ImprovementKind::ExpectedLate,
            Element::Training,
            (
                format!(
                    "After inject {} {} did {what} {late} later than expected (within {})",
                    inj.id, x.agency, x.within
                ),
                "Practise the response to this kind of message; shorten the decision path",
            ),
            (
                format!("收到注入 {} 后 {} 的 {what} 比预期晚 {late}(应在 {} 内)", inj.id, x.agency, x.within),
                "针对此类信息开展专项训练,缩短决策链条",
            ),
        )),
        Status::Missed => f.improvements.push(row(
            ImprovementKind::ExpectedMissed,
            Element::Planning,
            (
                format!("After inject {} {} never did {what} (expected within {})", inj.id, x.agency, x.within),
                "Add the expected response to the agency's procedures and brief the duty staff",
            ),
            (
                format!("收到注入 {} 后 {} 始终未做 {what}(应在 {} 内)", inj.id, x.agency, x.within),
                "把预期的处置写入该单位的工作程序,并向值班人员交底",
            ),
        )),
        _ => {}
    }
    if v.early && status == Status::OnTime {
        f.strength(
            "done_early",
            &inj.id,
            &x.agency,
            &v.evidence,
            format!("{} had done {what} before inject {} asked for it", x.agency, inj.id),
            format!("注入 {} 要求之前,{} 已完成 {what}", inj.id, x.agency),
        );
    }
    if status != Status::Pending {
        f.credit(&x.agency, credit);
    }
    let after_s = v.late_s.map(|l| (l + within as i64).max(0) as u64).filter(|_| status != Status::Missed);
    ExpectedResult {
        inject: inj.id.clone(),
        agency: x.agency.clone(),
        kind: x.action,
        delivered_t: dt,
        within_s: within,
        status,
        after_s,
        late_s: if status == Status::Missed { None } else { v.late_s },
        credit,
        evidence: v.evidence,
        early: v.early && status == Status::OnTime,
    }
}

/// The declared response level, judged against every level whose trigger fired: declared at
/// least that high by the trigger + the plan's `raise_level` deadline for it (else
/// `LEVEL_ALLOWANCE_S`) — on time; later — late; never — held below a fired trigger.
pub(super) fn declared_levels(ctx: &Ctx, f: &mut Findings) -> Vec<LevelResult> {
    let mut out = Vec::new();
    for lvl in &ctx.sc.scenario.plan.levels {
        let Some(&(tt, tseq)) = ctx.triggered.get(&lvl.level) else { continue };
        let allow = lvl
            .actions
            .iter()
            .filter(|a| a.action == ActionKind::RaiseLevel)
            .map(|a| a.deadline.secs())
            .min()
            .unwrap_or(LEVEL_ALLOWANCE_S);
        let deadline_t = tt + allow;
        let mut evidence = vec![tseq];
        let in_force = ctx.level_at(deadline_t);
        let (status, late_s, credit) = if in_force.is_some_and(|l| l >= lvl.level) {
            let set = ctx.level_changes.iter().rev().find(|c| c.t <= deadline_t);
            evidence.extend(set.map(|c| c.seq));
            (Status::OnTime, set.map(|c| c.t as i64 - deadline_t as i64), 1.0)
        } else if let Some(c) = ctx.level_changes.iter().find(|c| c.t > deadline_t && c.to >= lvl.level) {
            evidence.push(c.seq);
            let late = c.t as i64 - deadline_t as i64;
            (Status::Late, Some(late), timed_credit(late, allow))
        } else if deadline_t > ctx.end_t {
            (Status::Pending, None, 0.0)
        } else {
            (Status::Missed, None, 0.0)
        };
        let office = ctx.office();
        let roman = lvl.level.roman();
        let row = |kind: ImprovementKind, en: String, zh: String| Improvement {
            kind,
            subject: format!("level {roman}"),
            issue: en,
            corrective_action:
                "Declare the level the plan's trigger calls for as soon as it fires; put the triggers on the duty desk"
                    .into(),
            element: Element::Planning,
            agency: office.clone(),
            evidence: evidence.clone(),
            issue_zh: zh,
            corrective_action_zh: "触发条件一旦满足即宣布相应响应级别;将各级触发条件列入值班台清单".into(),
            ..Default::default()
        };
        match status {
            Status::Late => f.improvements.push(row(
                ImprovementKind::LevelLate,
                format!("Level {roman} was declared {} after its trigger's allowance", hm(late_s.unwrap_or(0))),
                format!("{roman} 级响应在触发后超出时限 {} 才宣布", hm(late_s.unwrap_or(0))),
            )),
            Status::Missed => f.improvements.push(row(
                ImprovementKind::LevelHeldBelow,
                format!(
                    "Level {roman}'s trigger fired but the declared level stayed at {}",
                    in_force.map_or("none", |l| l.roman())
                ),
                format!("{roman} 级响应触发条件已满足,但宣布的级别仍为 {}", in_force.map_or("无", |l| l.roman())),
            )),
            _ => {}
        }
        if status != Status::Pending {
            f.credit(&office, credit);
        }
        out.push(LevelResult {
            level: lvl.level,
            triggered_t: tt,
            allowance_s: allow,
            declared: in_force,
            status,
            late_s,
            credit,
            evidence,
        });
    }
    out
}

/// Every lowering of the declared level, justified or not: lowering below a level whose
/// trigger has fired, while the hazard is not over (breach closed, site cleared), is not.
pub(super) fn lowerings(ctx: &Ctx, f: &mut Findings) -> Vec<LevelLowering> {
    let mut out = Vec::new();
    for c in &ctx.level_changes {
        let Some(from) = c.from else { continue };
        if c.to >= from {
            continue;
        }
        let fired = ctx.triggered.iter().filter(|(_, (t, _))| *t <= c.t).map(|(l, _)| *l).max();
        let over = ctx.hazards_over_at(c.t);
        let justified = over || fired.is_none_or(|l| c.to >= l);
        if !justified {
            f.improvements.push(Improvement {
                kind: ImprovementKind::LevelLowered,
                subject: format!("level {}", from.roman()),
                issue: format!(
                    "{} lowered the response level from {} to {} while level {}'s trigger had fired and the hazard was not over",
                    c.by,
                    from.roman(),
                    c.to.roman(),
                    fired.map_or("?", |l| l.roman())
                ),
                corrective_action: "Lower the level only when the plan's conditions for ending it are met, and record why".into(),
                element: Element::Planning,
                agency: c.by.clone(),
                evidence: vec![c.seq],
                issue_zh: format!(
                    "{} 在 {} 级触发条件已满足、险情未结束时将响应级别由 {} 降为 {}",
                    c.by,
                    fired.map_or("?", |l| l.roman()),
                    from.roman(),
                    c.to.roman()
                ),
                corrective_action_zh: "仅在预案规定的终止条件满足时降低响应级别,并记录理由".into(),
                ..Default::default()
            });
            f.credit(&c.by, 0.0);
        }
        out.push(LevelLowering { seq: c.seq, t: c.t, by: c.by.clone(), from, to: c.to, justified });
    }
    out
}

/// Whether an order sets up a working group of this function (for reports and courses).
pub fn group_of(order: &OrderKind) -> Option<GroupFunction> {
    super::effects::Effects::group_function(order)
}
