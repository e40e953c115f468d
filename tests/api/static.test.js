// The web app's files as `muster serve --web DIR` sends them: content types, a year's
// caching for hashed assets and revalidation for the rest, the gzip sibling when the
// client accepts it, index.html for the app's own routes, the security headers, no way
// out of DIR, and /api/ paths never answered with the app.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const http = require('node:http');
const { start, finish } = require('./lib/server.js');

let srv;
let web;
const JS = 'console.log("muster");\n'.repeat(50);

before(async () => {
  web = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'muster-web-'));
  fs.mkdirSync(path.join(web, 'assets'));
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Muster</title><div id="app"></div>');
  fs.writeFileSync(path.join(web, 'assets', 'index-AbC123.js'), JS);
  fs.writeFileSync(path.join(web, 'assets', 'index-AbC123.js.gz'), zlib.gzipSync(JS));
  fs.writeFileSync(path.join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  srv = await start(['--web', web]);
});
after(async () => {
  await finish(srv);
  fs.rmSync(web, { recursive: true, force: true });
});

// A raw GET (fetch would undo the gzip and hide Content-Encoding), with its body bytes.
function raw(p, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(`${srv.url}${p}`, { headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

test("index.html: revalidated, with the security headers; also for the app's own routes", async () => {
  for (const p of ['/', '/overview', '/screening/1/440103']) {
    const r = await raw(p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers['content-type'], /^text\/html; charset=utf-8/);
    assert.match(r.body.toString(), /<div id="app">/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(r.headers['content-security-policy'], /default-src 'self'; script-src 'self';/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
});

test('hashed assets: cached for a year, gzip when accepted, plain otherwise', async () => {
  let r = await raw('/assets/index-AbC123.js', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/javascript/);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.equal(zlib.gunzipSync(r.body).toString(), JS);
  r = await raw('/assets/index-AbC123.js');
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body.toString(), JS);
  r = await raw('/favicon.svg');
  assert.equal(r.headers['content-type'], 'image/svg+xml');
});

test('nothing outside the web directory; /api/ paths are never the app', async () => {
  for (const p of ['/../muster.db', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
    const r = await raw(p);
    assert.ok(!r.body.toString().includes('root:'), p);
    assert.ok(
      r.status === 404 || (r.status === 200 && r.body.toString().includes('<div id="app">')),
      `${p}: ${r.status}`,
    );
  }
  const r = await raw('/api/v1/nothing-here');
  assert.equal(r.status, 404);
  assert.match(r.headers['content-type'], /application\/json/);
  assert.ok(JSON.parse(r.body.toString()).error);
});
