// ct-serve's live page: the lite stream over a WebSocket (with the
// server's ?domain= filter), /api/stats and /api/logs polled, a chart
// drawn here. No library, nothing from elsewhere. What a certificate
// says is anyone's: it goes in with textContent only.
'use strict';
(() => {
  const ROWS = 100;            // feed rows kept
  const SPAN = 300;            // seconds the chart shows
  const STATS_MS = 2000, LOGS_MS = 5000, DRAW_MS = 250;
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.search).get('token');

  // A path of this server relative to the page (which may sit under a
  // proxy's prefix), with the token the page was opened with.
  function url(path, params) {
    const u = new URL(path, location.href);
    u.search = '';
    if (token) u.searchParams.set('token', token);
    for (const [k, v] of Object.entries(params || {}))
      if (v) u.searchParams.set(k, v);
    return u;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  const num = (n) =>
    (typeof n === 'number' ? n.toLocaleString('en-US') : '–');

  function dur(s) {
    if (typeof s !== 'number' || s < 0) return '–';
    if (s < 10) return Math.round(s * 10) / 10 + ' s';
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return (s / 3600).toFixed(1) + ' h';
    return (s / 86400).toFixed(1) + ' d';
  }

  function status(text, cls) {
    const p = $('status');
    p.textContent = text;
    p.className = cls;
  }

  // ---- the feed -------------------------------------------------------

  let ws = null, gen = 0, backoff = 1000, opened = false;
  let paused = false, waiting = [], held = 0, shown = 0;
  let filter = '';

  function issuer(i) {
    return i ? i.O || i.CN || i.aggregated || '' : '';
  }

  function take(data) {
    let m;
    try { m = JSON.parse(data); } catch (e) { return; }
    if (m.message_type !== 'certificate_update' || !m.data) return;
    const d = m.data, lc = d.leaf_cert || {}, src = d.source || {};
    waiting.push({
      t: d.seen, names: Array.isArray(lc.all_domains) ? lc.all_domains : [],
      issuer: issuer(lc.issuer), log: src.name || src.url || '',
    });
    if (paused) held++;
    if (waiting.length > ROWS) waiting.splice(0, waiting.length - ROWS);
  }

  function clock(t) {
    const d = typeof t === 'number' ? new Date(t * 1000) : new Date();
    return d.toTimeString().slice(0, 8);
  }

  function row(c) {
    const tr = el('tr');
    tr.append(el('td', clock(c.t)));
    const td = el('td', null, 'dom');
    const more = c.names.length - 3;
    td.textContent = c.names.slice(0, 3).join(' ');
    if (more > 0) td.append(el('span', ' +' + more, 'more'));
    td.title = c.names.join('\n');
    tr.append(td, el('td', c.issuer), el('td', c.log));
    return tr;
  }

  function draw() {
    if (paused || !waiting.length) return;
    const body = $('feed').tBodies[0], f = document.createDocumentFragment();
    for (let i = waiting.length - 1; i >= 0; i--) f.append(row(waiting[i]));
    shown += waiting.length;
    waiting = [];
    body.prepend(f);
    while (body.rows.length > ROWS) body.deleteRow(-1);
    $('shown').textContent = num(shown) + ' seen here';
  }

  function clearFeed() {
    $('feed').tBodies[0].replaceChildren();
    waiting = [];
    held = 0;
  }

  // Why a filtered stream did not open: a bad list is answered 400 with
  // the reason (the stream path without Upgrade says 426 when all is well).
  async function explain(g) {
    try {
      const r = await fetch(url('domains-only', { domain: filter }));
      const t = await r.text();
      if (g !== gen) return false;
      if (r.status === 400) {
        $('ferr').textContent = t.trim();
        $('ferr').hidden = false;
        status('filter refused', 'bad');
        return true;
      }
    } catch (e) { /* the server is away: retry as usual */ }
    return false;
  }

  function connect() {
    const g = ++gen;
    if (ws) ws.close();
    const u = url('./', { domain: filter });
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    opened = false;
    ws = new WebSocket(u);
    status('connecting', 'wait');
    ws.onopen = () => {
      if (g !== gen) return;
      opened = true;
      backoff = 1000;
      status(paused ? 'paused' : 'live', paused ? 'wait' : 'ok');
    };
    ws.onmessage = (e) => { if (g === gen) take(e.data); };
    ws.onclose = async () => {
      if (g !== gen) return;
      if (!opened && filter && await explain(g)) return;
      const wait = backoff * (0.5 + Math.random());
      backoff = Math.min(backoff * 2, 30000);
      status('reconnecting in ' + Math.ceil(wait / 1000) + ' s', 'bad');
      setTimeout(() => { if (g === gen) connect(); }, wait);
    };
  }

  // what the box says as the server's list: names split by commas
  const norm = (v) => v.replace(/[\s,]+/g, ',').replace(/^,|,$/g, '');

  function setFilter(v) {
    v = norm(v);
    if (v === filter) return;
    filter = v;
    $('ferr').hidden = true;
    clearFeed();
    const u = new URL(location.href);
    if (v) u.searchParams.set('domain', v);
    else u.searchParams.delete('domain');
    history.replaceState(null, '', u);
    connect();
  }

  function pause() {
    paused = !paused;
    if (!paused) {
      held = 0;
      draw();
    }
    if (opened) status(paused ? 'paused' : 'live', paused ? 'wait' : 'ok');
    $('pause').textContent = paused ? 'Resume' : 'Pause';
  }

  // ---- certificates per second, clients -------------------------------

  let points = [], last = null;

  async function stats() {
    try {
      const r = await fetch(url('api/stats'));
      if (!r.ok) throw new Error(r.status);
      const s = await r.json(), now = Date.now() / 1000;
      const c = s.clients || {};
      const web = c.websocket || 0, sse = c.sse || 0, tcp = c.tcp || 0;
      $('clients').textContent = num(web + sse + tcp);
      $('clients').title = `WebSocket ${web}, SSE ${sse}, TCP ${tcp}`;
      $('uptime').textContent = dur(s.uptime_s);
      if (last && s.messages_in >= last.n && now > last.t) {
        const v = (s.messages_in - last.n) / (now - last.t);
        points.push({ t: now, v });
        $('rate').textContent = v < 10 ? v.toFixed(1) : num(Math.round(v));
      }
      last = { t: now, n: s.messages_in };
    } catch (e) {
      last = null;
      points.push({ t: Date.now() / 1000, v: null });
    }
    points = points.filter((p) => p.t > Date.now() / 1000 - SPAN);
    chart();
  }

  function nice(v) {
    const e = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (v <= m * e) return m * e;
    return 10 * e;
  }

  function chart() {
    const c = $('chart'), w = c.clientWidth, h = c.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (!w || !h) return;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext('2d'), css = getComputedStyle(c);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = '11px ' + css.fontFamily;
    const top = Math.max(1, ...points.map((p) => p.v || 0));
    const max = nice(top), ticks = [0, max / 2, max];
    const left = 8 + Math.max(...ticks.map((v) => g.measureText(num(v)).width));
    const now = Date.now() / 1000;
    const x = (t) => left + 4 + (w - left - 8) * (1 - (now - t) / SPAN);
    const y = (v) => h - 16 - (h - 24) * v / max;
    const faint = css.getPropertyValue('--faint').trim() || '#888';
    g.fillStyle = g.strokeStyle = faint;
    g.lineWidth = 1;
    for (const v of ticks) {
      g.beginPath();
      g.moveTo(left + 4, Math.round(y(v)) + 0.5);
      g.lineTo(w - 4, Math.round(y(v)) + 0.5);
      g.stroke();
      g.textAlign = 'right';
      g.fillText(num(v), left, y(v) + 4);
    }
    g.textAlign = 'left';
    g.fillText('−' + SPAN / 60 + ' min', left + 4, h - 2);
    g.textAlign = 'right';
    g.fillText('now', w - 4, h - 2);
    g.strokeStyle = css.color;
    g.lineWidth = 2;
    g.beginPath();
    let on = false;
    for (const p of points) {
      if (p.v === null) { on = false; continue; }
      if (on) g.lineTo(x(p.t), y(p.v)); else g.moveTo(x(p.t), y(p.v));
      on = true;
    }
    g.stroke();
    const end = points[points.length - 1];
    if (end && end.v !== null) {   // now, and a point alone, as a dot
      g.fillStyle = css.color;
      g.beginPath();
      g.arc(x(end.t), y(end.v), 3, 0, 2 * Math.PI);
      g.fill();
    }
  }

  // ---- the logs (ct-fetch --stats, if ct-serve has --fetch-stats) -----

  let logsAt = 0;

  function logRow(l) {
    const tr = el('tr');
    const name = el('td', l.name || l.url);
    name.title = l.url || '';
    const vr = l.verified_root;
    const root = el('td', vr ? vr.slice(0, 12) + '…' : '–', 'mono');
    root.title = vr || '';
    const err = el('td', l.last_error || '', 'err');
    tr.append(name, el('td', l.health, 'h-' + l.health),
      el('td', num(l.next), 'n'), el('td', num(l.tree_size), 'n'),
      el('td', num(l.behind), 'n'), el('td', dur(l.lag_s), 'n'),
      el('td', num(l.entries_per_s), 'n'),
      el('td', l.verified, l.verified === 'MISMATCH' ? 'h-unhealthy' : ''),
      el('td', num(l.verified_size), 'n'), root, err);
    return tr;
  }

  function logNote(text) {
    $('lognote').textContent = text;
    $('lognote').hidden = !text;
  }

  async function logs() {
    try {
      const r = await fetch(url('api/logs'));
      if (r.status === 404) {
        logNote('No per-log status: ct-serve runs without --fetch-stats.');
      } else if (!r.ok) {
        logNote('No ct-fetch status yet (' + r.status + ').');
      } else {
        const a = await r.json();
        const body = $('logs').tBodies[0];
        body.replaceChildren(...(Array.isArray(a) ? a : []).map(logRow));
        logNote(a.length ? '' : 'ct-fetch follows no log.');
        logsAt = Date.now();
      }
    } catch (e) { /* away: the feed says so; try again */ }
    ageLogs();
  }

  function ageLogs() {
    $('logsage').textContent = logsAt
      ? 'read ' + Math.round((Date.now() - logsAt) / 1000) + ' s ago' : '';
  }

  // ---- start ------------------------------------------------------------

  function every(ms, fn) {
    fn();
    setInterval(fn, ms);
  }

  let typing = 0;
  $('filter').addEventListener('input', (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => setFilter(e.target.value), 400);
  });
  $('filter').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(typing);
      setFilter(e.target.value);
    }
  });
  $('pause').addEventListener('click', pause);
  window.addEventListener('resize', chart);
  const start = new URLSearchParams(location.search).get('domain') || '';
  $('filter').value = start;
  filter = norm(start);
  connect();
  every(DRAW_MS, () => {
    draw();
    if (paused && held)
      $('pause').textContent = 'Resume (' + num(held) + ' new)';
  });
  every(STATS_MS, stats);
  every(LOGS_MS, logs);
  every(1000, ageLogs);
})();
