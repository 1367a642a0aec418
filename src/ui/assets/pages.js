'use strict';
// tracecollector viewer: the sessions list (/ui/), the live tail (/ui/live) and the usage
// statistics (/ui/stats).
(() => {
  const { h, clear, api, qs, showError, fmtInt, fmtCost, fmtMs, fmtTime, fmtNum, truncate, isNum } = TC;

  const sessionHref = (id) => '/ui/sessions/' + encodeURIComponent(id);

  function field(label, input) {
    return h('label', { class: 'field' }, h('span', { text: label }), input);
  }
  function select(name, value, options, testid) {
    const el = h('select', { name, testid }, options.map(([v, t]) => h('option', { value: v, text: t })));
    el.value = value;
    return el;
  }
  function input(name, value, attrs) {
    return h('input', Object.assign({ name, value, type: 'text' }, attrs));
  }

  // ------------------------------------------------------------ sessions list
  const LIST_DEFAULTS = { sort: 'created_at', order: 'desc', limit: '50' };
  const LIST_KEYS = ['q', 'from', 'to', 'experiment_id', 'model', 'min_cost_usd', 'has_error', 'sort', 'order', 'limit'];

  TC.pages.sessions = async (main, ctx, params) => {
    document.title = 'Sessions · tracecollector';
    const f = {};
    for (const k of LIST_KEYS) f[k] = params.get(k) || LIST_DEFAULTS[k] || '';

    const form = h('form', { class: 'filters', testid: 'filters', role: 'search' },
      field('Search', input('q', f.q, { testid: 'filter-q', placeholder: 'message text, session id, metadata', class: 'wide' })),
      field('From', input('from', f.from, { testid: 'filter-from', placeholder: '2026-12-05 or RFC 3339' })),
      field('To', input('to', f.to, { testid: 'filter-to', placeholder: '2026-12-06T12:00:00Z' })),
      field('Experiment', input('experiment_id', f.experiment_id, { testid: 'filter-experiment' })),
      field('Model', input('model', f.model, { testid: 'filter-model', placeholder: 'exact name' })),
      field('Min cost (USD)', input('min_cost_usd', f.min_cost_usd, { testid: 'filter-min-cost', type: 'number', min: '0', step: 'any' })),
      field('Errors', select('has_error', f.has_error, [['', 'any'], ['true', 'with errors'], ['false', 'without errors']], 'filter-errors')),
      field('Sort by', select('sort', f.sort, [['created_at', 'created'], ['cost_usd', 'cost'], ['duration_ms', 'duration'], ['num_events', 'events']], 'sort')),
      field('Order', select('order', f.order, [['desc', 'descending'], ['asc', 'ascending']], 'order')),
      field('Page size', select('limit', f.limit, [['25', '25'], ['50', '50'], ['100', '100'], ['200', '200']], 'page-size')),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', testid: 'filter-apply', text: 'Apply' }),
        h('a', { href: '/ui/', class: 'button secondary', testid: 'filter-reset', text: 'Reset' })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const q = {};
      for (const k of LIST_KEYS) {
        const v = String(data.get(k) ?? '').trim();
        if (v !== '' && v !== LIST_DEFAULTS[k]) q[k] = v;
      }
      TC.navigate('/ui/' + qs(q));
    });
    for (const sel of form.querySelectorAll('select')) sel.addEventListener('change', () => form.requestSubmit());

    const cols = [
      { label: 'Session', get: (r) => h('a', { href: sessionHref(r.session_id), class: 'sid', testid: 'session-link', text: truncate(r.session_id, 60), title: r.session_id }) },
      { label: 'Created', get: (r) => h('span', { text: fmtTime(r.created_at), title: r.created_at || '' }) },
      { label: 'Steps', num: true, testid: 'cell-timesteps', get: (r) => fmtInt(r.totals.timesteps), value: (r) => r.totals.timesteps },
      { label: 'LLM calls', num: true, testid: 'cell-lm_calls', get: (r) => fmtInt(r.totals.lm_calls), value: (r) => r.totals.lm_calls },
      { label: 'Tokens', num: true, testid: 'cell-total_tokens', get: (r) => h('span', { text: fmtInt(r.totals.total_tokens), title: `in ${fmtInt(r.totals.input_tokens)} · out ${fmtInt(r.totals.output_tokens)}` }), value: (r) => r.totals.total_tokens },
      { label: 'Cost', num: true, testid: 'cell-cost_usd', get: (r) => fmtCost(r.totals.cost_usd), value: (r) => r.totals.cost_usd },
      { label: 'Duration', num: true, testid: 'cell-duration_ms', get: (r) => fmtMs(r.totals.duration_ms), value: (r) => r.totals.duration_ms },
      { label: 'Reward', num: true, testid: 'cell-reward', title: 'outcome reward (event rewards)', get: (r) => rewardText(r.totals), value: (r) => r.totals.outcome_reward },
      { label: 'Errors', num: true, testid: 'cell-errors', get: (r) => (r.totals.errors ? h('span', { class: 'bad', text: fmtInt(r.totals.errors) }) : '0'), value: (r) => r.totals.errors },
      { label: 'Models', testid: 'cell-models', get: (r) => (r.totals.models || []).map((m) => h('span', { class: 'chip', text: truncate(m, 40), title: m })) },
    ];

    const tbl = TC.table(cols, [], { testid: 'sessions-table', rowTestid: 'session-row' });
    const tbody = tbl.tBodies[0];
    const status = h('p', { class: 'muted', testid: 'list-status', 'aria-live': 'polite' });
    const more = h('button', { type: 'button', testid: 'load-more', hidden: true, text: 'Load more' });
    const results = h('div', { class: 'results' }, h('div', { class: 'tablewrap' }, tbl), h('div', { class: 'listfoot' }, more, status));
    const errBox = h('div');
    main.append(h('h1', { text: 'Sessions' }), form, errBox, results);

    const apiParams = {};
    for (const k of LIST_KEYS) if (f[k] !== '' && !(k in LIST_DEFAULTS && f[k] === LIST_DEFAULTS[k])) apiParams[k] = f[k];
    apiParams.limit = f.limit;
    let cursor = null;
    let count = 0;
    async function load() {
      more.disabled = true;
      status.textContent = 'Loading…';
      let page;
      try {
        page = await api('/v1/sessions' + qs(Object.assign({}, apiParams, { cursor })), ctx.signal);
      } catch (err) {
        if (!ctx.alive()) return;
        status.textContent = '';
        more.disabled = false;
        if (count === 0) results.hidden = true;
        showError(errBox, err, () => { clear(errBox); results.hidden = false; load(); });
        return;
      }
      if (!ctx.alive()) return;
      clear(errBox);
      const frag = document.createDocumentFragment();
      for (const r of page.data) {
        r.totals = r.totals || {};
        const tr = TC.tableRow(cols, r, 'session-row');
        tr.dataset.sessionId = r.session_id;
        frag.append(tr);
      }
      tbody.append(frag);
      count += page.data.length;
      cursor = page.meta && page.meta.next_cursor;
      const hasMore = !!(page.meta && page.meta.has_more && cursor);
      more.hidden = !hasMore;
      more.disabled = false;
      let text = count === 0 ? 'No sessions match these filters.' : `${fmtInt(count)} session${count === 1 ? '' : 's'}${hasMore ? ', more to load' : ', all shown'}.`;
      const search = page.meta && page.meta.search;
      if (search && search.mode === 'scan') text += ` Text search looked at the newest ${fmtInt(search.messages_scanned_at_most)} messages only.`;
      status.textContent = text;
      status.dataset.state = hasMore ? 'more' : 'end';
      main.dataset.state = 'ready';
    }
    more.addEventListener('click', load);
    await load();
  };

  function rewardText(t) {
    const o = isNum(t.outcome_reward) ? fmtNum(t.outcome_reward) : '—';
    return isNum(t.event_reward) && t.event_reward !== 0 ? `${o} (${fmtNum(t.event_reward)})` : o;
  }

  // ------------------------------------------------------------ live tail
  const TYPES = ['session', 'session_end', 'timestep', 'event', 'message', 'experiment', 'system', 'system_version', 'outcome_reward', 'event_reward'];
  const MAX_ROWS = 500;

  TC.pages.live = async (main, ctx, params) => {
    document.title = 'Live · tracecollector';
    const chosen = new Set((params.get('types') || '').split(',').filter((t) => TYPES.includes(t)));
    const sid = params.get('session_id') || '';
    const evType = params.get('event_type') || '';
    const where = params.get('where') || '';

    const form = h('form', { class: 'filters', testid: 'live-filters' },
      h('fieldset', { class: 'types' }, h('legend', { text: 'Types (none = all)' }),
        TYPES.map((t) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', name: 'types', value: t, checked: chosen.has(t), testid: 'live-type-' + t }), t))),
      field('Session', input('session_id', sid, { testid: 'live-session', placeholder: 'session id' })),
      field('Event type', select('event_type', evType, [['', 'any'], ['cais', 'cais (LLM)'], ['environment', 'environment'], ['runtime', 'runtime']], 'live-event-type')),
      field('Where (filter language)', input('where', where, { testid: 'live-where', class: 'wide', placeholder: 'cost_usd > 0.10 && model_name =~ "^gpt-4"' })),
      h('div', { class: 'actions' }, h('button', { type: 'submit', testid: 'live-apply', text: 'Apply' })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      TC.navigate('/ui/live' + qs({
        types: data.getAll('types').join(','), session_id: String(data.get('session_id') || '').trim(), event_type: data.get('event_type'),
        where: String(data.get('where') || '').trim(),
      }));
    });

    const state = h('span', { class: 'badge', testid: 'live-status', text: 'connecting' });
    const counter = h('span', { class: 'muted', testid: 'live-count', text: '0 records' });
    const pauseBtn = h('button', { type: 'button', testid: 'live-pause', text: 'Pause' });
    const clearBtn = h('button', { type: 'button', class: 'secondary', testid: 'live-clear', text: 'Clear' });
    const notes = h('ul', { class: 'notes', testid: 'live-notes', 'aria-live': 'polite' });
    const tbody = h('tbody', { testid: 'live-rows' });
    const tbl = h('table', { class: 'grid live', testid: 'live-table' },
      h('thead', null, h('tr', null, ['Received', 'Position', 'Type', 'Session', 'What'].map((t) => h('th', { text: t })))), tbody);
    main.append(h('h1', { text: 'Live' }), form,
      h('div', { class: 'toolbar' }, state, counter, pauseBtn, clearBtn,
        h('span', { class: 'muted', text: `newest first, last ${MAX_ROWS} kept` })),
      notes, h('div', { class: 'tablewrap' }, tbl));

    let es = null;
    let lastId = null;
    let received = 0;
    let paused = false;
    let waiting = [];
    let queued = [];
    let frame = 0;
    let down = false;
    let retryTimer = 0;

    function note(kind, text) {
      const li = h('li', { class: 'note n-' + kind, testid: 'live-note' }, h('span', { class: 'muted', text: TC.fmtDate(new Date()).slice(11) + ' ' }), text);
      li.dataset.kind = kind;
      notes.prepend(li);
      while (notes.children.length > 20) notes.lastChild.remove();
    }
    function setState(s, text) {
      state.dataset.state = s;
      state.textContent = text || s;
    }
    function flush() {
      frame = 0;
      const frag = document.createDocumentFragment();
      for (let i = queued.length - 1; i >= 0; i--) frag.append(liveRow(queued[i]));
      queued = [];
      tbody.prepend(frag);
      while (tbody.children.length > MAX_ROWS) tbody.lastChild.remove();
    }
    function show(rec) {
      queued.push(rec);
      if (queued.length > MAX_ROWS) queued.splice(0, queued.length - MAX_ROWS);
      if (!frame) frame = requestAnimationFrame(flush);
    }
    function onRecord(e) {
      let rec;
      try { rec = JSON.parse(e.data); } catch { return; }
      if (e.lastEventId) lastId = e.lastEventId;
      received++;
      counter.textContent = `${fmtInt(received)} record${received === 1 ? '' : 's'}`;
      rec.__at = new Date();
      if (paused) {
        waiting.push(rec);
        if (waiting.length > MAX_ROWS) waiting.shift();
        setState('paused', `paused · ${fmtInt(waiting.length)} waiting`);
      } else show(rec);
    }

    async function connect() {
      clearTimeout(retryTimer);
      if (!ctx.alive()) return;
      // A cheap authenticated read first: an EventSource cannot tell a 401 from a lost network.
      try {
        await api('/v1/sessions?limit=1', ctx.signal);
      } catch (err) {
        if (!ctx.alive()) return;
        if (err instanceof TC.ApiError && (err.status === 401 || err.status === 403)) { showError(main, err); return; }
        setState('down', 'unreachable');
        if (!down) note('error', `${err.message} Retrying every 5 s.`);
        down = true;
        retryTimer = setTimeout(connect, 5000);
        return;
      }
      const key = TC.keyStore.get();
      const url = '/v1/stream' + qs({
        types: [...chosen].join(','), session_id: sid, event_type: evType, where,
        since: lastId, access_token: key || null,
      });
      if (where && !(await whereAccepted(url))) return;
      es = new EventSource(url);
      es.addEventListener('open', () => {
        setState(paused ? 'paused' : 'live', paused ? 'paused' : 'live');
        if (down) note('reconnect', 'The stream reconnected; records committed meanwhile follow.');
        down = false;
        main.dataset.state = 'ready';
      });
      es.addEventListener('record', onRecord);
      es.addEventListener('dropped', (e) => {
        let d = {};
        try { d = JSON.parse(e.data); } catch { /* keep {} */ }
        if (e.lastEventId) lastId = e.lastEventId;
        note('dropped', `${fmtInt(d.count)} record${d.count === 1 ? ' was' : 's were'} dropped after position ${d.after}: this page read too slowly. Find them in the sessions list.`);
      });
      es.addEventListener('reset', (e) => {
        if (e.lastEventId) lastId = e.lastEventId;
        note('reset', `The stream could not resume where it was and goes on from position ${e.lastEventId || '?'}: records in between are not shown here.`);
      });
      es.addEventListener('error', () => {
        if (!ctx.alive()) return;
        if (!down) note('error', 'The connection to the collector was lost; reconnecting…');
        down = true;
        setState('down', 'reconnecting');
        if (es.readyState === EventSource.CLOSED) {
          // The collector answered something other than a stream (503, 401, ...): retry ourselves.
          es.close();
          es = null;
          retryTimer = setTimeout(connect, 3000);
        }
      });
    }

    // An EventSource cannot tell a 400 from a lost connection: a filter is tried with fetch first,
    // which gives up as soon as the stream's head arrives (or shows the collector's error: where
    // the expression goes wrong).
    async function whereAccepted(url) {
      const abort = new AbortController();
      ctx.onLeave(() => abort.abort());
      try {
        const res = await fetch(url, { signal: abort.signal, cache: 'no-store', credentials: 'omit' });
        if (res.ok) { abort.abort(); return true; }
        let err = {};
        try { err = (await res.json()).error || {}; } catch { /* not JSON */ }
        if (!ctx.alive()) return false;
        setState('down', 'filter refused');
        note('error', `The filter was refused: ${err.message || 'HTTP ' + res.status}. See docs/filters.md.`);
        main.dataset.state = 'ready';
        return false;
      } catch (e) {
        return ctx.alive();  // unreachable: the EventSource's own retries take over
      }
    }

    pauseBtn.addEventListener('click', () => {
      paused = !paused;
      pauseBtn.textContent = paused ? 'Resume' : 'Pause';
      pauseBtn.dataset.paused = String(paused);
      if (paused) setState('paused', 'paused');
      else {
        for (const r of waiting) show(r);
        waiting = [];
        setState(es && es.readyState === EventSource.OPEN ? 'live' : 'down', es && es.readyState === EventSource.OPEN ? 'live' : 'reconnecting');
      }
    });
    clearBtn.addEventListener('click', () => { clear(tbody); queued = []; waiting = []; });
    ctx.onLeave(() => {
      clearTimeout(retryTimer);
      if (frame) cancelAnimationFrame(frame);
      if (es) es.close();
    });
    setState('connecting');
    await connect();
  };

  function liveRow(r) {
    const tr = h('tr', { testid: 'live-row', class: 'type-' + r.type });
    tr.dataset.type = String(r.type);
    const session = r.session_id != null
      ? h('a', { href: sessionHref(r.session_id), class: 'sid', text: truncate(r.session_id, 40), title: String(r.session_id) }) : '';
    tr.append(h('td', { class: 'muted', text: TC.fmtDate(r.__at).slice(11) }), h('td', { class: 'num muted', text: String(r.position ?? '') }),
      h('td', null, h('span', { class: 'badge', text: String(r.type) })), h('td', null, session), h('td', { class: 'what', text: summarize(r) }));
    return tr;
  }

  function text(v) {
    if (v == null) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && !Array.isArray(v) && typeof v.text === 'string' && v.json_payload == null) return v.text;
    return JSON.stringify(v);
  }
  function summarize(r) {
    const parts = [];
    const add = (label, v, fmt) => { if (v != null && v !== '') parts.push(label ? `${label} ${fmt ? fmt(v) : v}` : String(v)); };
    switch (r.type) {
      case 'event':
        add('', r.event_type);
        add('', r.model_name || r.system_instance_id);
        if (r.step_id) add('step', r.step_id);
        add('tokens', r.total_tokens, fmtInt);
        add('cost', r.cost_usd, fmtCost);
        add('latency', r.latency_ms, fmtMs);
        add('reward', r.reward, fmtNum);
        break;
      case 'message':
        add('', r.message_type);
        add('', truncate(text(r.content), 200));
        break;
      case 'timestep':
        add('step', r.step_id);
        add('turn', r.turn_number);
        break;
      case 'outcome_reward':
        add('total reward', r.total_reward, fmtNum);
        add('', r.objective_key);
        break;
      case 'event_reward':
        add('reward', r.reward_value, fmtNum);
        add('for', r.event_ref || r.event_id);
        break;
      case 'session':
        add('experiment', r.experiment_id);
        if (r.metadata != null) add('', truncate(JSON.stringify(r.metadata), 160));
        break;
      default: {
        const rest = Object.assign({}, r);
        for (const k of ['__at', 'position', 'type', 'session_id']) delete rest[k];
        add('', truncate(JSON.stringify(rest), 200));
      }
    }
    return parts.join(' · ');
  }

  // ------------------------------------------------------------ usage statistics
  TC.pages.stats = async (main, ctx, params) => {
    document.title = 'Stats · tracecollector';
    const from = params.get('from') || '';
    const to = params.get('to') || '';
    const form = h('form', { class: 'filters', testid: 'stats-filters' },
      field('From', input('from', from, { testid: 'stats-from', placeholder: '2026-12-01 or RFC 3339' })),
      field('To', input('to', to, { testid: 'stats-to', placeholder: '2026-12-06' })),
      h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Apply' })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const d = new FormData(form);
      TC.navigate('/ui/stats' + qs({ from: String(d.get('from')).trim(), to: String(d.get('to')).trim() }));
    });
    const body = h('div', null, h('p', { class: 'muted', text: 'Loading…' }));
    main.append(h('h1', { text: 'Usage' }), form, body);
    const range = { from, to };
    let byModel, byDay, models;
    try {
      [byModel, byDay, models] = await Promise.all([
        api('/v1/stats/usage' + qs(Object.assign({ group_by: 'model' }, range)), ctx.signal),
        api('/v1/stats/usage' + qs(Object.assign({ group_by: 'day' }, range)), ctx.signal),
        api('/v1/stats/models' + qs(range), ctx.signal),
      ]);
    } catch (err) {
      if (ctx.alive()) showError(body, err);
      return;
    }
    if (!ctx.alive()) return;
    clear(body);
    const m = byModel.data.filter((r) => r.model != null);
    const d = byDay.data;
    const label = (r) => String(r.model);
    body.append(
      h('section', { class: 'card', testid: 'stats-models' },
        h('h2', { text: 'Per model' }),
        h('div', { class: 'charts' },
          TC.hbarChart('Tokens', m.map((r) => ({ label: label(r), value: r.total_tokens })), fmtInt, 'chart-model-tokens'),
          TC.hbarChart('Cost (USD)', m.map((r) => ({ label: label(r), value: r.cost_usd })), fmtCost, 'chart-model-cost'),
          TC.hbarChart('LLM calls', m.map((r) => ({ label: label(r), value: r.calls })), fmtInt, 'chart-model-calls')),
        h('div', { class: 'tablewrap' }, TC.table([
          { label: 'Model', get: (r) => String(r.model_name ?? '—') },
          { label: 'Provider', get: (r) => String(r.provider ?? '—') },
          { label: 'Calls', num: true, testid: 'stat-calls', get: (r) => fmtInt(r.usage_count), value: (r) => r.usage_count },
          { label: 'Input tokens', num: true, get: (r) => fmtInt(r.total_input_tokens) },
          { label: 'Output tokens', num: true, get: (r) => fmtInt(r.total_output_tokens) },
          { label: 'Tokens', num: true, testid: 'stat-tokens', get: (r) => fmtInt(r.total_tokens), value: (r) => r.total_tokens },
          { label: 'Cost', num: true, testid: 'stat-cost', get: (r) => fmtCost(r.total_cost_usd), value: (r) => r.total_cost_usd },
          { label: 'Avg latency', num: true, get: (r) => fmtMs(r.avg_latency_ms) },
          { label: 'First used', get: (r) => fmtTime(r.first_used) },
          { label: 'Last used', get: (r) => fmtTime(r.last_used) },
        ], models.data, { testid: 'stats-table-models', rowTestid: 'stats-model-row' }))),
      h('section', { class: 'card', testid: 'stats-days' },
        h('h2', { text: 'Per day (UTC)' }),
        h('div', { class: 'charts' },
          TC.columnChart('Tokens', d.map((r) => ({ label: String(r.day).slice(5), value: r.total_tokens })), fmtInt, 'chart-day-tokens'),
          TC.columnChart('Cost (USD)', d.map((r) => ({ label: String(r.day).slice(5), value: r.cost_usd })), fmtCost, 'chart-day-cost'),
          TC.columnChart('LLM calls', d.map((r) => ({ label: String(r.day).slice(5), value: r.calls })), fmtInt, 'chart-day-calls')),
        h('div', { class: 'tablewrap' }, TC.table([
          { label: 'Day', get: (r) => String(r.day ?? '—') },
          { label: 'LLM calls', num: true, get: (r) => fmtInt(r.calls), value: (r) => r.calls },
          { label: 'Events', num: true, get: (r) => fmtInt(r.events) },
          { label: 'Sessions', num: true, get: (r) => fmtInt(r.sessions) },
          { label: 'Input tokens', num: true, get: (r) => fmtInt(r.input_tokens) },
          { label: 'Output tokens', num: true, get: (r) => fmtInt(r.output_tokens) },
          { label: 'Tokens', num: true, get: (r) => fmtInt(r.total_tokens), value: (r) => r.total_tokens },
          { label: 'Cost', num: true, get: (r) => fmtCost(r.cost_usd), value: (r) => r.cost_usd },
        ], d, { testid: 'stats-table-days', rowTestid: 'stats-day-row' }))));
    if (byModel.meta.truncated || byDay.meta.truncated || models.meta.truncated) {
      body.prepend(h('p', { class: 'warn', text: 'More than 10,000 groups: only the first are shown. Narrow the time range.' }));
    }
    main.dataset.state = 'ready';
  };
})();
