'use strict';
// tracecollector viewer: the router. The collector answers index.html for every /ui/... path,
// so the page to show comes from location.pathname; in-app links use history.pushState.
(() => {
  const { h, clear, showError } = TC;
  const main = document.getElementById('main');
  let current = null; // {abort: AbortController, leave: [fn]}

  function match(path) {
    if (path === '/ui' || path === '/ui/' || path === '/ui/index.html') return ['sessions'];
    if (path === '/ui/live' || path === '/ui/live/') return ['live'];
    if (path === '/ui/stats' || path === '/ui/stats/') return ['stats'];
    const m = /^\/ui\/sessions\/([^/]+)\/?$/.exec(path);
    if (m) {
      try { return ['trace', decodeURIComponent(m[1])]; } catch { return ['notfound']; }
    }
    return ['notfound'];
  }

  function route() {
    if (current) {
      current.abort.abort();
      for (const fn of current.leave) { try { fn(); } catch { /* ignore */ } }
    }
    const ctx = { abort: new AbortController(), leave: [] };
    ctx.signal = ctx.abort.signal;
    ctx.onLeave = (fn) => ctx.leave.push(fn);
    ctx.alive = () => current === ctx;
    current = ctx;
    const [name, arg] = match(location.pathname);
    const params = new URLSearchParams(location.search);
    for (const a of document.querySelectorAll('[data-nav]')) {
      a.classList.toggle('active', a.dataset.nav === name || (name === 'trace' && a.dataset.nav === 'sessions'));
    }
    clear(main);
    main.dataset.page = name;
    delete main.dataset.state;
    TC.renderKeyStatus();
    if (name === 'notfound') {
      document.title = 'Not found · tracecollector';
      main.append(h('div', { class: 'error', testid: 'error', role: 'alert' },
        h('strong', { text: 'Page not found' }),
        h('p', { text: `There is no page at ${location.pathname}.` }),
        h('a', { href: '/ui/', text: 'Go to the sessions list' })));
      return;
    }
    const page = TC.pages[name];
    Promise.resolve()
      .then(() => page(main, ctx, params, arg))
      .catch((err) => { if (ctx.alive()) showError(main, err); });
  }

  TC.route = route;
  TC.navigate = (url, replace) => {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    route();
    if (!replace) window.scrollTo(0, 0);
  };

  // In-app links: same origin, under /ui/, plain left click.
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !/^\/ui(\/|$)/.test(url.pathname) || url.pathname.startsWith('/ui/assets/')) return;
    e.preventDefault();
    TC.navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener('popstate', route);
  route();
})();
