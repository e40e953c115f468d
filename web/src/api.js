// The one way the web app talks to `muster serve`: JSON in and out, the session cookie
// (HttpOnly, the browser sends it) plus the CSRF token on every write, and errors as
// ApiError carrying the server's {code, message, field}.
import { session } from './session.js';

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

// What a page says of a failed call, in the user's language where the cause is general
// (no network, outside the jurisdiction, not found), else the server's own message.
export function errorText(e, t) {
  if (e.status === 0) return t('err.network');
  if (e.status === 403) return t('err.forbidden');
  if (e.status === 404) return t('err.notFound');
  return e.message;
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
