// Issue 14 §"Tests": a scripted wartime day on a small city, on one server. 440103's
// commander switches the district to wartime; 50 calls of mixed categories are logged
// under wartime deadlines (urgent ones given 6 seconds a rung by `muster call deadline
// set --wartime` before the server starts), the unacknowledged urgent ones climb to the
// community, then the street, then the district, and the summary is exact; a district
// order goes to every street, each street forwards it to its communities, which
// acknowledge and finish it, rolled up exactly at each level; a squad and a standing
// shock team are deployed and the ledger and the wartime board read exactly; another
// district's commander is refused (403) on calls, orders, deployments and the switch.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { buildCity, serve, finish, musterOk, sql, PASSWORD, assertBareError } = require('./lib/server.js');

const CATEGORIES = ['medicine', 'food', 'medical', 'dialysis', 'pregnancy', 'transport', 'mental', 'other'];
const RUNG_S = 6; // wartime urgent allowance per rung, set below (0.1 minutes)

let srv;
let grid; // grid1's grid, held by a three-person group
let streets; // 440103's streets, in code order
let comms; // street code -> its communities, in code order
const calls = []; // {id, home, path, category, priority, unit, acked, closed}
const sleep = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
const byId = (a, b) => a - b;
// A Guangzhou date (UTC+8) of a Unix time in seconds.
const gzDay = (t) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10);

// The codes of a place's path, city first (level 0 … its own level).
function pathOf(db, code) {
  return sql(
    db,
    `WITH RECURSIVE up(id, parent_id, code, level) AS (SELECT id, parent_id, code, level FROM places ` +
      `WHERE code = '${code}' UNION ALL SELECT p.id, p.parent_id, p.code, p.level FROM places p ` +
      `JOIN up ON p.id = up.parent_id) SELECT code FROM up ORDER BY level`,
  ).map((r) => r.code);
}
const codes = (db, level, under) =>
  sql(db, `SELECT code FROM places WHERE level = ${level} AND code LIKE '${under}%' ORDER BY code`).map((r) => r.code);

before(async () => {
  const fx = buildCity();
  // Wartime urgent calls: 6 seconds a rung (medical has its own row, so both are set).
  // Normal ones keep the wartime default, 12 hours.
  for (const category of ['*', 'medical']) {
    musterOk([
      'call',
      'deadline',
      'set',
      '--category',
      category,
      '--priority',
      'urgent',
      '--wartime',
      '--minutes',
      String(RUNG_S / 60),
      '--db',
      fx.db,
    ]);
  }
  grid = fx.users.grid1.place;
  sql(fx.db, `INSERT INTO care_groups(id, name, created_at) VALUES (1, '一组', 0)`);
  sql(fx.db, `INSERT INTO group_grids(group_id, grid_id) SELECT 1, id FROM places WHERE code = '${grid}'`);
  streets = codes(fx.db, 2, '440103');
  comms = new Map(streets.map((s) => [s, codes(fx.db, 3, s)]));
  assert.ok(streets.length >= 3);
  // One staff member per street: the street's own hands on the order.
  for (const [i, s] of streets.entries()) {
    const name = `street${i}`;
    fx.users[name] = { role: 'staff', place: s, password: PASSWORD };
    musterOk(['user', 'add', name, '--role', 'staff', '--place', s, '--password-stdin', '--db', fx.db], {
      input: `${PASSWORD}\n`,
    });
  }
  // 50 households: 10 in the group-held grid, 40 elsewhere in the district.
  const inGrid = sql(fx.db, `SELECT code FROM places WHERE level = 7 AND code LIKE '${grid}%' ORDER BY code LIMIT 10`);
  const elsewhere = sql(
    fx.db,
    `SELECT code FROM places WHERE level = 7 AND code LIKE '440103%' AND code NOT LIKE '${grid}%' ` +
      `ORDER BY code LIMIT ${50 - inGrid.length}`,
  );
  const homes = [...inGrid, ...elsewhere].map((r) => ({ code: r.code, path: pathOf(fx.db, r.code) }));
  assert.equal(homes.length, 50);
  for (const [i, h] of homes.entries()) calls.push({ i, home: h.code, path: h.path });
  srv = await serve(fx);
  srv.cleanup = () => require('node:fs').rmSync(fx.dir, { recursive: true, force: true });
});
after(async () => finish(srv));

async function post(who, path, body) {
  return srv.request('POST', path, { session: await srv.as(who), body });
}

test('the district switches to wartime; another district cannot, nor read it', async () => {
  assertBareError(await post('cmd106', '/api/v1/wartime', { place: '440103', on: true, reason: '越权' }), 403);
  // A switch dated ahead of the clock is refused, and stands nothing up.
  const later = new Date(Date.now() + 3600_000).toISOString();
  const ahead = await post('cmd103', '/api/v1/wartime', { place: '440103', on: true, reason: '预定', at: later });
  assertBareError(ahead, 400);
  assert.equal(ahead.json.error.field, 'at');
  assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM orgs')[0].n, 0);
  const r = await post('cmd103', '/api/v1/wartime', { place: '440103', on: true, reason: '战时一日' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.on, true);
  assert.deepEqual(r.json.teams, {
    streets: streets.length,
    created: streets.length,
    activated: 0,
    stood_down: 0,
    active: streets.length,
  });
  const g = await srv.get('cmd103', '/api/v1/wartime?place=440103');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.on, true);
  assert.equal(g.json.reason, '战时一日');
  assert.equal(g.json.board.teams_deployed, 0);
  assert.equal(g.json.board.person_times_today, 0);
  // Nor can it be dated before the switch just made.
  const before = new Date(Date.parse(r.json.at) - 60_000).toISOString();
  const early = await post('cmd103', '/api/v1/wartime', { place: '440103', on: false, reason: '倒签', at: before });
  assertBareError(early, 400);
  assert.equal(early.json.error.field, 'at');
  const h = await srv.get('cmd103', '/api/v1/wartime?place=440103');
  assert.equal(h.json.on, true);
  assert.deepEqual(
    h.json.history.map((x) => [x.on, x.reason]),
    [[true, '战时一日']],
  );
  assertBareError(await srv.get('cmd106', '/api/v1/wartime?place=440103'), 403, ['战时一日']);
  assertBareError(await srv.get('cmd106', `/api/v1/wartime?place=${streets[0]}`), 403);
});

test('50 calls under wartime deadlines: 20 urgent at 6 s a rung, 30 normal at 12 h', async () => {
  for (const c of calls) {
    c.category = CATEGORIES[c.i % CATEGORIES.length];
    c.priority = c.i % 5 < 2 ? 'urgent' : 'normal';
    const inGrid = c.home.startsWith(grid);
    const who = c.i % 2 ? 'operator1' : inGrid ? 'grid1' : 'staff103';
    const r = await post(who, '/api/v1/calls', {
      place: c.home,
      category: c.category,
      priority: c.priority,
      text: `战时第${c.i}号求助`,
      phone: `1390013${String(8000 + c.i)}`,
    });
    assert.equal(r.status, 201, r.text);
    c.id = r.json.id;
    c.unit = inGrid ? grid : c.path[3];
    assert.equal(r.json.unit, c.unit);
    assert.equal(r.json.allowance_s, c.priority === 'urgent' ? RUNG_S : 43200);
    // The last four urgent calls (outside the grid) are acknowledged at once by their
    // unit: they never climb.
    if (c.priority === 'urgent' && c.i >= 40) {
      const a = await post(inGrid ? 'grid1' : 'staff103', `/api/v1/calls/${c.id}/ack`);
      assert.equal(a.status, 200, a.text);
      c.acked = true;
    }
    // The first three normal calls are closed with an outcome.
    if (c.priority === 'normal' && calls.filter((x) => x.closed).length < 3) {
      const z = await post('staff103', `/api/v1/calls/${c.id}/close`, { outcome: '物资已送达' });
      assert.equal(z.status, 200, z.text);
      assert.equal(z.json.call.state, 'closed');
      c.closed = true;
    }
  }
  assert.equal(calls.filter((c) => c.priority === 'urgent').length, 20);
  const one = await srv.get('cmd103', `/api/v1/calls/${calls[0].id}`);
  assert.equal(one.json.call.wartime, true);
});

test('the late urgent calls climb to the community, then the street, then the district', async () => {
  const late = calls.filter((c) => c.priority === 'urgent' && !c.acked);
  assert.equal(late.length, 16);
  const seen = new Map(late.map((c) => [c.id, []])); // levels each call was listed at
  let overdue = [];
  for (let i = 0; i < 200; i++) {
    const r = await srv.get('cmd103', '/api/v1/calls?place=440103&state=overdue&limit=100');
    assert.equal(r.status, 200, r.text);
    overdue = r.json.calls;
    for (const o of overdue) {
      const s = seen.get(o.id);
      assert.ok(s, `call ${o.id} listed overdue`);
      if (s[s.length - 1] !== o.level.code) s.push(o.level.code);
    }
    if (overdue.length === late.length && overdue.every((o) => o.level.code === '440103')) break;
    await sleep(250);
  }
  assert.deepEqual(overdue.map((o) => o.id).sort(byId), late.map((c) => c.id).sort(byId));
  let atCommunity = 0;
  let atStreet = 0;
  for (const c of late) {
    // The rungs above the unit, up to the district, one escalation step each, 6 s apart.
    const want = c.unit === grid ? [c.path[3], c.path[2], c.path[1]] : [c.path[2], c.path[1]];
    const one = (await srv.get('cmd103', `/api/v1/calls/${c.id}`)).json.call;
    assert.equal(one.state, 'overdue');
    assert.equal(one.level.code, '440103');
    const climbs = one.steps.filter((s) => s.kind === 'escalated');
    assert.deepEqual(
      climbs.map((s) => s.place.code),
      want,
      `call ${c.id}`,
    );
    const at = [Date.parse(one.created_at), ...climbs.map((s) => Date.parse(s.at))];
    for (let k = 1; k < at.length; k++) assert.equal(at[k] - at[k - 1], RUNG_S * 1000);
    // Every level it was listed at is a rung of its ladder, in the ladder's order.
    const s = seen.get(c.id);
    assert.deepEqual(
      s,
      want.filter((code) => s.includes(code)),
      `call ${c.id} listed at ${s.join(' → ')}`,
    );
    if (s.includes(c.path[3])) atCommunity++;
    if (s.includes(c.path[2])) atStreet++;
  }
  // Polled every quarter second over 6-second rungs: the board saw them on their way up.
  assert.ok(atCommunity > 0, 'a grid call was listed overdue at its community');
  assert.ok(atStreet > 0, 'a call was listed overdue at its street');
  // Each street lists its own late calls, each community likewise.
  for (const code of new Set(late.map((c) => c.path[2]))) {
    const r = await srv.get('cmd103', `/api/v1/calls?place=${code}&state=overdue&limit=100`);
    assert.deepEqual(
      r.json.calls.map((o) => o.id).sort(byId),
      late
        .filter((c) => c.path[2] === code)
        .map((c) => c.id)
        .sort(byId),
    );
  }
  // Acknowledged ones stayed with their unit, not overdue.
  for (const c of calls.filter((x) => x.acked)) {
    const one = (await srv.get('cmd103', `/api/v1/calls/${c.id}`)).json.call;
    assert.equal(one.level.code, c.unit);
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

// The summary of the district (and of the grid's street), every figure against the calls
// as this script made them.
async function checkSummary(want) {
  const open = calls.filter((c) => !c.closed);
  const isLate = (c) => c.priority === 'urgent' && !c.acked && !c.closed;
  const r = await srv.get('cmd103', '/api/v1/calls/summary?place=440103');
  assert.equal(r.status, 200, r.text);
  const s = r.json;
  assert.deepEqual([s.open, s.overdue, s.closed_today], want);
  assert.deepEqual(want, [open.length, open.filter(isLate).length, calls.length - open.length]);
  for (const cat of CATEGORIES) {
    assert.deepEqual(s.by_category[cat], {
      open: open.filter((c) => c.category === cat).length,
      overdue: open.filter((c) => c.category === cat && isLate(c)).length,
    });
  }
  const kids = [...new Set(open.map((c) => c.path[2]))].sort();
  assert.deepEqual(
    s.children.filter((k) => k.open > 0).map((k) => [k.place, k.level, k.open]),
    kids.map((code) => [code, 'street', open.filter((c) => c.path[2] === code).length]),
  );
  // Medians from the calls as the API answers them.
  const all = [];
  for (const st of ['open', 'closed']) {
    all.push(...(await srv.get('cmd103', `/api/v1/calls?place=440103&state=${st}&limit=100`)).json.calls);
  }
  assert.equal(all.length, 50);
  const secs = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 1000);
  assert.equal(s.median_ack_s, median(all.filter((c) => c.acked_at).map((c) => secs(c.created_at, c.acked_at))));
  assert.equal(s.median_close_s, median(all.filter((c) => c.closed_at).map((c) => secs(c.created_at, c.closed_at))));
  // The grid's street alone.
  const street = calls.find((c) => c.home.startsWith(grid)).path[2];
  const t = (await srv.get('cmd103', `/api/v1/calls/summary?place=${street}`)).json;
  const mine = calls.filter((c) => c.path[2] === street);
  assert.equal(t.open, mine.filter((c) => !c.closed).length);
  assert.equal(t.overdue, mine.filter(isLate).length);
  assert.equal(t.closed_today, mine.filter((c) => c.closed).length);
}

test('the calls summary of the district and of a street, figure by figure', async () => {
  await checkSummary([47, 16, 3]);
});

test('answered at the district, overdue calls leave the overdue figures', async () => {
  const late = calls.filter((c) => c.priority === 'urgent' && !c.acked);
  const [a, z] = [late[1], late[2]];
  let r = await post('cmd103', `/api/v1/calls/${a.id}/ack`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.call.state, 'open');
  assert.equal(r.json.call.overdue, false);
  assert.equal(r.json.call.level.code, '440103');
  a.acked = true;
  r = await post('cmd103', `/api/v1/calls/${z.id}/close`, { outcome: '已转120送医' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.call.state, 'closed');
  z.closed = true;
  const kinds = (await srv.get('cmd103', `/api/v1/calls/${z.id}`)).json.call.steps.map((x) => x.kind);
  assert.deepEqual(kinds.slice(-2), ['acknowledged', 'closed']);
  await checkSummary([46, 14, 4]);
  const over = await srv.get('cmd103', '/api/v1/calls?place=440103&state=overdue&limit=100');
  assert.deepEqual(
    over.json.calls.map((o) => o.id).sort(byId),
    late
      .filter((c) => c !== a && c !== z)
      .map((c) => c.id)
      .sort(byId),
  );
});

// The roll-up of one level of the order as [acknowledged, done, blocked, overdue, total].
async function rollup(order, level) {
  const r = await srv.get('cmd103', `/api/v1/orders/${order}`);
  assert.equal(r.status, 200, r.text);
  const l = r.json.rollup.levels.find((x) => x.level === level) || {};
  return [l.acknowledged, l.done, l.blocked, l.overdue, l.total].map((n) => n || 0);
}

test('a district order to every street, forwarded to every community, rolled up exactly', async () => {
  const S = streets.length;
  const C = streets.reduce((n, s) => n + comms.get(s).length, 0);
  let r = await post('cmd103', '/api/v1/orders', {
    title: '战时全员核酸',
    text: '各街道转发社区，今日完成全员核酸',
    targets: { level: 'street', under: '440103' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.targets, S);
  const order = r.json.id;
  const o = (await srv.get('cmd103', `/api/v1/orders/${order}`)).json;
  assert.equal(o.wartime, true);
  assert.equal(Date.parse(o.due) - Date.parse(o.issued_at), 6 * 3600 * 1000); // wartime: 6 h
  assert.deepEqual(await rollup(order, 'street'), [0, 0, 0, 0, S]);

  // Each street forwards to its communities (forwarding acknowledges the street's own).
  for (const [i, s] of streets.entries()) {
    r = await post(`street${i}`, `/api/v1/orders/${order}/targets/${s}/forward`, {
      targets: { level: 'community', under: s },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.forwarded, comms.get(s).length);
  }
  assert.deepEqual(await rollup(order, 'street'), [S, 0, 0, 0, S]);
  assert.deepEqual(await rollup(order, 'community'), [0, 0, 0, 0, C]);

  // The first community of each street acknowledges; street 0 reports done early.
  for (const [i, s] of streets.entries()) {
    r = await post(`street${i}`, `/api/v1/orders/${order}/targets/${comms.get(s)[0]}/ack`, {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'acknowledged');
  }
  assert.deepEqual(await rollup(order, 'community'), [S, 0, 0, 0, C]);
  r = await post('street0', `/api/v1/orders/${order}/targets/${streets[0]}/done`, { note: '已布置' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'acknowledged');
  assert.deepEqual(await rollup(order, 'street'), [S, 0, 0, 0, S]);

  // Street 0's communities done: street 0 is done with them.
  const n0 = comms.get(streets[0]).length;
  for (const c of comms.get(streets[0])) {
    r = await post('street0', `/api/v1/orders/${order}/targets/${c}/done`, { note: '完成' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'done');
  }
  assert.deepEqual(await rollup(order, 'community'), [S + n0 - 1, n0, 0, 0, C]);
  assert.deepEqual(await rollup(order, 'street'), [S, 1, 0, 0, S]);

  // The others, street by street.
  for (const [i, s] of streets.entries()) {
    if (i === 0) continue;
    for (const c of comms.get(s)) {
      r = await post(`street${i}`, `/api/v1/orders/${order}/targets/${c}/done`, {});
      assert.equal(r.status, 200, r.text);
    }
    // Its communities done, the street is not done until it says so.
    assert.deepEqual(await rollup(order, 'street'), [S, i, 0, 0, S]);
    r = await post(`street${i}`, `/api/v1/orders/${order}/targets/${s}/done`, {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'done');
    assert.deepEqual(await rollup(order, 'street'), [S, i + 1, 0, 0, S]);
  }
  assert.deepEqual(await rollup(order, 'community'), [C, C, 0, 0, C]);
  const done = (await srv.get('cmd103', `/api/v1/orders/${order}`)).json;
  const { acknowledged, done: d, blocked, overdue, total } = done.rollup.all;
  assert.deepEqual([acknowledged, d, blocked, overdue, total], [S + C, S + C, 0, 0, S + C]);
  assert.ok(done.targets.every((t) => t.state === 'done' && t.forwarded.every((f) => f.state === 'done')));
  // A street's view: itself and its communities, all done.
  const st = (await srv.get('street1', `/api/v1/orders/${order}`)).json;
  assert.deepEqual(
    st.targets.map((t) => t.code),
    [streets[1]],
  );
  assert.deepEqual(
    st.targets[0].forwarded.map((t) => t.code),
    comms.get(streets[1]),
  );
  assert.equal(st.rollup.all.done, 1 + comms.get(streets[1]).length);
  // The list's figures; the steps as kept.
  const list = (await srv.get('cmd103', '/api/v1/orders?place=440103')).json.orders;
  assert.equal(list.find((x) => x.id === order).rollup.all.done, S + C);
  const steps = sql(srv.db, `SELECT kind, count(*) AS n FROM order_steps WHERE order_id = ${order} GROUP BY kind`);
  assert.deepEqual(Object.fromEntries(steps.map((x) => [x.kind, x.n])), {
    issue: 1,
    forward: C,
    ack: S + S,
    reported: 1,
    done: C + S,
  });

  // Another district: reads nothing, acts on nothing, issues nothing into 440103.
  assertBareError(await srv.get('cmd106', `/api/v1/orders/${order}`), 403, ['战时全员核酸']);
  assertBareError(await srv.get('cmd106', '/api/v1/orders?place=440103'), 403);
  assertBareError(await post('cmd106', `/api/v1/orders/${order}/targets/${streets[0]}/ack`, {}), 403);
  assertBareError(
    await post('cmd106', '/api/v1/orders', { title: 't', text: 't', targets: { level: 'street', under: '440103' } }),
    403,
  );
  // A street cannot act for a neighbour's community.
  assertBareError(await post('street1', `/api/v1/orders/${order}/targets/${comms.get(streets[0])[0]}/ack`, {}), 403);
});

test('calls: another district’s commander is refused', async () => {
  const c = calls.find((x) => x.priority === 'urgent' && !x.acked);
  assertBareError(await srv.get('cmd106', `/api/v1/calls/${c.id}`), 403, [`战时第${c.i}号求助`]);
  assertBareError(await srv.get('cmd106', '/api/v1/calls?place=440103&state=overdue'), 403);
  assertBareError(await srv.get('cmd106', '/api/v1/calls/summary?place=440103'), 403);
  assertBareError(await post('cmd106', `/api/v1/calls/${c.id}/ack`), 403);
  assertBareError(await post('cmd106', `/api/v1/calls/${c.id}/close`, { outcome: 'x' }), 403);
  assertBareError(
    await post('cmd106', '/api/v1/calls', { place: c.home, category: 'food', priority: 'normal', text: 'x' }),
    403,
  );
  // Nothing changed by the refusals.
  const one = (await srv.get('cmd103', `/api/v1/calls/${c.id}`)).json.call;
  assert.equal(one.state, 'overdue');
  assert.equal(one.acked_at, null);
});

test('a squad and a standing shock team deployed: the ledger and the wartime board exact', async () => {
  const people = sql(
    srv.db,
    `SELECT p.id FROM people p JOIN places h ON h.id = p.household_id WHERE h.code LIKE '440103%' ` +
      `ORDER BY p.id LIMIT 11`,
  ).map((x) => x.id);
  assert.equal(people.length, 11);
  const squad = await post('staff103', '/api/v1/orgs', { kind: 'sampling_squad', name: '战时采样队', place: '440103' });
  assert.equal(squad.status, 201, squad.text);
  const add = await post('staff103', `/api/v1/orgs/${squad.json.id}/members`, {
    members: people.slice(0, 9).map((id) => ({ person: String(id), role: 'medic' })),
  });
  assert.equal(add.json.added, 9);
  // The standing shock team of street 0 the switch stood up, with two members.
  const teams = (await srv.get('staff103', `/api/v1/orgs?place=${streets[0]}&kind=shock_team`)).json.orgs;
  const team = teams.find((t) => t.place.code === streets[0]);
  assert.ok(team, JSON.stringify(teams));
  const addT = await post('staff103', `/api/v1/orgs/${team.id}/members`, {
    members: people.slice(9).map((id) => ({ person: String(id) })),
  });
  assert.equal(addT.json.added, 2);

  const now = Math.floor(Date.now() / 1000);
  const iso = (t) => new Date(t * 1000).toISOString();
  const today = gzDay(now);
  // Under way now: the squad at street 0 (9), the team at street 0 (2); later today or
  // tomorrow: the squad at street 1 (9); on a past day: 3 people alone at street 1.
  const shifts = [
    { org: squad.json.id, place: streets[0], from: now - 60, to: now + 7200, duty: 'sampling', n: 9 },
    { org: team.id, place: streets[0], from: now - 30, to: now + 3600, duty: 'patrol', n: 2 },
    { org: squad.json.id, place: streets[1], from: now + 4 * 3600, to: now + 6 * 3600, duty: 'sampling', n: 9 },
    { people: people.slice(0, 3).map(String), place: streets[1], from: now - 3 * 86400, to: now - 3 * 86400 + 3600 },
  ];
  for (const s of shifts) {
    const body = { place: s.place, from: iso(s.from), to: iso(s.to), duty: s.duty || 'checkpoint' };
    if (s.org) body.org = s.org;
    if (s.people) body.people = s.people;
    const r = await post('staff103', '/api/v1/deployments', body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.people, s.people ? s.people.length : s.n);
    assert.equal(r.json.date, gzDay(s.from));
    s.id = r.json.id;
    s.n = r.json.people;
    s.day = gzDay(s.from);
  }
  // The ledger over the four days, per day, organisation and place; per organisation.
  const from = gzDay(now - 3 * 86400);
  const to = gzDay(now + 6 * 3600);
  const led = await srv.get('staff103', `/api/v1/ledger?place=440103&from=${from}&to=${to}`);
  assert.equal(led.status, 200, led.text);
  assert.equal(led.json.total_person_times, 9 + 2 + 9 + 3);
  const key = (x) => `${x[0]}|${x[1] === null ? '' : String(x[1]).padStart(9, '0')}|${x[2]}`;
  const sum = new Map();
  for (const s of shifts) {
    const k = [s.day, s.org || null, s.place];
    sum.set(key(k), [...k, (sum.get(key(k))?.[3] || 0) + s.n]);
  }
  const sortRows = (rows) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  assert.deepEqual(
    sortRows(led.json.rows.map((x) => [x.date, x.org, x.place, x.person_times])),
    sortRows([...sum.values()]),
  );
  const perOrg = await srv.get('staff103', `/api/v1/ledger?place=440103&from=${from}&to=${to}&by=org`);
  assert.deepEqual(
    perOrg.json.rows.map((x) => [x.org, x.person_times]),
    [
      [null, 3],
      ...[
        [squad.json.id, 18],
        [team.id, 2],
      ].sort((a, b) => a[0] - b[0]),
    ],
  );
  const perStreet = await srv.get('staff103', `/api/v1/ledger?place=440103&from=${from}&to=${to}&by=street`);
  assert.deepEqual(
    perStreet.json.rows.map((x) => [x.place, x.person_times]),
    [
      [streets[0], 11],
      [streets[1], 12],
    ],
  );
  const past = await srv.get('staff103', `/api/v1/ledger?place=${streets[1]}&from=${from}&to=${from}`);
  assert.equal(past.json.total_person_times, 3);

  // The board: two teams under way; today's person-times by the Guangzhou date.
  const todays = shifts.filter((s) => s.day === today).reduce((n, s) => n + s.n, 0);
  let g = await srv.get('cmd103', '/api/v1/wartime?place=440103');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.on, true);
  assert.equal(g.json.board.teams_deployed, 2);
  assert.equal(g.json.board.person_times_today, todays);
  g = await srv.get('cmd103', `/api/v1/wartime?place=${streets[0]}`);
  assert.equal(g.json.board.teams_deployed, 2);
  const todayAt = (place) => shifts.filter((s) => s.day === today && s.place === place).reduce((n, s) => n + s.n, 0);
  assert.equal(g.json.board.person_times_today, todayAt(streets[0]));
  g = await srv.get('cmd103', `/api/v1/wartime?place=${streets[1]}`);
  assert.equal(g.json.board.teams_deployed, 0);
  assert.equal(g.json.board.person_times_today, todayAt(streets[1]));
  const live = await srv.get('staff103', '/api/v1/deployments?place=440103&active=1');
  assert.deepEqual(live.json.deployments.map((x) => x.id).sort(byId), [shifts[0].id, shifts[1].id].sort(byId));

  // Another district's commander: no shift of 440103's squad, no ledger, no shift read.
  assertBareError(
    await post('cmd106', '/api/v1/deployments', {
      org: squad.json.id,
      place: streets[0],
      from: iso(now),
      to: iso(now + 3600),
      duty: 'sampling',
    }),
    403,
  );
  assertBareError(
    await post('cmd106', '/api/v1/deployments', {
      org: squad.json.id,
      place: '440106',
      from: iso(now),
      to: iso(now + 3600),
      duty: 'sampling',
    }),
    403,
  );
  assertBareError(await srv.get('cmd106', `/api/v1/ledger?place=440103&from=${from}&to=${to}`), 403);
  assertBareError(await srv.get('cmd106', `/api/v1/deployments/${shifts[0].id}`), 403);
  assertBareError(await srv.get('cmd106', '/api/v1/deployments?place=440103&active=1'), 403);
  const after = await srv.get('staff103', `/api/v1/ledger?place=440103&from=${from}&to=${to}`);
  assert.equal(after.json.total_person_times, 23);
  assertBareError(await post('cmd106', '/api/v1/wartime', { place: '440103', on: false, reason: '越权解除' }), 403);
  assert.equal((await srv.get('cmd103', '/api/v1/wartime?place=440103')).json.on, true);
});
