// The web viewer (/ui/) in a real browser: Debian's chromium driven by Playwright, against
// collectors this test starts itself (loopback, port 0, a database in a temporary directory).
//
//   TC_COLLECTOR_BIN  the collector binary            (default build/src/tracecollector)
//   TC_UI_DEPS        the directory holding node_modules/playwright-core   (default .deps/ui)
//   TC_UI_OUT         where screenshots go            (default build/ui-screenshots)
//   TC_UI_DIR         passed through to the collectors (serve the viewer's files from disk)
//   TC_UI_ONLY        run only the scenarios whose names contain one of these (comma-separated)
//
// Each scenario prints "ok NAME" or "FAIL NAME: reason" and saves $TC_UI_OUT/NAME.png; the exit
// status is 1 when any failed. A console error or an uncaught exception in the page (a CSP
// violation is logged as a console error) fails the scenario it happens in.

import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.TC_COLLECTOR_BIN || path.join(ROOT, 'build/src/tracecollector');
const DEPS = process.env.TC_UI_DEPS || path.join(ROOT, '.deps/ui');
const OUT = process.env.TC_UI_OUT || path.join(ROOT, 'build/ui-screenshots');
const CHROMIUM = process.env.TC_CHROMIUM || '/usr/bin/chromium';
const ONLY = (process.env.TC_UI_ONLY || '').split(',').filter(Boolean);

const { chromium } = createRequire(path.join(DEPS, 'node_modules') + '/')('playwright-core');
fs.mkdirSync(OUT, { recursive: true });

// ------------------------------------------------------------------ collectors
const collectors = [];

async function startCollector(name, extraArgs = [], configText = null) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tc-ui-${name}-`));
  const args = extraArgs.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
  if (!extraArgs.includes('--db')) args.push('--db', path.join(dir, 'traces.db'));
  if (configText) {
    fs.writeFileSync(path.join(dir, 'collector.toml'), configText);
    args.push('--config', path.join(dir, 'collector.toml'));
  }
  args.push(...extraArgs);
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const c = { name, dir, proc, log: '', exited: false };
  collectors.push(c);
  proc.on('exit', () => { c.exited = true; });
  c.port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no "listening on" line in 20 s:\n${c.log}`)), 20000);
    const onData = (chunk) => {
      c.log += chunk.toString();
      if (c.log.length > 200000) c.log = c.log.slice(-100000);
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(c.log);
      if (m && !c.port) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}):\n${c.log}`)); });
  });
  c.base = `http://127.0.0.1:${c.port}`;
  return c;
}

async function stopCollector(c) {
  if (!c.exited) {
    const done = new Promise((r) => c.proc.once('exit', r));
    c.proc.kill('SIGTERM');
    const t = setTimeout(() => { if (!c.exited) c.proc.kill('SIGKILL'); }, 10000);
    await done;
    clearTimeout(t);
  }
  fs.rmSync(c.dir, { recursive: true, force: true });
}

async function post(c, records, key) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(`${c.base}/v1/records`, { method: 'POST', headers, body: JSON.stringify({ records }) });
  const body = await res.json();
  if (res.status !== 200 || body.refused) throw new Error(`POST /v1/records: ${res.status} ${JSON.stringify(body).slice(0, 600)}`);
  return body;
}

async function getJson(c, p, key) {
  const res = await fetch(c.base + p, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
  return res.json();
}

// ------------------------------------------------------------------ data
const T = 1764900000; // 2025-12-05T02:00:00Z
const XSS_SCRIPT = '<script>window.__xss=1</script>';
const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_SID = `xss/${XSS_IMG}`;
const MAIN = 'ui-main-1';

function cais(sid, step, id, t, model, tin, tout, cost, latency, extra = {}) {
  return Object.assign({
    type: 'event', id, session_id: sid, step_id: step, event_type: 'cais', system_instance_id: `agent-${model}`,
    time_record: { event_time: t }, model_name: model, provider: 'test', input_tokens: tin, output_tokens: tout,
    total_tokens: tin + tout, cost_usd: cost, latency_ms: latency,
  }, extra);
}
function msg(sid, step, id, type, content) {
  return { type: 'message', id, session_id: sid, step_id: step, message_type: type, content };
}

const mainRecords = [
  { type: 'session', id: 'm/s', session_id: MAIN, experiment_id: 'exp-ui', metadata: { user: 'ui-test', purpose: 'viewer' } },
  { type: 'timestep', id: 'm/t1', session_id: MAIN, step_id: 't1', turn_number: 1 },
  { type: 'timestep', id: 'm/t2', session_id: MAIN, step_id: 't2', turn_number: 2 },
  cais(MAIN, 't1', 'm/e1', T, 'gpt-4o', 120, 30, 0.0123, 900, {
    call_records: [{
      call_id: 'call-1', api_type: 'chat_completions', provider: 'openai', model_name: 'gpt-4o',
      request_params: { temperature: 0.2, max_tokens: 256, marker: 'REQ-PARAM-MARKER' },
      input_messages: [{ role: 'user', parts: [{ type: 'text', text: 'What is 6*7?' }] }],
      output_messages: [{ role: 'assistant', parts: [{ type: 'text', text: 'CALL-RECORD-MARKER 42' }] }],
      latency_ms: 900, finish_reason: 'stop',
    }],
    system_state_before: { board: 'STATE-BEFORE-MARKER' }, system_state_after: { board: 'after' },
  }),
  { type: 'event', id: 'm/e2', session_id: MAIN, step_id: 't1', event_type: 'environment', system_instance_id: 'env-calc', time_record: { event_time: T + 1.0 }, reward: 0.5, terminated: false },
  msg(MAIN, 't1', 'm/m1', 'user', 'What is 6*7?'),
  msg(MAIN, 't1', 'm/m2', 'assistant', 'The answer is 42.'),
  cais(MAIN, 't2', 'm/e3', T + 2, 'claude-3-haiku', 200, 100, 0.0456, 1500),
  { type: 'event', id: 'm/e4', session_id: MAIN, step_id: 't2', event_type: 'runtime', system_instance_id: 'runtime', time_record: { event_time: T + 3.6 }, actions: [1, 2] },
  msg(MAIN, 't2', 'm/m3', 'system', 'You are a careful assistant.'),
  msg(MAIN, 't2', 'm/m4', 'tool_use', '{"tool":"calc","args":"6*7"}'),
  msg(MAIN, 't2', 'm/m5', 'tool_result', '42'),
  { type: 'outcome_reward', id: 'm/or', session_id: MAIN, total_reward: 1.0, objective_key: 'success' },
  { type: 'event_reward', id: 'm/er', session_id: MAIN, event_ref: 'm/e1', reward_value: 0.25, reward_type: 'sparse' },
];
const MAIN_TOTALS = { lm_calls: 2, total_tokens: 450, cost_usd: 0.0579 };

const errRecords = [
  { type: 'session', id: 'err/s', session_id: 'ui-err-1' },
  cais('ui-err-1', 's1', 'err/e1', T + 10, 'gpt-4o', 8, 2, 0.001, 300, { metadata: { error: 'rate limited' } }),
];
const costlyRecords = [
  { type: 'session', id: 'costly/s', session_id: 'ui-costly' },
  cais('ui-costly', 's1', 'costly/e1', T + 20, 'claude-3-haiku', 4000, 1000, 2.5, 4000),
];
const bulkRecords = [];
for (let i = 0; i < 60; i++) {
  const sid = `bulk-${String(i).padStart(2, '0')}`;
  bulkRecords.push({ type: 'session', id: `${sid}/s`, session_id: sid },
    cais(sid, 's1', `${sid}/e1`, T + 30 + i, 'bulk-model', 10 + i, 0, 0.0001 * (i + 1), 100));
}
const xssRecords = [
  { type: 'session', id: 'xss/s', session_id: XSS_SID, experiment_id: '<i>exp</i>', metadata: { html: XSS_IMG, s: XSS_SCRIPT } },
  { type: 'timestep', id: 'xss/t', session_id: XSS_SID, step_id: '<b>step</b>', step_metadata: { x: XSS_IMG } },
  cais(XSS_SID, '<b>step</b>', 'xss/e1', T + 40, XSS_SCRIPT, 5, 5, 0.0002, 200, {
    system_instance_id: '<svg onload="window.__xss=1">', metadata: { note: XSS_IMG },
    call_records: [{ call_id: XSS_SCRIPT, output_text: XSS_IMG }],
  }),
  msg(XSS_SID, '<b>step</b>', 'xss/m1', 'user', XSS_SCRIPT),
  msg(XSS_SID, '<b>step</b>', 'xss/m2', 'assistant', XSS_IMG),
];
function bigRecords(sid, steps, perStep) {
  const out = [{ type: 'session', id: `${sid}/s`, session_id: sid }];
  let k = 0;
  for (let s = 0; s < steps; s++) {
    out.push({ type: 'timestep', id: `${sid}/t${s}`, session_id: sid, step_id: `t${s}`, turn_number: s });
    for (let e = 0; e < perStep; e++, k++) {
      out.push(cais(sid, `t${s}`, `${sid}/e${k}`, T + 100 + k * 0.05, k % 3 ? 'big-model' : 'big-model-2', 50, 20, 0.00007, 40 + (k % 7) * 10));
    }
    out.push(msg(sid, `t${s}`, `${sid}/m${s}`, 'assistant', `step ${s} done`));
  }
  return out;
}

// ------------------------------------------------------------------ scenarios
const results = [];
let browser;
const VIEWPORT = { width: 1280, height: 800 };

async function newPage(allow) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && !/Content.Security.Policy/i.test(m.text())) return;
    const text = m.text();
    if (allow && allow.some((re) => re.test(text))) return;
    problems.push(`console ${m.type()}: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

async function check(name, fn, allow) {
  if (ONLY.length && !ONLY.some((o) => name.includes(o))) return;
  const { context, page, problems } = await newPage(allow);
  const started = Date.now();
  try {
    await fn(page);
    const xss = await page.evaluate(() => typeof window.__xss).catch(() => 'undefined');
    if (xss !== 'undefined') throw new Error('window.__xss was set: markup from a trace ran');
    if (problems.length) throw new Error(problems.join(' | '));
    results.push([name, true]);
    console.log(`ok ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${String(e && e.stack || e).split('\n').slice(0, 6).join('\n  ')}${problems.length ? '\n  also: ' + problems.join(' | ') : ''}`);
  } finally {
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false }).catch(() => {});
    await context.close().catch(() => {});
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}
const ready = (page) => page.waitForSelector('[data-testid=main][data-state=ready]');
const rowIds = (page) => page.$$eval('[data-testid=session-row]', (rows) => rows.map((r) => r.dataset.sessionId));
async function cell(page, sid, col) {
  const row = page.locator('[data-testid=session-row]').filter({ has: page.locator(`[data-testid=session-link]`, { hasText: sid }) }).first();
  const td = row.locator(`[data-testid=cell-${col}]`);
  return { value: Number(await td.getAttribute('data-value')), text: (await td.textContent()).trim() };
}
async function applyAndWait(page, action, urlPart) {
  await action();
  await page.waitForURL((u) => u.search.includes(urlPart));
  await ready(page);
}

async function main() {
  const a = await startCollector('main');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // Oldest first, so the sessions the list checks look at are the newest (first page).
  await post(a, bigRecords('big-5000', 50, 100));
  await post(a, bulkRecords);
  await post(a, errRecords);
  await post(a, costlyRecords);
  await post(a, xssRecords);
  await post(a, mainRecords);
  const U = a.base;

  await check('sessions_totals', async (page) => {
    await page.goto(`${U}/ui/`);
    await ready(page);
    const ids = await rowIds(page);
    for (const sid of [MAIN, 'ui-err-1', 'ui-costly', XSS_SID]) assert(ids.includes(sid), `row for ${sid} missing: ${ids.slice(0, 8)}`);
    const calls = await cell(page, MAIN, 'lm_calls');
    const tokens = await cell(page, MAIN, 'total_tokens');
    const cost = await cell(page, MAIN, 'cost_usd');
    assert(calls.value === MAIN_TOTALS.lm_calls && calls.text === '2', `LLM calls ${JSON.stringify(calls)}`);
    assert(tokens.value === MAIN_TOTALS.total_tokens && tokens.text === '450', `tokens ${JSON.stringify(tokens)}`);
    assert(Math.abs(cost.value - MAIN_TOTALS.cost_usd) < 1e-9 && cost.text === '$0.0579', `cost ${JSON.stringify(cost)}`);
    const steps = await cell(page, MAIN, 'timesteps');
    assert(steps.value === 2, `steps ${JSON.stringify(steps)}`);
    const models = await cell(page, MAIN, 'models');
    assert(models.text.includes('gpt-4o') && models.text.includes('claude-3-haiku'), `models ${models.text}`);
    const errs = await cell(page, 'ui-err-1', 'errors');
    assert(errs.value === 1, `errors ${JSON.stringify(errs)}`);
    await page.screenshot({ path: path.join(OUT, 'doc-sessions.png') });
  });

  await check('filters_sort_url', async (page) => {
    await page.goto(`${U}/ui/`);
    await ready(page);
    await page.fill('[data-testid=filter-model]', 'claude-3-haiku');
    await applyAndWait(page, () => page.click('[data-testid=filter-apply]'), 'model=claude-3-haiku');
    let ids = await rowIds(page);
    assert(ids.length === 2 && ids.includes(MAIN) && ids.includes('ui-costly'), `model filter: ${ids}`);
    await page.fill('[data-testid=filter-model]', '');
    await applyAndWait(page, () => page.selectOption('[data-testid=filter-errors]', 'true'), 'has_error=true');
    assert(!page.url().includes('model='), `model still in URL ${page.url()}`);
    ids = await rowIds(page);
    assert(ids.length === 1 && ids[0] === 'ui-err-1', `has_error filter: ${ids}`);
    const shared = page.url();
    await page.click('[data-testid=filter-reset]');
    await page.waitForURL((u) => u.search === '');
    await ready(page);
    await applyAndWait(page, () => page.selectOption('[data-testid=sort]', 'cost_usd'), 'sort=cost_usd');
    ids = await rowIds(page);
    assert(ids[0] === 'ui-costly' && ids[1] === 'big-5000' && ids[2] === MAIN, `sort by cost: ${ids.slice(0, 3)}`);
    await applyAndWait(page, () => page.selectOption('[data-testid=order]', 'asc'), 'order=asc');
    ids = await rowIds(page);
    assert(ids[0] === 'bulk-00', `ascending cost first row: ${ids[0]}`);
    // The link is the state: opening it shows the same filtered list, the form filled in.
    await page.goto(shared);
    await ready(page);
    ids = await rowIds(page);
    assert(ids.length === 1 && ids[0] === 'ui-err-1', `shared link: ${ids}`);
    assert(await page.inputValue('[data-testid=filter-errors]') === 'true', 'the errors filter is not shown as set');
    // Back goes to the previous filters.
    await page.goBack();
    await page.waitForURL((u) => u.search.includes('order=asc'));
    await ready(page);
  });

  await check('load_more', async (page) => {
    await page.goto(`${U}/ui/?model=bulk-model&limit=25`);
    await ready(page);
    const rows = page.locator('[data-testid=session-row]');
    assert(await rows.count() === 25, `first page: ${await rows.count()}`);
    await page.click('[data-testid=load-more]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=session-row]').length === 50);
    await page.click('[data-testid=load-more]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=session-row]').length === 60);
    await page.waitForSelector('[data-testid=list-status][data-state=end]');
    assert(await page.locator('[data-testid=load-more]').isHidden(), 'load more still shown at the end');
    const ids = await rowIds(page);
    assert(new Set(ids).size === 60 && ids.every((i) => i.startsWith('bulk-')), `ids: ${ids.length} distinct ${new Set(ids).size}`);
  });

  let traceUrl = '';
  await check('trace_view', async (page) => {
    await page.goto(`${U}/ui/`);
    await ready(page);
    const traceResp = page.waitForResponse((r) => r.url().includes('/v1/sessions/ui-main-1'));
    await page.locator('[data-testid=session-link]', { hasText: MAIN }).click();
    const resp = await traceResp;
    assert(resp.url().includes('bodies=false'), `trace loaded without bodies=false: ${resp.url()}`);
    const doc = await resp.json();
    assert(doc.trace.event_history.every((e) => Number.isInteger(e.id) && !('call_records' in e)),
      'the trace came with bodies or without event ids');
    await page.waitForURL(`${U}/ui/sessions/${MAIN}`);
    await ready(page);
    traceUrl = page.url();
    const count = (t) => page.locator(`[data-testid=${t}]`).count();
    assert(await count('step-row') === 2, `steps ${await count('step-row')}`);
    assert(await count('event-row') === 4, `events ${await count('event-row')}`);
    assert(await count('message-row') === 5, `messages ${await count('message-row')}`);
    assert(await count('waterfall-bar') === 2, `waterfall bars ${await count('waterfall-bar')}`);
    assert(await count('waterfall-mark') === 2, `waterfall marks ${await count('waterfall-mark')}`);
    assert(await count('transcript-message') === 5, `transcript ${await count('transcript-message')}`);
    const types = await page.$$eval('[data-testid=transcript-message]', (n) => n.map((x) => x.dataset.type));
    assert(types.join() === 'user,assistant,system,tool_use,tool_result', `transcript types ${types}`);
    const text = (t) => page.locator(`[data-testid=${t}] .statv`).textContent();
    assert(await text('total-lm-calls') === '2' && await text('total-tokens') === '450' && await text('total-cost') === '$0.0579',
      'session totals');
    const stepText = await page.locator('[data-testid=step-row]').first().textContent();
    assert(stepText.includes('150 tok') && stepText.includes('$0.0123'), `step 0 tokens/cost: ${stepText}`);
    assert(await page.locator('[data-testid=outcome-reward]').first().getAttribute('data-value') === '1', 'outcome reward');
    assert(await count('event-reward-row') === 1, 'event rewards');
    // The first bar starts at the axis origin; the second (claude, +2 s) further right.
    const lefts = await page.$$eval('[data-testid=waterfall-bar]', (b) => b.map((x) => parseFloat(x.style.left)));
    assert(lefts[0] === 0 && lefts[1] > 40, `bar positions ${lefts}`);
    // Collapsing a step hides its rows.
    await page.locator('[data-testid=step-row]').nth(1).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=event-row]').length === 2);
    await page.locator('[data-testid=step-row]').nth(1).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=event-row]').length === 4);
  });

  await check('event_details', async (page) => {
    await page.goto(traceUrl || `${U}/ui/sessions/${MAIN}`);
    await ready(page);
    const detailResp = page.waitForResponse((r) => /\/v1\/events\/\d+$/.test(new URL(r.url()).pathname));
    await page.locator('[data-testid=event-row][data-index="0"]').click();
    const resp = await detailResp;
    const body = await resp.text();
    assert(body.includes('CALL-RECORD-MARKER'), 'GET /v1/events/{id} did not carry the call records');
    await page.waitForSelector('[data-testid=event-detail] [data-testid=detail-body][data-state=loaded]');
    const panel = page.locator('[data-testid=event-detail]');
    for (const s of ['CALL-RECORD-MARKER', 'REQ-PARAM-MARKER', 'STATE-BEFORE-MARKER', 'Request parameters', 'temperature']) {
      assert((await panel.textContent()).includes(s), `panel lacks ${s}`);
    }
    // Collapsible: the call record tree has <details>; closing one hides its content.
    const calls = panel.locator('[data-testid=detail-call-records]');
    await calls.locator('summary').first().click();
    assert(!(await calls.locator('[data-testid=call-record]').first().isVisible()), 'call records did not collapse');
    assert(page.url().endsWith('?event=0'), `selection not in the URL: ${page.url()}`);
    await calls.locator('summary').first().click();
    await page.screenshot({ path: path.join(OUT, 'doc-trace.png') });
    await page.click('[data-testid=detail-close]');
    await page.waitForSelector('[data-testid=detail-panel]', { state: 'hidden' });
  });

  await check('live_tail', async (page) => {
    await page.goto(`${U}/ui/live`);
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    const sid = `live-${Date.now()}`;
    const t0 = Date.now();
    await post(a, [cais(sid, 's1', `${sid}/e1`, T + 500, 'gpt-4o', 11, 22, 0.002, 321)]);
    await page.locator('[data-testid=live-row]', { hasText: sid }).first().waitFor({ timeout: 2000 });
    console.log(`live_record_shown_ms=${Date.now() - t0}`);
    // Pause holds records back; resume shows them.
    await page.click('[data-testid=live-pause]');
    await post(a, [msg(sid, 's1', `${sid}/m1`, 'user', 'held while paused')]);
    await page.waitForSelector('[data-testid=live-status][data-state=paused]:has-text("1 waiting")');
    assert(await page.locator('[data-testid=live-row]', { hasText: 'held while paused' }).count() === 0, 'a record showed while paused');
    await page.click('[data-testid=live-pause]');
    await page.locator('[data-testid=live-row]', { hasText: 'held while paused' }).waitFor({ timeout: 2000 });
    // Filters: messages of one session only.
    await page.check('[data-testid=live-type-message]');
    await page.fill('[data-testid=live-session]', sid);
    await page.click('[data-testid=live-apply]');
    await page.waitForURL((u) => u.search.includes('types=message') && u.search.includes('session_id='));
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await post(a, [
      cais(sid, 's1', `${sid}/e2`, T + 501, 'gpt-4o', 1, 1, 0.001, 10),
      msg('other-session', 's1', `${sid}/m2`, 'user', 'FILTERED-OUT-MARKER'),
      msg(sid, 's1', `${sid}/m3`, 'assistant', 'FILTERED-IN-MARKER'),
    ]);
    await page.locator('[data-testid=live-row]', { hasText: 'FILTERED-IN-MARKER' }).waitFor({ timeout: 2000 });
    const rows = await page.$$eval('[data-testid=live-row]', (r) => r.map((x) => x.textContent));
    assert(rows.every((t) => !t.includes('FILTERED-OUT-MARKER')), 'a record of another session passed the filter');
    assert(await page.locator('[data-testid=live-row][data-type=event]').count() === 0, 'an event passed the types filter');
  });

  await check('live_where', async (page) => {
    // A filter of the language (docs/filters.md) typed into the form: only what it matches shows.
    await page.goto(`${U}/ui/live`);
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    const sid = `where-${Date.now()}`;
    await page.fill('[data-testid=live-where]', `session_id == "${sid}" && content contains "NEEDLE"`);
    await page.click('[data-testid=live-apply]');
    await page.waitForURL((u) => u.search.includes('where='));
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await post(a, [
      msg(sid, 's1', `${sid}/m1`, 'user', 'HAYSTACK-ONLY'),
      msg(sid, 's1', `${sid}/m2`, 'assistant', 'a NEEDLE here'),
      msg('elsewhere', 's1', `${sid}/m3`, 'user', 'another NEEDLE'),
    ]);
    await page.locator('[data-testid=live-row]', { hasText: 'a NEEDLE here' }).waitFor({ timeout: 3000 });
    const rows = await page.$$eval('[data-testid=live-row]', (r) => r.map((x) => x.textContent));
    assert(rows.length === 1, `the filter let ${rows.length} records through: ${rows}`);
    // A filter the collector refuses: its message (where it goes wrong) is shown, no retry loop.
    await page.goto(`${U}/ui/live?where=${encodeURIComponent('cost_usd >')}`);
    await page.locator('[data-testid=live-note]', { hasText: 'at column 11' }).waitFor({ timeout: 3000 });
    assert(await page.locator('[data-testid=live-status]').getAttribute('data-state') === 'down', 'state after a refused filter');
  }, [/status of 400/]);

  await check('render_5000_events', async (page) => {
    await page.goto(`${U}/ui/sessions/big-5000`);
    const ms = await (await page.waitForFunction(() => {
      const m = document.querySelector('[data-testid=main][data-state=ready]');
      return m && m.querySelector('[data-testid=step-row]') ? performance.now() : false;
    }, null, { timeout: 10000, polling: 'raf' })).jsonValue();
    console.log(`render_5000_events_ms=${Math.round(ms)}`);
    assert(ms < 2000, `shown after ${Math.round(ms)} ms (limit 2000)`);
    assert(await page.locator('[data-testid=total-events] .statv').textContent() === '5,000', 'event total');
    // Interactive: expand everything, scroll to the end, select the last event.
    const t0 = Date.now();
    await page.click('[data-testid=expand-all]');
    const inDom = await page.locator('[data-testid=event-row]').count();
    assert(inDom > 0 && inDom < 200, `${inDom} event rows in the DOM (windowing)`);
    await page.locator('[data-testid=tree]').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    const last = page.locator('[data-testid=event-row][data-index="4999"]');
    await last.waitFor();
    await last.click();
    await page.waitForSelector('[data-testid=event-detail][data-index="4999"] [data-testid=detail-body][data-state=loaded]');
    console.log(`expand_scroll_select_ms=${Date.now() - t0}`);
  });

  await check('xss_as_text', async (page) => {
    await page.goto(`${U}/ui/`);
    await ready(page);
    const link = page.locator('[data-testid=session-link]', { hasText: 'xss/' });
    assert(await link.textContent() === XSS_SID, `session id shown as ${await link.textContent()}`);
    const models = await cell(page, 'xss/', 'models');
    assert(models.text.includes(XSS_SCRIPT), `model shown as ${models.text}`);
    await link.click();
    await ready(page);
    assert(decodeURIComponent(new URL(page.url()).pathname) === `/ui/sessions/${XSS_SID}`, `URL ${page.url()}`);
    assert(await page.locator('[data-testid=trace-title]').textContent() === XSS_SID, 'title');
    const texts = await page.$$eval('[data-testid=transcript-message] [data-testid=message-text]', (n) => n.map((x) => x.textContent));
    assert(texts[0] === XSS_SCRIPT && texts[1] === XSS_IMG, `transcript ${JSON.stringify(texts)}`);
    await page.locator('[data-testid=event-row]').first().click();
    await page.waitForSelector('[data-testid=detail-body][data-state=loaded]');
    assert((await page.locator('[data-testid=event-detail]').textContent()).includes(XSS_IMG), 'metadata not shown as text');
    await page.locator('details.meta > summary').click();
    const markup = await page.evaluate(() => document.querySelectorAll('main img, main script, main svg:not(.chart) [onload], main i, main b').length);
    assert(markup === 0, `${markup} elements made from trace text`);
    // The live tail too.
    await page.goto(`${U}/ui/live`);
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await post(a, [msg(XSS_SID, '<b>step</b>', 'xss/m3', 'user', XSS_IMG + XSS_SCRIPT)]);
    const row = page.locator('[data-testid=live-row]', { hasText: 'onerror' }).first();
    await row.waitFor({ timeout: 2000 });
    assert((await row.textContent()).includes(XSS_IMG + XSS_SCRIPT), 'live row text');
    assert(await page.evaluate(() => document.querySelectorAll('main img, main script').length) === 0, 'markup in the live tail');
  });

  await check('unknown_session', async (page) => {
    await page.goto(`${U}/ui/sessions/no-such-session`);
    const err = page.locator('[data-testid=error]');
    await err.waitFor();
    const t = await err.textContent();
    assert(/not found/i.test(t) && t.includes('no-such-session'), `message: ${t}`);
    await page.goto(`${U}/ui/no/such/page`);
    await page.locator('[data-testid=error]', { hasText: 'Page not found' }).waitFor();
  }, [/status of 404/]);

  await check('stats', async (page) => {
    const byModel = await getJson(a, '/v1/stats/usage?group_by=model');
    const models = await getJson(a, '/v1/stats/models');
    await page.goto(`${U}/ui/stats`);
    await ready(page);
    const bars = await page.locator('[data-testid=chart-model-tokens] [data-testid=chart-bar]').count();
    const named = byModel.data.filter((r) => r.model != null).length;
    assert(bars === named && bars >= 4, `${bars} bars for ${named} models`);
    assert(await page.locator('[data-testid=chart-day-calls] [data-testid=chart-bar]').count() >= 1, 'per-day chart');
    const rows = page.locator('[data-testid=stats-model-row]');
    assert(await rows.count() === models.data.length, 'one table row per model');
    const gpt = models.data.find((r) => r.model_name === 'gpt-4o');
    const row = rows.filter({ hasText: 'gpt-4o' }).first();
    assert(Number(await row.locator('[data-testid=stat-calls]').getAttribute('data-value')) === gpt.usage_count, 'calls');
    assert(Number(await row.locator('[data-testid=stat-cost]').getAttribute('data-value')) === gpt.total_cost_usd, 'cost');
    assert(Number(await row.locator('[data-testid=stat-tokens]').getAttribute('data-value')) === gpt.total_tokens, 'tokens');
    // The biggest token user has the longest bar.
    const bars2 = await page.$$eval('[data-testid=chart-model-tokens] [data-testid=chart-bar]',
      (b) => b.map((x) => [Number(x.getAttribute('width')), x.querySelector('title').textContent]));
    const top = byModel.data.filter((r) => r.model != null).reduce((m, r) => (r.total_tokens > m.total_tokens ? r : m));
    const widest = bars2.reduce((m, x) => (x[0] > m[0] ? x : m));
    assert(widest[1].startsWith(`${top.model}:`), `widest bar ${widest[1]}, expected ${top.model}`);
    await page.screenshot({ path: path.join(OUT, 'doc-stats.png') });
  });

  await check('doc_live', async (page) => {
    await page.goto(`${U}/ui/live`);
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    const sid = 'agent-run-42';
    await post(a, [
      { type: 'session', id: 'doc/s', session_id: sid, experiment_id: 'exp-ui' },
      { type: 'timestep', id: 'doc/t1', session_id: sid, step_id: 'turn-1', turn_number: 1 },
      msg(sid, 'turn-1', 'doc/m1', 'user', 'Find the cheapest flight to Lisbon next Friday.'),
      cais(sid, 'turn-1', 'doc/e1', T + 900, 'gpt-4o', 812, 96, 0.00299, 1430),
      msg(sid, 'turn-1', 'doc/m2', 'tool_use', '{"tool":"search_flights","to":"LIS","date":"2025-12-12"}'),
      { type: 'event', id: 'doc/e2', session_id: sid, step_id: 'turn-1', event_type: 'environment', system_instance_id: 'flights-api', time_record: { event_time: T + 902 }, reward: 0.2 },
      msg(sid, 'turn-1', 'doc/m3', 'tool_result', '3 flights found, from 89 EUR'),
      cais(sid, 'turn-1', 'doc/e3', T + 903, 'claude-3-haiku', 1020, 140, 0.00043, 820),
      msg(sid, 'turn-1', 'doc/m4', 'assistant', 'The cheapest is TAP TP1351 at 89 EUR, departing 07:05.'),
      { type: 'outcome_reward', id: 'doc/or', session_id: sid, total_reward: 1 },
    ]);
    await page.locator('[data-testid=live-row]', { hasText: 'outcome_reward' }).waitFor({ timeout: 3000 });
    await page.screenshot({ path: path.join(OUT, 'doc-live.png') });
  });

  // The collector going away under a loaded page: a message, not a blank page.
  await check('collector_unreachable', async (page) => {
    const c = await startCollector('gone');
    await page.goto(`${c.base}/ui/`);
    await ready(page);
    await stopCollector(c);
    await page.click('[data-testid=filter-apply]');
    await page.locator('[data-testid=error]', { hasText: 'Cannot reach the collector' }).waitFor();
    await page.click('[data-testid=nav-live]');
    await page.locator('[data-testid=live-note]', { hasText: 'could not be reached' }).waitFor();
    assert(await page.getAttribute('[data-testid=live-status]', 'data-state') === 'down', 'live status');
  }, [/ERR_CONNECTION_REFUSED|net::ERR_/]);

  // With API keys: the viewer asks for a read key, refuses others with a message, then works
  // (the live tail with ?access_token=).
  const READ = 'ui-read-key-1';
  const INGEST = 'ui-ingest-key-1';
  const b = await startCollector('keys', [], `[auth]\nread_keys = "${READ}"\napi_keys = "${INGEST}"\n`);
  await post(b, mainRecords, INGEST);
  await check('api_keys', async (page) => {
    await page.goto(`${b.base}/ui/`);
    const form = page.locator('[data-testid=key-form]');
    await form.waitFor();
    await page.screenshot({ path: path.join(OUT, 'api_keys-form.png') });
    await page.fill('[data-testid=key-input]', 'wrong-key');
    await page.click('[data-testid=key-submit]');
    await page.locator('[data-testid=key-form]', { hasText: 'refused' }).waitFor();
    await page.fill('[data-testid=key-input]', INGEST);
    await page.click('[data-testid=key-submit]');
    await page.locator('[data-testid=error]', { hasText: 'lacks the read scope' }).waitFor();
    await page.fill('[data-testid=key-input]', READ);
    await page.click('[data-testid=key-submit]');
    await ready(page);
    assert((await rowIds(page)).includes(MAIN), 'the session is not listed with the read key');
    assert(await page.evaluate(() => sessionStorage.getItem('tracecollector.readKey')) === READ, 'key not kept in sessionStorage');
    // Another page of the app: no second prompt.
    await page.locator('[data-testid=session-link]', { hasText: MAIN }).click();
    await ready(page);
    await page.locator('[data-testid=event-row][data-index="0"]').click();
    await page.waitForSelector('[data-testid=detail-body][data-state=loaded]');
    const streamReq = page.waitForRequest((r) => r.url().includes('/v1/stream'));
    await page.click('[data-testid=nav-live]');
    const sreq = await streamReq;
    assert(new URL(sreq.url()).searchParams.get('access_token') === READ, `stream URL ${sreq.url()}`);
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await post(b, [msg(MAIN, 't1', 'k/m9', 'user', 'KEYED-LIVE-MARKER')], INGEST);
    await page.locator('[data-testid=live-row]', { hasText: 'KEYED-LIVE-MARKER' }).waitFor({ timeout: 2000 });
    await page.click('[data-testid=nav-stats]');
    await ready(page);
  }, [/status of 40[13]/]);

  // The stream going away and coming back is noted on the live page; after a crash (kill -9)
  // the collector cannot resume from the page's position: the reset is noted too.
  await check('live_reconnect_reset', async (page) => {
    await page.goto(`${b.base}/ui/`);
    await page.locator('[data-testid=key-form]').waitFor();
    await page.fill('[data-testid=key-input]', READ);
    await page.click('[data-testid=key-submit]');
    await ready(page);
    await page.click('[data-testid=nav-live]');
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await post(b, [msg(MAIN, 't1', 'k/m10', 'user', 'BEFORE-CRASH-MARKER')], INGEST);
    await page.locator('[data-testid=live-row]', { hasText: 'BEFORE-CRASH-MARKER' }).waitFor({ timeout: 2000 });
    const exited = new Promise((r) => b.proc.once('exit', r));
    b.proc.kill('SIGKILL');
    await exited;
    await page.locator('[data-testid=live-note]', { hasText: 'lost' }).waitFor({ timeout: 10000 });
    const c = await startCollector('keys2', ['--listen', `127.0.0.1:${b.port}`, '--db', path.join(b.dir, 'traces.db'),
      '--config', path.join(b.dir, 'collector.toml')]);
    assert(c.port === b.port, 'restarted on another port');
    await page.locator('[data-testid=live-note][data-kind=reconnect]').waitFor({ timeout: 15000 });
    await page.locator('[data-testid=live-note][data-kind=reset]').waitFor({ timeout: 5000 });
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await post(c, [msg('after-restart', 's', 'r/m1', 'user', 'AFTER-RESTART-MARKER')], INGEST);
    await page.locator('[data-testid=live-row]', { hasText: 'AFTER-RESTART-MARKER' }).waitFor({ timeout: 3000 });
  }, [/ERR_CONNECTION_REFUSED|status of (401|503)|net::ERR_/]);
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  console.log(`FAIL setup: ${e && e.stack || e}`);
  exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  for (const c of collectors.reverse()) await stopCollector(c).catch(() => {});
}
const failed = results.filter(([, ok]) => !ok).map(([n]) => n);
console.log(`${results.length - failed.length}/${results.length} scenarios passed${failed.length ? '; failed: ' + failed.join(', ') : ''}`);
process.exit(exitCode || failed.length ? 1 : 0);
