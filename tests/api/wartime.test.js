// Issue 14 §5 §6: service posts with their stock, supplies moved and handed out without
// ever going below zero, the ledger and the low-stock alerts; the wartime switch of a
// district — its standing shock teams, its posts on wartime duty, the board, the
// history kept when it switches back, every switch audited — and 403 for whoever does
// not hold the place.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql, assertBareError } = require('./lib/server.js');

let srv;
let street; // a street of 440103: its centre
let community; // a community of that street: its station
let grid; // grid1's grid
let gridCommunity; // the community holding it
before(async () => {
  srv = await start();
  grid = srv.users.grid1.place;
  gridCommunity = sql(
    srv.db,
    `SELECT c.code FROM places g JOIN places c ON c.id = g.parent_id WHERE g.code = '${grid}'`,
  )[0].code;
  street = sql(srv.db, "SELECT code FROM places WHERE level = 2 AND code LIKE '440103%' ORDER BY code LIMIT 1")[0].code;
  community = sql(
    srv.db,
    `SELECT c.code FROM places c JOIN places s ON s.id = c.parent_id WHERE s.code = '${street}' ORDER BY c.code LIMIT 1`,
  )[0].code;
});
after(async () => finish(srv));

const post = async (who, path, body) => srv.request('POST', path, { session: await srv.as(who), body });
const count = (q) => sql(srv.db, q)[0].n;

// Polls until the audit holds an entry matching where (the guard's entries are written
// after the answer).
async function audited(where) {
  let n = 0;
  for (let i = 0; i < 50 && !n; i++) {
    n = count(`SELECT count(*) AS n FROM audit WHERE ${where}`);
    if (!n) await new Promise((res) => setTimeout(res, 100));
  }
  return n;
}

test('every street and community of a district is a post, with its functions, hours and stock', async () => {
  const r = await srv.get('staff103', '/api/v1/posts?place=440103');
  assert.equal(r.status, 200, r.text);
  const want = count("SELECT count(*) AS n FROM places WHERE level IN (2, 3) AND code LIKE '440103%'");
  assert.equal(r.json.posts.length, want);
  const centres = r.json.posts.filter((p) => p.kind === 'centre');
  assert.equal(centres.length, count("SELECT count(*) AS n FROM places WHERE level = 2 AND code LIKE '440103%'"));
  const names = new Map(
    sql(srv.db, "SELECT code, name FROM places WHERE code LIKE '440103%'").map((p) => [p.code, p.name]),
  );
  for (const p of r.json.posts) {
    assert.equal(p.name, names.get(p.code));
    assert.deepEqual(p.functions, ['testing', 'supplies', 'dispatch', 'publicity']);
    assert.equal(p.duty, 'normal');
    assert.equal(p.hours_now, p.hours);
    assert.deepEqual(Object.keys(p.stock).sort(), ['food_packs', 'masks', 'medicine', 'ppe', 'test_kits']);
    assert.equal(p.level, p.kind === 'centre' ? 'street' : 'community');
  }
  // A centre comes before the stations of its street.
  const i = r.json.posts.findIndex((p) => p.code === street);
  assert.equal(r.json.posts[i + 1].code.startsWith(street), true);
  // A grid worker sees the posts serving their grid: its community's and street's.
  const g = await srv.get('grid1', `/api/v1/posts?place=${grid}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(
    g.json.posts.map((p) => p.kind),
    ['centre', 'station'],
  );
  assert.equal(g.json.posts[1].code, gridCommunity);
  assertBareError(await srv.get('grid1', '/api/v1/posts?place=440103'), 403);
  assertBareError(await srv.get('cmd106', '/api/v1/posts?place=440103'), 403);
  assertBareError(await srv.get('sampler1', `/api/v1/posts?place=${community}`), 403);
});

test('stock is received, moved and handed out, never below zero, and every change is in the ledger', async () => {
  let r = await post('staff103', `/api/v1/posts/${street}/supplies`, { item: 'masks', qty: 1000, low_mark: 200 });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.post.stock.masks, { qty: 1000, low_mark: 200, low: false });
  r = await post('staff103', `/api/v1/posts/${community}/supplies`, { item: 'test_kits', qty: 5, low_mark: 50 });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.post.low, ['test_kits']);
  // Without a low mark the post keeps the one it has; a bad one is refused on its field.
  r = await post('staff103', `/api/v1/posts/${community}/supplies`, { item: 'test_kits', qty: 1 });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.post.stock.test_kits, { qty: 6, low_mark: 50, low: true });
  r = await post('staff103', `/api/v1/posts/${community}/supplies`, { item: 'test_kits', qty: 1, low_mark: -1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'low_mark');

  r = await post('cmd103', '/api/v1/supplies/move', { from: street, to: community, item: 'masks', qty: 850 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.from.stock.masks.qty, 150);
  assert.equal(r.json.from.stock.masks.low, true);
  assert.equal(r.json.to.stock.masks.qty, 850);
  // More than there is: 409 with what there is, and nothing moves.
  r = await post('cmd103', '/api/v1/supplies/move', { from: street, to: community, item: 'masks', qty: 151 });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.field, 'qty');
  assert.match(r.json.error.message, /\b150\b/);
  r = await post('staff103', '/api/v1/supplies/handout', { post: community, item: 'masks', qty: 851 });
  assert.equal(r.status, 409, r.text);
  assert.match(r.json.error.message, /\b850\b/);
  r = await post('staff103', '/api/v1/supplies/handout', { post: community, item: 'masks', qty: 50 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.post.stock.masks.qty, 800);
  assert.equal(
    count(`SELECT sum(s.qty) AS n FROM supplies s JOIN posts p ON p.id = s.post_id WHERE s.item = 'masks'`),
    950,
  );

  // Refusals: bad item, zero, a place with no post, an unknown member.
  r = await post('staff103', '/api/v1/supplies/handout', { post: community, item: 'gold', qty: 1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'item');
  r = await post('staff103', '/api/v1/supplies/handout', { post: community, item: 'masks', qty: 0 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'qty');
  r = await post('staff103', '/api/v1/supplies/handout', { post: grid, item: 'masks', qty: 1 });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.field, 'post');
  r = await post('staff103', '/api/v1/supplies/move', { from: street, to: street, item: 'masks', qty: 1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'to');
  r = await post('staff103', `/api/v1/posts/${street}/supplies`, { item: 'masks', qty: 1, extra: 1 });
  assert.equal(r.status, 400);

  // Out of jurisdiction: another district's commander, a move across districts, a grid
  // worker at a community's post, an operator.
  const other = sql(srv.db, "SELECT code FROM places WHERE level = 2 AND code LIKE '440106%' LIMIT 1")[0].code;
  assertBareError(await post('cmd106', `/api/v1/posts/${street}/supplies`, { item: 'ppe', qty: 1 }), 403);
  assertBareError(
    await post('cmd103', '/api/v1/supplies/move', { from: street, to: other, item: 'masks', qty: 1 }),
    403,
  );
  assertBareError(await post('grid1', '/api/v1/supplies/handout', { post: gridCommunity, item: 'masks', qty: 1 }), 403);
  assertBareError(await post('operator1', `/api/v1/posts/${street}/supplies`, { item: 'ppe', qty: 1 }), 403);

  // The ledger of the street: newest first, every change once, names beside codes.
  r = await srv.get('staff103', `/api/v1/supplies/ledger?place=${street}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.moves.map((m) => [m.kind, m.item, m.qty, m.from, m.to]),
    [
      ['handout', 'masks', 50, community, null],
      ['move', 'masks', 850, street, community],
      ['receive', 'test_kits', 1, null, community],
      ['receive', 'test_kits', 5, null, community],
      ['receive', 'masks', 1000, null, street],
    ],
  );
  assert.equal(r.json.cursor, null);
  assert.ok(r.json.moves[1].from_name && r.json.moves[1].to_name);
  r = await srv.get('staff103', `/api/v1/supplies/ledger?place=${street}&item=masks&limit=2`);
  assert.deepEqual(
    r.json.moves.map((m) => m.qty),
    [50, 850],
  );
  assert.ok(r.json.cursor);
  r = await srv.get('staff103', `/api/v1/supplies/ledger?place=${street}&item=masks&limit=2&cursor=${r.json.cursor}`);
  assert.deepEqual(
    r.json.moves.map((m) => m.qty),
    [1000],
  );
  r = await srv.get('admin', '/api/v1/supplies/ledger?place=440106');
  assert.deepEqual(r.json.moves, []);
  r = await srv.get(
    'staff103',
    `/api/v1/supplies/ledger?place=${street}&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`,
  );
  assert.deepEqual(r.json.moves, []);

  // Alerts: items below their low mark, post by post.
  r = await srv.get('cmd103', '/api/v1/supplies/alerts?place=440103');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.alerts.map((a) => [a.post, a.item, a.qty, a.low_mark]).sort(),
    [
      [community, 'test_kits', 6, 50],
      [street, 'masks', 150, 200],
    ].sort(),
  );
  assert.ok(await audited(`action = 'POST /api/v1/supplies/move' AND actor = 'cmd103' AND status = 200`));
});

test('a hand-out against a call closes it "delivered" in the same write; its steps are kept', async () => {
  const home = sql(srv.db, `SELECT code FROM places WHERE level = 7 AND code LIKE '${grid}%' ORDER BY code LIMIT 1`)[0]
    .code;
  const away = sql(
    srv.db,
    `SELECT code FROM places WHERE level = 7 AND code LIKE '440103%' AND code NOT LIKE '${gridCommunity}%' ` +
      `ORDER BY code LIMIT 1`,
  )[0].code;
  // A community of the district that does not serve the call's household.
  const notOnPath = sql(
    srv.db,
    `SELECT code FROM places WHERE level = 3 AND code LIKE '440103%' AND code <> '${gridCommunity}' ORDER BY code LIMIT 1`,
  )[0].code;
  const logCall = async (place) => {
    const r = await post('staff103', '/api/v1/calls', {
      place,
      category: 'food',
      priority: 'normal',
      text: '缺生活物资',
    });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const call = await logCall(home);
  const other = await logCall(away);
  let r = await post('staff103', `/api/v1/posts/${gridCommunity}/supplies`, { item: 'food_packs', qty: 10 });
  assert.equal(r.status, 201, r.text);
  const moves = () => count('SELECT count(*) AS n FROM supply_moves');
  const before = moves();

  // Refusals, none of which moves stock or touches the call: no such call, a post that
  // does not serve the call's place, a call that is not a number.
  r = await post('staff103', '/api/v1/supplies/handout', {
    post: gridCommunity,
    item: 'food_packs',
    qty: 1,
    call: 99999999,
  });
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.field, 'call');
  r = await post('staff103', '/api/v1/supplies/handout', { post: notOnPath, item: 'food_packs', qty: 1, call });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'post');
  r = await post('staff103', '/api/v1/supplies/handout', {
    post: gridCommunity,
    item: 'food_packs',
    qty: 1,
    call: 'x',
  });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'call');
  // More than the post holds: refused, and the call stays open.
  r = await post('grid1', '/api/v1/supplies/handout', { post: gridCommunity, item: 'food_packs', qty: 11, call });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.field, 'qty');
  assert.equal(moves(), before);
  assert.equal(count(`SELECT count(*) AS n FROM calls WHERE id = ${call} AND closed = 0`), 1);
  // A grid worker hands out at their community's station against a call of their grid,
  // not against one elsewhere.
  assertBareError(
    await post('grid1', '/api/v1/supplies/handout', { post: gridCommunity, item: 'food_packs', qty: 1, call: other }),
    403,
  );
  r = await post('grid1', '/api/v1/supplies/handout', { post: gridCommunity, item: 'food_packs', qty: 2, call });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.call, call);
  assert.equal(r.json.closed, true);
  assert.equal(r.json.post.stock.food_packs.qty, 8);
  assert.equal(moves(), before + 1);

  const one = await srv.get('staff103', `/api/v1/calls/${call}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.call.state, 'closed');
  assert.equal(one.json.call.outcome, 'delivered');
  assert.ok(one.json.call.acked_at && one.json.call.closed_at);
  // Every step kept, in order: logged, then acknowledged and closed by the hand-out.
  const kinds = one.json.call.steps.map((x) => x.kind);
  assert.equal(kinds[0], 'logged');
  assert.equal(kinds.at(-1), 'closed');
  assert.equal(one.json.call.steps.at(-1).note, 'delivered');
  assert.ok(kinds.length >= 3, kinds.join());
  // The ledger names the call beside the hand-out.
  const led = await srv.get('staff103', `/api/v1/supplies/ledger?place=${gridCommunity}&item=food_packs`);
  assert.equal(led.json.moves[0].kind, 'handout');
  assert.equal(led.json.moves[0].call, call);

  // Once closed: 409 on "call", nothing moves.
  r = await post('grid1', '/api/v1/supplies/handout', { post: gridCommunity, item: 'food_packs', qty: 1, call });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.field, 'call');
  assert.equal(moves(), before + 1);
  // Without a call a grid worker still may not hand out at the community's post.
  assertBareError(
    await post('grid1', '/api/v1/supplies/handout', { post: gridCommunity, item: 'food_packs', qty: 1 }),
    403,
  );
});

test('wartime: a district switches on, its teams stand up, its posts go on duty, the board counts, and back', async () => {
  const streets = count("SELECT count(*) AS n FROM places WHERE level = 2 AND code LIKE '440103%'");
  assertBareError(await post('cmd106', '/api/v1/wartime', { place: '440103', on: true, reason: '疫情' }), 403);
  assertBareError(await post('staff103', '/api/v1/wartime', { place: '440103', on: true, reason: '疫情' }), 403);
  let r = await post('cmd103', '/api/v1/wartime', { place: street, on: true, reason: '疫情' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'place');

  let g = await srv.get('cmd103', '/api/v1/wartime?place=440103');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.on, false);
  assert.deepEqual(g.json.history, []);

  r = await post('cmd103', '/api/v1/wartime', { place: '440103', on: true, reason: '本土病例，启动战时机制' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.on, true);
  assert.deepEqual(r.json.teams, { streets, created: streets, activated: 0, stood_down: 0, active: streets });
  const switchId = r.json.id;
  assert.equal(
    count("SELECT count(*) AS n FROM orgs WHERE kind = 'shock_team' AND standing = 1 AND active = 1"),
    streets,
  );
  r = await post('cmd103', '/api/v1/wartime', { place: '440103', on: true, reason: '再次' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'on');

  // Posts on wartime duty under the district only.
  let p = await srv.get('grid1', `/api/v1/posts?place=${grid}`);
  assert.deepEqual(
    p.json.posts.map((x) => [x.duty, x.hours_now]),
    [
      ['wartime', '00:00-24:00'],
      ['wartime', '00:00-24:00'],
    ],
  );
  p = await srv.get('admin', '/api/v1/posts?place=440106');
  assert.ok(p.json.posts.length > 0 && p.json.posts.every((x) => x.duty === 'normal'));

  // The board: one shift of a standing team under way, 12 + 5 person-times today
  // (deployments as forces keeps them), one of another district, one yesterday.
  const teams = sql(srv.db, 'SELECT id, place_id FROM orgs WHERE standing = 1 ORDER BY id LIMIT 2');
  const now = Math.floor(Date.now() / 1000);
  const day = (t) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10);
  const d103 = sql(srv.db, "SELECT id FROM places WHERE code = '440103'")[0].id;
  const d106 = sql(srv.db, "SELECT id FROM places WHERE code = '440106'")[0].id;
  const ins = (org, place, district, from, to, people) =>
    `INSERT INTO deployments (org_id, place_id, from_at, to_at, duty, created_at, day, people, district_id, street_id)` +
    ` VALUES (${org}, ${place}, ${from}, ${to}, 'patrol', ${now}, '${day(from)}', ${people}, ${district}, ${place});`;
  sql(
    srv.db,
    ins(teams[0].id, teams[0].place_id, d103, now - 60, now + 3600, 12) +
      ins(teams[1].id, teams[1].place_id, d103, now + 7200, now + 9000, 5) +
      ins('NULL', teams[1].place_id, d103, now - 86400 * 2, now - 86400 * 2 + 60, 40) +
      ins('NULL', teams[1].place_id, d106, now - 60, now + 60, 9),
  );
  g = await srv.get('cmd103', '/api/v1/wartime?place=440103');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.on, true);
  assert.equal(g.json.reason, '本土病例，启动战时机制');
  assert.equal(g.json.history.length, 1);
  assert.equal(g.json.history[0].id, switchId);
  assert.deepEqual(Object.keys(g.json.board).sort(), [
    'calls_open',
    'calls_overdue',
    'orders_unacknowledged',
    'person_times_today',
    'teams_deployed',
  ]);
  assert.equal(g.json.board.teams_deployed, 1);
  const sameDay = day(now) === day(now + 7200);
  assert.equal(g.json.board.person_times_today, sameDay ? 17 : 12);
  // Below the district, the street holding the team's shift.
  const s0 = sql(srv.db, `SELECT code FROM places WHERE id = ${teams[0].place_id}`)[0].code;
  g = await srv.get('cmd103', `/api/v1/wartime?place=${s0}`);
  assert.equal(g.json.on, true);
  assert.equal(g.json.board.teams_deployed, 1);
  assert.equal(g.json.history[0].place, '440103');
  assertBareError(await srv.get('cmd106', '/api/v1/wartime?place=440103'), 403);

  // Back to normal: teams stand down, nothing is removed, the history keeps both.
  r = await post('cmd103', '/api/v1/wartime', { place: '440103', on: false, reason: '解除' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.teams.stood_down, streets);
  assert.equal(count('SELECT count(*) AS n FROM orgs WHERE standing = 1 AND active = 1'), 0);
  assert.equal(count('SELECT count(*) AS n FROM orgs WHERE standing = 1'), streets);
  g = await srv.get('cmd103', '/api/v1/wartime?place=440103');
  assert.equal(g.json.on, false);
  assert.deepEqual(
    g.json.history.map((h) => [h.on, h.reason]),
    [
      [false, '解除'],
      [true, '本土病例，启动战时机制'],
    ],
  );
  p = await srv.get('grid1', `/api/v1/posts?place=${grid}`);
  assert.ok(p.json.posts.every((x) => x.duty === 'normal'));
  // Every switch audited under its record (a committed write's entry says 200).
  assert.ok(
    await audited(`action = 'POST /api/v1/wartime' AND record = 'wartime_switch:${switchId}' AND actor = 'cmd103'`),
  );
  assert.equal(await audited(`action = 'POST /api/v1/wartime' AND status = 200 AND actor = 'cmd103'`), 2);
});

test('a call logged before the switch gets the normal deadline, one after it the wartime one; the board counts calls and orders', async () => {
  const homes = sql(
    srv.db,
    "SELECT code FROM places WHERE level = 7 AND code LIKE '440103%' ORDER BY code DESC LIMIT 2",
  );
  const logged = async (place) => {
    const r = await post('operator1', '/api/v1/calls', { place, category: 'food', priority: 'normal', text: '求助' });
    assert.equal(r.status, 201, r.text);
    const one = await srv.get('cmd103', `/api/v1/calls/${r.json.id}`);
    assert.equal(one.status, 200, one.text);
    return one.json.call;
  };
  const allowance = (c) => (Date.parse(c.due) - Date.parse(c.created_at)) / 1000;
  const normal = await logged(homes[0].code);
  assert.equal(normal.wartime, false);
  assert.equal(allowance(normal), 86400);
  let r = await post('cmd103', '/api/v1/wartime', { place: '440103', on: true, reason: '再次启动' });
  assert.equal(r.status, 201, r.text);
  const war = await logged(homes[1].code);
  assert.equal(war.wartime, true);
  assert.equal(allowance(war), 43200);
  // The first call keeps the deadline it was given.
  const again = await srv.get('cmd103', `/api/v1/calls/${normal.id}`);
  assert.equal(again.json.call.due, normal.due);

  // Orders: one to two streets of the district; one street acknowledges.
  const streets = sql(
    srv.db,
    "SELECT code FROM places WHERE level = 2 AND code LIKE '440103%' ORDER BY code LIMIT 2",
  ).map((x) => x.code);
  r = await post('cmd103', '/api/v1/orders', { title: '送物资', text: '送到每户', targets: streets });
  assert.equal(r.status, 201, r.text);
  r = await post('cmd103', `/api/v1/orders/${r.json.id}/targets/${streets[0]}/ack`, {});
  assert.equal(r.status, 200, r.text);

  const summary = await srv.get('cmd103', '/api/v1/calls/summary?place=440103');
  assert.equal(summary.status, 200, summary.text);
  const open = count(
    "SELECT count(*) AS n FROM calls c JOIN places p ON p.id = c.place_id WHERE c.closed = 0 AND p.code LIKE '440103%'",
  );
  assert.ok(open >= 3, `open calls ${open}`);
  let g = await srv.get('cmd103', '/api/v1/wartime?place=440103');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.board.calls_open, open);
  assert.equal(g.json.board.calls_overdue, count('SELECT count(*) AS n FROM calls WHERE closed = 0 AND overdue = 1'));
  assert.equal(g.json.board.orders_unacknowledged, 1);
  // A street's board: its own target only; the city's sees the district's.
  g = await srv.get('cmd103', `/api/v1/wartime?place=${streets[0]}`);
  assert.equal(g.json.board.orders_unacknowledged, 0);
  g = await srv.get('cmd103', `/api/v1/wartime?place=${streets[1]}`);
  assert.equal(g.json.board.orders_unacknowledged, 1);
  g = await srv.get('admin', '/api/v1/wartime?place=440106');
  assert.equal(g.json.board.calls_open, 0);
  assert.equal(g.json.board.orders_unacknowledged, 0);

  r = await post('cmd103', '/api/v1/wartime', { place: '440103', on: false, reason: '解除' });
  assert.equal(r.status, 201, r.text);
});
