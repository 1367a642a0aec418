'use strict';
// tracecollector viewer: one trace (/ui/sessions/{id}). The steps with their events and messages
// as a tree beside a waterfall of the events on one time axis, rendered as a window over the
// rows (only the visible ones are in the DOM, so 5,000 events cost what 50 do); the totals; the
// rewards; the transcript; and a details panel that loads an event's bodies on demand.
(() => {
  const { h, append, clear, api, showError, fmtInt, fmtCost, fmtMs, fmtTime, fmtEpoch, fmtNum, truncate, isNum, plural, jsonTree } = TC;

  const ROW = 28; // px, one tree row (app.css .trow has the same height)
  const OVERSCAN = 10;
  const TRANSCRIPT_CHUNK = 100;
  const LONG_TEXT = 4000;
  const TYPE_LABEL = { cais: 'LLM', environment: 'env', runtime: 'runtime' };

  const num = (v) => (isNum(v) ? v : null);

  // A message's text; stored JSON (a json_payload, a tool call) is shown indented.
  function contentText(c) {
    if (c == null) return '';
    if (typeof c === 'string') return pretty(c);
    if (typeof c === 'object' && !Array.isArray(c) && ('text' in c || 'json_payload' in c)) {
      if (c.json_payload != null) return typeof c.json_payload === 'string' ? c.json_payload : JSON.stringify(c.json_payload, null, 2);
      return c.text == null ? '' : pretty(String(c.text));
    }
    return JSON.stringify(c, null, 2);
  }

  function pretty(text) {
    const t = text.trim();
    if (t.length < 2 || t.length > 100000 || !((t[0] === '{' && t.endsWith('}')) || (t[0] === '[' && t.endsWith(']')))) return text;
    try { return JSON.stringify(JSON.parse(t), null, 2); } catch { return text; }
  }

  function eventType(raw) {
    if (typeof raw.event_type === 'string') return raw.event_type;
    if ('model_name' in raw || 'latency_ms' in raw || 'input_tokens' in raw) return 'cais';
    if ('reward' in raw || 'terminated' in raw || 'truncated' in raw) return 'environment';
    return 'runtime';
  }

  // The trace document -> steps (groups) holding wrapped events and messages, and the time axis.
  function buildModel(sessionId, doc) {
    const trace = doc.trace || {};
    const mkGroup = (st, si) => ({ st, si, events: [], messages: [], collapsed: false, tokens: 0, cost: 0, t0: null, t1: null });
    const groups = (trace.session_time_steps || []).map(mkGroup);
    const loose = mkGroup(null, -1);
    const byStep = new Map(groups.map((g) => [g.st.step_id, g]));
    const stepOf = (meta) => (meta && typeof meta === 'object' && byStep.get(meta.step_id)) || loose;

    const events = (trace.event_history || []).map((raw, i) => {
      const t = num(raw.time_record && raw.time_record.event_time);
      const lat = num(raw.latency_ms);
      return { raw, i, type: eventType(raw), t, lat, end: t == null ? null : t + (lat || 0) / 1000, err: TC.marksError(raw.metadata), rewards: [] };
    });
    // With ids (bodies=false), an event's step is the step whose list holds it; else metadata.step_id.
    const byId = new Map();
    for (const e of events) if (e.raw.id != null) byId.set(String(e.raw.id), e);
    for (const g of groups) {
      for (const se of g.st.events || []) {
        const e = se && se.id != null ? byId.get(String(se.id)) : null;
        if (e && !e.g) { e.g = g; g.events.push(e); }
      }
    }
    for (const e of events) {
      if (!e.g) { e.g = stepOf(e.raw.metadata); e.g.events.push(e); }
    }
    const messages = (trace.markov_blanket_message_history || []).map((raw, i) => {
      const m = { raw, i, type: String(raw.message_type || 'message'), text: contentText(raw.content) };
      m.g = stepOf(raw.metadata);
      m.g.messages.push(m);
      return m;
    });
    const all = loose.events.length || loose.messages.length ? groups.concat([loose]) : groups;
    let T0 = null, T1 = null;
    for (const g of all) {
      g.events.sort((a, b) => a.i - b.i);
      for (const e of g.events) {
        if (e.type === 'cais') {
          g.tokens += num(e.raw.total_tokens) ?? ((num(e.raw.input_tokens) || 0) + (num(e.raw.output_tokens) || 0));
          g.cost += num(e.raw.cost_usd) || 0;
        }
        if (e.t != null) {
          g.t0 = g.t0 == null ? e.t : Math.min(g.t0, e.t);
          g.t1 = g.t1 == null ? e.end : Math.max(g.t1, e.end);
        }
      }
      if (g.t0 != null) {
        T0 = T0 == null ? g.t0 : Math.min(T0, g.t0);
        T1 = T1 == null ? g.t1 : Math.max(T1, g.t1);
      }
    }
    // Event rewards name their event as trace:<session_id>:event:<index in event_history>.
    const prefix = `trace:${sessionId}:event:`;
    for (const r of trace.event_rewards || []) {
      const ref = typeof r.event_ref === 'string' && r.event_ref.startsWith(prefix) ? Number(r.event_ref.slice(prefix.length)) : NaN;
      r.__event = Number.isInteger(ref) && events[ref] ? events[ref] : null;
      if (r.__event) r.__event.rewards.push(r);
    }
    const span = T0 == null ? 1 : Math.max(T1 - T0, 0.001);
    const rowCount = all.length + events.length + messages.length;
    if (rowCount > 600 && all.length > 1) all.forEach((g, i) => { g.collapsed = i > 0; });
    return { sessionId, trace, totals: doc.totals || {}, groups: all, events, messages, T0, T1, span, ids: null };
  }

  TC.pages.trace = async (main, ctx, params, sessionId) => {
    document.title = `${truncate(sessionId, 48)} · tracecollector`;
    main.append(h('p', { class: 'muted', testid: 'loading', text: 'Loading trace…' }));
    const path = '/v1/sessions/' + encodeURIComponent(sessionId);
    let doc;
    try {
      doc = await api(path + '?bodies=false', ctx.signal);
    } catch (err) {
      // A collector without ?bodies= refuses it as an unknown parameter: read the whole trace.
      if (!(err instanceof TC.ApiError && err.status === 400 && err.parameter === 'bodies')) throw err;
      doc = await api(path, ctx.signal);
    }
    if (!ctx.alive()) return;
    const model = buildModel(sessionId, doc);
    clear(main);
    renderTrace(main, ctx, model, params);
  };

  function renderTrace(main, ctx, model, params) {
    const { trace, totals } = model;
    const t = totals;
    const card = (label, value, testid, title) => h('div', { class: 'stat', testid, title }, h('div', { class: 'statv', text: value }), h('div', { class: 'statl', text: label }));
    const header = h('section', { class: 'tracehead' },
      h('div', { class: 'crumbs' }, h('a', { href: '/ui/', text: '← Sessions' })),
      h('h1', { class: 'sid', testid: 'trace-title', text: model.sessionId }),
      h('p', { class: 'muted' }, `created ${fmtTime(trace.created_at)}`,
        trace.experiment_id != null ? [' · experiment ', h('a', { href: '/ui/' + TC.qs({ experiment_id: trace.experiment_id }), text: String(trace.experiment_id) })] : null,
        (t.models || []).length ? [' · ', (t.models || []).map((m) => h('span', { class: 'chip', text: truncate(m, 40), title: m }))] : null),
      h('div', { class: 'stats', testid: 'trace-totals' },
        card('steps', fmtInt(t.timesteps), 'total-steps'),
        card('events', fmtInt(t.events), 'total-events'),
        card('LLM calls', fmtInt(t.lm_calls), 'total-lm-calls'),
        card('messages', fmtInt(t.messages), 'total-messages'),
        card('tokens', fmtInt(t.total_tokens), 'total-tokens', `in ${fmtInt(t.input_tokens)} · out ${fmtInt(t.output_tokens)}`),
        card('cost', fmtCost(t.cost_usd), 'total-cost'),
        card('duration', fmtMs(t.duration_ms), 'total-duration'),
        card('errors', fmtInt(t.errors), 'total-errors'),
        card('outcome reward', isNum(t.outcome_reward) ? fmtNum(t.outcome_reward) : '—', 'total-outcome-reward'),
        card('event reward', isNum(t.event_reward) ? fmtNum(t.event_reward) : '—', 'total-event-reward')),
      trace.metadata != null ? h('details', { class: 'meta' }, h('summary', { text: 'Session metadata' }), jsonTree(trace.metadata)) : null);

    const panel = h('aside', { class: 'panel', testid: 'detail-panel', hidden: true, 'aria-label': 'Details' });
    const tree = treeView(model, (e) => selectEvent(e.i), (m) => selectMessage(m.i));
    const layout = h('div', { class: 'trace-layout' },
      h('div', { class: 'trace-main' },
        header,
        h('section', { class: 'card' }, h('h2', { text: 'Steps and waterfall' }), tree.el),
        rewardsView(model, (i) => selectEvent(i, true)),
        transcriptView(model)),
      panel);
    main.append(layout);
    tree.render();
    ctx.onLeave(tree.destroy);
    main.dataset.state = 'ready';

    let selected = null;
    function setUrl(q) {
      history.replaceState(null, '', location.pathname + q);
    }
    function closePanel() {
      panel.hidden = true;
      layout.classList.remove('with-panel');
      selected = null;
      tree.select(null);
      setUrl('');
    }
    function openPanel(key, title, badge) {
      selected = key;
      clear(panel);
      panel.hidden = false;
      layout.classList.add('with-panel');
      panel.append(h('div', { class: 'panelhead' },
        h('h2', null, badge ? h('span', { class: 'badge ' + badge, text: TYPE_LABEL[badge] || badge }) : null, ' ', title),
        h('button', { type: 'button', class: 'secondary', testid: 'detail-close', 'aria-label': 'Close details', text: '×', onclick: closePanel })));
      return panel;
    }
    async function selectEvent(i, reveal) {
      const e = model.events[i];
      if (!e) return;
      const key = 'e' + i;
      tree.select(key);
      if (reveal) tree.reveal(e);
      setUrl('?event=' + i);
      const p = openPanel(key, `Event #${i} · ${e.raw.model_name || e.raw.system_instance_id || ''}`, e.type);
      p.dataset.testid = 'event-detail';
      p.dataset.index = String(i);
      p.append(kvTable(eventSummary(model, e)));
      if (e.rewards.length) {
        p.append(h('h3', { text: 'Event rewards' }), TC.table(rewardCols().slice(1, 5), e.rewards, { testid: 'detail-rewards' }));
      }
      const body = h('div', { class: 'detailbody', testid: 'detail-body' }, h('p', { class: 'muted', text: 'Loading call records, states and metadata…' }));
      p.append(body);
      let full;
      try {
        const id = await eventId(model, e, ctx.signal);
        full = await api('/v1/events/' + encodeURIComponent(id), ctx.signal);
      } catch (err) {
        if (selected === key && ctx.alive()) showError(body, err, () => selectEvent(i));
        return;
      }
      if (selected !== key || !ctx.alive()) return;
      clear(body);
      body.dataset.state = 'loaded';
      renderEventBodies(body, full);
    }
    function selectMessage(i) {
      const m = model.messages[i];
      if (!m) return;
      const key = 'm' + i;
      tree.select(key);
      setUrl('?message=' + i);
      const p = openPanel(key, `Message #${i} · ${m.type}`);
      p.dataset.testid = 'message-detail';
      p.append(kvTable([
        ['type', m.type], ['step', m.g.st ? String(m.g.st.step_id) : '—'], ['timestamp', fmtTime(m.raw.timestamp)],
        ['event time', fmtEpoch(m.raw.time_record && m.raw.time_record.event_time)],
      ]), h('h3', { text: 'Content' }), longText(m.text, 'detail-text'),
      h('h3', { text: 'Metadata' }), jsonTree(m.raw.metadata));
    }
    const onKey = (ev) => { if (ev.key === 'Escape' && !panel.hidden) closePanel(); };
    document.addEventListener('keydown', onKey);
    ctx.onLeave(() => document.removeEventListener('keydown', onKey));

    const ev = Number(params.get('event'));
    const msg = Number(params.get('message'));
    if (params.has('event') && Number.isInteger(ev)) selectEvent(ev, true);
    else if (params.has('message') && Number.isInteger(msg) && model.messages[msg]) selectMessage(msg);
  }

  // The row id of an event: its "id" member (?bodies=false), else found through GET /v1/events
  // (the session's events in stored order, which is event_history's order).
  async function eventId(model, e, signal) {
    if (e.raw.id != null) return e.raw.id;
    if (!model.ids) model.ids = { list: [], cursor: null, done: false };
    const ids = model.ids;
    while (ids.list.length <= e.i && !ids.done) {
      const page = await api('/v1/events' + TC.qs({ session_id: model.sessionId, order: 'asc', limit: 1000, cursor: ids.cursor }), signal);
      for (const r of page.data) ids.list.push(r.id);
      ids.cursor = page.meta && page.meta.next_cursor;
      ids.done = !(page.meta && page.meta.has_more && ids.cursor);
    }
    if (ids.list.length <= e.i) throw new TC.ApiError(404, 'not_found', 'This event is no longer stored.');
    return ids.list[e.i];
  }

  function eventSummary(model, e) {
    const r = e.raw;
    const rows = [
      ['type', e.type], ['system', r.system_instance_id], ['step', e.g.st ? String(e.g.st.step_id) : '—'],
      ['start', e.t == null ? '—' : `${fmtEpoch(e.t)} (+${fmtMs((e.t - model.T0) * 1000)})`],
      ['created', fmtTime(r.created_at)],
    ];
    if (e.type === 'cais') {
      rows.push(['model', r.model_name], ['provider', r.provider], ['latency', fmtMs(e.lat)],
        ['tokens', `${fmtInt(r.total_tokens)} (in ${fmtInt(r.input_tokens)} · out ${fmtInt(r.output_tokens)})`],
        ['cost', fmtCost(r.cost_usd)], ['span / trace', `${r.span_id ?? '—'} / ${r.trace_id ?? '—'}`]);
    }
    if (e.type === 'environment') rows.push(['reward', fmtNum(r.reward)], ['terminated', String(r.terminated ?? '—')], ['truncated', String(r.truncated ?? '—')]);
    if (e.err) rows.push(['error', 'yes (metadata marks an error)']);
    return rows;
  }

  function kvTable(rows) {
    return h('table', { class: 'kv' }, h('tbody', null, rows.map(([k, v]) =>
      h('tr', null, h('th', { text: k }), h('td', { text: v == null || v === '' ? '—' : String(v) })))));
  }

  function longText(text, testid) {
    const pre = h('div', { class: 'msgtext', testid });
    if (text.length <= LONG_TEXT) {
      pre.textContent = text;
      return pre;
    }
    pre.textContent = text.slice(0, LONG_TEXT) + '…';
    const btn = h('button', {
      type: 'button', class: 'linkbtn', text: `show all ${fmtInt(text.length)} characters`,
      onclick: () => { pre.textContent = text; btn.remove(); },
    });
    return h('div', null, pre, btn);
  }

  function section(title, testid, content, open) {
    return h('details', { class: 'section', testid, open: !!open }, h('summary', { text: title }), content);
  }

  function renderEventBodies(body, full) {
    const calls = Array.isArray(full.call_records) ? full.call_records : [];
    const callBox = h('div', { class: 'calls' });
    calls.forEach((cr, k) => {
      const c = cr && typeof cr === 'object' ? cr : { value: cr };
      const params = c.request_params ?? c.request_parameters ?? c.params ?? null;
      const label = [`Call ${k + 1}`, c.model_name, c.provider, isNum(c.latency_ms) ? fmtMs(c.latency_ms) : null, c.finish_reason].filter((x) => x != null && x !== '').join(' · ');
      callBox.append(h('details', { class: 'call', testid: 'call-record', open: k === 0 },
        h('summary', { text: label }),
        params != null ? [h('h4', { text: 'Request parameters' }), jsonTree(params)] : null,
        h('h4', { text: 'Call record' }), jsonTree(cr)));
    });
    const rest = Object.assign({}, full);
    for (const k of ['call_records', 'system_state_before', 'system_state_after', 'metadata', 'event_metadata']) delete rest[k];
    body.append(
      full.event_type === 'cais' || calls.length
        ? section(`Call records (${calls.length})`, 'detail-call-records', calls.length ? callBox : h('p', { class: 'muted', text: 'none' }), true) : '',
      section('System state before', 'detail-state-before', jsonTree(full.system_state_before), full.system_state_before != null),
      section('System state after', 'detail-state-after', jsonTree(full.system_state_after), full.system_state_after != null),
      section('Metadata', 'detail-metadata', jsonTree(full.metadata), true),
      section('Event metadata', 'detail-event-metadata', jsonTree(full.event_metadata), full.event_metadata != null),
      section('All fields', 'detail-fields', jsonTree(rest, 1), false));
  }

  // ------------------------------------------------------------ tree + waterfall (windowed)
  function treeView(model, onEvent, onMessage) {
    let rows = [];
    let selectedKey = null;
    const axis = h('div', { class: 'trow axis', 'aria-hidden': 'true' }, h('div', { class: 'tlabel', text: 'Step / event / message' }));
    const ticks = h('div', { class: 'tbar' });
    axis.append(ticks);
    if (model.T0 != null) {
      for (const f of [0, 0.25, 0.5, 0.75, 1]) {
        const tk = h('span', { class: 'tick', text: '+' + fmtMs(model.span * f * 1000) });
        tk.style.left = `${f * 100}%`;
        if (f === 1) tk.classList.add('last');
        ticks.append(tk);
      }
    } else ticks.append(h('span', { class: 'tick', text: 'no event times' }));
    const layer = h('div', { class: 'tlayer', role: 'tree' });
    const spacer = h('div', { class: 'tspacer' }, layer);
    const scroller = h('div', { class: 'tscroll', testid: 'tree', tabIndex: -1 }, spacer);
    const expandAll = h('button', { type: 'button', class: 'secondary', testid: 'expand-all', text: 'Expand all' });
    const collapseAll = h('button', { type: 'button', class: 'secondary', testid: 'collapse-all', text: 'Collapse all' });
    const info = h('span', { class: 'muted', testid: 'tree-info' });
    const el = h('div', { class: 'treeview' },
      h('div', { class: 'toolbar' }, expandAll, collapseAll, info,
        h('span', { class: 'legend' }, ['cais', 'environment', 'runtime'].map((tp) => h('span', { class: 'lg ' + tp, text: TYPE_LABEL[tp] })))),
      axis, scroller);

    function build() {
      rows = [];
      for (const g of model.groups) {
        rows.push({ k: 'step', g });
        if (g.collapsed) continue;
        for (const e of g.events) rows.push({ k: 'event', e });
        for (const m of g.messages) rows.push({ k: 'msg', m });
      }
      spacer.style.height = `${rows.length * ROW}px`;
      info.textContent = `${plural(model.groups.filter((g) => g.st).length, 'step')} · ${plural(model.events.length, 'event')} · ${plural(model.messages.length, 'message')}`;
    }
    let frame = 0;
    function render() {
      frame = 0;
      const top = scroller.scrollTop;
      const height = scroller.clientHeight || 600;
      const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
      const last = Math.min(rows.length, Math.ceil((top + height) / ROW) + OVERSCAN);
      const frag = document.createDocumentFragment();
      for (let i = first; i < last; i++) frag.append(rowEl(rows[i], i));
      clear(layer).append(frag);
      layer.style.transform = `translateY(${first * ROW}px)`;
      axis.style.paddingRight = `${scroller.offsetWidth - scroller.clientWidth}px`;
    }
    const schedule = () => { if (!frame) frame = requestAnimationFrame(render); };
    scroller.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);

    const pct = (v) => `${Math.max(0, Math.min(100, v * 100)).toFixed(3)}%`;
    function bar(cls, t0, t1, testid, title) {
      const b = h('div', { class: cls, testid, title });
      b.style.left = pct((t0 - model.T0) / model.span);
      if (t1 != null) b.style.width = pct(Math.max((t1 - t0) / model.span, 0.002));
      return b;
    }
    function rowEl(r, idx) {
      const row = h('div', { class: 'trow ' + (r.k === 'msg' ? 'message' : r.k), role: 'treeitem', tabIndex: 0 });
      row.dataset.row = String(idx);
      const label = h('div', { class: 'tlabel' });
      const barCell = h('div', { class: 'tbar' });
      row.append(label, barCell);
      if (r.k === 'step') {
        const g = r.g;
        row.dataset.testid = 'step-row';
        row.setAttribute('aria-expanded', String(!g.collapsed));
        const name = g.st ? `Step ${g.st.step_index ?? g.si}` : 'Without a step';
        append(label, [h('span', { class: 'caret', text: g.collapsed ? '▸' : '▾' }), h('strong', { text: name }),
          g.st && g.st.turn_number != null ? h('span', { class: 'muted', text: ` turn ${g.st.turn_number}` }) : null,
          g.st ? h('span', { class: 'muted', text: ' ' + truncate(g.st.step_id, 24), title: String(g.st.step_id) }) : null,
          h('span', { class: 'tmeta', text: `${g.events.length} ev · ${g.messages.length} msg · ${fmtInt(g.tokens)} tok · ${fmtCost(g.cost)}` })]);
        if (g.t0 != null) barCell.append(bar('sbar', g.t0, g.t1, 'step-bar', `step: ${fmtMs((g.t1 - g.t0) * 1000)}`));
      } else if (r.k === 'event') {
        const e = r.e;
        const key = 'e' + e.i;
        row.dataset.testid = 'event-row';
        row.dataset.index = String(e.i);
        if (key === selectedKey) row.classList.add('sel');
        if (e.err) row.classList.add('err');
        const ra = e.raw;
        const bits = [];
        if (e.type === 'cais') bits.push(`${fmtInt(ra.total_tokens)} tok`, fmtCost(ra.cost_usd), fmtMs(e.lat));
        if (e.type === 'environment' && ra.reward != null) bits.push(`reward ${fmtNum(ra.reward)}`);
        if (e.rewards.length) bits.push(`+${e.rewards.length} reward${e.rewards.length > 1 ? 's' : ''}`);
        append(label, [h('span', { class: 'indent' }), h('span', { class: 'badge ' + e.type, text: TYPE_LABEL[e.type] || e.type }),
          e.err ? h('span', { class: 'badge error', text: 'error' }) : null,
          h('span', { class: 'tname', text: ' ' + truncate(ra.model_name || ra.system_instance_id || '', 40) }),
          h('span', { class: 'tmeta', text: bits.join(' · ') })]);
        if (e.t == null) barCell.append(h('span', { class: 'muted small', text: 'no time' }));
        else if (e.lat) barCell.append(bar('wbar ' + e.type, e.t, e.end, 'waterfall-bar', `+${fmtMs((e.t - model.T0) * 1000)} · ${fmtMs(e.lat)}`));
        else barCell.append(bar('wmark ' + e.type, e.t, null, 'waterfall-mark', `+${fmtMs((e.t - model.T0) * 1000)}`));
      } else {
        const m = r.m;
        row.dataset.testid = 'message-row';
        row.dataset.index = String(m.i);
        if ('m' + m.i === selectedKey) row.classList.add('sel');
        label.append(h('span', { class: 'indent' }), h('span', { class: 'badge mt ' + m.type, text: m.type }),
          h('span', { class: 'tname', text: ' ' + truncate(m.text.replace(/\s+/g, ' '), 140) }));
      }
      return row;
    }
    function activate(target) {
      const rowNode = target.closest('.trow');
      if (!rowNode || rowNode.dataset.row == null) return;
      const r = rows[Number(rowNode.dataset.row)];
      if (!r) return;
      if (r.k === 'step') {
        r.g.collapsed = !r.g.collapsed;
        build();
        render();
      } else if (r.k === 'event') onEvent(r.e);
      else onMessage(r.m);
    }
    layer.addEventListener('click', (ev) => activate(ev.target));
    layer.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); activate(ev.target); }
    });
    expandAll.addEventListener('click', () => { for (const g of model.groups) g.collapsed = false; build(); render(); });
    collapseAll.addEventListener('click', () => { for (const g of model.groups) g.collapsed = true; build(); render(); });
    build();
    return {
      el,
      render,
      destroy() { window.removeEventListener('resize', schedule); if (frame) cancelAnimationFrame(frame); },
      select(key) {
        selectedKey = key;
        for (const n of layer.querySelectorAll('.trow.sel')) n.classList.remove('sel');
        if (key) {
          const sel = key[0] === 'e' ? `.trow.event[data-index="${key.slice(1)}"]` : `.trow.message[data-index="${key.slice(1)}"]`;
          const n = layer.querySelector(sel);
          if (n) n.classList.add('sel');
        }
      },
      reveal(e) {
        if (e.g.collapsed) { e.g.collapsed = false; build(); }
        const idx = rows.findIndex((r) => r.k === 'event' && r.e === e);
        if (idx >= 0) scroller.scrollTop = Math.max(0, idx * ROW - scroller.clientHeight / 2);
        render();
      },
    };
  }

  // ------------------------------------------------------------ rewards and transcript
  function rewardCols(onEvent) {
    return [
      { label: 'Event', get: (r) => (r.__event && onEvent ? h('button', { type: 'button', class: 'linkbtn', text: `#${r.__event.i}`, onclick: () => onEvent(r.__event.i) }) : String(r.event_ref ?? r.event_id ?? '—')) },
      { label: 'Reward', num: true, get: (r) => fmtNum(r.reward_value), value: (r) => r.reward_value },
      { label: 'Type', get: (r) => String(r.reward_type ?? '—') },
      { label: 'Key', get: (r) => String(r.key ?? '—') },
      { label: 'Source', get: (r) => String(r.source ?? '—') },
      { label: 'Turn', num: true, get: (r) => (r.turn_number == null ? '—' : String(r.turn_number)) },
      { label: 'Objective', get: (r) => String(r.objective_key ?? '—') },
      { label: 'Annotation', get: (r) => truncate(r.annotation ?? '—', 120) },
    ];
  }

  function rewardsView(model, onEvent) {
    const outcome = model.trace.outcome_rewards || [];
    const evRewards = model.trace.event_rewards || [];
    const envEvents = model.events.filter((e) => e.type === 'environment' && isNum(e.raw.reward));
    const box = h('section', { class: 'card', testid: 'rewards' }, h('h2', { text: 'Rewards' }));
    if (!outcome.length && !evRewards.length && !envEvents.length) {
      box.append(h('p', { class: 'muted', text: 'No rewards in this session.' }));
      return box;
    }
    if (outcome.length) {
      box.append(h('h3', { text: 'Outcome' }), h('div', { class: 'tablewrap' }, TC.table([
        { label: 'Objective', get: (r) => String(r.objective_key ?? '—') },
        { label: 'Total reward', num: true, testid: 'outcome-reward', get: (r) => fmtNum(r.total_reward), value: (r) => r.total_reward },
        { label: 'Achievements', num: true, get: (r) => fmtInt(r.achievements_count) },
        { label: 'Steps', num: true, get: (r) => fmtInt(r.total_steps) },
        { label: 'Annotation', get: (r) => truncate(r.annotation ?? '—', 120) },
        { label: 'Metadata', get: (r) => (r.reward_metadata == null ? '—' : truncate(JSON.stringify(r.reward_metadata), 120)) },
      ], outcome, { testid: 'outcome-rewards', rowTestid: 'outcome-row' })));
    }
    if (evRewards.length) {
      box.append(h('h3', { text: 'Event rewards' }), h('div', { class: 'tablewrap' }, TC.table(rewardCols(onEvent), evRewards.slice(0, 500), { testid: 'event-rewards', rowTestid: 'event-reward-row' })));
      if (evRewards.length > 500) box.append(h('p', { class: 'muted', text: `first 500 of ${fmtInt(evRewards.length)} shown` }));
    }
    if (envEvents.length) {
      const sum = envEvents.reduce((a, e) => a + e.raw.reward, 0);
      box.append(h('p', { class: 'muted', text: `Environment events carry ${plural(envEvents.length, 'reward')}, summing to ${fmtNum(sum)}.` }));
    }
    return box;
  }

  function transcriptView(model) {
    const msgs = model.messages;
    const list = h('div', { class: 'transcript', testid: 'transcript' });
    const more = h('button', { type: 'button', class: 'secondary', testid: 'transcript-more', hidden: true });
    let shown = 0;
    function showMore() {
      const end = Math.min(msgs.length, shown + TRANSCRIPT_CHUNK);
      const frag = document.createDocumentFragment();
      for (let i = shown; i < end; i++) {
        const m = msgs[i];
        const step = m.g.st ? `step ${m.g.st.step_index ?? m.g.si}` : 'no step';
        const div = h('div', { class: 'tmsg ' + m.type, testid: 'transcript-message' },
          h('div', { class: 'msghead' }, h('span', { class: 'badge mt ' + m.type, text: m.type }),
            h('span', { class: 'muted', text: ` ${step} · ${fmtTime(m.raw.timestamp)}` })),
          longText(m.text, 'message-text'));
        div.dataset.type = m.type;
        frag.append(div);
      }
      list.append(frag);
      shown = end;
      more.hidden = shown >= msgs.length;
      more.textContent = `Show ${Math.min(TRANSCRIPT_CHUNK, msgs.length - shown)} more (${fmtInt(msgs.length - shown)} left)`;
    }
    more.addEventListener('click', showMore);
    if (msgs.length) showMore();
    else list.append(h('p', { class: 'muted', text: 'No messages in this session.' }));
    return h('section', { class: 'card' }, h('h2', { text: `Transcript (${plural(msgs.length, 'message')})` }), list, more);
  }
})();
