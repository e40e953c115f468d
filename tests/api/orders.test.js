// Issue 14, item 2: orders down the tree (令行禁止). A district order to its streets; two
// streets forward it to their communities; communities acknowledge and report done; the
// roll-up per level is exact at each step, a street is done only when its communities
// are (its own done kept as reported until then), blocked shows up the tree, overdue
// targets are listed at the place above them, and a unit acts and reads only inside its
// jurisdiction (403 outside). Every step is an audit entry.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { buildCity, serve, finish, musterOk, sql, PASSWORD, assertBareError } = require('./lib/server.js');

let srv;
let streets; // the district's streets, in code order
let commA; // communities of streets[0]
let commB; // communities of streets[1]
let order;

const codes = (db, level, under) =>
  sql(db, `SELECT code FROM places WHERE level = ${level} AND code LIKE '${under}%' ORDER BY code`).map((r) => r.code);

before(async () => {
  const fx = buildCity();
  streets = codes(fx.db, 2, '440103');
  commA = codes(fx.db, 3, streets[0]);
  commB = codes(fx.db, 3, streets[1]);
  assert.ok(streets.length >= 3 && commA.length >= 2 && commB.length >= 2);
  const add = (name, role, place) => {
    fx.users[name] = { role, place, password: PASSWORD };
    musterOk(['user', 'add', name, '--role', role, '--place', place, '--password-stdin', '--db', fx.db], {
      input: `${PASSWORD}\n`,
    });
  };
  add('streetA', 'staff', streets[0]);
  add('streetB', 'staff', streets[1]);
  add('commA1', 'grid_worker', commA[0]);
  add('commA2', 'grid_worker', commA[1]);
  srv = await serve(fx);
  srv.cleanup = () => require('node:fs').rmSync(fx.dir, { recursive: true, force: true });
});
after(async () => finish(srv));

async function post(who, path, body) {
  return srv.request('POST', path, { session: await srv.as(who), body });
}

// The roll-up of a level as { acknowledged, done, blocked, overdue, total }.
async function rollup(who, level) {
  const r = await srv.get(who, `/api/v1/orders/${order}`);
  assert.equal(r.status, 200, r.text);
  const l = r.json.rollup.levels.find((x) => x.level === level);
  if (!l) return { acknowledged: 0, done: 0, blocked: 0, overdue: 0, total: 0 };
  const { acknowledged, done, blocked, overdue, total } = l;
  return { acknowledged, done, blocked, overdue, total };
}
const fig = (acknowledged, done, blocked, overdue, total) => ({ acknowledged, done, blocked, overdue, total });

function find(targets, code) {
  for (const t of targets) {
    if (t.code === code) return t;
    const below = find(t.forwarded, code);
    if (below) return below;
  }
  return null;
}

test('a district order to its streets, forwarded, acknowledged and done, rolled up at each step', async () => {
  let r = await post('cmd103', '/api/v1/orders', {
    title: '全员核酸检测',
    text: '今日24时前完成辖区全员核酸检测',
    targets: { level: 'street', under: '440103' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.targets, streets.length);
  order = r.json.id;
  // No due given and no wartime: 24 hours.
  const o = await srv.get('cmd103', `/api/v1/orders/${order}`);
  assert.equal(Date.parse(o.json.due) - Date.parse(o.json.issued_at), 24 * 3600 * 1000);
  assert.equal(o.json.issuer.code, '440103');
  assert.equal(o.json.issuer.user, 'cmd103');
  assert.equal(o.json.wartime, false);
  assert.deepEqual(
    o.json.targets.map((t) => t.code),
    streets,
  );
  assert.ok(o.json.targets.every((t) => t.state === 'pending' && !t.overdue && t.forwarded.length === 0));
  assert.equal(o.json.targets[0].name.length > 0, true);
  assert.deepEqual(await rollup('cmd103', 'street'), fig(0, 0, 0, 0, streets.length));

  // Streets A and B forward to their communities: forwarding acknowledges.
  r = await post('streetA', `/api/v1/orders/${order}/targets/${streets[0]}/forward`, {
    targets: { level: 'community', under: streets[0] },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.forwarded, commA.length);
  r = await post('streetB', `/api/v1/orders/${order}/targets/${streets[1]}/forward`, { targets: commB });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(await rollup('cmd103', 'street'), fig(2, 0, 0, 0, streets.length));
  const nComm = commA.length + commB.length;
  assert.deepEqual(await rollup('cmd103', 'community'), fig(0, 0, 0, 0, nComm));

  // A community acknowledges its own target.
  r = await post('commA1', `/api/v1/orders/${order}/targets/${commA[0]}/ack`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'acknowledged');
  assert.deepEqual(await rollup('cmd103', 'community'), fig(1, 0, 0, 0, nComm));

  // Street A reports done before its communities: reported, not done.
  r = await post('streetA', `/api/v1/orders/${order}/targets/${streets[0]}/done`, { note: '已部署' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'acknowledged');
  let tree = (await srv.get('cmd103', `/api/v1/orders/${order}`)).json;
  assert.equal(find(tree.targets, streets[0]).reported, true);
  assert.equal(find(tree.targets, streets[0]).note, '已部署');
  assert.deepEqual(await rollup('cmd103', 'street'), fig(2, 0, 0, 0, streets.length));

  // Community A1 done; the others of A by the street (its jurisdiction is above them).
  r = await post('commA1', `/api/v1/orders/${order}/targets/${commA[0]}/done`, { note: '完成' });
  assert.equal(r.json.state, 'done');
  assert.deepEqual(await rollup('cmd103', 'community'), fig(1, 1, 0, 0, nComm));
  for (const [i, c] of commA.slice(1).entries()) {
    assert.deepEqual(await rollup('cmd103', 'street'), fig(2, 0, 0, 0, streets.length));
    r = await post('streetA', `/api/v1/orders/${order}/targets/${c}/done`, {});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await rollup('cmd103', 'community'), fig(2 + i, 2 + i, 0, 0, nComm));
  }
  // The last of them made street A done.
  assert.deepEqual(await rollup('cmd103', 'street'), fig(2, 1, 0, 0, streets.length));
  tree = (await srv.get('cmd103', `/api/v1/orders/${order}`)).json;
  assert.equal(find(tree.targets, streets[0]).state, 'done');
  assert.equal(find(tree.targets, streets[0]).reported, false);

  // A community of B is blocked: it shows up the tree.
  r = await post('streetB', `/api/v1/orders/${order}/targets/${commB[0]}/blocked`, { note: '封控无法入户' });
  assert.equal(r.json.state, 'blocked');
  tree = (await srv.get('cmd103', `/api/v1/orders/${order}`)).json;
  assert.equal(find(tree.targets, streets[1]).blocked_below, 1);
  assert.equal(find(tree.targets, commB[0]).note, '封控无法入户');
  assert.deepEqual(await rollup('cmd103', 'community'), fig(commA.length + 1, commA.length, 1, 0, nComm));
  assert.equal(tree.rollup.all.blocked, 1);
  // Done cannot be undone by a block.
  r = await post('commA1', `/api/v1/orders/${order}/targets/${commA[0]}/blocked`, {});
  assertBareError(r, 409);

  // Every step is one audit entry on its target.
  const audited = sql(
    srv.db,
    `SELECT count(*) AS n FROM audit WHERE record LIKE 'order:${order}/%' AND status < 300`,
  )[0].n;
  assert.equal(audited, 2 + 1 + 1 + commA.length + 1);
  const steps = sql(srv.db, `SELECT kind, count(*) AS n FROM order_steps WHERE order_id = ${order} GROUP BY kind`);
  const byKind = Object.fromEntries(steps.map((s) => [s.kind, s.n]));
  assert.deepEqual(byKind, {
    issue: 1,
    forward: nComm,
    ack: 3,
    reported: 1,
    done: commA.length + 1,
    blocked: 1,
  });
});

test('a unit acts and reads inside its jurisdiction only', async () => {
  // A community worker cannot act for another community, nor for its street.
  let r = await post('commA1', `/api/v1/orders/${order}/targets/${commA[1]}/ack`, {});
  assertBareError(r, 403, [commA[1]]);
  r = await post('commA1', `/api/v1/orders/${order}/targets/${streets[0]}/done`, {});
  assertBareError(r, 403);
  r = await post('streetA', `/api/v1/orders/${order}/targets/${commB[1]}/done`, {});
  assertBareError(r, 403);
  // Another district: reads nothing of it, issues nothing into 440103.
  r = await srv.get('cmd106', `/api/v1/orders/${order}`);
  assertBareError(r, 403, ['全员核酸']);
  r = await post('cmd106', '/api/v1/orders', { title: 't', text: 't', targets: [streets[0]] });
  assertBareError(r, 403);
  r = await post('cmd106', '/api/v1/orders', { title: 't', text: 't', targets: { level: 'street', under: '440103' } });
  assertBareError(r, 403);
  r = await post('cmd103', '/api/v1/orders', { title: 't', text: 't', targets: [streets[0], srv.places.otherGrid] });
  assertBareError(r, 403);
  r = await srv.get('cmd106', `/api/v1/orders?place=440103`);
  assertBareError(r, 403);
  r = await srv.get('cmd106', `/api/v1/orders/overdue?place=440103`);
  assertBareError(r, 403);
  // Forwarding outside the forwarder's jurisdiction: 403; to a target again: 409; outside
  // the target: 400.
  r = await post('streetB', `/api/v1/orders/${order}/targets/${streets[1]}/forward`, { targets: [commA[0]] });
  assertBareError(r, 403);
  r = await post('streetB', `/api/v1/orders/${order}/targets/${streets[1]}/forward`, { targets: [commB[0]] });
  assertBareError(r, 409);
  const other = codes(srv.db, 3, streets[3])[0];
  r = await post('cmd103', `/api/v1/orders/${order}/targets/${streets[2]}/forward`, { targets: [other] });
  assertBareError(r, 400);
  // The issuer's own place is no target; a grid worker issues nothing; no target here: 404.
  r = await post('cmd103', '/api/v1/orders', { title: 't', text: 't', targets: ['440103'] });
  assertBareError(r, 400);
  r = await post('commA1', '/api/v1/orders', { title: 't', text: 't', targets: [commA[0]] });
  assertBareError(r, 403);
  r = await post('cmd103', `/api/v1/orders/${order}/targets/${srv.places.grid}/ack`, {});
  assertBareError(r, 404);
  r = await post('cmd103', `/api/v1/orders/999999/targets/${streets[0]}/ack`, {});
  assertBareError(r, 404);
  r = await post('cmd103', '/api/v1/orders', {
    title: 't',
    text: 't',
    targets: { level: 'building', under: '440103' },
  });
  assertBareError(r, 400);

  // A community's worker sees its own target alone, and the order in its list.
  const mine = await srv.get('commA1', `/api/v1/orders/${order}`);
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(
    mine.json.targets.map((t) => [t.code, t.mine]),
    [[commA[0], true]],
  );
  assert.equal(mine.json.rollup.all.total, 1);
  const list = await srv.get('commA1', `/api/v1/orders?place=${commA[0]}`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(
    list.json.orders.map((o) => o.id),
    [order],
  );
  assert.equal(list.json.orders[0].rollup.all.done, 1);
  // The street sees its street and its communities, with the buttons for them.
  const st = await srv.get('streetA', `/api/v1/orders/${order}`);
  assert.deepEqual(
    st.json.targets.map((t) => t.code),
    [streets[0]],
  );
  assert.deepEqual(
    st.json.targets[0].forwarded.map((t) => t.code),
    commA,
  );
  assert.ok(st.json.targets[0].forwarded.every((t) => t.mine));
  // The district's list holds it; another district's place none of it.
  const dl = await srv.get('cmd103', '/api/v1/orders?place=440103');
  assert.ok(
    dl.json.orders.some((o) => o.id === order && o.rollup.all.total === streets.length + commA.length + commB.length),
  );
  const none = await srv.get('cmd106', '/api/v1/orders?place=440106');
  assert.equal(none.json.orders.length, 0);
});

test('overdue targets are listed at the place above them', async () => {
  // Due two seconds after issue; the district waits on its streets, street B on its
  // communities.
  const due = new Date(Date.now() + 2000).toISOString();
  let r = await post('cmd103', '/api/v1/orders', {
    title: '限时上报',
    text: '两秒内上报',
    targets: [streets[0], streets[1]],
    due,
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  r = await post('streetB', `/api/v1/orders/${id}/targets/${streets[1]}/forward`, { targets: commB.slice(0, 2) });
  assert.equal(r.status, 201, r.text);
  r = await post('streetA', `/api/v1/orders/${id}/targets/${streets[0]}/done`, {});
  assert.equal(r.json.state, 'done');
  await new Promise((res) => setTimeout(res, 3100));
  const d = await srv.get('cmd103', '/api/v1/orders/overdue?place=440103');
  assert.equal(d.status, 200, d.text);
  const mine = d.json.overdue.filter((o) => o.order === id);
  assert.deepEqual(
    mine.map((o) => [o.target.code, o.above.code, o.state]),
    [
      [streets[1], '440103', 'acknowledged'],
      [commB[0], streets[1], 'pending'],
      [commB[1], streets[1], 'pending'],
    ],
  );
  // Street B sees its communities, not itself.
  const b = await srv.get('streetB', `/api/v1/orders/overdue?place=${streets[1]}`);
  assert.deepEqual(
    b.json.overdue.filter((o) => o.order === id).map((o) => o.target.code),
    commB.slice(0, 2),
  );
  const o = await srv.get('cmd103', `/api/v1/orders/${id}`);
  assert.deepEqual(
    o.json.rollup.levels.map((l) => [l.level, l.overdue, l.total]),
    [
      ['street', 1, 2],
      ['community', 2, 2],
    ],
  );
  // Paged: one at a time, every one once.
  let cursor = null;
  const seen = [];
  for (let i = 0; i < 50; i++) {
    const p = await srv.get(
      'cmd103',
      `/api/v1/orders/overdue?place=440103&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
    );
    seen.push(...p.json.overdue.map((x) => `${x.order}/${x.target.code}`));
    cursor = p.json.cursor;
    if (!cursor) break;
  }
  assert.deepEqual(
    seen,
    d.json.overdue.map((x) => `${x.order}/${x.target.code}`),
  );
  // A due before now is refused.
  r = await post('cmd103', '/api/v1/orders', {
    title: 't',
    text: 't',
    targets: [streets[0]],
    due: '2020-01-01T00:00:00Z',
  });
  assertBareError(r, 400);
});
