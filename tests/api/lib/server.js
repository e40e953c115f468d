// A real `muster serve` over a fresh small city, for the API tests: a temporary
// directory, `muster init`, a generated city, one user per role (with jurisdictions
// inside and outside district 440103), a site and a lab token, then the server on an
// ephemeral loopback port. stop() sends SIGTERM, expects exit status 0 and fails when
// the server's stderr holds a sanitizer report.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MUSTER = path.resolve(ROOT, process.env.MUSTER || 'build/muster');
const PASSWORD = 'correct-horse-battery-staple';

// What a sanitizer prints; any of it in the server's stderr fails the test.
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

// Runs muster synchronously; returns {status, stdout, stderr}. input goes to stdin.
function muster(args, { input, env } = {}) {
  const r = spawnSync(MUSTER, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, MUSTER_DB: '', MUSTER_NO_PROGRESS: '1', ...env },
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  if (SANITIZER.test(r.stderr)) {
    throw new Error(`sanitizer report from muster ${args.join(' ')}:\n${r.stderr}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Like muster() but throws unless the exit status is 0.
function musterOk(args, opts) {
  const r = muster(args, opts);
  if (r.status !== 0) {
    throw new Error(`muster ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

// Runs one statement with the sqlite3 CLI; returns the rows (JSON mode).
function sql(db, statement) {
  const r = spawnSync('sqlite3', ['-bail', '-json', '-cmd', '.timeout 5000', db, statement], {
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr}`);
  const out = r.stdout.trim();
  return out ? JSON.parse(out) : [];
}

// The first code (in code order) of a place at level under prefix, with people.
function pickPlace(db, level, prefix, orderBy = 'code') {
  const rows = sql(
    db,
    `SELECT code FROM places WHERE level = ${Number(level)} AND code LIKE '${prefix}%' ` +
      `AND n_people > 0 ORDER BY ${orderBy} LIMIT 1`,
  );
  assert.ok(rows.length, `no level-${level} place under ${prefix}`);
  return rows[0].code;
}

// Builds the city and its users once per fixture. Returns the fixture description
// (dir, db, users by name with role and place, tokens, codes of interesting places).
function buildCity() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-api-'));
  const db = path.join(dir, 'muster.db');
  const init = musterOk(['init', '--db', db]);
  const m = /admin password: (\S+)/.exec(init.stdout);
  assert.ok(m, `muster init printed no admin password:\n${init.stdout}`);
  musterOk(['city', 'generate', '--preset', 'guangzhou-2021', '--scale', '0.0005', '--seed', '5', '--db', db]);
  const places = {
    city: sql(db, 'SELECT code FROM places WHERE level = 0')[0].code,
    district: '440103',
    other: '440106',
    street: pickPlace(db, 2, '440103'),
    community: pickPlace(db, 3, '440103'),
    // The grid of 440103 with the most people, for pagination over several pages.
    grid: pickPlace(db, 4, '440103', 'n_people DESC, code'),
    otherGrid: pickPlace(db, 4, '440106'),
  };
  const users = {
    admin: { role: 'admin', place: null, password: m[1] },
    cmd103: { role: 'commander', place: places.district },
    cmd106: { role: 'commander', place: places.other },
    citycmd: { role: 'commander', place: places.city },
    staff103: { role: 'staff', place: places.district },
    grid1: { role: 'grid_worker', place: places.grid },
    sampler1: { role: 'sampler', place: places.community },
    lab1: { role: 'lab', place: places.city },
    operator1: { role: 'operator', place: places.district },
    auditor1: { role: 'auditor', place: places.city },
  };
  for (const [name, u] of Object.entries(users)) {
    if (name === 'admin') continue;
    u.password = PASSWORD;
    musterOk(['user', 'add', name, '--role', u.role, '--place', u.place, '--password-stdin', '--db', db], {
      input: `${PASSWORD}\n`,
    });
  }
  const token = (args) => {
    const r = musterOk(['token', 'issue', ...args, '--db', db]);
    const line = r.stdout
      .split('\n')
      .map((s) => s.trim())
      .find((s) => /^[a-z2-7]{52}$/.test(s));
    assert.ok(line, `muster token issue ${args.join(' ')} printed no token:\n${r.stdout}`);
    return line;
  };
  // A sampling site and a lab as records: device tokens are bound to them.
  musterOk([
    'site',
    'add',
    '--code',
    'S1',
    '--place',
    places.community,
    '--name',
    '一号采样点',
    '--desks',
    '4',
    '--db',
    db,
  ]);
  musterOk(['lab', 'add', '--code', 'L1', '--name', '一号实验室', '--capacity', '350000', '--db', db]);
  const tokens = {
    site: token(['--site', 'S1', '--place', places.community]),
    lab: token(['--lab', 'L1']),
  };
  return { dir, db, users, tokens, places };
}

// One running server. extraArgs go to `muster serve`.
class Server {
  constructor(fixture, proc) {
    this.fx = fixture;
    this.proc = proc;
    this.stderr = '';
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => resolve({ code, signal }));
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      // Keep the tail only: access log lines add up over thousands of requests.
      this.stderr = (this.stderr + d).slice(-4_000_000);
    });
    this.sessions = new Map();
  }

  get db() {
    return this.fx.db;
  }
  get places() {
    return this.fx.places;
  }
  get users() {
    return this.fx.users;
  }
  get tokens() {
    return this.fx.tokens;
  }

  // Fails the calling test when the server reported a sanitizer error so far.
  assertClean() {
    assert.doesNotMatch(this.stderr, SANITIZER, 'the server printed a sanitizer report');
  }

  // fetch against the server; returns {status, headers, text, json}.
  async request(method, urlPath, { body, headers = {}, session, token, raw } = {}) {
    const h = { ...headers };
    if (session) {
      h.Cookie = session.cookie;
      if (method !== 'GET' && session.csrf && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = session.csrf;
    }
    if (token) h.Authorization = `Bearer ${token}`;
    let payload = raw;
    if (body !== undefined && raw === undefined) {
      payload = JSON.stringify(body);
      h['Content-Type'] = h['Content-Type'] || 'application/json';
    }
    const res = await fetch(this.url + urlPath, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    if ((res.headers.get('content-type') || '').includes('json')) {
      json = JSON.parse(text);
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  // Signs in; returns {cookie, csrf, user, setCookie}.
  async signIn(name, password) {
    const u = this.users[name];
    const r = await this.request('POST', '/api/v1/session', {
      body: { username: name, password: password ?? u.password },
    });
    assert.equal(r.status, 200, `sign-in of ${name}: ${r.status} ${r.text}`);
    const setCookie = r.headers.get('set-cookie');
    const cookie = setCookie.split(';')[0];
    return { cookie, csrf: r.json.csrf, user: r.json.user, setCookie };
  }

  // A cached session of a fixture user.
  async as(name) {
    if (!this.sessions.has(name)) this.sessions.set(name, await this.signIn(name));
    return this.sessions.get(name);
  }

  async get(name, urlPath) {
    return this.request('GET', urlPath, { session: await this.as(name) });
  }

  // SIGTERM, then the exit status must be 0 and stderr free of sanitizer reports.
  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    this.assertClean();
    assert.equal(signal, null, `the server died of ${signal}:\n${this.stderr.slice(-4000)}`);
    assert.equal(code, 0, `the server exited ${code}:\n${this.stderr.slice(-4000)}`);
  }
}

// Starts `muster serve` on the fixture's database; resolves once it printed its address.
function serve(fixture, extraArgs = []) {
  const proc = spawn(MUSTER, ['serve', '--listen', '127.0.0.1:0', '--db', fixture.db, ...extraArgs], {
    env: { ...process.env, MUSTER_DB: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const srv = new Server(fixture, proc);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`muster serve did not start in time:\n${out}\n${srv.stderr}`));
    }, 30_000);
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m && !srv.url) {
        clearTimeout(timer);
        srv.url = m[1];
        srv.port = Number(m[2]);
        resolve(srv);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (!srv.url) reject(new Error(`muster serve exited ${code} before listening:\n${srv.stderr}`));
    });
  });
}

// A fixture and a server for one test file: call in before(), stop in after().
async function start(extraArgs = []) {
  const fx = buildCity();
  const srv = await serve(fx, extraArgs);
  srv.cleanup = () => fs.rmSync(fx.dir, { recursive: true, force: true });
  return srv;
}

// Stops the server cleanly and starts a new one on the same database (for what must
// survive a restart); the new server takes over the cleanup. Sessions are kept: they
// live in the database. between() runs while no server runs: commands that write are
// refused beside a server (the database's lock).
async function restart(srv, extraArgs = [], between = null) {
  await srv.stop();
  if (between) between();
  const next = await serve(srv.fx, extraArgs);
  next.cleanup = srv.cleanup;
  next.sessions = srv.sessions;
  return next;
}

// Stops the server (asserting a clean exit) and removes the directory either way.
async function finish(srv) {
  if (!srv) return;
  try {
    await srv.stop();
  } finally {
    srv.cleanup();
  }
}

// Asserts that a refusal says nothing but the error: one key, "error", with the
// code/message/field triple, and none of the words given (names, counts, codes).
function assertBareError(r, status, forbidden = []) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.deepEqual(Object.keys(r.json), ['error'], r.text);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'field', 'message'], r.text);
  for (const w of forbidden) {
    if (w !== undefined && w !== null && String(w) !== '') {
      assert.ok(!r.text.includes(String(w)), `the refusal leaks "${w}": ${r.text}`);
    }
  }
}

// POST /api/v1/session to the server at url from local address `from` (a 127.0.0.x, so
// that each test's throttles are its own), on a fresh connection; headers are added,
// raw replaces the JSON body. Resolves to {status, headers, json}.
function signInFrom(url, from, username, password, { cookie, headers = {}, raw } = {}) {
  const u = new URL(url);
  const body = raw ?? JSON.stringify({ username, password });
  const h = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers };
  if (cookie) h.Cookie = cookie;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: '/api/v1/session',
        method: 'POST',
        localAddress: from,
        headers: h,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

module.exports = {
  signInFrom,
  MUSTER,
  ROOT,
  PASSWORD,
  SANITIZER,
  muster,
  musterOk,
  sql,
  buildCity,
  serve,
  start,
  restart,
  finish,
  assertBareError,
};
