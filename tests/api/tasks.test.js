// Issue 13, item 4: a three-person group's day. `muster group add` puts a group on the
// grid worker's grid (and refuses what it must); GET /api/v1/tasks derives the grid's
// tasks — the roll-call of a running round, the recalls of a pool-positive tube — in
// walking order (building, then household); POST /tasks/{id}/done marks one once (a
// second time answers duplicate); yesterday's roll-call, still open past its 20:00
// deadline, is missed and climbs to the community (and, two hours later, the street),
// where GET /tasks/overdue shows it and the sweep has recorded each climb; a grid worker
// gets 403 outside their grid; GET /groups/needs answers one group per 800 households
// outside zones, exactly, against the groups staffed.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, restart, finish, sql, muster, musterOk, assertBareError } = require('./lib/server.js');

const DAY = 86400;
const TZ = 8 * 3600; // Guangzhou
let srv;
let round;
let grid; // grid1's grid
let community; // the community above it
let siteToken;

// Guangzhou date of unix seconds t, and the unix seconds of that date's hour h.
const dateOf = (t) => new Date((t + TZ) * 1000).toISOString().slice(0, 10);
const hourOf = (date, h) => Date.parse(`${date}T00:00:00Z`) / 1000 - TZ + h * 3600;
const now = () => Math.floor(Date.now() / 1000);
const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function post(who, url, body) {
  const opts = { body };
  if (who.token) opts.token = who.token;
  else opts.session = await srv.as(who);
  return srv.request('POST', url, opts);
}

// Every task of the grid for date, page after page.
async function tasks(who, place, date, limit = 7) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 1000; i++) {
    const r = await srv.get(
      who,
      `/api/v1/tasks?place=${place}&day=${date}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.tasks);
    cursor = r.json.cursor;
    if (!cursor) break;
  }
  return out;
}

// The people of a place's subtree with their household and building, from the tables.
function residents(code) {
  return sql(
    srv.db,
    'SELECT p.id, h.code AS hh, h.name AS hh_name, b.code AS b, b.name AS b_name, c.code AS c ' +
      'FROM people p JOIN places h ON h.id = p.household_id JOIN places b ON b.id = h.parent_id ' +
      `JOIN places c ON c.id = b.parent_id WHERE h.code LIKE '${code}%' ORDER BY p.id`,
  );
}

before(async () => {
  srv = await start();
  grid = srv.users.grid1.place;
  community = sql(srv.db, `SELECT p.code FROM places g JOIN places p ON p.id = g.parent_id WHERE g.code = '${grid}'`)[0]
    .code;
  // A round over the district that began yesterday, so that yesterday has a roll-call.
  const r = await post('staff103', '/api/v1/rounds', {
    scope: srv.places.district,
    name: '三人小组',
    pool: 10,
    starts: iso(now() - 30 * 3600),
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  // The group and a site over the district are set up on the command line, which
  // refuses to write beside a server.
  srv = await restart(srv, [], () => {
    const db = ['--db', srv.db];
    musterOk(['site', 'add', '--code', 'S9', '--place', srv.places.district, '--name', '九号', '--desks', '2', ...db]);
    const t = musterOk(['token', 'issue', '--site', 'S9', ...db]);
    siteToken = t.stdout
      .split('\n')
      .map((s) => s.trim())
      .find((s) => /^[a-z2-7]{52}$/.test(s));
    // Refusals first: nothing is stored.
    const refuse = (args, re) => {
      const x = muster(['group', 'add', ...args, ...db]);
      assert.equal(x.status, 1, x.stderr);
      assert.match(x.stderr, re);
    };
    refuse(
      ['--grid', grid, '--medic', 'grid1', '--cadre', 'staff103', '--police', 'nobody'],
      /police: no user is named 'nobody'/,
    );
    refuse(
      ['--grid', grid, '--medic', 'grid1', '--cadre', 'staff103', '--police', 'cmd106'],
      /outside the jurisdiction of user 'cmd106'/,
    );
    refuse(
      ['--grid', community, '--medic', 'grid1', '--cadre', 'staff103', '--police', 'cmd103'],
      /is a community, not a grid/,
    );
    refuse(['--grid', grid, '--medic', 'grid1', '--cadre', 'grid1', '--police', 'cmd103'], /already the group's medic/);
    assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM care_groups')[0].n, 0);
    const g = musterOk([
      'group',
      'add',
      '--grid',
      grid,
      '--medic',
      'grid1',
      '--cadre',
      'staff103',
      '--police',
      'cmd103',
      ...db,
    ]);
    assert.match(g.stdout, /^\d+\n$/);
    refuse(['--grid', grid, '--medic', 'grid1', '--cadre', 'staff103', '--police', 'cmd103'], /already held by group/);
    const l = JSON.parse(musterOk(['group', 'list', '--place', srv.places.district, '--json', ...db]).stdout);
    assert.deepEqual(
      l.map((x) => [x.grids, x.medic, x.cadre, x.police]),
      [[[grid], 'grid1', 'staff103', 'cmd103']],
    );
  });
  assert.ok(siteToken, 'a site token');
});
after(async () => finish(srv));

test('the groups of a place, with their grids and members by name', async () => {
  const r = await srv.get('cmd103', `/api/v1/groups?place=${srv.places.district}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.groups.length, 1);
  const g = r.json.groups[0];
  const name = sql(srv.db, `SELECT name FROM places WHERE code = '${grid}'`)[0].name;
  assert.deepEqual(g.grids, [{ code: grid, name }]);
  assert.deepEqual(g.members, { medic: 'grid1', cadre: 'staff103', police: 'cmd103' });
  const other = await srv.get('cmd106', `/api/v1/groups?place=${srv.places.other}`);
  assert.equal(other.status, 200, other.text);
  assert.deepEqual(other.json.groups, []);
});

test("today's roll-call: every unsampled person of the grid, building then household", async () => {
  const today = dateOf(now());
  const list = await tasks('grid1', grid, today);
  const people = residents(grid);
  assert.ok(people.length >= 4, 'the grid has people');
  const roll = list.filter((t) => t.kind === 'rollcall');
  assert.deepEqual(
    roll.map((t) => t.person).sort((a, b) => a - b),
    people.map((p) => p.id),
  );
  const due = hourOf(today, 20);
  const byId = new Map(people.map((p) => [p.id, p]));
  for (const t of roll) {
    const p = byId.get(t.person);
    assert.equal(t.id, `rollcall:${round}:${t.person}:${today}`);
    assert.equal(t.household, p.hh_name);
    assert.equal(t.household_code, p.hh);
    assert.equal(t.building, p.b_name);
    assert.equal(t.building_code, p.b);
    assert.equal(t.due, iso(due));
    assert.equal(t.state, now() >= due ? 'missed' : 'open');
    assert.ok(t.name && t.name.includes('*'), `a masked name: ${t.name}`);
  }
  // Walking order: compound, building, household; a building's tasks come together.
  const seen = [];
  for (const t of list) {
    const b = byId.get(t.person).b;
    if (seen[seen.length - 1] !== b) {
      assert.ok(!seen.includes(b), `building ${b} comes back after another`);
      seen.push(b);
    }
  }
  // Every person listed is audited by person, under grid1.
  for (const id of [roll[0].person, roll[roll.length - 1].person]) {
    let n = 0;
    for (let i = 0; i < 50 && !n; i++) {
      n = sql(
        srv.db,
        "SELECT count(*) AS n FROM audit WHERE actor = 'grid1' " +
          `AND action = 'GET /api/v1/tasks' AND record = 'person:${id}'`,
      )[0].n;
      if (!n) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(n >= 1, `the read of person ${id} is audited`);
  }
});

test('a pool-positive tube turns its members into recall tasks; their roll-call is done', async () => {
  const people = residents(grid).slice(0, 2);
  const codes = [];
  for (const p of people) {
    const r = await srv.get('admin', `/api/v1/people/${p.id}`);
    assert.equal(r.status, 200, r.text);
    codes.push(r.json.person.code);
  }
  const site = { token: siteToken };
  let r = await post(site, '/api/v1/scans', {
    scans: codes.map((c) => ({
      scan_id: crypto.randomUUID(),
      round,
      site: 'S9',
      tube: 'TASK-T1',
      person: c,
      at: iso(now()),
    })),
  });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok'],
    r.text,
  );
  assert.equal((await post(site, '/api/v1/tubes/TASK-T1/seal', {})).status, 200);
  const lab = { token: srv.tokens.lab };
  r = await post(lab, '/api/v1/labs/L1/receipts', { tubes: ['TASK-T1'] });
  assert.equal(r.status, 200, r.text);
  r = await post(lab, '/api/v1/results', { results: [{ tube: 'TASK-T1', result: 'positive', at: iso(now()) }] });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok'],
    r.text,
  );

  const today = dateOf(now());
  const list = await tasks('grid1', grid, today);
  const recalls = list.filter((t) => t.kind === 'recall');
  assert.deepEqual(recalls.map((t) => t.id).sort(), people.map((p) => `recall:${round}:${p.id}`).sort());
  const created = sql(srv.db, `SELECT created_at FROM recalls WHERE round_id = ${round} ORDER BY person_id`)[0]
    .created_at;
  const noon = hourOf(dateOf(created), 12);
  const due = created >= noon ? noon + DAY : noon;
  for (const t of recalls) assert.equal(t.due, iso(due));
  const sampled = new Set(people.map((p) => p.id));
  assert.ok(!list.some((t) => t.kind === 'rollcall' && sampled.has(t.person)), 'the sampled leave the roll-call');
});

test('done once: a second time answers duplicate, and the mark is stored', async () => {
  const today = dateOf(now());
  const t = (await tasks('grid1', grid, today)).find((x) => x.kind === 'rollcall' && x.state !== 'done');
  const url = `/api/v1/tasks/${encodeURIComponent(t.id)}/done`;
  let r = await post('grid1', url, { result: 'away', note: '出差，周五回来' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'done');
  r = await post('grid1', url, { note: 'again' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'duplicate');
  // (After 20:00 the sweep may also have marked it missed: done wins.)
  const marks = sql(
    srv.db,
    `SELECT state, result, note, day FROM task_marks WHERE task = '${t.id}' AND state = 'done'`,
  );
  assert.deepEqual(marks, [{ state: 'done', result: 'away', note: '出差，周五回来', day: today }]);
  const again = (await tasks('grid1', grid, today)).find((x) => x.id === t.id);
  assert.equal(again.state, 'done');
  // Refusals: a task that is no task, an unknown member, a task of nobody.
  assertBareError(await post('grid1', '/api/v1/tasks/nonsense/done', {}), 400);
  assert.equal((await post('grid1', url, { colour: 'red' })).status, 400);
  const nobody = `rollcall:${round}:${t.person}:2001-01-01`;
  assert.equal((await post('grid1', `/api/v1/tasks/${encodeURIComponent(nobody)}/done`, {})).status, 404);
});

test("yesterday's roll-call is missed and climbs to the community, then the street", async () => {
  const yesterday = dateOf(now() - DAY);
  const list = await tasks('grid1', grid, yesterday);
  const roll = list.filter((t) => t.kind === 'rollcall');
  assert.ok(roll.length > 0, 'yesterday had a roll-call');
  const due = hourOf(yesterday, 20);
  const street = sql(
    srv.db,
    `SELECT p.code FROM places c JOIN places p ON p.id = c.parent_id WHERE c.code = '${community}'`,
  )[0].code;
  for (const t of roll) {
    assert.equal(t.state, 'missed', JSON.stringify(t));
    // 20:00 + 2 h at the community: by now it is the street's.
    assert.equal(t.level, 'street');
    assert.equal(t.holder, street);
    assert.equal(t.since, iso(due + 2 * 3600));
  }
  // The community and the street see them; a grid worker of the grid does not ask there.
  const atCommunity = await srv.get('cmd103', `/api/v1/tasks/overdue?place=${community}&limit=1000`);
  assert.equal(atCommunity.status, 200, atCommunity.text);
  const ids = new Set(atCommunity.json.tasks.map((t) => t.id));
  for (const t of roll) assert.ok(ids.has(t.id), `${t.id} reached the community`);
  const atStreet = await srv.get('cmd103', `/api/v1/tasks/overdue?place=${street}&limit=1000`);
  assert.equal(atStreet.status, 200, atStreet.text);
  const sids = new Set(atStreet.json.tasks.map((t) => t.id));
  for (const t of roll) assert.ok(sids.has(t.id), `${t.id} reached the street`);
  assert.equal((await srv.get('cmd103', `/api/v1/tasks/overdue?place=${grid}`)).status, 400);

  // The sweep (at the server's start, then every 60 s) recorded both climbs, once each.
  const first = roll[0].id;
  let steps = [];
  for (let i = 0; i < 100 && steps.length < 2; i++) {
    steps = sql(srv.db, `SELECT level, at FROM task_steps WHERE task = '${first}' ORDER BY level DESC`);
    if (steps.length < 2) await new Promise((res) => setTimeout(res, 100));
  }
  assert.deepEqual(steps, [
    { level: 3, at: due },
    { level: 2, at: due + 2 * 3600 },
  ]);
  assert.deepEqual(sql(srv.db, `SELECT state FROM task_marks WHERE task = '${first}'`), [{ state: 'missed' }]);
});

test('a grid worker gets 403 outside their grid; needs are for those who staff groups', async () => {
  assertBareError(await srv.get('grid1', `/api/v1/tasks?place=${srv.places.otherGrid}`), 403);
  assertBareError(await srv.get('grid1', `/api/v1/tasks/overdue?place=${community}`), 403);
  const outsider = sql(
    srv.db,
    `SELECT p.id FROM people p JOIN places h ON h.id = p.household_id WHERE h.code LIKE '${srv.places.otherGrid}%' LIMIT 1`,
  )[0].id;
  const id = encodeURIComponent(`rollcall:${round}:${outsider}:${dateOf(now())}`);
  assertBareError(await post('grid1', `/api/v1/tasks/${id}/done`, {}), 403);
  assertBareError(await srv.get('grid1', `/api/v1/groups/needs?place=${community}`), 403);
  assertBareError(await srv.get('sampler1', `/api/v1/tasks?place=${grid}`), 403);
  assertBareError(await srv.get('cmd106', `/api/v1/tasks?place=${grid}`), 403);
});

test('needs: one group per 800 households outside zones, against the groups staffed', async () => {
  const r = await srv.get('cmd103', `/api/v1/groups/needs?place=${community}`);
  assert.equal(r.status, 200, r.text);
  const kids = sql(
    srv.db,
    `SELECT code, n_households AS hh FROM places WHERE parent_id = (SELECT id FROM places WHERE code = '${community}') ORDER BY code`,
  );
  assert.deepEqual(
    r.json.children.map((c) => [c.code, c.households, c.zone_level, c.needed, c.staffed, c.short]),
    kids.map((k) => {
      const needed = Math.ceil(k.hh / 800);
      const staffed = k.code === grid ? 1 : 0;
      return [k.code, k.hh, 'low', needed, staffed, Math.max(0, needed - staffed)];
    }),
  );
  const sum = (f) => r.json.children.reduce((a, c) => a + c[f], 0);
  assert.deepEqual(r.json.totals, {
    households: sum('households'),
    needed: sum('needed'),
    staffed: 1,
    short: sum('short'),
  });
  assert.equal((await srv.get('cmd103', `/api/v1/groups/needs?place=${grid}`)).status, 400);
});
