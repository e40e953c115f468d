// Issue 14 §1: calls for help (有呼必应). 50 calls of mixed categories on a small city,
// urgent ones given 3-second deadlines by `muster call deadline set` before the server
// starts, so that the server's own escalation sweep climbs the unacknowledged ones rung
// by rung within seconds; the summary is checked figure by figure against the calls as
// the API answers them; a unit sees its own subtree only; the caller's phone is shown
// to those who serve the call and masked for the rest.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { buildCity, serve, finish, musterOk, sql, assertBareError } = require('./lib/server.js');

const CATEGORIES = ['medicine', 'food', 'medical', 'dialysis', 'pregnancy', 'transport', 'mental', 'other'];
const LEVELS = ['city', 'district', 'street', 'community', 'grid', 'compound', 'building', 'household'];

let srv;
let calls = []; // {id, place, category, priority, unit, body}
let homes; // households of the district with their ancestors' codes
let grid; // grid1's grid: held by a three-person group
const sleep = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

// The ancestor codes of a place, city first, from the places table.
function ancestors(db, code) {
  const rows = sql(
    db,
    `WITH RECURSIVE up(id, parent_id, code, level) AS (SELECT id, parent_id, code, level FROM places ` +
      `WHERE code = '${code}' UNION ALL SELECT p.id, p.parent_id, p.code, p.level FROM places p ` +
      `JOIN up ON p.id = up.parent_id) SELECT code, level FROM up ORDER BY level`,
  );
  return rows.map((r) => r.code);
}

before(async () => {
  const fx = buildCity();
  // Urgent calls of every category get 3 seconds a rung; normal ones keep their day.
  musterOk(['call', 'deadline', 'set', '--category', '*', '--priority', 'urgent', '--minutes', '0.05', '--db', fx.db]);
  musterOk([
    'call',
    'deadline',
    'set',
    '--category',
    'medical',
    '--priority',
    'urgent',
    '--minutes',
    '0.05',
    '--db',
    fx.db,
  ]);
  grid = fx.users.grid1.place;
  // A three-person group holds grid1's grid (the foundation's tables; no user needed).
  sql(fx.db, `INSERT INTO care_groups(id, name, created_at) VALUES (1, '一组', 0)`);
  sql(fx.db, `INSERT INTO group_grids(group_id, grid_id) SELECT 1, id FROM places WHERE code = '${grid}'`);
  // Wartime in the other district since a minute ago.
  sql(
    fx.db,
    `INSERT INTO wartime_switches(place_id, is_on, at, reason) SELECT id, 1, ` +
      `CAST(strftime('%s', 'now') AS INTEGER) - 60, '战时' FROM places WHERE code = '${fx.places.other}'`,
  );
  const inGrid = sql(fx.db, `SELECT code FROM places WHERE level = 7 AND code LIKE '${grid}%' ORDER BY code LIMIT 10`);
  const elsewhere = sql(
    fx.db,
    `SELECT code FROM places WHERE level = 7 AND code LIKE '${fx.places.district}%' ` +
      `AND code NOT LIKE '${grid}%' ORDER BY code LIMIT ${50 - inGrid.length}`,
  );
  homes = [...inGrid, ...elsewhere].map((r) => ({ code: r.code, path: ancestors(fx.db, r.code) }));
  assert.equal(homes.length, 50);
  srv = await serve(fx);
  srv.cleanup = () => require('node:fs').rmSync(fx.dir, { recursive: true, force: true });
});
after(async () => finish(srv));

async function post(who, path, body) {
  return srv.request('POST', path, { session: await srv.as(who), body });
}

test('50 calls routed: the group-held grid, else the community, with their deadlines', async () => {
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) {
    const h = homes[i];
    const body = {
      place: h.code,
      category: CATEGORIES[i % CATEGORIES.length],
      priority: i % 5 < 2 ? 'urgent' : 'normal', // 20 urgent, 30 normal
      text: `第${i}号求助`,
      phone: `1380013${String(8000 + i)}`,
    };
    const who = i % 2 ? 'operator1' : h.code.startsWith(grid) ? 'grid1' : 'staff103';
    const r = await post(who, '/api/v1/calls', body);
    assert.equal(r.status, 201, r.text);
    const inGrid = h.code.startsWith(grid);
    assert.equal(r.json.unit, inGrid ? grid : h.path[3], `call ${i} routed to ${r.json.unit}`);
    assert.equal(r.json.unit_level, inGrid ? 'grid' : 'community');
    const due = Date.parse(r.json.due);
    const allowance = body.priority === 'urgent' ? 3 : 86400;
    assert.equal(r.json.allowance_s, allowance);
    assert.ok(due >= t0 - 1000 + allowance * 1000 && due <= Date.now() + allowance * 1000 + 1000, r.json.due);
    calls.push({ id: r.json.id, ...body, unit: r.json.unit, home: h, who });
  }
  // Refusals: no household or building, a bad category, an unknown member.
  let r = await post('operator1', '/api/v1/calls', { place: grid, category: 'food', priority: 'normal', text: 'x' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'place');
  r = await post('operator1', '/api/v1/calls', {
    place: homes[0].code,
    category: 'pets',
    priority: 'normal',
    text: 'x',
  });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'category');
  r = await post('operator1', '/api/v1/calls', { place: homes[0].code, category: 'food', priority: 'soon', text: 'x' });
  assert.equal(r.json.error.field, 'priority');
  r = await post('operator1', '/api/v1/calls', { place: homes[0].code, category: 'food', priority: 'normal' });
  assert.equal(r.json.error.field, 'text');
});

test('wartime shortens the deadline of the district that switched', async () => {
  const h = sql(srv.db, `SELECT code FROM places WHERE level = 7 AND code LIKE '${srv.places.other}%' LIMIT 1`)[0];
  const r = await post('citycmd', '/api/v1/calls', {
    place: h.code,
    category: 'medical',
    priority: 'normal',
    text: '战时求助',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.allowance_s, 43200); // wartime normal: 12 h, not 24 h
  const one = await srv.get('citycmd', `/api/v1/calls/${r.json.id}`);
  assert.equal(one.json.call.wartime, true);
  const closed = await post('citycmd', `/api/v1/calls/${r.json.id}/close`, { outcome: '已送达' });
  assert.equal(closed.status, 200, closed.text);
});

test('acknowledge, progress, close (never without an outcome)', async () => {
  const urgent = calls.filter((c) => c.priority === 'urgent');
  const normal = calls.filter((c) => c.priority === 'normal');
  // Five urgent calls acknowledged at once: they never climb.
  for (const c of urgent.slice(0, 5)) {
    const who = c.home.code.startsWith(grid) ? 'grid1' : 'staff103';
    const r = await post(who, `/api/v1/calls/${c.id}/ack`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.call.acked_at);
    c.acked = true;
    const again = await post(who, `/api/v1/calls/${c.id}/ack`);
    assert.equal(again.status, 409);
  }
  const c0 = normal[0];
  let r = await post('staff103', `/api/v1/calls/${c0.id}/progress`, { note: '药已配好' });
  assert.equal(r.status, 200, r.text);
  r = await post('staff103', `/api/v1/calls/${c0.id}/close`, {});
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'outcome');
  r = await post('staff103', `/api/v1/calls/${c0.id}/close`, { outcome: '' });
  assert.equal(r.status, 400);
  for (const c of normal.slice(0, 3)) {
    r = await post('staff103', `/api/v1/calls/${c.id}/close`, { outcome: '已解决' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.call.state, 'closed');
    c.closed = true;
  }
  r = await post('staff103', `/api/v1/calls/${c0.id}/close`, { outcome: '再关' });
  assert.equal(r.status, 409);
  const one = await srv.get('staff103', `/api/v1/calls/${c0.id}`);
  assert.deepEqual(
    one.json.call.steps.map((s) => s.kind),
    ['logged', 'progress', 'acknowledged', 'closed'],
  );
  assert.equal(one.json.call.steps[1].note, '药已配好');
  assert.equal(one.json.call.outcome, '已解决');
});

// Every open call of place in state, page after page.
async function list(who, place, state, limit = 7) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const r = await srv.get(
      who,
      `/api/v1/calls?place=${place}&state=${state}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.calls);
    cursor = r.json.cursor;
    if (!cursor) break;
  }
  return out;
}

test('unacknowledged urgent calls climb rung by rung and are listed as overdue above', async () => {
  const late = calls.filter((c) => c.priority === 'urgent' && !c.acked);
  assert.equal(late.length, 15);
  // Three seconds a rung: by 12 s every one reached the district. Poll, no reload logic.
  let overdue = [];
  for (let i = 0; i < 60; i++) {
    overdue = await list('cmd103', srv.places.district, 'overdue');
    if (overdue.length === late.length && overdue.every((c) => c.level.level === 'district')) break;
    await sleep(500);
  }
  assert.deepEqual(
    overdue.map((c) => c.id).sort((a, b) => a - b),
    late.map((c) => c.id).sort((a, b) => a - b),
  );
  for (const o of overdue) {
    assert.equal(o.state, 'overdue');
    assert.equal(o.overdue, true);
    assert.equal(o.level.code, srv.places.district);
    const c = late.find((x) => x.id === o.id);
    const one = await srv.get('cmd103', `/api/v1/calls/${o.id}`);
    const climbs = one.json.call.steps.filter((s) => s.kind === 'escalated');
    // From the unit up to the district, one rung each, 3 s apart.
    const unitLevel = LEVELS.indexOf(c.unit === grid ? 'grid' : 'community');
    const want = c.home.path.slice(1, unitLevel).reverse();
    assert.deepEqual(
      climbs.map((s) => s.place.code),
      want,
      `call ${o.id}`,
    );
    const at = [Date.parse(one.json.call.created_at), ...climbs.map((s) => Date.parse(s.at))];
    for (let k = 1; k < at.length; k++) assert.equal(at[k] - at[k - 1], 3000);
  }
  // Listed at the level above: a street sees its own overdue calls.
  const street = late[0].home.path[2];
  const there = await list('cmd103', street, 'overdue');
  assert.deepEqual(
    there.map((c) => c.id).sort((a, b) => a - b),
    late
      .filter((c) => c.home.path[2] === street)
      .map((c) => c.id)
      .sort((a, b) => a - b),
  );
  // Acknowledged calls stayed where they were acknowledged (on a slow machine one may
  // have climbed a rung before: never after).
  for (const c of calls.filter((x) => x.acked)) {
    const one = (await srv.get('cmd103', `/api/v1/calls/${c.id}`)).json.call;
    const kinds = one.steps.map((st) => st.kind);
    assert.ok(!kinds.slice(kinds.indexOf('acknowledged')).includes('escalated'), kinds.join());
    assert.equal(one.level.code, one.steps[kinds.indexOf('acknowledged')].place.code);
    assert.equal(one.overdue, false);
    assert.equal(one.state, 'open');
  }
});

function median(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor((s.length - 1) / 2);
  return s.length % 2 ? s[m] : Math.floor((s[m] + s[m + 1]) / 2);
}

test('the summary, figure by figure, and per child', async () => {
  const all = [
    ...(await list('cmd103', srv.places.district, 'open', 100)),
    ...(await list('cmd103', srv.places.district, 'closed', 100)),
  ];
  assert.equal(all.length, 50);
  const r = await srv.get('cmd103', `/api/v1/calls/summary?place=${srv.places.district}`);
  assert.equal(r.status, 200, r.text);
  const s = r.json;
  const open = all.filter((c) => c.state !== 'closed');
  assert.equal(s.open, 47);
  assert.equal(s.open, open.length);
  assert.equal(s.overdue, 15);
  assert.equal(s.closed_today, 3);
  const secs = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 1000);
  assert.equal(s.median_ack_s, median(all.filter((c) => c.acked_at).map((c) => secs(c.created_at, c.acked_at))));
  assert.equal(s.median_close_s, median(all.filter((c) => c.closed_at).map((c) => secs(c.created_at, c.closed_at))));
  for (const cat of CATEGORIES) {
    assert.deepEqual(s.by_category[cat], {
      open: open.filter((c) => c.category === cat).length,
      overdue: open.filter((c) => c.category === cat && c.overdue).length,
    });
  }
  // Children: the streets, adding up to the district.
  assert.ok(s.children.length > 0);
  assert.equal(
    s.children.reduce((n, k) => n + k.open, 0),
    s.open,
  );
  for (const k of s.children) {
    assert.equal(k.level, 'street');
    assert.equal(k.open, open.filter((c) => calls.find((x) => x.id === c.id).home.path[2] === k.place).length);
  }
  // Below the grid nothing is tallied: a grid's compounds, a compound's buildings and a
  // building's households are counted from the grid's calls, and agree all the same.
  const under = (c, code) => calls.find((x) => x.id === c.id).home.path.includes(code);
  for (const lv of [4, 5, 6]) {
    const n = new Map();
    for (const c of calls) n.set(c.home.path[lv], (n.get(c.home.path[lv]) || 0) + 1);
    const code = [...n.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const t = (await srv.get('cmd103', `/api/v1/calls/summary?place=${code}`)).json;
    const mine = all.filter((c) => under(c, code));
    const op = mine.filter((c) => c.state !== 'closed');
    assert.equal(t.level, LEVELS[lv]);
    assert.equal(t.open, op.length, code);
    assert.equal(t.overdue, op.filter((c) => c.overdue).length, code);
    assert.equal(t.closed_today, mine.filter((c) => c.closed_at).length, code);
    const acks = mine.filter((c) => c.acked_at).map((c) => secs(c.created_at, c.acked_at));
    assert.equal(t.median_ack_s, acks.length ? median(acks) : null, code);
    assert.ok(t.children.length > 0, code);
    for (const k of t.children) {
      assert.equal(k.level, LEVELS[lv + 1]);
      const kids = op.filter((c) => under(c, k.place));
      assert.equal(k.open, kids.length, k.place);
      assert.equal(k.overdue, kids.filter((c) => c.overdue).length, k.place);
    }
    assert.equal(
      t.children.reduce((m, k) => m + k.open, 0),
      t.open,
    );
  }
});

test('a unit sees its own subtree only; sampler and lab are refused', async () => {
  const mine = calls.find((c) => c.home.code.startsWith(grid));
  const other = calls.find((c) => !c.home.code.startsWith(grid));
  assertBareError(await srv.get('cmd106', `/api/v1/calls/${mine.id}`), 403, [mine.text]);
  assertBareError(await srv.get('cmd106', `/api/v1/calls?place=${srv.places.district}`), 403);
  assertBareError(await srv.get('cmd106', `/api/v1/calls/summary?place=${srv.places.district}`), 403);
  assertBareError(await post('grid1', `/api/v1/calls/${other.id}/ack`), 403);
  assertBareError(await srv.get('grid1', `/api/v1/calls/${other.id}`), 403);
  assertBareError(await srv.get('sampler1', `/api/v1/calls?place=${srv.places.community}`), 403);
  assertBareError(await srv.get('lab1', `/api/v1/calls?place=${srv.places.city}`), 403);
  const h = sql(srv.db, `SELECT code FROM places WHERE level = 7 AND code LIKE '${srv.places.other}%' LIMIT 1`)[0];
  assertBareError(
    await post('operator1', '/api/v1/calls', { place: h.code, category: 'food', priority: 'normal', text: 'x' }),
    403,
  );
  // The grid worker's list holds only their grid's calls.
  const theirs = await list('grid1', grid, 'open', 100);
  assert.ok(theirs.length > 0);
  assert.ok(theirs.every((c) => c.place.code.startsWith(grid)));
});

test('the phone: to the grid worker and the operator who logged it, masked for the rest', async () => {
  const byOperator = calls.find((c) => c.who === 'operator1' && c.home.code.startsWith(grid));
  const byStaff = calls.find((c) => c.who === 'staff103');
  for (const [who, c, shown] of [
    ['cmd103', byOperator, false],
    ['staff103', byStaff, false],
    ['operator1', byOperator, true],
    ['operator1', byStaff, false],
    ['grid1', byOperator, true],
  ]) {
    const r = await srv.get(who, `/api/v1/calls/${c.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.call.phone_masked, `${c.phone.slice(0, 3)}****${c.phone.slice(-4)}`);
    assert.equal(r.json.call.phone, shown ? c.phone : undefined, `${who} on call ${c.id}`);
    if (!shown) assert.ok(!r.text.includes(c.phone), `${who} sees the number`);
  }
  const board = await list('cmd103', srv.places.district, 'open', 100);
  for (const c of board) assert.equal(c.phone, undefined);
  // Sealed at rest: no number in the database's rows.
  const rows = sql(srv.db, `SELECT COUNT(*) AS n FROM calls WHERE instr(CAST(phone AS TEXT), '13800138') > 0`);
  assert.equal(rows[0].n, 0);
});

test('reads of a call, and every step, are audited', async () => {
  const c = calls.find((x) => x.who === 'operator1');
  assert.equal((await srv.get('cmd103', `/api/v1/calls/${c.id}`)).status, 200);
  let entries = [];
  for (let i = 0; i < 50; i++) {
    entries = (await srv.get('auditor1', `/api/v1/audit?record=call:${c.id}&limit=100`)).json.entries;
    if (entries.some((e) => e.actor === 'cmd103')) break;
    await sleep(100);
  }
  const has = (actor, action) => entries.some((e) => e.actor === actor && e.action === action);
  assert.ok(has('operator1', 'POST /api/v1/calls'), `the logging is audited: ${JSON.stringify(entries)}`);
  assert.ok(has('cmd103', 'GET /api/v1/calls/{id}'), 'the read is audited');
  const acked = calls.find((x) => x.acked);
  const steps = (await srv.get('auditor1', `/api/v1/audit?record=call:${acked.id}&limit=100`)).json.entries;
  assert.ok(
    steps.some((e) => e.action === 'POST /api/v1/calls/{id}/ack'),
    'the acknowledgement is audited',
  );
});
