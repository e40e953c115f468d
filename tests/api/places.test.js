// The places read API: a node with its counts, its path from the city and its children;
// the children a page at a time.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

const COUNT_KEYS = ['districts', 'streets', 'communities', 'grids', 'compounds', 'buildings', 'households', 'people'];

test('GET /places/{code}: the node, its path root first, its children with counts', async () => {
  const r = await srv.get('cmd103', `/api/v1/places/${srv.places.district}`);
  assert.equal(r.status, 200, r.text);
  const { place, path, children, children_cursor: cursor } = r.json;
  const row = sql(srv.db, `SELECT * FROM places WHERE code = '${srv.places.district}'`)[0];
  assert.equal(place.code, row.code);
  assert.equal(place.name, row.name);
  assert.equal(place.level, 'district');
  assert.equal(place.id, row.id);
  assert.deepEqual(Object.keys(place.counts).sort(), [...COUNT_KEYS].sort());
  assert.equal(place.counts.people, row.n_people);
  assert.equal(place.counts.streets, row.n_streets);
  assert.equal(place.counts.households, row.n_households);
  assert.deepEqual(
    path.map((p) => p.level),
    ['city'],
  );
  assert.equal(path[0].code, srv.places.city);
  const kids = sql(srv.db, `SELECT code, name, n_people FROM places WHERE parent_id = ${row.id} ORDER BY code`);
  assert.deepEqual(
    children.map((c) => c.code),
    kids.map((k) => k.code),
  );
  assert.deepEqual(
    children.map((c) => c.people),
    kids.map((k) => k.n_people),
  );
  assert.ok(children.every((c) => c.level === 'street' && c.counts.people === c.people));
  assert.equal(
    children.reduce((a, c) => a + c.people, 0),
    place.counts.people,
  );
  assert.equal(cursor, null);
});

test('the path of a deep node lists every ancestor, not the node', async () => {
  const r = await srv.get('grid1', `/api/v1/places/${srv.places.grid}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.path.map((p) => p.level),
    ['city', 'district', 'street', 'community'],
  );
  assert.ok(srv.places.grid.startsWith(r.json.path[3].code));
  assert.equal(r.json.place.level, 'grid');
  assert.ok(r.json.children.length > 0);
  assert.equal(r.json.children[0].level, 'compound');
});

test('children a page at a time: every page in code order, all of them once', async () => {
  const all = (await srv.get('citycmd', `/api/v1/places/${srv.places.district}/children?limit=1000`)).json;
  assert.equal(all.cursor, null);
  const pages = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const q = cursor ? `&cursor=${cursor}` : '';
    const r = await srv.get('citycmd', `/api/v1/places/${srv.places.district}/children?limit=5${q}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.children.length <= 5);
    pages.push(...r.json.children);
    cursor = r.json.cursor;
    if (!cursor) break;
    assert.equal(cursor, r.json.children.at(-1).code);
  }
  assert.equal(cursor, null);
  assert.deepEqual(pages, all.children);
  assert.ok(pages.length > 5);
});

test('the first page of a node with more than 200 children carries a cursor', async () => {
  const row = sql(
    srv.db,
    'SELECT p.code, COUNT(*) AS n FROM places p JOIN places c ' +
      'ON c.parent_id = p.id GROUP BY p.id ORDER BY n DESC LIMIT 1',
  )[0];
  const r = await srv.get('admin', `/api/v1/places/${row.code}`);
  assert.equal(r.status, 200);
  if (row.n > 200) {
    assert.equal(r.json.children.length, 200);
    assert.equal(r.json.children_cursor, r.json.children[199].code);
    const next = await srv.get(
      'admin',
      `/api/v1/places/${row.code}/children?cursor=${r.json.children_cursor}&limit=1000`,
    );
    assert.equal(r.json.children.length + next.json.children.length, row.n);
  } else {
    assert.equal(r.json.children.length, row.n);
    assert.equal(r.json.children_cursor, null);
  }
});
