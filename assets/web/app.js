// drillsim seat page: log in with a seat's token, then the seat protocol (docs/protocol.md) over
// one WebSocket. The page shows what the server sends for this seat; it decides nothing itself.
"use strict";

const WORDS = {
  login: ["登录席位", "Sign in to your seat"], token: ["席位口令", "Seat token"], enter: ["进入", "Enter"],
  control: ["导调控制", "Exercise control"], pause: ["暂停", "Pause"], resume: ["继续", "Resume"],
  speed: ["倍速", "Speed"], set: ["设定", "Set"], end: ["结束演练", "End exercise"], injects: ["情景注入", "Injects"],
  retime: ["下一注入改时至", "Move next inject to"], seats: ["席位", "Seats"], score: ["实时评分", "Live score"],
  observe: ["评估观察", "Evaluator observation"], capability: ["关键任务/能力", "Critical task / capability"],
  seen: ["所见", "What was seen"], rating: ["评定 (P/S/M/U)", "Rating (P/S/M/U)"], note: ["备注", "Note"],
  record: ["记录", "Record"], orders: ["下达指令", "Give an order"], kind: ["指令", "Order"], give: ["下达", "Give"],
  hazards_as_of: ["险情(据报,截至)", "Hazards as reported, as of"], no_hazard: ["尚无险情报告", "no hazard reported"],
  inbox: ["收件箱", "Inbox"], map: ["地图", "Map"], units: ["队伍与物资", "Teams and stocks"], journal: ["动态", "Journal"],
  fire: ["注入", "Fire"], due: ["预定", "Due"], delivered: ["已送达", "Delivered"], connected: ["在线", "online"],
  offline: ["离线", "offline"], last: ["最近指令", "Last order"], paused: ["已暂停", "paused"], ended: ["已结束", "ended"],
  level: ["响应级别", "Level"], none: ["无", "none"], overall: ["总分", "Overall"], acked: ["已受理", "logged"],
  accepted: ["已执行", "accepted"], refused: ["被拒绝", "refused"], team: ["队伍", "Team"], at: ["位置", "At"],
  task: ["任务", "Task"], to: ["前往", "To"], depot: ["仓库", "Depot"], from: ["自", "From"], item: ["物资", "Item"],
  quantity: ["数量", "Quantity"], text: ["内容", "Text"], name: ["名称", "Name"], lead: ["牵头单位", "Lead"],
  what: ["所需", "What"], shelter: ["避难场所", "Shelter"], road: ["道路", "Road"], intake: ["取水口", "Intake"],
  place: ["地点", "Place"], inject: ["注入", "Inject"], report_kind: ["报告类型", "Report kind"],
  dead: ["死亡", "Dead"], injured: ["受伤", "Injured"], missing: ["失踪", "Missing"], affected: ["受影响", "Affected"],
  evacuated: ["已转移", "Evacuated"], actions_taken: ["已采取措施", "Actions taken"], bad_token: ["口令无效", "This token opens no seat"],
  player: ["参演单位", "player"], facilitator: ["导调", "facilitator"], evaluator: ["评估员", "evaluator"], observer: ["观摩", "observer"],
};
const FORMS = {
  SetLevel: ["启动/调整响应级别", "Set the response level"], Dispatch: ["派遣队伍", "Dispatch a team"],
  Recall: ["召回队伍", "Recall a team"], Evacuate: ["组织转移", "Evacuate"], OpenShelter: ["开放避难场所", "Open a shelter"],
  CloseShelter: ["关闭避难场所", "Close a shelter"], DeliverSupplies: ["调运物资", "Deliver supplies"],
  CloseRoad: ["封闭道路", "Close a road"], ReopenRoad: ["恢复道路", "Reopen a road"], CloseIntake: ["关闭取水口", "Close an intake"],
  OpenIntake: ["开启取水口", "Open an intake"], SetUpCommandPost: ["设立现场指挥部", "Set up a command post"],
  SetUpWorkingGroup: ["成立工作组", "Set up a working group"], RequestSupport: ["请求支援", "Request support"],
  Report: ["报送信息", "Send a report"], WarnPublic: ["发布预警", "Warn the public"], Acknowledge: ["确认收到注入", "Acknowledge an inject"],
  Log: ["值班日志", "Duty log"], Pause: ["暂停", "Pause"], Resume: ["继续", "Resume"], Speed: ["倍速", "Speed"],
  FireInject: ["注入", "Fire inject"], Retime: ["改时", "Re-time"], EndExercise: ["结束演练", "End exercise"], Observe: ["评估观察", "Observation"],
};
// Order forms each power opens (authority's action kinds).
const POWER_FORMS = {
  raise_level: ["SetLevel"], dispatch_team: ["Dispatch", "Recall"], evacuate: ["Evacuate"],
  open_shelter: ["OpenShelter", "CloseShelter"], deliver_supplies: ["DeliverSupplies"], close_road: ["CloseRoad", "ReopenRoad"],
  close_intake: ["CloseIntake", "OpenIntake"], set_up_command_post: ["SetUpCommandPost"], set_up_working_group: ["SetUpWorkingGroup"],
  request_support: ["RequestSupport"], send_report: ["Report"], warn_public: ["WarnPublic"], acknowledge: ["Acknowledge"], log: ["Log"],
};
const CAPS = { rescue: ["救援", "rescue"], boat_evacuation: ["舟艇转移", "boat evacuation"], extrication: ["破拆救出", "extrication"],
  triage: ["检伤分类", "triage"], medical_transport: ["医疗转运", "medical transport"], breach_closure: ["堵口", "breach closure"],
  traffic_control: ["交通管制", "traffic control"], security: ["警戒", "security"], supply_delivery: ["物资运送", "supply delivery"],
  intake_closure: ["关闭取水口", "intake closure"], water_sampling: ["水质采样", "water sampling"], firefighting: ["灭火", "firefighting"],
  decontamination: ["洗消", "decontamination"], hazmat: ["危化品处置", "hazmat"] };
const REPORTS = { phone: ["电话报告", "phone report"], written: ["书面报告", "written report"], urgent: ["紧急信息", "urgent information"],
  follow_up: ["续报", "follow-up"], feedback: ["反馈", "feedback"] };

let lang = localStorage.getItem("drillsim.lang") || "zh";
let ws = null, me = null, dir = null, state = null, backoff = 500;
const acks = new Map(); // tag → description of the order given here
const $ = (id) => document.getElementById(id);
const L = (pair) => (pair ? pair[lang === "zh" ? 0 : 1] : "");
const w = (k) => L(WORDS[k]) || k;

function el(tag, attrs, ...kids) {
  const e = tag === "svg" || ["line", "circle", "text", "g"].includes(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

// A bilingual name ("县水利抢险队 Levee engineering team") in the page's language.
function pick(name) {
  if (!name) return "";
  const m = name.match(/^([^A-Za-z]*[\u2e80-\u9fff][^A-Za-z]*?)\s+([A-Za-z].*)$/);
  if (!m) return name;
  return lang === "zh" ? m[1].trim() : m[2].trim();
}
function agencyName(id) {
  if (id === "control") return lang === "zh" ? "导调组" : "exercise control";
  const a = dir && dir.agencies.find((x) => x.id === id);
  return a ? (lang === "zh" ? a.name_zh : a.name_en) : id;
}
function nodeName(id) { const n = dir && (dir.nodes.find((x) => x.id === id) || dir.zones.find((x) => x.id === id)); return n ? pick(n.name || id) : id; }
function itemName(id) { const n = dir && dir.item_names && dir.item_names[id]; return n ? n[lang] : id.replace(/_/g, " "); }
function teamName(id) { const t = dir && dir.teams.find((x) => x.id === id); return t ? pick(t.name) : id; }
function capName(c) { return L(CAPS[c]) || c; }
function clockText(t) { const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60); return `+${h}h${String(m).padStart(2, "0")}m`; }

function orderText(o) {
  if (typeof o === "string") return L(FORMS[o]) || o;
  const [k, v] = Object.entries(o)[0];
  const f = L(FORMS[k]) || k;
  switch (k) {
    case "SetLevel": return `${f} ${v}`;
    case "Dispatch": return `${f}: ${teamName(v.team)} → ${nodeName(v.to)} (${capName(v.task)})`;
    case "Recall": return `${f}: ${teamName(v.team)}`;
    case "Evacuate": return `${f}: ${nodeName(v.from)} → ${nodeName(v.to)}`;
    case "DeliverSupplies": return `${f}: ${v.quantity} ${v.item}, ${nodeName(v.from)} → ${nodeName(v.to)}`;
    case "Report": return `${f} (${L(REPORTS[v.kind]) || v.kind}) → ${agencyName(v.to)}`;
    case "RequestSupport": return `${f} → ${agencyName(v.to)}: ${v.what}`;
    case "SetUpCommandPost": return `${f}: ${v.name} @ ${nodeName(v.at)}`;
    case "SetUpWorkingGroup": return `${f}: ${v.name}`;
    case "Acknowledge": case "FireInject": return `${f} ${v}`;
    case "Observe": return `${f}: ${v.capability} ${v.rating || ""}`;
    default: return typeof v === "string" ? `${f}: ${typeof v === "string" && dir && (dir.nodes.some((n) => n.id === v)) ? nodeName(v) : v}` : `${f} ${JSON.stringify(v)}`;
  }
}

// One journal entry as a sentence in the page's language; `said`: why a refused order was
// refused, in both languages with names, as the server sends it beside the entry.
function sentence(e, said) {
  const zh = lang === "zh";
  switch (e.kind) {
    case "run_started": return zh ? `演练开始:${e.scenario_name}` : `Exercise started: ${e.scenario_name}`;
    case "run_ended": return zh ? "演练结束" : "The exercise is over";
    case "inject_delivered": {
      const j = dir && dir.injects.find((x) => x.id === e.inject);
      const text = !zh && j && j.text_en ? j.text_en : e.text;
      return `${agencyName(e.from)} → ${e.to.map(agencyName).join("、")}:${text}`;
    }
    case "order_accepted": return `${w("accepted")}: ${agencyName(e.by)} — ${orderText(e.order)}`;
    case "order_refused": return `${w("refused")}: ${agencyName(e.by)} — ${orderText(e.order)}: ${said ? said[lang] : e.reason}`;
    case "level_changed": return zh ? `${agencyName(e.by)} 启动 ${e.to} 级响应` : `${agencyName(e.by)} declared response level ${e.to}`;
    case "public_warning": return zh ? `${agencyName(e.by)} 发布预警:${e.text}` : `${agencyName(e.by)} warned the public: ${e.text}`;
    case "team_dispatched": return zh ? `${teamName(e.team)} 出发前往 ${nodeName(e.to)}` : `${teamName(e.team)} left for ${nodeName(e.to)}`;
    case "team_arrived": return zh ? `${teamName(e.team)} 到达 ${nodeName(e.at)}` : `${teamName(e.team)} arrived at ${nodeName(e.at)}`;
    case "report_sent": return zh ? `${agencyName(e.by)} 向 ${agencyName(e.to)} 报送${L(REPORTS[e.report])}` : `${agencyName(e.by)} sent a ${L(REPORTS[e.report])} to ${agencyName(e.to)}`;
    case "acknowledged": return zh ? `${agencyName(e.by)} 确认收到 ${e.inject}` : `${agencyName(e.by)} acknowledged ${e.inject}`;
    case "log": return `${agencyName(e.by)}: ${e.text}`;
    case "exercise_paused": return zh ? "导调暂停演练" : "Control paused the exercise";
    case "exercise_resumed": return zh ? "导调恢复演练" : "Control resumed the exercise";
    case "speed_changed": return zh ? `导调将倍速设为 ${e.speed}` : `Control set the speed to ${e.speed}×`;
    case "exercise_ended": return zh ? "导调结束演练" : "Control ended the exercise";
    case "observation": return `${e.evaluator}: [${e.rating || "-"}] ${e.capability} — ${e.seen} ${e.note}`;
    case "evacuation_ordered": return zh ? `${agencyName(e.by)} 组织 ${nodeName(e.from)} 群众转移至 ${nodeName(e.to)}` : `${agencyName(e.by)} ordered ${nodeName(e.from)} to evacuate to ${nodeName(e.to)}`;
    case "shelter_opened": return zh ? `${nodeName(e.shelter)} 开放` : `${nodeName(e.shelter)} opened`;
    case "plan_triggered": return zh ? `预案 ${e.level} 级响应条件满足:${e.trigger}` : `Plan level ${e.level} trigger met: ${e.trigger}`;
    case "hazard_onset": return zh ? `险情发生:${e.detail}` : `Hazard began: ${e.detail}`;
    default: {
      const rest = Object.assign({}, e); for (const k of ["seq", "t", "time", "kind"]) delete rest[k];
      return `${e.kind} ${JSON.stringify(rest)}`;
    }
  }
}

function translate() {
  document.documentElement.lang = lang;
  $("lang").value = lang;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = w(e.dataset.t);
  if (dir) { buildOrderKinds(); renderState(); rerenderLists(); }
}

// ---- connection
function connect(token) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/ws`);
  ws.onopen = () => {
    const since = Number(sessionStorage.getItem("drillsim.since." + token) || 0);
    ws.send(JSON.stringify({ type: "hello", v: 1, token, since }));
  };
  ws.onmessage = (ev) => handle(token, JSON.parse(ev.data));
  ws.onclose = () => {
    $("conn").className = "off";
    if (sessionStorage.getItem("drillsim.token") === token && !(state && state.ended)) {
      setTimeout(() => connect(token), backoff);
      backoff = Math.min(backoff * 2, 8000);
    }
  };
}

const items = []; // feed items received, in order
function handle(token, m) {
  if (m.type === "welcome") {
    backoff = 500;
    me = m.seat; dir = m.scenario;
    sessionStorage.setItem("drillsim.token", token);
    $("login").hidden = true; $("room").hidden = false; $("conn").className = "on";
    $("title").textContent = dir.name;
    $("seat").textContent = `${me.agency ? agencyName(me.agency) : me.name} · ${w(me.role)}`;
    if (m.since === 0) { items.length = 0; }
    const control = me.role === "facilitator";
    $("control-card").hidden = !control;
    $("observe-card").hidden = !(me.role === "evaluator" || control);
    $("order-card").hidden = me.role !== "player";
    const caps = $("obs-caps"); caps.replaceChildren(...dir.critical_tasks.map((c) => el("option", { value: c.name })));
    buildOrderKinds(); drawMap(); rerenderLists();
  } else if (m.type === "feed") {
    items.push(m.item);
    sessionStorage.setItem("drillsim.since." + token, String(m.n));
    addItem(m.item);
  } else if (m.type === "state") {
    state = m; renderState();
  } else if (m.type === "ack") {
    $("order-status").textContent = `${w("acked")} #${m.tag}`;
    acks.set(m.tag, true);
  } else if (m.type === "error") {
    if (m.code === "bad_token") { sessionStorage.removeItem("drillsim.token"); $("login-error").textContent = w("bad_token"); ws.close(); return; }
    $("order-status").textContent = `${m.code}: ${m.message}`;
    $("order-status").className = "error";
  }
}

function addItem(it) {
  const e = it.entry;
  const li = el("li", {}, el("span", { class: "t", text: clockText(e.t) }), sentence(e, it.said));
  if (it.tag) li.append(el("span", { class: "t", text: ` #${it.tag}` }));
  $("journal").prepend(li);
  while ($("journal").children.length > 60) $("journal").lastChild.remove();
  const mine = me && me.agency && e.to && e.to.includes && e.to.includes(me.agency);
  if (e.kind === "inject_delivered" && (mine || me.role !== "player")) {
    const item = li.cloneNode(true); item.className = "inject";
    if (me.role === "player") item.append(" ", el("button", { text: L(FORMS.Acknowledge), onclick: () => give({ Acknowledge: e.inject }) }));
    $("inbox").prepend(item);
  } else if (it.tag && (e.kind === "order_accepted" || e.kind === "order_refused")) {
    const item = li.cloneNode(true); item.className = e.kind === "order_accepted" ? "accepted" : "refused";
    $("inbox").prepend(item);
    if (acks.has(it.tag)) { $("order-status").textContent = `#${it.tag} ${e.kind === "order_accepted" ? w("accepted") : w("refused") + ": " + (it.said ? it.said[lang] : e.reason)}`; $("order-status").className = ""; }
  } else if (e.kind === "report_sent" && me.agency && e.to === me.agency) {
    $("inbox").prepend(li.cloneNode(true));
  }
}
function rerenderLists() { $("journal").replaceChildren(); $("inbox").replaceChildren(); for (const it of items) addItem(it); }

function renderState() {
  if (!state || !dir) return;
  $("clock").textContent = `${state.time || ""} (${clockText(state.t || 0)}) ×${state.speed}${state.paused ? " · " + w("paused") : ""}${state.ended ? " · " + w("ended") : ""}`;
  $("level").textContent = `${w("level")}: ${state.level || w("none")}`;
  $("teams").replaceChildren(el("tr", {}, el("th", { text: w("team") }), el("th", { text: w("at") }), el("th", { text: w("to") }), el("th", { text: w("task") })),
    ...(state.teams || []).map((t) => el("tr", {}, el("td", { text: teamName(t.id) }), el("td", { text: nodeName(t.at) }), el("td", { text: t.to ? nodeName(t.to) : "" }), el("td", { text: t.task ? capName(t.task) : "" }))));
  const rows = [];
  for (const [node, stock] of Object.entries(state.stocks || {})) for (const [item, q] of Object.entries(stock)) rows.push(el("tr", {}, el("td", { text: nodeName(node) }), el("td", { text: itemName(item) }), el("td", { text: String(q) })));
  $("stocks").replaceChildren(el("tr", {}, el("th", { text: w("depot") }), el("th", { text: w("item") }), el("th", { text: w("quantity") })), ...rows);
  if (me && me.role === "facilitator") renderControl();
  drawMap();
}

function renderControl() {
  const inj = state.injects || [];
  $("injects").replaceChildren(el("tr", {}, el("th", { text: w("inject") }), el("th", { text: w("due") }), el("th", { text: w("delivered") }), el("th", {})),
    ...inj.map((j) => el("tr", {}, el("td", { text: j.id }), el("td", { text: j.due_t != null ? clockText(j.due_t) : "—" }),
      el("td", { text: j.delivered_t != null ? clockText(j.delivered_t) : "" }),
      el("td", {}, j.delivered_t == null ? el("button", { text: w("fire"), onclick: () => give({ FireInject: j.id }) }) : null))));
  $("seats").replaceChildren(el("tr", {}, el("th", { text: w("seats") }), el("th", {}), el("th", { text: w("last") })),
    ...(state.seats || []).map((s) => el("tr", {}, el("td", { text: s.agency ? agencyName(s.agency) : s.name }),
      el("td", { text: s.connections > 0 ? w("connected") : w("offline") }),
      el("td", { text: s.last_action ? `${clockText(s.last_action.t)} ${L(FORMS[s.last_action.order]) || s.last_action.order}` : "" }))));
  const sc = state.score;
  $("score").textContent = sc ? `${w("overall")} ${sc.overall.toFixed(1)} · ` + Object.entries(sc.parts).map(([k, v]) => `${k} ${Number(v).toFixed(0)}`).join(" · ") : "";
}

function drawMap() {
  if (!dir) return;
  const svg = $("map");
  const xs = dir.nodes.map((n) => n.pos[0]), ys = dir.nodes.map((n) => n.pos[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const s = 90 / Math.max(x1 - x0, y1 - y0, 1);
  const P = (id) => { const n = dir.nodes.find((x) => x.id === id); return n ? [5 + (n.pos[0] - x0) * s, 95 - (n.pos[1] - y0) * s] : [0, 0]; };
  const closed = new Set((state && state.closed_roads) || []);
  const kids = [];
  for (const r of dir.roads) { const [a, b] = [P(r.from), P(r.to)]; kids.push(el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: closed.has(r.id) ? "closed" : "" })); }
  for (const n of dir.nodes) { const [x, y] = P(n.id); kids.push(el("circle", { cx: x, cy: y, r: 0.9 }), el("text", { x: x + 1.2, y: y - 0.6, text: pick(n.name) })); }
  // The hazards as this seat knows them (the server sends only what its visibility allows):
  // wet places blue, places in a gas plume purple, a hazard's place red.
  const known = (state && state.hazards) || {};
  const marks = [];
  for (const h of Object.values(known)) for (const e of h.entries) {
    if (e.kind === "flood_exposure") for (const n of e.wet_nodes) marks.push([n, "wet"]);
    if (e.kind === "plume_zone") for (const n of e.nodes) marks.push([n, "plume"]);
    if (e.kind === "hazard_onset") marks.push([((dir.levees || []).find((l) => l.id === e.place) || { node: e.place }).node, "hazard"]);
  }
  for (const [id, cls] of marks) if (dir.nodes.some((n) => n.id === id)) { const [x, y] = P(id); kids.unshift(el("circle", { cx: x, cy: y, r: 2.6, class: cls })); }
  for (const t of (state && state.teams) || []) { const [x, y] = P(t.at); kids.push(el("circle", { cx: x, cy: y, r: 1.4, class: "team" }, el("title", { text: teamName(t.id) }))); }
  svg.replaceChildren(...kids);
  const asOf = Object.values(known).map((h) => h.as_of);
  $("hazard-note").textContent = me && me.role === "player"
    ? (asOf.length ? `${w("hazards_as_of")} ${clockText(Math.max(...asOf))}` : w("no_hazard")) : "";
}

// ---- order forms, built from the scenario (names shown, ids sent)
function sel(name, options) { return el("select", { name }, ...options.map(([v, label]) => el("option", { value: v, text: label }))); }
function field(key, input) { return el("label", {}, el("span", { text: w(key) + " " }), input); }
function text(name) { return el("input", { name, size: 30 }); }
function num(name) { return el("input", { name, type: "number", min: 0, step: "any" }); }
function opts(kind) {
  const nodes = dir.nodes.map((n) => [n.id, pick(n.name)]);
  switch (kind) {
    case "teams": return dir.teams.map((t) => [t.id, pick(t.name)]);
    case "nodes": return nodes;
    case "places": return nodes.concat(dir.zones.map((z) => [z.id, pick(z.name || z.id)]));
    case "shelters": return dir.shelters.map((id) => [id, nodeName(id)]);
    case "depots": return dir.depots.map((d) => [d.node, nodeName(d.node)]);
    case "roads": return dir.roads.filter((r) => r.id).map((r) => [r.id, `${nodeName(r.from)} – ${nodeName(r.to)}`]);
    case "intakes": return dir.intakes.map((i) => [i.node, nodeName(i.node)]);
    case "agencies": return dir.agencies.filter((a) => a.id !== (me && me.agency)).map((a) => [a.id, agencyName(a.id)]);
    case "support": return dir.agencies.filter((a) => a.role === "higher" || a.role === "neighbour").map((a) => [a.id, agencyName(a.id)]);
    case "caps": return Object.keys(CAPS).map((c) => [c, capName(c)]);
    case "items": return [...new Set(dir.depots.flatMap((d) => d.items))].map((i) => [i, itemName(i)]);
    case "injects": return items.filter((it) => it.entry.kind === "inject_delivered").map((it) => [it.entry.inject, `${it.entry.inject}: ${it.entry.text.slice(0, 24)}`]);
    case "reports": return Object.keys(REPORTS).map((k) => [k, L(REPORTS[k])]);
    case "levels": return ["IV", "III", "II", "I"].map((l) => [l, l]);
  }
  return [];
}
const SPECS = {
  SetLevel: [["level", "levels"]], Dispatch: [["team", "teams"], ["to", "nodes"], ["task", "caps"]], Recall: [["team", "teams"]],
  Evacuate: [["from", "places"], ["to", "shelters"]], OpenShelter: [["shelter", "shelters"]], CloseShelter: [["shelter", "shelters"]],
  DeliverSupplies: [["from", "depots"], ["to", "nodes"], ["item", "items"], ["quantity", "#"]], CloseRoad: [["road", "roads"]],
  ReopenRoad: [["road", "roads"]], CloseIntake: [["intake", "intakes"]], OpenIntake: [["intake", "intakes"]],
  SetUpCommandPost: [["name", "$"], ["at", "nodes"]], SetUpWorkingGroup: [["name", "$"], ["lead", "agencies?"]],
  RequestSupport: [["to", "support"], ["what", "$"]], WarnPublic: [["text", "$"]], Log: [["text", "$"]], Acknowledge: [["inject", "injects"]],
  Report: [["report_kind", "reports"], ["to", "agencies"], ["dead", "#?"], ["injured", "#?"], ["missing", "#?"], ["affected", "#?"], ["evacuated", "#?"], ["actions_taken", "$?"]],
};
function buildOrderKinds() {
  if (!dir || !me || me.role !== "player") return;
  const kinds = [...new Set(dir.powers.flatMap((p) => POWER_FORMS[p] || []))];
  const s = $("order-kind"), cur = s.value;
  s.replaceChildren(...kinds.map((k) => el("option", { value: k, text: L(FORMS[k]) })));
  if (kinds.includes(cur)) s.value = cur;
  buildFields();
}
function buildFields() {
  const k = $("order-kind").value;
  $("order-fields").replaceChildren(...(SPECS[k] || []).map(([name, kind]) => {
    const optional = kind.endsWith("?"), base = kind.replace("?", "");
    const input = base === "$" ? text(name) : base === "#" ? num(name) : sel(name, (optional ? [["", "—"]] : []).concat(opts(base)));
    return field(name, input);
  }));
}
function value(name) { const e = $("order-fields").querySelector(`[name="${name}"]`); return e ? e.value : ""; }
function buildOrder() {
  const k = $("order-kind").value, v = value;
  switch (k) {
    case "SetLevel": return { SetLevel: v("level") };
    case "Dispatch": return { Dispatch: { team: v("team"), to: v("to"), task: v("task") } };
    case "Recall": return { Recall: { team: v("team") } };
    case "Evacuate": return { Evacuate: { from: v("from"), to: v("to") } };
    case "OpenShelter": case "CloseShelter": return { [k]: v("shelter") };
    case "DeliverSupplies": return { DeliverSupplies: { from: v("from"), to: v("to"), item: v("item"), quantity: Number(v("quantity")) } };
    case "CloseRoad": case "ReopenRoad": return { [k]: v("road") };
    case "CloseIntake": case "OpenIntake": return { [k]: v("intake") };
    case "SetUpCommandPost": return { SetUpCommandPost: { name: v("name"), at: v("at") } };
    case "SetUpWorkingGroup": return { SetUpWorkingGroup: { name: v("name"), lead: v("lead") || null } };
    case "RequestSupport": return { RequestSupport: { to: v("to"), what: v("what") } };
    case "WarnPublic": case "Log": return { [k]: v("text") };
    case "Acknowledge": return { Acknowledge: v("inject") };
    case "Report": {
      const figures = {};
      for (const f of ["dead", "injured", "missing", "affected", "evacuated"]) if (v(f) !== "") figures[f] = Number(v(f));
      if (v("actions_taken")) figures.actions_taken = v("actions_taken");
      return { Report: { kind: v("report_kind"), to: v("to"), figures } };
    }
  }
  return null;
}
let nextId = 1;
function give(order) {
  if (!ws || ws.readyState !== 1) return;
  $("order-status").className = "";
  $("order-status").textContent = "…";
  ws.send(JSON.stringify({ type: "order", id: "c" + nextId++, order }));
}

// ---- wiring
$("lang").addEventListener("change", () => { lang = $("lang").value; localStorage.setItem("drillsim.lang", lang); translate(); });
$("login-form").addEventListener("submit", (ev) => { ev.preventDefault(); $("login-error").textContent = ""; sessionStorage.setItem("drillsim.token", $("token").value.trim()); connect($("token").value.trim()); });
$("order-kind").addEventListener("change", buildFields);
$("order-form").addEventListener("submit", (ev) => { ev.preventDefault(); const o = buildOrder(); if (o) give(o); });
$("pause").addEventListener("click", () => give("Pause"));
$("resume").addEventListener("click", () => give("Resume"));
$("set-speed").addEventListener("click", () => give({ Speed: Number($("speed").value) }));
$("end").addEventListener("click", () => { if (confirm(w("end") + "?")) give("EndExercise"); });
$("do-retime").addEventListener("click", () => give({ Retime: $("retime").value.trim() }));
$("observe-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  ws.send(JSON.stringify({ type: "observe", id: "c" + nextId++, capability: $("obs-cap").value, seen: $("obs-seen").value,
    rating: $("obs-rating").value || null, note: $("obs-note").value }));
  $("obs-seen").value = ""; $("obs-note").value = "";
});
translate();
const saved = sessionStorage.getItem("drillsim.token");
if (saved) connect(saved);
