/**
 * The report page's own script, run in the browser that opens report.html: it reads the run
 * summary from the page's JSON block and builds every table and chart from it. User-provided
 * strings (request names, error reasons, assertion messages) only ever reach the page through
 * `textContent`, never as markup.
 *
 * Plain JavaScript in a string (no `${`, no backticks inside) so that it is inlined as written,
 * whatever compiles this module.
 */
export const REPORT_SCRIPT = String.raw`(function () {
  'use strict';
  var summary = JSON.parse(document.getElementById('run-summary').textContent);
  var COLORS = { p50: '#2f7ed8', p95: '#f28f43', p99: '#c42525', max: '#8d4653', requests: '#2f7ed8', responses: '#37a44a', ko: '#c42525', users: '#7a56c4', ok: '#37a44a' };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function append(parent, children) {
    children.forEach(function (child) { parent.appendChild(child); });
    return parent;
  }
  function ms(value) {
    if (value === null || value === undefined) return '–';
    return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
  }
  function int(value) { return Number(value).toLocaleString('en-US'); }
  function percent(part, whole) { return whole ? ((part / whole) * 100).toFixed(2) + ' %' : '0 %'; }
  function section(id, title) {
    var node = el('section', 'card');
    node.id = id;
    node.appendChild(el('h2', null, title));
    document.getElementById('report').appendChild(node);
    return node;
  }
  function table(headers, rows, className) {
    var node = el('table', className);
    var head = el('thead');
    head.appendChild(append(el('tr'), headers.map(function (header) { return el('th', null, header); })));
    var body = el('tbody');
    rows.forEach(function (row) { body.appendChild(row); });
    return append(node, [head, body]);
  }
  function row(cells, className) {
    return append(el('tr', className), cells.map(function (cell) {
      return cell instanceof Node ? append(el('td'), [cell]) : typeof cell === 'number' ? el('td', 'num', int(cell)) : el('td', null, cell);
    }));
  }

  // Header: what ran, when, how it ended.
  var g = summary.global;
  document.getElementById('title').textContent = summary.simulation;
  var facts = [
    ['Label', summary.label === null ? '–' : summary.label],
    ['Started', new Date(summary.startedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')],
    ['Duration', (summary.durationMs / 1000).toFixed(1) + ' s'],
    ['Ended', summary.stopReason.replace(/_/g, ' ')],
    ['Scenarios', summary.scenarios.map(function (s) { return s.name + ' (' + int(s.users) + ' users)'; }).join(', ')],
    ['Load generator', 'Node ' + summary.generator.node + ', ' + int(Math.round(summary.generator.cpuMs)) + ' ms CPU, ' + (summary.generator.peakRssBytes / 1048576).toFixed(0) + ' MB peak RSS'],
  ];
  append(document.getElementById('facts'), facts.map(function (fact) { return append(el('div'), [el('dt', null, fact[0]), el('dd', null, fact[1])]); }));

  var failedAssertions = summary.assertions.filter(function (a) { return !a.passed; }).length;
  var tiles = [
    ['Requests', int(g.count), ''],
    ['OK', int(g.ok), 'ok'],
    ['KO', int(g.ko) + ' (' + percent(g.ko, g.count) + ')', g.ko ? 'ko' : ''],
    ['p95', ms(g.p95) + ' ms', ''],
    ['Throughput', g.rps.toFixed(1) + ' req/s', ''],
    ['Assertions', summary.assertions.length ? (summary.assertions.length - failedAssertions) + ' passed, ' + failedAssertions + ' failed' : 'none', failedAssertions ? 'ko' : summary.assertions.length ? 'ok' : ''],
  ];
  append(document.getElementById('tiles'), tiles.map(function (tile) { return append(el('div', 'tile ' + tile[2]), [el('span', 'tile-label', tile[0]), el('strong', null, tile[1])]); }));

  // Assertions.
  var assertions = section('assertions', 'Assertions');
  if (summary.assertions.length === 0) assertions.appendChild(el('p', 'muted', 'No assertions declared.'));
  else assertions.appendChild(table(['Result', 'Assertion', 'Actual', 'Message'], summary.assertions.map(function (a) {
    return row([el('span', a.passed ? 'badge ok' : 'badge ko', a.passed ? 'passed' : 'failed'), a.description, a.actual === null ? '–' : a.actual, a.message || ''], a.passed ? 'passed' : 'failed');
  }), 'assertions'));

  // Statistics: Global, requests outside groups, then each group followed by its requests and its
  // inner groups (Gatling's layout), in the summary's order.
  function statsRow(stats, kind, label, depth) {
    var name = el('span', 'name', label);
    name.style.paddingLeft = (depth * 1.2) + 'em';
    var tr = row([name, stats.count, stats.ok, stats.ko, percent(stats.ko, stats.count), stats.rps.toFixed(2), ms(stats.min), ms(stats.p50), ms(stats.p75), ms(stats.p95), ms(stats.p99), ms(stats.max), ms(stats.mean), ms(stats.stdDev)], kind);
    tr.setAttribute('data-kind', kind);
    return tr;
  }
  var pathKey = function (path) { return JSON.stringify(path); };
  var requestsIn = {};
  var groupsIn = {};
  summary.requests.forEach(function (r) { (requestsIn[pathKey(r.groups)] = requestsIn[pathKey(r.groups)] || []).push(r); });
  summary.groups.forEach(function (group) { (groupsIn[pathKey(group.groups.slice(0, -1))] = groupsIn[pathKey(group.groups.slice(0, -1))] || []).push(group); });
  var statsRows = [statsRow(g, 'global', 'Global', 0)];
  function addLevel(path) {
    var key = pathKey(path);
    (requestsIn[key] || []).forEach(function (r) { statsRows.push(statsRow(r, 'request', r.name, r.groups.length)); });
    delete requestsIn[key];
    var inner = groupsIn[key] || [];
    delete groupsIn[key];
    inner.forEach(function (group) {
      statsRows.push(statsRow(group, 'group', group.groups[group.groups.length - 1] || group.name, group.groups.length - 1));
      addLevel(group.groups);
    });
  }
  addLevel([]);
  // Requests (or groups) whose enclosing group has no row of its own: listed last, with their path.
  Object.keys(groupsIn).forEach(function (key) { groupsIn[key].forEach(function (group) { statsRows.push(statsRow(group, 'group', group.name, 0)); }); });
  Object.keys(requestsIn).forEach(function (key) {
    requestsIn[key].forEach(function (r) { statsRows.push(statsRow(r, 'request', r.groups.concat([r.name]).join(' / '), 0)); });
  });
  var stats = section('statistics', 'Statistics (response times in ms, OK and KO)');
  var scroller = el('div', 'scroll');
  scroller.appendChild(table(['Request', 'Total', 'OK', 'KO', 'KO %', 'req/s', 'Min', 'p50', 'p75', 'p95', 'p99', 'Max', 'Mean', 'Std dev'], statsRows, 'stats'));
  stats.appendChild(scroller);

  // Errors by reason.
  var errors = section('errors', 'Errors');
  if (summary.errors.length === 0) errors.appendChild(el('p', 'muted', 'No failed requests.'));
  else errors.appendChild(table(['Reason', 'Count', '% of errors'], summary.errors.map(function (e) { return row([e.reason, e.count, e.percent.toFixed(2) + ' %']); }), 'errors'));

  // Charts (uPlot): x in epoch seconds for the timelines.
  var charts = [];
  // The timeline is per second: no tick finer than that.
  var SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  function chart(id, title, series, data, options, xSeries) {
    var card = section(id, title);
    if (!data[0].length) { card.appendChild(el('p', 'muted', 'No data.')); return; }
    var holder = el('div', 'chart');
    card.appendChild(holder);
    var opts = Object.assign({ width: Math.max(300, holder.clientWidth), height: 260, series: [xSeries || {}].concat(series), axes: [{ incrs: SECOND_STEPS }, { size: 70 }], cursor: { drag: { x: true, y: false } } }, options || {});
    charts.push({ plot: new uPlot(opts, data, holder), holder: holder });
  }
  var timeline = summary.timeline;
  var xs = timeline.map(function (p) { return summary.startedAt / 1000 + p.second; });
  var pick = function (key) { return timeline.map(function (p) { return p[key]; }); };
  var line = function (label, key, unit) { return { label: label, stroke: COLORS[key], width: 1.5, value: function (u, v) { return v === null || v === undefined ? '–' : (unit === 'ms' ? ms(v) + ' ms' : int(v)); } }; };
  chart('chart-percentiles', 'Response time percentiles over time (ms)', [line('p50', 'p50', 'ms'), line('p95', 'p95', 'ms'), line('p99', 'p99', 'ms'), line('max', 'max', 'ms')], [xs, pick('p50'), pick('p95'), pick('p99'), pick('max')]);
  chart('chart-throughput', 'Requests and responses per second', [line('requests/s', 'requests'), line('responses/s', 'responses'), line('KO/s', 'ko')], [xs, pick('requests'), pick('responses'), pick('ko')]);
  chart('chart-users', 'Active users', [Object.assign(line('active users', 'users'), { fill: 'rgba(122,86,196,0.15)' })], [xs, pick('activeUsers')]);
  // Buckets side by side on an index axis (their widths vary: 5 ms near zero, seconds in the tail).
  var dist = summary.distribution;
  var bucketLabel = function (b) { return int(b.fromMs) + '–' + int(b.toMs); };
  var bars = function (align) { return uPlot.paths.bars({ size: [0.4, 36], align: align }); };
  chart('chart-distribution', 'Response time distribution (requests per response-time bucket; bucket starts in ms)', [
    { label: 'OK', stroke: COLORS.ok, fill: 'rgba(55,164,74,0.65)', paths: bars(-1), points: { show: false }, value: function (u, v) { return v === null || v === undefined ? '–' : int(v); } },
    { label: 'KO', stroke: COLORS.ko, fill: 'rgba(196,37,37,0.65)', paths: bars(1), points: { show: false }, value: function (u, v) { return v === null || v === undefined ? '–' : int(v); } },
  ], [dist.map(function (b, i) { return i; }), dist.map(function (b) { return b.ok; }), dist.map(function (b) { return b.ko; })], {
    scales: { x: { time: false, range: [-0.6, dist.length - 0.4] } },
    axes: [
      {
        // Every bucket's start when they fit, else every n-th: labels about 56 px apart.
        splits: function (u) {
          var step = Math.max(1, Math.ceil(dist.length / Math.max(1, Math.floor(u.bbox.width / (window.devicePixelRatio || 1) / 56))));
          return dist.map(function (b, i) { return i; }).filter(function (i) { return i % step === 0; });
        },
        values: function (u, splits) { return splits.map(function (i) { return dist[i] ? int(dist[i].fromMs) : ''; }); },
      },
      { size: 70 },
    ],
  }, { label: 'bucket', value: function (u, i) { return i === null || i === undefined || !dist[i] ? '–' : bucketLabel(dist[i]) + ' ms'; } });

  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.plot.setSize({ width: Math.max(300, c.holder.clientWidth), height: 260 }); });
  });
  document.body.setAttribute('data-rendered', 'true');
})();`;
