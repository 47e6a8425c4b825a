// Shunt's live dashboard: reads /_shunt/stats (every second), /_shunt/audit and /_shunt/quotas from the server
// that served it, and draws them as SVG. No library, no build step, no request to anywhere else. Every text
// that comes from the server is set as text (textContent), never parsed as HTML. The admin token, when the
// server needs one, comes from this page's URL fragment (#token=...), which browsers never send, and is kept
// in this tab's sessionStorage only.
(function () {
  'use strict';

  const SVG = 'http://www.w3.org/2000/svg';
  const TOKEN_KEY = 'shunt.adminToken';
  const POLL_MS = 1000;
  /** Seconds fetched on each poll once the window is loaded: a closed second does not change. */
  const RECENT = 5;
  const MAX_CHARTS = 8;
  const AUDIT_ROWS = 15;

  const state = {
    token: null,
    windowSeconds: 300,
    paused: false,
    full: true,
    nowSecond: 0,
    nowMillis: 0,
    /** epoch second -> {operation: counts} */
    seconds: new Map(),
    totals: {},
    quotas: {},
    topKeys: [],
    caching: false,
    caches: null,
    /** the nodes sharing this one's quotas and their totals, from /_shunt/stats (quota-store), or null */
    cluster: null,
    /** operation -> its quota group (kms:symmetric), from /_shunt/quotas */
    groups: {},
    polls: 0,
    totalRequests: 0,
  };

  // ---------------------------------------------------------------- DOM helpers

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, attrs, parent, text) {
    return fill(document.createElement(tag), attrs, parent, text);
  }

  function svg(tag, attrs, parent, text) {
    return fill(document.createElementNS(SVG, tag), attrs, parent, text);
  }

  /** Sets a new node's attributes and text (always as text, never as markup) and adds it to its parent. */
  function fill(node, attrs, parent, text) {
    setAttrs(node, attrs);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) {
      return;
    }
    for (const name of Object.keys(attrs)) {
      const value = attrs[name];
      if (value !== undefined && value !== null) {
        node.setAttribute(name, String(value));
      }
    }
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  // ---------------------------------------------------------------- formatting

  function number(n) {
    if (n === null || n === undefined || Number.isNaN(n)) {
      return '–';
    }
    if (Math.abs(n) >= 1e6) {
      return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1).replace(/\.0$/, '') + 'M';
    }
    if (Math.abs(n) >= 1e4) {
      return (n / 1e3).toFixed(n >= 1e5 ? 0 : 1).replace(/\.0$/, '') + 'k';
    }
    return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 1 : 0);
  }

  function rate(n) {
    if (n === null || n === undefined) {
      return '–';
    }
    return n >= 100 ? number(Math.round(n)) : n.toFixed(n < 10 ? 1 : 0).replace(/\.0$/, '');
  }

  function micros(us) {
    if (us === null || us === undefined || us <= 0) {
      return '–';
    }
    if (us < 1000) {
      return us + ' µs';
    }
    if (us < 1e6) {
      return (us / 1000).toFixed(us < 1e4 ? 2 : 1).replace(/\.?0+$/, '') + ' ms';
    }
    return (us / 1e6).toFixed(2).replace(/\.?0+$/, '') + ' s';
  }

  function clockTime(second) {
    const d = new Date(second * 1000);
    return d.toISOString().substring(11, 19);
  }

  /** An ARN's tail, for a narrow cell (the whole ARN is its title). */
  function shortArn(arn) {
    if (!arn) {
      return '';
    }
    const resource = arn.split(':').slice(5).join(':');
    return resource || arn;
  }

  // ---------------------------------------------------------------- the token and fetching

  function readToken() {
    const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (match) {
      state.token = decodeURIComponent(match[1]) || null;
      try {
        if (state.token) {
          sessionStorage.setItem(TOKEN_KEY, state.token);
        }
      } catch (e) {
        // storage refused: the token lives as long as the page
      }
      // Out of the address bar (and of screenshots, history and shared screens).
      history.replaceState(null, '', location.pathname + location.search);
      return;
    }
    try {
      state.token = sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      state.token = null;
    }
  }

  class Denied extends Error {}

  async function getJson(path) {
    const headers = { Accept: 'application/json' };
    if (state.token) {
      headers.Authorization = 'Bearer ' + state.token;
    }
    const response = await fetch(path, {
      headers: headers, cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer',
    });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (e) {
      body = null;
    }
    if (response.status === 401 || response.status === 403) {
      throw new Denied((body && body.message) || ('HTTP ' + response.status));
    }
    if (!response.ok) {
      throw new Error(path + ': ' + ((body && (body.message || body.__type)) || ('HTTP ' + response.status)));
    }
    return body;
  }

  // ---------------------------------------------------------------- polling

  async function poll() {
    if (state.paused) {
      return;
    }
    const full = state.full;
    const stats = await getJson('/_shunt/stats?seconds=' + (full ? state.windowSeconds : RECENT));
    const nowSecond = Math.floor(stats.now / 1000);
    let total = 0;
    for (const name of Object.keys(stats.totals)) {
      total += stats.totals[name].requests;
    }
    if (!full && (nowSecond < state.nowSecond || nowSecond - state.nowSecond >= RECENT || total < state.totalRequests)) {
      // The clock moved, or the backend was reset: start again from the whole window.
      state.full = true;
      return poll();
    }
    if (full) {
      state.seconds.clear();
    } else {
      for (let t = nowSecond - RECENT; t < nowSecond; t++) {
        state.seconds.delete(t);
      }
    }
    for (const second of stats.seconds) {
      state.seconds.set(second.t, second.operations);
    }
    for (const t of Array.from(state.seconds.keys())) {
      if (t < nowSecond - state.windowSeconds || t >= nowSecond) {
        state.seconds.delete(t);
      }
    }
    state.full = false;
    state.nowSecond = nowSecond;
    state.nowMillis = stats.now;
    state.totals = stats.totals;
    state.quotas = stats.quotas;
    state.topKeys = stats.topKeys;
    state.cluster = stats.cluster || null;
    state.totalRequests = total;

    if (state.polls % 5 === 0) {
      try {
        const quotas = await getJson('/_shunt/quotas');
        state.caches = quotas.caches || null;
        state.caching = !!state.caches && Object.keys(state.caches).some((name) => state.caches[name].enabled);
        const groups = {};
        for (const usage of quotas.usage || []) {
          if (usage.group) {
            groups[usage.service + ':' + usage.operation] = usage.group;
          }
        }
        state.groups = groups;
      } catch (e) {
        if (e instanceof Denied) {
          throw e;
        }
      }
    }
    let audit = null;
    try {
      audit = await getJson('/_shunt/audit?limit=' + AUDIT_ROWS);
    } catch (e) {
      if (e instanceof Denied) {
        throw e;
      }
    }
    state.polls++;
    render(audit);
  }

  async function loop() {
    try {
      await poll();
      setState(state.paused ? 'paused' : 'live');
    } catch (e) {
      if (e instanceof Denied) {
        showDenied(e.message);
      } else {
        setState('error');
        $('failed').hidden = false;
        $('failed-reason').textContent = 'Cannot read the statistics: ' + e.message + ' (retrying every second)';
      }
    }
    setTimeout(loop, POLL_MS);
  }

  function setState(name) {
    document.body.setAttribute('data-state', name);
    const status = $('status');
    if (name === 'live') {
      $('failed').hidden = true;
      $('denied').hidden = true;
      status.textContent = 'live · ' + clockTime(state.nowSecond);
      status.setAttribute('data-now', String(state.nowMillis));
    } else if (name === 'paused') {
      status.textContent = 'paused · ' + clockTime(state.nowSecond);
    } else if (name === 'denied') {
      status.textContent = 'admin token needed';
    } else if (name === 'error') {
      status.textContent = 'no answer';
    }
  }

  function showDenied(reason) {
    setState('denied');
    $('denied').hidden = false;
    $('denied-reason').textContent = state.token ? 'The token given was refused: ' + reason : reason;
    $('denied-example').textContent = location.origin + location.pathname + '#token=TOKEN';
  }

  // ---------------------------------------------------------------- rendering

  /** Sums over the last n closed seconds, per operation. */
  function recent(n) {
    const sums = {};
    for (let t = state.nowSecond - n; t < state.nowSecond; t++) {
      const operations = state.seconds.get(t);
      if (!operations) {
        continue;
      }
      for (const name of Object.keys(operations)) {
        const o = operations[name];
        const s = sums[name] || (sums[name] = { requests: 0, accepted: 0, throttled: 0, faults: 0, errors: 0,
          cacheHits: 0, p99: 0 });
        s.requests += o.requests;
        s.accepted += o.accepted;
        s.throttled += o.throttled;
        s.faults += o.faults;
        s.errors += o.errors;
        s.cacheHits += o.cacheHits;
        s.p99 = Math.max(s.p99, o.p99);
      }
    }
    return sums;
  }

  function render(audit) {
    document.body.classList.toggle('caching', state.caching);
    const last5 = recent(5);
    const inWindow = recent(state.windowSeconds);
    renderCards(last5, inWindow);
    renderOperations(last5);
    renderCluster();
    renderCharts(inWindow);
    renderKeys();
    renderCaches();
    if (audit) {
      renderAudit(audit.Records || []);
    }
  }

  function setCard(id, value, text) {
    const node = $(id).querySelector('.value');
    node.setAttribute('data-value', String(value));
    node.textContent = text;
  }

  function renderCards(last5, inWindow) {
    let requests = 0;
    let throttled = 0;
    let failed = 0;
    let p99 = 0;
    for (const name of Object.keys(last5)) {
      requests += last5[name].requests;
      throttled += last5[name].throttled;
      failed += last5[name].faults + last5[name].errors;
      p99 = Math.max(p99, last5[name].p99);
    }
    setCard('card-rate', requests / 5, rate(requests / 5));
    setCard('card-throttled', throttled / 5, rate(throttled / 5));
    setCard('card-faults', failed / 5, rate(failed / 5));
    setCard('card-p99', p99, micros(p99));
    let hits = 0;
    for (const name of Object.keys(inWindow)) {
      hits += inWindow[name].cacheHits;
    }
    $('card-cache').hidden = !state.caching;
    setCard('card-cache', hits, number(hits));
  }

  function operationsByTraffic() {
    return Object.keys(state.totals).sort((a, b) => state.totals[b].requests - state.totals[a].requests
        || (a < b ? -1 : 1));
  }

  /**
   * What each quota group was charged per second over the last 5 s: the requests its operations let
   * through (a throttled one is not charged, nor one a cache answered). Operations share a group's quota
   * (KMS's symmetric operations share one).
   */
  function chargedByGroup(last5) {
    const charged = {};
    for (const name of Object.keys(last5)) {
      const group = state.groups[name] || name;
      const o = last5[name];
      charged[group] = (charged[group] || 0) + (o.requests - o.throttled - o.cacheHits) / 5;
    }
    return charged;
  }

  function groupMembers(group) {
    return Object.keys(state.groups).filter((name) => state.groups[name] === group).sort();
  }

  function renderOperations(last5) {
    const body = $('operations').querySelector('tbody');
    clear(body);
    const charged = chargedByGroup(last5);
    const names = operationsByTraffic();
    $('operations-empty').hidden = names.length > 0;
    $('operations-note').textContent = names.length
      ? 'req/s and quota use over the last 5 s; counts and latencies since start or reset' : '';
    for (const name of names) {
      const total = state.totals[name];
      const now = last5[name] || { requests: 0, accepted: 0, throttled: 0, cacheHits: 0 };
      const quota = state.quotas[name];
      const perSecond = now.requests / 5;
      const group = state.groups[name] || name;
      const row = el('tr', {
        'data-operation': name,
        'data-requests': total.requests,
        'data-accepted': total.accepted,
        'data-throttled': total.throttled,
        'data-faults': total.faults,
        'data-errors': total.errors,
        'data-cache-hits': total.cacheHits,
        'data-quota': quota === null || quota === undefined ? 'none' : quota,
        'data-rate': perSecond,
        'data-group': group,
      }, body);
      el('td', null, row, name);
      el('td', { class: 'num' }, row, rate(perSecond));
      const members = groupMembers(group);
      const shared = members.length > 1 ? ', shared by ' + members.join(', ') : '';
      el('td', { class: 'num', title: 'the quota of ' + group + shared }, row,
          quota === null || quota === undefined ? 'none' : rate(quota));
      const use = el('td', { title: group + ': requests charged per second (not throttled, not from a cache),'
          + ' against its quota' + shared }, row);
      if (quota) {
        const fraction = (charged[group] || 0) / quota;
        const bar = el('span', { class: 'bar' + (now.throttled > 0 ? ' over' : '') }, use);
        const fill = el('span', null, bar);
        fill.style.width = Math.min(100, Math.round(fraction * 100)) + '%';
        el('span', { class: 'bar-label' }, use, Math.round(fraction * 100) + '%' + (group !== name ? ' ' + group : ''));
      }
      el('td', { class: 'num' }, row, number(total.requests));
      el('td', { class: 'num' + (total.throttled ? ' throttled' : '') }, row, number(total.throttled));
      el('td', { class: 'num' + (total.faults ? ' faults' : '') }, row, number(total.faults));
      el('td', { class: 'num' + (total.errors ? ' errors' : '') }, row, number(total.errors));
      el('td', { class: 'num cache-col' + (total.cacheHits ? ' cachehits' : '') }, row, number(total.cacheHits));
      el('td', { class: 'num' }, row, micros(total.p50));
      el('td', { class: 'num' }, row, micros(total.p99));
      el('td', { class: 'num' }, row, micros(total.max));
    }
  }

  /** Round numbers for an axis: 0 up to at least max, in about n steps. */
  function ticks(max, n) {
    if (max <= 0) {
      return [0, 1];
    }
    const raw = max / n;
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
    const result = [];
    for (let v = 0; v < max + step * 0.999; v += step) {
      result.push(Number(v.toPrecision(6)));
    }
    return result;
  }

  function renderCharts(inWindow) {
    const container = $('charts');
    // The operations with the most requests in the window.
    const names = Object.keys(inWindow).filter((name) => inWindow[name].requests > 0)
        .sort((a, b) => inWindow[b].requests - inWindow[a].requests || (a < b ? -1 : 1)).slice(0, MAX_CHARTS);
    // Keep each operation's card (and its place) from one second to the next.
    const keep = new Set(names);
    for (const card of Array.from(container.children)) {
      if (!keep.has(card.getAttribute('data-operation'))) {
        container.removeChild(card);
      }
    }
    names.forEach((name, index) => {
      let card = container.querySelector('.chart-card[data-operation="' + CSS.escape(name) + '"]');
      if (!card) {
        card = el('div', { class: 'chart-card', 'data-operation': name });
      }
      if (container.children[index] !== card) {
        container.insertBefore(card, container.children[index] || null);
      }
      clear(card);
      const w = inWindow[name];
      const title = el('h3', null, card, name);
      el('span', { class: 'muted' }, title, number(w.requests) + ' requests, ' + number(w.throttled) + ' throttled, '
          + number(w.faults) + ' faults, ' + number(w.errors) + ' errors in the window');
      const row = el('div', { class: 'chart-row' }, card);
      row.appendChild(rateChart(name));
      row.appendChild(latencyChart(name));
    });
  }

  const RATE = { width: 420, height: 170, left: 40, right: 8, top: 10, bottom: 20 };

  function frame(size, cls, name) {
    return svg('svg', {
      class: 'chart ' + cls, viewBox: '0 0 ' + size.width + ' ' + size.height, 'data-operation': name,
      role: 'img',
    });
  }

  function timeAxis(root, size, from, to, count) {
    const plotW = size.width - size.left - size.right;
    const y = size.height - size.bottom;
    svg('line', { class: 'axis', x1: size.left, x2: size.width - size.right, y1: y, y2: y }, root);
    for (let i = 0; i <= count; i++) {
      const t = from + Math.round((to - from) * i / count);
      const x = size.left + plotW * i / count;
      svg('text', { x: x, y: size.height - 5, 'text-anchor': i === 0 ? 'start' : i === count ? 'end' : 'middle' },
          root, clockTime(t));
    }
  }

  /** Requests per second, stacked by outcome, the quota as a dashed line and cache hits as a dotted one. */
  function rateChart(name) {
    const size = RATE;
    const root = frame(size, 'rate-chart', name);
    const from = state.nowSecond - state.windowSeconds;
    const to = state.nowSecond;
    const plotW = size.width - size.left - size.right;
    const plotH = size.height - size.top - size.bottom;
    const quota = state.quotas[name];
    const series = ['accepted', 'throttled', 'faults', 'errors'];
    let peak = 0;
    let withTraffic = 0;
    let throttled = 0;
    let cacheHits = 0;
    for (let t = from; t < to; t++) {
      const o = (state.seconds.get(t) || {})[name];
      if (o) {
        peak = Math.max(peak, o.requests);
        withTraffic++;
        throttled += o.throttled;
        cacheHits += o.cacheHits;
      }
    }
    const axisMax = Math.max(peak, quota ? quota * 1.15 : 0, 1);
    const yTicks = ticks(axisMax, 4);
    const top = yTicks[yTicks.length - 1];
    const y = (v) => size.top + plotH - (v / top) * plotH;
    const x = (t) => size.left + ((t - from) / (to - from)) * plotW;
    for (const v of yTicks) {
      svg('line', { class: 'gridline', x1: size.left, x2: size.width - size.right, y1: y(v), y2: y(v) }, root);
      svg('text', { x: size.left - 4, y: y(v) + 3, 'text-anchor': 'end' }, root, number(v));
    }
    // One step path per outcome, stacked: the area between the outcomes below it and itself.
    const below = new Map();
    for (const outcome of series) {
      let d = '';
      let upper = [];
      for (let t = from; t < to; t++) {
        const o = (state.seconds.get(t) || {})[name];
        const base = below.get(t) || 0;
        const value = o ? o[outcome] : 0;
        upper.push([t, base, base + value]);
        below.set(t, base + value);
      }
      if (!upper.some((p) => p[2] > p[1])) {
        continue;
      }
      // Upper edge left to right, then the lower edge back.
      upper.forEach((p, i) => {
        d += (i === 0 ? 'M' : 'L') + x(p[0]).toFixed(1) + ',' + y(p[2]).toFixed(1)
            + 'L' + x(p[0] + 1).toFixed(1) + ',' + y(p[2]).toFixed(1);
      });
      for (let i = upper.length - 1; i >= 0; i--) {
        const p = upper[i];
        d += 'L' + x(p[0] + 1).toFixed(1) + ',' + y(p[1]).toFixed(1) + 'L' + x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1);
      }
      svg('path', { class: 'area-' + outcome, d: d + 'Z' }, root);
    }
    if (state.caching && cacheHits > 0) {
      let d = '';
      let pen = false;
      for (let t = from; t < to; t++) {
        const o = (state.seconds.get(t) || {})[name];
        if (!o) {
          pen = false;
          continue;
        }
        d += (pen ? 'L' : 'M') + x(t + 0.5).toFixed(1) + ',' + y(o.cacheHits).toFixed(1);
        pen = true;
      }
      svg('path', { class: 'cache-line', d: d }, root);
    }
    if (quota) {
      svg('line', { class: 'quota-line', x1: size.left, x2: size.width - size.right, y1: y(quota), y2: y(quota) },
          root);
      const group = state.groups[name];
      const members = group ? groupMembers(group) : [];
      // At the left: the recent seconds, at the right, are where the data is.
      svg('text', { class: 'quota-label', x: size.left + 4, y: y(quota) - 3, 'text-anchor': 'start' },
          root, 'quota ' + rate(quota) + '/s' + (members.length > 1 ? ' (' + group + ', shared)' : ''));
    }
    // Hover: one transparent column per second with traffic, titled with its numbers.
    for (let t = from; t < to; t++) {
      const o = (state.seconds.get(t) || {})[name];
      if (!o) {
        continue;
      }
      const column = svg('rect', { class: 'hover', x: x(t), y: size.top, width: Math.max(plotW / (to - from), 1),
        height: plotH }, root);
      svg('title', null, column, clockTime(t) + '  ' + o.requests + ' requests: ' + o.accepted + ' accepted, '
          + o.throttled + ' throttled, ' + o.faults + ' faults, ' + o.errors + ' errors'
          + (o.cacheHits ? ', ' + o.cacheHits + ' cache hits' : ''));
    }
    timeAxis(root, size, from, to, 4);
    setAttrs(root, {
      'data-peak-rate': peak,
      'data-seconds-with-traffic': withTraffic,
      'data-throttled': throttled,
      'data-cache-hits': cacheHits,
      'data-quota': quota === null || quota === undefined ? 'none' : quota,
    });
    svg('title', null, root, name + ': requests per second by outcome' + (quota ? ', against its quota of '
        + rate(quota) + '/s' : ''));
    return root;
  }

  const LATENCY = { width: 280, height: 170, left: 46, right: 6, top: 10, bottom: 20 };

  /** p50, p90 and p99 per second, on a log scale (latencies span microseconds to seconds). */
  function latencyChart(name) {
    const size = LATENCY;
    const root = frame(size, 'latency-chart', name);
    const from = state.nowSecond - state.windowSeconds;
    const to = state.nowSecond;
    const plotW = size.width - size.left - size.right;
    const plotH = size.height - size.top - size.bottom;
    let low = Infinity;
    let high = 0;
    for (let t = from; t < to; t++) {
      const o = (state.seconds.get(t) || {})[name];
      if (o && o.requests > 0) {
        low = Math.min(low, Math.max(1, o.p50));
        high = Math.max(high, o.p99);
      }
    }
    if (!Number.isFinite(low)) {
      low = 10;
      high = 1000;
    }
    const minExp = Math.floor(Math.log10(low));
    const maxExp = Math.max(minExp + 1, Math.ceil(Math.log10(Math.max(high, 1) * 1.01)));
    const y = (v) => size.top + plotH - ((Math.log10(Math.max(v, 1)) - minExp) / (maxExp - minExp)) * plotH;
    const x = (t) => size.left + ((t + 0.5 - from) / (to - from)) * plotW;
    for (let e = minExp; e <= maxExp; e++) {
      const v = Math.pow(10, e);
      svg('line', { class: 'gridline', x1: size.left, x2: size.width - size.right, y1: y(v), y2: y(v) }, root);
      svg('text', { x: size.left - 4, y: y(v) + 3, 'text-anchor': 'end' }, root, micros(v));
    }
    let p99Peak = 0;
    for (const p of ['p50', 'p90', 'p99']) {
      let d = '';
      let pen = false;
      for (let t = from; t < to; t++) {
        const o = (state.seconds.get(t) || {})[name];
        if (!o || o.requests === 0) {
          pen = false;
          continue;
        }
        d += (pen ? 'L' : 'M') + x(t).toFixed(1) + ',' + y(o[p]).toFixed(1);
        if (!pen) {
          // A lone second is a dot, not an invisible zero-length line.
          d += 'l0.1,0';
        }
        pen = true;
        if (p === 'p99') {
          p99Peak = Math.max(p99Peak, o.p99);
        }
      }
      if (d) {
        svg('path', { class: 'line-' + p, d: d }, root);
      }
    }
    timeAxis(root, size, from, to, 2);
    setAttrs(root, { 'data-p99-peak': p99Peak });
    svg('title', null, root, name + ': latency percentiles per second (server side)');
    return root;
  }

  /** The nodes that share this one's quotas (quota-store), and what they accepted and throttled together. */
  function renderCluster() {
    const section = $('cluster');
    const cluster = state.cluster;
    section.hidden = !cluster;
    if (!cluster) {
      return;
    }
    const nodes = cluster.nodes || [];
    setAttrs(section, { 'data-shared': String(!!cluster.shared), 'data-nodes': nodes.length });
    $('cluster-note').textContent = nodes.length + (nodes.length === 1 ? ' node' : ' nodes') + ' sharing quotas through '
        + cluster.store + ' · totals of every node since its start';
    const list = $('cluster-nodes');
    clear(list);
    for (const node of nodes) {
      el('span', { class: node === cluster.node ? 'node self' : 'node', 'data-node': node,
        title: node === cluster.node ? 'this node' : null }, list, node);
    }
    const outage = $('cluster-outage');
    outage.hidden = !!cluster.shared;
    if (!cluster.shared && cluster.local) {
      outage.textContent = 'Redis unreachable since ' + clockTime(Math.floor(cluster.local.sinceEpochSeconds))
          + ': this node enforces ' + cluster.local.share + ' locally (' + cluster.local.reason + ').';
    }
    const body = $('cluster-table').querySelector('tbody');
    clear(body);
    const operations = cluster.operations || {};
    const names = Object.keys(operations).sort();
    $('cluster-empty').hidden = names.length > 0;
    for (const name of names) {
      const o = operations[name];
      const all = o.accepted + o.throttled;
      const row = el('tr', { 'data-operation': name, 'data-accepted': o.accepted, 'data-throttled': o.throttled },
          body);
      el('td', null, row, name);
      el('td', { class: 'num' }, row, number(o.accepted));
      el('td', { class: 'num throttled' }, row, number(o.throttled));
      const share = el('td', null, row);
      const bar = el('span', { class: 'bar over' }, share);
      el('span', null, bar).style.width = (all ? Math.round(o.throttled / all * 100) : 0) + '%';
      el('span', { class: 'bar-label' }, share, all ? Math.round(o.throttled / all * 100) + '%' : '–');
    }
  }

  function renderKeys() {
    const body = $('keys').querySelector('tbody');
    clear(body);
    $('keys-empty').hidden = state.topKeys.length > 0;
    const most = state.topKeys.length ? state.topKeys[0].count : 1;
    for (const use of state.topKeys) {
      const row = el('tr', {
        'data-key': use.key, 'data-principal': use.principal, 'data-operation': use.operation, 'data-count': use.count,
      }, body);
      el('td', { title: use.key }, row, shortArn(use.key));
      el('td', { title: use.principal }, row, shortArn(use.principal));
      el('td', null, row, use.operation);
      const count = el('td', { class: 'num' }, row);
      const bar = el('span', { class: 'bar' }, count);
      el('span', null, bar).style.width = Math.max(2, Math.round(use.count / most * 100)) + '%';
      el('span', { class: 'bar-label' }, count, number(use.count));
    }
  }

  function renderCaches() {
    const section = $('caches');
    section.hidden = !state.caching;
    if (!state.caching) {
      return;
    }
    const body = $('cache-table').querySelector('tbody');
    clear(body);
    for (const name of Object.keys(state.caches)) {
      const cache = state.caches[name];
      if (!cache.enabled) {
        continue;
      }
      const hits = cache.hits || 0;
      const misses = cache.misses || 0;
      const row = el('tr', { 'data-cache': name, 'data-hits': hits, 'data-misses': misses }, body);
      el('td', null, row, name);
      el('td', { class: 'num cachehits' }, row, number(hits));
      el('td', { class: 'num' }, row, number(misses));
      el('td', { class: 'num' }, row, hits + misses ? Math.round(hits / (hits + misses) * 100) + '%' : '–');
      el('td', { class: 'num' }, row, number(cache.requestsSaved || 0));
    }
  }

  function renderAudit(records) {
    const body = $('audit').querySelector('tbody');
    clear(body);
    $('audit-empty').hidden = records.length > 0;
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i];
      const identity = r.userIdentity || {};
      const source = (r.eventSource || '').replace('.amazonaws.com', '');
      const resource = r.resources && r.resources.length ? r.resources[0].ARN : '';
      const row = el('tr', {
        'data-event-name': r.eventName, 'data-event-source': source, 'data-request-id': r.requestID,
        'data-error-code': r.errorCode || '',
      }, body);
      el('td', null, row, (r.eventTime || '').replace('T', ' ').replace('Z', ''));
      el('td', { title: identity.arn || '' }, row, shortArn(identity.arn)
          + (identity.invokedBy ? ' via ' + identity.invokedBy.replace('.amazonaws.com', '') : ''));
      el('td', null, row, source + ':' + r.eventName);
      el('td', { class: 'clip', title: resource }, row, shortArn(resource));
      const outcome = r.errorCode || 'OK';
      const cls = !r.errorCode ? 'ok' : r.errorCode === 'ThrottlingException' ? 'throttled'
          : /AccessDenied/.test(r.errorCode) ? 'denied' : 'failed';
      el('td', { class: cls, title: r.errorMessage || '' }, row, outcome);
      el('td', null, row, r.requestID);
    }
  }

  // ---------------------------------------------------------------- controls

  function start() {
    readToken();
    const windowSelect = $('window');
    windowSelect.addEventListener('change', () => {
      state.windowSeconds = Number(windowSelect.value);
      state.full = true;
    });
    const pause = $('pause');
    pause.addEventListener('click', () => {
      state.paused = !state.paused;
      pause.textContent = state.paused ? 'Resume' : 'Pause';
      state.full = true;
      setState(state.paused ? 'paused' : 'live');
    });
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('token-input').value.trim();
      $('token-input').value = '';
      state.token = value || null;
      try {
        if (value) {
          sessionStorage.setItem(TOKEN_KEY, value);
        }
      } catch (e) {
        // kept for this page only
      }
      state.full = true;
    });
    getJson('/_shunt/health').then((health) => {
      $('server').textContent = location.host + ' · Shunt ' + health.version + ' · auth ' + health.auth;
    }).catch(() => {});
    loop();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
