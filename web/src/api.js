// The one way the web app talks to `muster serve`: JSON in and out, the session cookie
// (HttpOnly, the browser sends it) plus the CSRF token on every write, and errors as
// ApiError carrying the server's {code, message, field}.
import { session } from './session.js';
import { i18n } from './locale.js';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'http');
    this.field = e.field || null;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { error: { code: 'network', message: 'network unavailable' } });
  }
  let json = null;
  if ((res.headers.get('content-type') || '').includes('json')) json = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && session.user) session.expired();
    throw new ApiError(res.status, json);
  }
  return json;
}

// The server's stable error codes (src/core/core.h) and the message key of each; the
// server's own text is English and for logs, never shown (a 500 said "database is
// locked" to a Chinese page).
const ERR_KEYS = {
  network: 'err.network',
  invalid: 'err.invalid',
  not_found: 'err.notFound',
  conflict: 'err.conflict',
  too_large: 'err.tooLarge',
  busy: 'err.busy',
  stopped: 'err.busy',
  storage_full: 'err.full',
  forbidden: 'err.forbidden',
  unauthenticated: 'err.unauthenticated',
  too_many_requests: 'err.tooMany',
  db_error: 'err.server',
  io_error: 'err.server',
  crypto_error: 'err.server',
  schema: 'err.server',
  method_not_allowed: 'err.server',
};

const STATUS_KEYS = {
  401: 'err.unauthenticated',
  403: 'err.forbidden',
  404: 'err.notFound',
  409: 'err.conflict',
  413: 'err.tooLarge',
  429: 'err.tooMany',
  503: 'err.busy',
};
function statusKey(s) {
  if (s === 0) return 'err.network';
  return STATUS_KEYS[s] || (s >= 400 && s < 500 ? 'err.invalid' : 'err.server');
}

// What a page says of a failed call, always in the page's language: the server's error
// code, else the HTTP status, mapped to a message (t is vue-i18n's); a refused field is
// named as the page names it (err.fields) where it has a name.
export function errorText(e, t) {
  const key = ERR_KEYS[e && e.code] || statusKey((e && e.status) || 0);
  if (key === 'err.invalid' && e.field) {
    const fk = `err.fields.${e.field}`;
    return t('err.invalidField', { field: i18n.global.te(fk) ? t(fk) : e.field });
  }
  return t(key);
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

// A query string from an object, leaving out empty values.
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

// Every page of a cursor-paginated list: calls fetchPage(cursor) until the cursor is null.
export async function allPages(fetchPage, key, onProgress) {
  const out = [];
  let cursor = null;
  do {
    const page = await fetchPage(cursor);
    out.push(...page[key]);
    cursor = page.cursor;
    if (onProgress) onProgress(out.length);
  } while (cursor);
  return out;
}

// ---- the endpoints ----------------------------------------------------------------------
// Every endpoint of the API the app calls, one function each, and the only place in
// web/src that names an API path (docs/openapi.yaml describes them); pages call these.
const enc = encodeURIComponent;

export const sessionGet = () => get('/api/v1/session');
export const sessionOpen = (username, password) => post('/api/v1/session', { username, password });
export const sessionClose = () => api('DELETE', '/api/v1/session');

export const placeGet = (code) => get(`/api/v1/places/${enc(code)}`);

// params: {place, q, cursor}; q: an ID number, a phone number or part of a name.
export const peopleList = (params) => get(`/api/v1/people${qs(params)}`);
export const personGet = (id) => get(`/api/v1/people/${enc(id)}`);
// Has this person been tested: the rounds covering them, newest first.
export const personScreening = (id) => get(`/api/v1/people/${enc(id)}/screening`);
// The address of a person's QR code (an image the page shows, not a JSON call).
export const personQrUrl = (id) => `/api/v1/people/${enc(id)}/qr.svg`;

export const roundsList = () => get('/api/v1/rounds');
export const roundGet = (id) => get(`/api/v1/rounds/${enc(id)}`);
// depth 2: each child with its own children, in one answer.
export const coverageGet = (round, place, depth) => get(`/api/v1/rounds/${enc(round)}/coverage${qs({ place, depth })}`);
export const roundDay = (round) => get(`/api/v1/rounds/${enc(round)}/day`);
export const roundProgress = (round) => get(`/api/v1/rounds/${enc(round)}/progress`);
// params: {place, cursor, limit}
export const missingList = (round, params) => get(`/api/v1/rounds/${enc(round)}/missing${qs(params)}`);
// params: {place, status, cursor, limit}
export const recallsList = (round, params) => get(`/api/v1/rounds/${enc(round)}/recalls${qs(params)}`);
// body: {person, round, reason: away|hospitalised|moved|deceased}
export const exemptionAdd = (body) => post('/api/v1/exemptions', body);
// body: {id (the client's uuid: a resend is recorded once), person, round, text}
export const noteAdd = (body) => post('/api/v1/notes', body);

export const sitesList = () => get('/api/v1/sites');
export const scansSend = (scans) => post('/api/v1/scans', { scans });
export const tubeSeal = (barcode) => post(`/api/v1/tubes/${enc(barcode)}/seal`);

export const labsList = () => get('/api/v1/labs');
export const labBacklog = (lab, limit) => get(`/api/v1/labs/${enc(lab)}/backlog${qs({ limit })}`);
export const labReceive = (lab, tubes) => post(`/api/v1/labs/${enc(lab)}/receipts`, { tubes });
export const resultsSend = (results) => post('/api/v1/results', { results });

// params: {user, record, cursor}
// ---- a group's day (control: tasks) ----
// params: {place (a grid), day (YYYY-MM-DD), cursor, limit}
export const tasksList = (params) => get(`/api/v1/tasks${qs(params)}`);
// params: {place (a community or a street), cursor, limit}
export const tasksOverdue = (params) => get(`/api/v1/tasks/overdue${qs(params)}`);
// body: {result, note} (both optional); a second time answers {status: 'duplicate'}
export const taskDone = (id, body) => post(`/api/v1/tasks/${enc(id)}/done`, body);
export const groupsList = (place) => get(`/api/v1/groups${qs({ place })}`);
export const groupNeeds = (place) => get(`/api/v1/groups/needs${qs({ place })}`);

export const auditList = (params) => get(`/api/v1/audit${qs(params)}`);

// ---- orders (helper orders) ----
export const ordersList = (params) => get(`/api/v1/orders${qs(params)}`);
export const ordersOverdue = (params) => get(`/api/v1/orders/overdue${qs(params)}`);
export const orderGet = (id) => get(`/api/v1/orders/${enc(id)}`);
// body: {title, text, targets: [CODE…] | {level, under}, due?}
export const orderIssue = (body) => post('/api/v1/orders', body);
// step: 'ack' | 'done' | 'blocked' (body {note?}) or 'forward' (body {targets, due?})
export const orderStep = (id, code, step, body) =>
  post(`/api/v1/orders/${enc(id)}/targets/${enc(code)}/${enc(step)}`, body ?? {});
// ---- forces (helper forces): organisations, formation, deployments, ledger ----
// params: {place, kind, cursor, limit}
export const orgsList = (params) => get(`/api/v1/orgs${qs(params)}`);
export const orgGet = (id, params) => get(`/api/v1/orgs/${enc(id)}${qs(params || {})}`);
export const compoundForm = (place) => post('/api/v1/forces/form', { place });
// params: {place, active, cursor, limit}
export const deploymentsList = (params) => get(`/api/v1/deployments${qs(params)}`);
// params: {place, org, from, to}
export const ledgerGet = (params) => get(`/api/v1/ledger${qs(params)}`);
// ---- posts (helper posts): service posts, supplies, the wartime switch ----
export const postsList = (place) => get(`/api/v1/posts${qs({ place })}`);
export const supplyReceive = (code, body) => post(`/api/v1/posts/${enc(code)}/supplies`, body);
export const supplyMove = (body) => post('/api/v1/supplies/move', body);
export const supplyHandout = (body) => post('/api/v1/supplies/handout', body);
export const supplyLedger = (params) => get(`/api/v1/supplies/ledger${qs(params)}`);
export const supplyAlerts = (place) => get(`/api/v1/supplies/alerts${qs({ place })}`);
export const wartimeGet = (place) => get(`/api/v1/wartime${qs({ place })}`);
export const wartimeSwitch = (body) => post('/api/v1/wartime', body);
