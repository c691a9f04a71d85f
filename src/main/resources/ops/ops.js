// The operator page. Every value comes from the hub's database, and bodies and errors come from
// senders: values are only ever put into the page with textContent, never as HTML.
'use strict';

const REFRESH_MS = 5000;
let csrf = null;

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tableId, items, columns, emptyText, extra) {
  const body = document.querySelector('#' + tableId + ' tbody');
  const rows = [];
  if (items.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(tr, emptyText, 'empty');
    td.colSpan = document.querySelectorAll('#' + tableId + ' thead th').length;
    rows.push(tr);
  }
  for (const item of items) {
    const tr = document.createElement('tr');
    for (const [key, className] of columns) cell(tr, typeof key === 'function' ? key(item) : item[key], className);
    if (extra) extra(tr, item);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

function time(value) {
  return value ? value.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '';
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return 'none';
  if (seconds < 120) return seconds + ' s';
  if (seconds < 7200) return Math.floor(seconds / 60) + ' min';
  if (seconds < 172800) return Math.floor(seconds / 3600) + ' h';
  return Math.floor(seconds / 86400) + ' days';
}

function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}

function notice(text, bad) {
  const p = document.getElementById('notice');
  p.textContent = text;
  p.className = bad ? 'notice bad' : 'notice';
  p.hidden = false;
}

function render(state) {
  csrf = state.csrf;
  const backlog = ['pending', 'processing', 'parked'].map(s => Object.assign({ state: s }, state.backlog[s]));
  fill('backlog', backlog, [['state'], ['events', 'num'], ['owing']], '',
    (tr, item) => { if (item.events > 0) tr.className = 'nonzero'; });
  document.getElementById('oldest-pending').textContent = state.oldestPending
    ? age(state.oldestPendingAgeSeconds) + ' ago (' + time(state.oldestPending) + ')' : 'none';

  document.getElementById('parked-count').textContent = '(' + state.backlog.parked.events + ')';
  fill('parked', state.parked,
    [['jobId'], ['status'], ['attempts', 'num'], ['waitingFor'], [e => time(e.receivedAt)], ['lastError', 'error']],
    'No parked events.',
    (tr, item) => {
      tr.dataset.job = item.jobId;
      const td = document.createElement('td');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'replay';
      button.textContent = 'Replay';
      button.addEventListener('click', () => replay(item.jobId, button));
      td.appendChild(button);
      tr.appendChild(td);
    });

  document.getElementById('quarantine-count').textContent = '(' + state.quarantineTotal + ')';
  fill('quarantine', state.quarantine,
    [[q => time(q.receivedAt)], ['source'], ['reason', 'error'], [q => bytes(q.size), 'num'], ['firstBytes', 'bytes']],
    'Nothing quarantined.',
    (tr, item) => {
      tr.dataset.id = item.id;
      const td = document.createElement('td');
      const a = document.createElement('a');
      a.href = '/ops/api/quarantine/' + encodeURIComponent(item.id);
      a.textContent = 'Download';
      a.setAttribute('download', '');
      td.appendChild(a);
      tr.appendChild(td);
    });

  renderBackfills(state);

  fill('failed-jobs', state.failedJobs,
    [['jobId'], ['mediaId'], ['code'], ['message'], [j => time(j.eventTime)], [j => time(j.processedAt)]],
    'No failed jobs.');
  fill('alerts', state.alerts,
    [['jobId'], ['code'], [a => time(a.createdAt)], ['mode'], [a => time(a.digestSentAt)]],
    'No alerts.');
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString() + ', refreshes every ' + REFRESH_MS / 1000 + ' s';
}

async function refresh() {
  try {
    const response = await fetch('/ops/api/state', { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) { location.reload(); return; }
    if (!response.ok) { notice('The hub answered ' + response.status + '; retrying.', true); return; }
    render(await response.json());
  } catch (e) {
    notice('The hub cannot be reached; retrying.', true);
  }
}

async function replay(jobId, button) {
  button.disabled = true;
  try {
    const response = await fetch('/ops/api/replay', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Ops-CSRF': csrf || '' },
      body: JSON.stringify({ job: jobId })
    });
    if (response.status === 401) { location.reload(); return; }
    const result = await response.json();
    if (response.ok) {
      notice('Replay of job ' + jobId + ': ' + result.replayed + ' event(s) back to pending.', false);
    } else {
      notice('Replay of job ' + jobId + ' refused: ' + (result.reason || response.status), true);
    }
  } catch (e) {
    notice('Replay of job ' + jobId + ' failed: the hub cannot be reached.', true);
  }
  await refresh();
}

async function logout() {
  await fetch('/ops/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Ops-CSRF': csrf || '' } });
  location.href = '/ops';
}

// Backfills: the form's destinations, and each backfill's progress with its buttons.
function renderBackfills(state) {
  const select = document.getElementById('backfill-destination');
  if (select.options.length === 0) {
    for (const name of state.destinations) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    }
  }
  fill('backfills', state.backfills,
    [['destination'], [b => b.from + ' .. ' + b.to + (b.kinds ? ' (' + b.kinds + ')' : '')], ['state', 'state'],
      [b => b.listed === null ? 'counting' : b.listed, 'num'], ['delivered', 'num'], ['skipped', 'num'], ['failed', 'num'],
      ['parked', 'num'], [b => b.rate + '/s', 'num'],
      [b => b.estimatedEnd ? time(b.estimatedEnd) + ' (' + age(b.etaSeconds) + ')' : '']],
    'No backfills.',
    (tr, item) => {
      tr.dataset.backfill = item.id;
      tr.dataset.state = item.state;
      const td = document.createElement('td');
      const actions = { running: ['pause', 'cancel'], paused: ['resume', 'cancel'], done: item.parked > 0 ? ['retry-parked'] : [] };
      for (const action of actions[item.state] || []) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'backfill-' + action;
        button.textContent = action.replace('-', ' ');
        button.addEventListener('click', () => backfillAction(item.id, action, button));
        td.appendChild(button);
      }
      tr.appendChild(td);
    });
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Ops-CSRF': csrf || '' },
    body: body === undefined ? '' : JSON.stringify(body)
  });
  if (response.status === 401) { location.reload(); return null; }
  return { ok: response.ok, status: response.status, json: await response.json() };
}

async function startBackfill(event) {
  event.preventDefault();
  const request = {
    destination: document.getElementById('backfill-destination').value,
    from: document.getElementById('backfill-from').value,
    to: document.getElementById('backfill-to').value,
    kinds: document.getElementById('backfill-kinds').value
  };
  try {
    const result = await post('/ops/api/backfill', request);
    if (!result) return;
    if (result.ok) {
      notice('Backfill of ' + request.destination + ' from ' + request.from + ' to ' + request.to + ' started.', false);
    } else {
      notice('Backfill refused: ' + (result.json.reason || result.status), true);
    }
  } catch (e) {
    notice('Backfill failed: the hub cannot be reached.', true);
  }
  await refresh();
}

async function backfillAction(id, action, button) {
  button.disabled = true;
  try {
    const result = await post('/ops/api/backfill/' + encodeURIComponent(id) + '/' + action);
    if (result && !result.ok) notice('Backfill ' + action + ' refused: ' + (result.json.reason || result.status), true);
  } catch (e) {
    notice('Backfill ' + action + ' failed: the hub cannot be reached.', true);
  }
  await refresh();
}

// The search: one row per destination of each event of the job (the JSON of GET /observe/events).
async function search(event) {
  event.preventDefault();
  const job = document.getElementById('search-job').value.trim();
  if (!job) return;
  const summary = document.getElementById('search-summary');
  const table = document.getElementById('search-result');
  try {
    const response = await fetch('/ops/api/events?job=' + encodeURIComponent(job), { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) { location.reload(); return; }
    const result = await response.json();
    if (!response.ok) { summary.textContent = 'Search refused: ' + (result.reason || response.status); table.hidden = true; return; }
    const rows = [];
    for (const e of result.events) {
      const destinations = e.destinations.length ? e.destinations : [{}];
      for (const d of destinations) {
        rows.push({ status: e.status, source: e.source, receivedAt: e.receivedAt, state: e.state, archive: e.archive,
          name: d.name, delivery: d.state, attempts: d.attempts, doneAt: d.doneAt, lastError: d.lastError });
      }
    }
    if (result.pastRetention) {
      summary.textContent = 'Job ' + result.job + ': past retention, its events are no longer in the inbox. Archive key: ' + (result.archiveHint || 'unknown');
    } else if (result.events.length === 0) {
      summary.textContent = 'Job ' + result.job + ': no events.';
    } else {
      summary.textContent = 'Job ' + result.job + ': ' + result.events.length + ' event(s).';
    }
    table.hidden = rows.length === 0;
    fill('search-result', rows, [['status'], ['source'], [r => time(r.receivedAt)], ['state'], ['archive', 'bytes'],
      ['name'], ['delivery'], ['attempts', 'num'], [r => time(r.doneAt)], ['lastError', 'error']], '',
      (tr, item) => { tr.dataset.destination = item.name || ''; });
  } catch (e) {
    summary.textContent = 'The hub cannot be reached.';
  }
}

document.getElementById('search-form').addEventListener('submit', search);
document.getElementById('backfill-form').addEventListener('submit', startBackfill);
document.getElementById('logout').addEventListener('click', logout);
refresh();
setInterval(refresh, REFRESH_MS);
