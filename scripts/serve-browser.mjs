// Drives the pages of `drillsim serve` in headless Chromium over the DevTools protocol (no npm
// package needed; Node 20 with --experimental-websocket, or Node 22+). Called by
// scripts/check-serve-in-browser.sh with the DevTools port, the server's address, the seats'
// tokens and a folder for the screenshots. Each page: log in with the token, do the seat's thing
// (an order and its answer; pause and speed; an observation), screenshot.
import { writeFileSync } from "node:fs";

const [devtools, addr, seatToken, facilitatorToken, evaluatorToken, outDir] = process.argv.slice(2);

async function target() {
  const r = await fetch(`http://127.0.0.1:${devtools}/json/new?about:blank`, { method: "PUT" });
  return (await r.json()).webSocketDebuggerUrl;
}

class Page {
  constructor(url) {
    this.ws = new WebSocket(url);
    this.id = 0;
    this.waiting = new Map();
    this.ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.id && this.waiting.has(m.id)) {
        const [ok, fail] = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        m.error ? fail(new Error(JSON.stringify(m.error))) : ok(m.result);
      }
    };
    this.open = new Promise((ok) => (this.ws.onopen = ok));
  }
  send(method, params = {}) {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((ok, fail) => this.waiting.set(id, [ok, fail]));
  }
  async eval(expr) {
    const r = await this.send("Runtime.evaluate", { expression: expr, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`${expr}: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }
  async until(expr, what, ms = 15000) {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      if (await this.eval(expr)) return;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  async shot(file) {
    const r = await this.send("Page.captureScreenshot", { format: "png" });
    writeFileSync(file, Buffer.from(r.data, "base64"));
  }
}

async function open(path, token, lang) {
  const p = new Page(await target());
  await p.open;
  await p.send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
  await p.send("Page.enable");
  await p.send("Page.navigate", { url: `http://${addr}${path}` });
  await p.until("document.readyState === 'complete' && !!document.getElementById('token')", "the login form");
  await p.eval(`(() => { const l = document.getElementById('lang'); l.value = '${lang}'; l.dispatchEvent(new Event('change')); })()`);
  await p.eval(`(() => { document.getElementById('token').value = '${token}';
    document.getElementById('login-form').requestSubmit(); })()`);
  await p.until("!document.getElementById('room').hidden", "the room after logging in");
  return p;
}

const text = (id) => `document.getElementById('${id}').textContent`;

// The facilitator starts the clock and sets the speed.
const f = await open("/facilitator", facilitatorToken, "zh");
await f.until(`!document.getElementById('control-card').hidden`, "the control panel");
await f.eval(`document.getElementById('resume').click()`);
await f.until(`${text("journal")}.includes('导调恢复演练')`, "the resume in the journal");
await f.eval(`(() => { document.getElementById('speed').value = '30'; document.getElementById('set-speed').click(); })()`);
await f.until(`${text("journal")}.includes('倍速设为 30')`, "the speed change in the journal");

// A player gives an order from the form (names in the lists, ids sent) and sees its answer.
const s = await open("/", seatToken, "en");
await s.until(`document.getElementById('order-kind').options.length > 0`, "the order forms");
await s.eval(`(() => { const k = document.getElementById('order-kind'); k.value = 'Dispatch'; k.dispatchEvent(new Event('change'));
  const f = document.getElementById('order-fields');
  f.querySelector('[name=team]').value = 't_levee_eng'; f.querySelector('[name=to]').value = 'lp_shawan';
  f.querySelector('[name=task]').value = 'breach_closure';
  document.getElementById('order-form').requestSubmit(); })()`);
await s.until(`document.querySelector('#inbox li.accepted') !== null`, "the answer to the order in the inbox");
const answer = await s.eval(`document.querySelector('#inbox li.accepted').textContent`);
if (!answer.includes("Levee engineering team")) throw new Error(`the answer does not name the team: ${answer}`);
if (answer.includes("t_levee_eng")) throw new Error(`the answer shows an id: ${answer}`);
await s.until(`${text("teams")}.includes('Levee engineering team')`, "the seat's team in its table");
await s.until(`${text("stocks")}.includes('food (t)')`, "the depot's stocks by name");
const stocks = await s.eval(text("stocks"));
if (/[a-z]+_[a-z]+/.test(stocks)) throw new Error(`the stocks show an item id: ${stocks}`);
await s.shot(`${outDir}/seat.png`);

// The facilitator sees the seat's last order.
await f.until(`${text("seats")}.includes('派遣队伍')`, "the seat's last order on the facilitator page");
await f.shot(`${outDir}/facilitator.png`);

// The evaluator records an observation; it comes back as a journal entry.
const e = await open("/evaluator", evaluatorToken, "zh");
await e.until(`!document.getElementById('observe-card').hidden`, "the observation form");
await e.eval(`(() => { document.getElementById('obs-cap').value = '险情处置';
  document.getElementById('obs-seen').value = '水利局派出抢险队';
  document.getElementById('obs-rating').value = 'S';
  document.getElementById('observe-form').requestSubmit(); })()`);
await e.until(`${text("journal")}.includes('水利局派出抢险队')`, "the observation in the journal");
await e.shot(`${outDir}/evaluator.png`);
console.log(`pages OK: the seat's answer was "${answer.trim()}"`);
process.exit(0);
