/* The AoE page of the web console: plain DOM, no framework. Every text from the server is set
   with textContent or as a property, never parsed as HTML. */
(function () {
  'use strict';
  var root = document.getElementById('aoe');
  if (!root || !document.getElementById('aoe-keys')) { return; }
  // Absolute, without the user:password@ a login URL may carry (fetch refuses such URLs).
  var base = location.protocol + '//' + location.host + root.getAttribute('data-base');
  var token = root.getAttribute('data-token');
  var keys = JSON.parse(document.getElementById('aoe-keys').textContent);
  var msg = document.getElementById('aoe-msg');
  var updated = document.getElementById('aoe-updated');
  var detail = document.getElementById('aoe-detail');
  var selected = null;      // name of the export shown in the detail panel
  var builtFrom = null;     // JSON of the settings the detail forms were built from
  var refreshes = 0;

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined) { return; }
        if (k === 'text') { e.textContent = String(v); }
        else if (k === 'className') { e.className = v; }
        else if (k.slice(0, 2) === 'on') { e.addEventListener(k.slice(2), v); }
        else { e.setAttribute(k, String(v)); }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function show(ok, text) {
    msg.textContent = text;
    msg.className = 'aoe-msg ' + (ok ? 'aoe-ok' : 'aoe-error');
    msg.setAttribute('data-ok', ok ? 'true' : 'false');
  }

  function bytes(n) {
    if (n === null || n === undefined || n < 0) { return '\u2014'; }
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    var i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(1)) + ' ' + u[i];
  }

  function sum(m) {
    var t = 0;
    Object.keys(m || {}).forEach(function (k) { t += m[k]; });
    return t;
  }

  function kinds(m) {
    var ks = Object.keys(m || {});
    return ks.length === 0 ? 'none' : ks.map(function (k) { return k + ': ' + m[k]; }).join(', ');
  }

  // ---- rates and the chart ---------------------------------------------------------------

  // Rates are computed here, in the page, from successive counter snapshots of data.json (its
  // "now" is the server's clock); the server keeps no history. Counters restart at 0 when an
  // export restarts: a negative delta is such a restart, and that interval has no rate.
  var WINDOW_MS = 5 * 60 * 1000;   // the chart shows the last 5 minutes
  var history = {};                // export name -> { last: snapshot, rate: rates or null, samples: [{t, iops}] }

  function snapshot(x, now) {
    var st = x.stats || {};
    if (typeof st.reads !== 'number') { return null; }   // not running: no counters
    return { t: now, ops: st.reads + st.writes, rd: st.bytesRead, wr: st.bytesWritten };
  }

  // Per second between two snapshots; null when there is none before, or the counters restarted.
  function rates(prev, cur) {
    if (!prev || !cur || cur.t <= prev.t) { return null; }
    var dt = (cur.t - prev.t) / 1000;
    var ops = cur.ops - prev.ops, rd = cur.rd - prev.rd, wr = cur.wr - prev.wr;
    if (ops < 0 || rd < 0 || wr < 0) { return null; }
    return { iops: ops / dt, rd: rd / dt, wr: wr / dt };
  }

  function track(d) {
    var seen = {};
    d.exports.forEach(function (x) {
      seen[x.name] = true;
      var h = history[x.name] || (history[x.name] = { last: null, rate: null, samples: [] });
      var cur = snapshot(x, d.now);
      h.rate = rates(h.last, cur);
      h.last = cur;
      h.samples.push({ t: d.now, iops: h.rate ? h.rate.iops : null });   // null: a gap in the chart
      while (h.samples.length > 0 && h.samples[0].t < d.now - WINDOW_MS) { h.samples.shift(); }
    });
    Object.keys(history).forEach(function (n) { if (!seen[n]) { delete history[n]; } });
  }

  function iopsText(r) { return r ? String(Math.round(r.iops)) : '\u2014'; }
  function mbText(v) { return (v / 1e6).toFixed(v >= 1e8 ? 0 : v >= 1e7 ? 1 : 2); }

  var SVG = 'http://www.w3.org/2000/svg';

  // An inline SVG sparkline of IOPS over the last 5 minutes (right edge: now), scaled to its maximum.
  function sparkline(h, now) {
    var w = 64, ht = 18;
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('width', w);
    svg.setAttribute('height', ht);
    svg.setAttribute('class', 'aoe-spark');
    var max = 0;
    h.samples.forEach(function (p) { if (p.iops !== null && p.iops > max) { max = p.iops; } });
    var title = document.createElementNS(SVG, 'title');
    title.textContent = 'IOPS over the last 5 minutes; peak ' + Math.round(max);
    svg.appendChild(title);
    var points = [];
    function flush() {
      if (points.length > 0) {
        var line = document.createElementNS(SVG, 'polyline');
        line.setAttribute('points', (points.length === 1 ? [points[0], points[0]] : points).join(' '));
        svg.appendChild(line);
      }
      points = [];
    }
    h.samples.forEach(function (p) {
      if (p.iops === null) { flush(); return; }
      var x = (w - 1) * (1 - (now - p.t) / WINDOW_MS);
      var y = (ht - 1.5) - (ht - 3) * (max > 0 ? p.iops / max : 0);
      points.push(x.toFixed(1) + ',' + y.toFixed(1));
    });
    flush();
    return svg;
  }

  // The state cell: the typed state, then the detail (wrapped, at most two lines; all of it on hover
  // and in the detail panel). Its text is the status line (plus the freeze state).
  function stateCell(x) {
    var status = x.status || x.state;
    var head = x.state, rest = status;
    if (status.indexOf(x.state) === 0) {
      rest = status.slice(x.state.length);
      if (rest.charAt(0) === ':') { head += ':'; rest = rest.slice(1); }
    }
    rest = (rest + freezeText(x.freeze)).trim();
    var full = head + (rest ? ' ' + rest : '');
    return el('td', { 'data-col': 'state', className: 'aoe-statecol ' + stateClass(x.state), title: full },
      el('span', { className: 'aoe-state-word', text: head }),
      rest ? ' ' : null,
      rest ? el('span', { className: 'aoe-state-detail', text: rest }) : null);
  }

  // s: the typed state (serving, probing, waiting, refused, invalid, ...), never the detail text
  function stateClass(s) {
    if (s === 'serving') { return 'aoe-state-serving'; }
    if (s === 'refused' || s === 'invalid') { return 'aoe-state-bad'; }
    return 'aoe-state-other';
  }

  /** POSTs one change; shows the answer (a refusal names the problem); refreshes. */
  function post(pairs) {
    var body = new URLSearchParams();
    pairs.forEach(function (p) { body.append(p[0], p[1]); });
    return fetch(base + '/action.json', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'X-AoE-Token': token, 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: body
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, message: 'HTTP ' + r.status }; });
    }).then(function (res) {
      show(!!res.ok, res.message);
      return refresh().then(function () { return res; });
    }, function (e) {
      show(false, 'request failed: ' + e);
      return { ok: false };
    });
  }

  function action(name, what, extra) {
    return post([['action', what], ['name', name]].concat(extra || []));
  }

  // ---- the exports table ----------------------------------------------------------------

  // The freeze extension's state of an export (absent when it does not use freeze).
  function freezeText(f) {
    if (!f) { return ''; }
    if (f.state === 'FROZEN') { return ' \u00b7 frozen (' + bytes(f.shadowSectors * 512) + ' in the shadow)'; }
    if (f.state === 'MERGING') { return ' \u00b7 merging ' + f.percent + '%'; }
    return '';
  }

  function freezeButton(x) {
    var f = x.freeze;
    if (!f) { return null; }
    if (f.state === 'MERGING') {
      return el('button', { type: 'button', 'data-action': 'merging', disabled: 'disabled', text: 'Merging ' + f.percent + '%' });
    }
    var what = f.state === 'FROZEN' ? 'unfreeze' : 'freeze';
    return el('button', { type: 'button', 'data-action': what, onclick: function () { action(x.name, what); },
      text: what === 'freeze' ? 'Freeze' : 'Unfreeze' });
  }

  function renderExports(d) {
    var tbody = document.querySelector('#aoe-exports tbody');
    var rows = document.createDocumentFragment();
    if (d.exports.length === 0) {
      rows.appendChild(el('tr', null, el('td', { colspan: 19, className: 'aoe-quiet', text: 'No exports. Create one below.' })));
    }
    d.exports.forEach(function (x) {
      var s = x.settings || {};
      var st = x.stats || {};
      var disabled = String(s.enabled).toLowerCase() === 'false';
      var h = history[x.name];
      var r = h ? h.rate : null;
      function num(col, v, title) { return el('td', { className: 'aoe-num', 'data-col': col, title: title, text: v }); }
      // a count with its bytes below it, to keep the table narrow
      function counted(col, n, bytesCol, b) {
        return el('td', { className: 'aoe-num' }, el('div', { 'data-col': col, text: n }),
          el('div', { 'data-col': bytesCol, className: 'aoe-sub', title: b + ' bytes', text: bytes(b) }));
      }
      var tr = el('tr', { 'data-export': x.name, className: x.name === selected ? 'aoe-selected' : null },
        el('td', { 'data-col': 'name' }, el('a', { href: '#', onclick: function (ev) { ev.preventDefault(); select(x.name); }, text: x.name }),
          el('div', { 'data-col': 'address', className: 'aoe-sub', text: x.address || '\u2014' })),
        stateCell(x),
        el('td', { 'data-col': 'interfaces' }, el('div', { className: 'aoe-wrap', text: s.interfaces || '' })),
        el('td', { 'data-col': 'file', title: s.file || null }, el('div', { className: 'aoe-wrap', text: s.file || '' })),
        num('size', x.sectors >= 0 ? bytes(x.sectors * 512) : '\u2014', x.sectors >= 0 ? x.sectors + ' sectors' : null),
        num('clients', Object.keys(x.clients || {}).length),
        num('requests', st.requests),
        counted('reads', st.reads, 'bytesRead', st.bytesRead),
        counted('writes', st.writes, 'bytesWritten', st.bytesWritten),
        num('iops', iopsText(r), 'reads and writes per second over the last poll'),
        num('readRate', r ? mbText(r.rd) : '\u2014', 'MB (10^6 bytes) read per second'),
        num('writeRate', r ? mbText(r.wr) : '\u2014', 'MB (10^6 bytes) written per second'),
        el('td', { 'data-col': 'chart' }, h ? sparkline(h, d.now) : null),
        num('errors', sum(st.errors), kinds(st.errors)),
        num('drops', sum(st.drops), kinds(st.drops)),
        num('duplicates', st.duplicates),
        num('p50', st.p50 || '\u2014', (st.latencyCount || 0) + ' samples'),
        num('p99', st.p99 || '\u2014', (st.latencyCount || 0) + ' samples'),
        el('td', { 'data-col': 'actions' },
          el('button', { type: 'button', 'data-action': 'edit', onclick: function () { select(x.name); }, text: 'Edit' }),
          el('button', { type: 'button', 'data-action': disabled ? 'enable' : 'disable',
            onclick: function () { action(x.name, disabled ? 'enable' : 'disable'); }, text: disabled ? 'Enable' : 'Disable' }),
          freezeButton(x),
          el('button', { type: 'button', 'data-action': 'delete', onclick: function () {
            if (window.confirm('Delete export ' + x.name + ' and its .cfg file? The image file stays.')) {
              action(x.name, 'delete').then(function (res) { if (res.ok && selected === x.name) { select(null); } });
            }
          }, text: 'Delete' })));
      rows.appendChild(tr);
    });
    tbody.replaceChildren(rows);
  }

  function renderPorts(d) {
    var tbody = document.querySelector('#aoe-ports tbody');
    var rows = document.createDocumentFragment();
    if (d.ports.length === 0) {
      rows.appendChild(el('tr', null, el('td', { colspan: 11, className: 'aoe-quiet', text: 'No interfaces in use.' })));
    }
    d.ports.forEach(function (p) {
      function num(v) { return el('td', { className: 'aoe-num', text: v }); }
      rows.appendChild(el('tr', { 'data-port': p.name },
        el('td', { text: p.name }), el('td', { text: p.transport }), el('td', { text: p.up ? 'yes' : 'no' }),
        el('td', { text: p.mac }), num(p.mtu), num(p.maxSectors), el('td', { text: (p.exports || []).join(', ') }),
        num(p.framesIn), num(p.framesOut), num(p.sendFailures), num(p.ignored)));
    });
    tbody.replaceChildren(rows);
  }

  // ---- the detail panel of one export ----------------------------------------------------

  function select(name) {
    selected = name;
    builtFrom = null;
    if (lastData) { render(lastData); }
    if (name) { detail.scrollIntoView({ block: 'nearest' }); }
  }

  function dirty() {
    return detail.querySelector('.aoe-changed') !== null;
  }

  function input(name, value, attrs) {
    var i = el('input', Object.assign({ name: name, size: 40 }, attrs || {}));
    i.value = value === undefined || value === null ? '' : value;
    i.setAttribute('data-orig', i.value);
    i.addEventListener('input', function () { i.classList.toggle('aoe-changed', i.value !== i.getAttribute('data-orig')); });
    return i;
  }

  function buildDetail(x) {
    var s = x.settings || {};
    var defs = x.defaults || {};
    var edit = el('form', { id: 'aoe-edit', className: 'aoe-form', method: 'post', action: base + '/action.json' });
    var tb = el('tbody');
    Object.keys(keys).forEach(function (k) {
      tb.appendChild(el('tr', null, el('th', null, el('label', { 'for': 'aoe-edit-' + k, text: k })),
        // a key left out of the .cfg shows its default, greyed
        el('td', null, input('k:' + k, s[k], { id: 'aoe-edit-' + k, placeholder: defs[k] || null,
          title: defs[k] ? 'default: ' + defs[k] : null })),
        el('td', { className: 'aoe-quiet', text: keys[k] })));
    });
    edit.appendChild(el('table', { className: 'nicetable aoe-settings' }, tb));
    edit.appendChild(el('p', null, el('button', { type: 'submit', id: 'aoe-edit-submit', text: 'Save changes' }),
      el('span', { className: 'aoe-quiet', text: ' Only changed fields are sent; an emptied field goes back to its default.' })));
    edit.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var changes = [];
      edit.querySelectorAll('input[data-orig]').forEach(function (i) {
        if (i.value !== i.getAttribute('data-orig')) { changes.push([i.name, i.value]); }
      });
      if (changes.length === 0) { show(false, 'nothing changed'); return; }
      action(x.name, 'update', changes).then(function (res) { if (res.ok) { builtFrom = null; render(lastData); } });
    });

    function one(id, title, key, help) {
      var f = el('form', { id: id, className: 'aoe-form', method: 'post', action: base + '/action.json' },
        el('h4', { text: title }),
        input('k:' + key, s[key], { id: id + '-value', size: 60 }), ' ',
        el('button', { type: 'submit', id: id + '-submit', text: 'Save' }),
        el('div', { className: 'aoe-quiet', text: help }));
      f.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var i = f.querySelector('input');
        action(x.name, 'update', [[i.name, i.value]]).then(function (res) { if (res.ok) { builtFrom = null; render(lastData); } });
      });
      return f;
    }

    var reserve = el('form', { id: 'aoe-reserve', className: 'aoe-form', method: 'post', action: base + '/action.json' },
      el('h4', { text: 'Reservation (live)' }),
      input('k:reservation', (x.live.reservation || []).join(', '), { id: 'aoe-reserve-value', size: 60 }), ' ',
      el('button', { type: 'submit', id: 'aoe-reserve-submit', text: 'Set reservation' }),
      el('div', { className: 'aoe-quiet', text: 'MAC addresses, comma separated; empty releases the reservation. Kept in the state file, not the .cfg.' }));
    reserve.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var i = reserve.querySelector('input');
      action(x.name, 'reserve', [[i.name, i.value]]).then(function (res) { if (res.ok) { builtFrom = null; render(lastData); } });
    });

    var live = el('table', { className: 'nicetable', id: 'aoe-live' },
      el('thead', null, el('tr', null, el('th', { text: '' }), el('th', { text: 'configured (.cfg)' }), el('th', { text: 'live (state file, set over the wire)' }))),
      el('tbody', null,
        el('tr', null, el('th', { text: 'config string' }), el('td', { id: 'aoe-d-cfg-configstring' }), el('td', { id: 'aoe-d-live-configstring' })),
        el('tr', null, el('th', { text: 'MAC mask list' }), el('td', { id: 'aoe-d-cfg-mask' }), el('td', { id: 'aoe-d-live-mask' })),
        el('tr', null, el('th', { text: 'reservation' }), el('td', { className: 'aoe-quiet', text: '(not configured)' }), el('td', { id: 'aoe-d-live-reservation' }))));

    detail.replaceChildren(
      el('h3', null, 'Export ', el('span', { id: 'aoe-d-name', text: x.name }), ' ', el('span', { id: 'aoe-d-address', text: x.address }),
        ' \u2014 ', el('span', { id: 'aoe-d-state' }), ' ',
        el('button', { type: 'button', id: 'aoe-d-close', onclick: function () { select(null); }, text: 'Close' })),
      el('p', { className: 'aoe-quiet' }, 'Configuration: ', el('span', { text: x.source || '' })),
      el('div', { className: 'aoe-cols' },
        el('div', null, el('h4', { text: 'Configured and live values' }), live,
          el('p', null, el('button', { type: 'button', id: 'aoe-reset-live', onclick: function () {
            action(x.name, 'reset-live');
          }, text: 'Reset live state to the configured values' }),
            String((x.settings || {}).file || '').indexOf('rbd:') === 0
              ? el('button', { type: 'button', id: 'aoe-handover', title: 'Stop answering, release the image\'s lock '
                  + 'and stand by: a standby appliance takes over at once', onclick: function () {
                  action(x.name, 'handover');
                }, text: 'Hand over to a standby' }) : null),
          el('h4', { text: 'Clients seen' }), el('div', { id: 'aoe-d-clients' }),
          el('h4', { text: 'Errors, drops and other counters' }), el('div', { id: 'aoe-d-errors' })),
        el('div', null,
          one('aoe-masks', 'MAC mask list (configured allowed-macs)', 'allowed-macs',
            'MAC addresses, comma separated; empty = every host gets answers. Saved in the .cfg; replaces the live list.'),
          one('aoe-cfgstr', 'Config string (configured config-string)', 'config-string',
            'At most 1024 bytes. Saved in the .cfg; replaces the live config string.'),
          reserve)),
      el('h4', { text: 'All settings' }), edit);
  }

  function updateDetail(x, now) {
    var s = x.settings || {};
    var st = document.getElementById('aoe-d-state');
    st.textContent = x.status;
    st.className = stateClass(x.state);
    document.getElementById('aoe-d-cfg-configstring').textContent = s['config-string'] || '(empty)';
    document.getElementById('aoe-d-live-configstring').textContent = x.live.configString || '(empty)';
    document.getElementById('aoe-d-cfg-mask').textContent = s['allowed-macs'] || '(empty: everyone)';
    document.getElementById('aoe-d-live-mask').textContent = (x.live.mask || []).join(', ') || '(empty: everyone)';
    document.getElementById('aoe-d-live-reservation').textContent = (x.live.reservation || []).join(', ') || '(none)';
    var macs = Object.keys(x.clients || {});
    document.getElementById('aoe-d-clients').textContent = macs.length === 0 ? 'none yet' : macs.map(function (m) {
      return m + ' (' + Math.max(0, Math.round((now - x.clients[m]) / 1000)) + ' s ago)';
    }).join(', ');
    var stats = x.stats || {};
    document.getElementById('aoe-d-errors').textContent = 'errors: ' + kinds(stats.errors) + '; drops: ' + kinds(stats.drops)
        + '; other counters: ' + kinds(stats.info)
      + '; duplicates: ' + (stats.duplicates || 0);
  }

  var lastData = null;

  function render(d) {
    renderExports(d);
    renderPorts(d);
    var x = null;
    d.exports.forEach(function (e) { if (e.name === selected) { x = e; } });
    if (!x) {
      if (selected !== null && builtFrom !== null) { selected = null; }
      builtFrom = null;
      detail.hidden = true;
      detail.replaceChildren();
      return;
    }
    var key = JSON.stringify([x.settings, x.live.reservation]);
    if (builtFrom === null || (key !== builtFrom && !dirty())) {
      buildDetail(x);
      builtFrom = key;
    }
    detail.hidden = false;
    updateDetail(x, d.now);
  }

  // ---- polling ---------------------------------------------------------------------------

  function refresh() {
    return fetch(base + '/data.json', { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    }).then(function (d) {
      lastData = d;
      refreshes++;
      track(d);
      render(d);
      root.setAttribute('data-refreshes', String(refreshes));
      updated.textContent = 'updated ' + new Date().toLocaleTimeString();
    }).catch(function (e) {
      updated.textContent = 'refresh failed: ' + e.message;
    });
  }

  function loop() {
    refresh().then(function () { setTimeout(loop, 2000); });
  }

  document.getElementById('aoe-create').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target;
    var pairs = [];
    f.querySelectorAll('input').forEach(function (i) {
      if (i.name && i.value.trim() !== '') { pairs.push([i.name, i.value]); }
    });
    post(pairs).then(function (res) {
      if (res.ok) {
        var name = f.querySelector('[name=name]').value.trim();
        f.reset();
        select(name);
      }
    });
  });

  loop();
}());
