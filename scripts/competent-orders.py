import json, re, sys
scen_path, j0, j1, out = sys.argv[1:5]
text = open(scen_path).read()
E0 = [json.loads(l) for l in open(j0)]
E1 = [json.loads(l) for l in open(j1)] if j1 != '-' else None
pop = {m.group(1): int(m.group(2)) for m in re.finditer(r'\(id: "(\w+)",[^\n]*?population: (\d+)', text)}
serves = {m.group(1): int(m.group(2)) for m in re.finditer(r'\(node: "(\w+)",[^\n]*?serves: (\d+)', text)}
roles = {m.group(1): m.group(2) for m in re.finditer(r'\(id: "(\w+)",\s*name_zh:[^\n]*?role: (\w+)', text)}
higher = [a for a, r in roles.items() if r == 'higher']
outlet = re.search(r'outlet: "(\w+)"', text).group(1)
init = re.search(r'initial_level: (\w+)', text)
ORDER = ['IV', 'III', 'II', 'I']
BARE = {'task', 'kind', 'function'}
def ron(v, key=None):
    if isinstance(v, dict):
        if len(v) == 1 and list(v)[0][0].isupper():
            k, x = next(iter(v.items()))
            if isinstance(x, dict):
                return k + '(' + ', '.join(f'{a}: {ron(b, a)}' for a, b in x.items() if b is not None) + ')'
            if k == 'SetLevel':
                return f'SetLevel({x})'
            return f'{k}({ron(x)})'
        return '(' + ', '.join(f'{a}: {ron(b, a)}' for a, b in v.items() if b is not None) + ')'
    if isinstance(v, str):
        return v if key in BARE else json.dumps(v, ensure_ascii=False)
    return json.dumps(v)
orders = []  # (t, by, text)
pending_reports = []
def add(t, by, o):
    orders.append((t, by, o))
cur = init.group(1) if init else None
for e in E0:
    k = e['kind']
    if k == 'order_accepted' and e['by'] != 'control':
        if 'SetLevel' in e['order']:
            pass
        elif 'Report' in e['order']:
            r = e['order']['Report']
            pending_reports.append((e['t'], e['by'], r['to'], r['kind']))
        else:
            add(e['t'], e['by'], ron(e['order']))
    if k == 'plan_triggered':
        L = e['level']
        if cur is None or ORDER.index(L) > ORDER.index(cur):
            add(e['t'], outlet, f'SetLevel({L})'); cur = L
# expected actions of delivered injects
def inject_block(i):
    a = text.index(f'id: "{i}"')
    b = text.find('expected:', a)
    nxt = text.find('id: "', a + 5)
    if b < 0 or (nxt > 0 and b > nxt):
        return []
    c = text.index(']', b)
    return re.findall(r'agency: "(\w+)",\s*action: (\w+)', text[b:c])
for e in E0:
    if e['kind'] != 'inject_delivered':
        continue
    dt = e['t'] + 60
    for agency, action in inject_block(e['inject']):
        if action == 'acknowledge':
            add(dt, agency, f'Acknowledge("{e["inject"]}")')
        elif action == 'warn_public':
            add(dt, agency, 'WarnPublic("请群众注意防范,服从转移安排")')
        elif action == 'set_up_working_group':
            add(dt, agency, f'SetUpWorkingGroup(name: "综合协调组 {e["inject"]}", lead: "{agency}", function: leading)')
        elif action == 'log':
            add(dt, agency, 'Log("值守人员增加,领导带班")')
        elif action == 'request_support' and higher:
            add(dt, agency, f'RequestSupport(to: "{higher[0]}", what: "增援力量和物资")')
        elif action == 'send_report':
            to = e['from'] if e['from'] in higher else (higher[0] if agency == outlet else outlet)
            pending_reports.append((dt, agency, to, 'follow_up'))
# reporting rules
rules = re.findall(r'\(\s*id: "(\w+)",\s*kind: (\w+),(.*?)basis:', text[text.index('reporting: ('):], re.S)
onset = next((e['t'] for e in E0 if e['kind'] == 'hazard_onset'), None)
end = max(e['t'] for e in E0)
for rid, kind, body in rules:
    frm = re.search(r'from: (\w+)', body).group(1)
    by = re.search(r'by: "(\w+)"', body).group(1)
    to = re.search(r'to: "(\w+)"', body).group(1)
    rep = re.search(r'repeat: "(\d+)h"', body)
    if frm in ('incident', 'onset'):
        start = onset
    elif frm in ('notification', 'notified'):
        start = next((e['t'] for e in E0 if e['kind'] == 'inject_delivered' and by in e['to']), None)
    else:
        j = re.search(r'inject: "(\w+)"', body).group(1)
        start = next((e['t'] for e in E0 if e['kind'] == 'inject_delivered' and e['inject'] == j), None)
    if start is None:
        continue
    k = 0
    while True:
        t = start + 60 + k * (int(rep.group(1)) * 3600 if rep else 0)
        if t > end:
            break
        pending_reports.append((t, by, to, kind))
        if not rep:
            break
        k += 1
def truth(t):
    src = E1 if E1 else E0
    cas = {}; flood = 0; wet = set(); hit = set(); left = {}; plume = {}
    for e in src:
        if e['t'] >= t: break
        k = e['kind']
        if k == 'casualties': cas[e['hazard']] = (e['green'], e['yellow'], e['red'], e['black'])
        elif k == 'flood_deaths': flood += e['deaths']
        elif k == 'flood_totals': flood = max(flood, e['deaths'])
        elif k == 'flood_exposure': wet |= set(e['wet_nodes'])
        elif k == 'intake_threshold' and e['above']: hit.add(e['intake'])
        elif k == 'evacuation_progress': left[e['from']] = e['left']
        elif k == 'plume_zone': plume[e['hazard']] = e['people']
    dead = sum(c[3] for c in cas.values()) + flood
    inj = sum(c[0] + c[1] + c[2] for c in cas.values())
    aff = sum(pop.get(n, 0) for n in wet) + sum(serves.get(i, 0) for i in hit) + sum(sum(c) for c in cas.values()) + sum(plume.values())
    return dead, inj, aff, sum(left.values())
for t, by, to, kind in pending_reports:
    d, i, a, ev = truth(t)
    add(t, by, f'Report(kind: {kind}, to: "{to}", figures: (dead: {d}, injured: {i}, missing: 0, affected: {a}, evacuated: {ev}, actions_taken: "已采取措施"))')
orders.sort(key=lambda x: x[0])
with open(out, 'w') as f:
    f.write('// A competent play of this scenario: the plan\'s actions one minute after their triggers,\n')
    f.write('// the level declared in the minute its trigger fires, every inject answered within a minute,\n')
    f.write('// every report the rules require sent a minute after its clock starts, with the true figures\n')
    f.write('// (the site\'s count at that moment). Used by the monotonicity test (tests/it/corpus.rs).\n')
    f.write('Orders(\n    orders: [\n')
    for t, by, o in orders:
        f.write(f'        (at: "+{t}s", by: "{by}", order: {o}),\n')
    f.write('    ],\n)\n')
print(len(orders), 'orders')
