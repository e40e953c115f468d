// The sampler's outbox: every scan is written to IndexedDB before anything is sent, and
// leaves it only when the server has answered for it (ok, duplicate or refused). A scan
// carries a uuid made here, so sending it twice — after a lost answer, a reload, a day
// offline — is recorded once by the server.
import { openDB } from 'idb';
import { sessionGet, scansSend, exemptionAdd, noteAdd, orderStep, post, taskDone } from '../api.js';
import { session } from '../session.js';

const BATCH = 100;
let dbp = null;

function db() {
  if (!dbp) {
    dbp = openDB('muster-sampler', 1, {
      upgrade(d) {
        d.createObjectStore('scans', { keyPath: 'scan_id' }); // waiting to be sent
        d.createObjectStore('refused', { keyPath: 'scan_id' }); // refused, with the reason
        d.createObjectStore('tubes', { keyPath: 'barcode' }); // what this device put in each tube
      },
    });
  }
  return dbp;
}

// A scan id in the UUIDv7 layout (RFC 9562): 48 bits of Unix milliseconds, then random
// bits. Ids made about the same time sort together, so the server's unique index of scan
// ids grows at its edge instead of taking a random page per scan.
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Queues one scan and counts it into its tube, in one transaction. Returns the tube.
export async function enqueue(scan, capacity) {
  const d = await db();
  const tx = d.transaction(['scans', 'tubes'], 'readwrite');
  const tubes = tx.objectStore('tubes');
  const tube = (await tubes.get(scan.tube)) || {
    barcode: scan.tube,
    round: scan.round,
    site: scan.site,
    capacity,
    count: 0,
    people: [],
  };
  tube.count += 1;
  tube.people.push(scan.scan_id);
  await tubes.put(tube);
  await tx.objectStore('scans').put({ ...scan, queued_at: Date.now() });
  await tx.done;
  return tube;
}

export async function tube(barcode) {
  return (await db()).get('tubes', barcode);
}

export async function setTube(t) {
  await (await db()).put('tubes', t);
}

export async function pending() {
  const all = await (await db()).getAll('scans');
  return all.sort((a, b) => a.queued_at - b.queued_at);
}

export async function refused() {
  return (await db()).getAll('refused');
}

export async function clearRefused() {
  await (await db()).clear('refused');
}

let flushing = null;

// Sends what waits, a batch at a time, until nothing does or the network fails. Resolves
// to {sent, refused, error, answers: [{scan, result}]}; never throws. One flush runs at a
// time. A tube counts what the server accepted in tube.ok (scan id → {name, repeat}, the
// masked name the server answered), apart from what still waits to be sent.
export function flush() {
  if (!flushing)
    flushing = doFlush().finally(() => {
      flushing = null;
    });
  return flushing;
}

async function doFlush() {
  const out = { sent: 0, refused: 0, error: null, answers: [] };
  const d = await db();
  try {
    if (!session.csrf) {
      const s = await sessionGet();
      session.set(s.user, s.csrf);
    }
    for (;;) {
      const batch = (await pending()).slice(0, BATCH);
      if (!batch.length) break;
      const body = batch.map(({ scan_id, round, site, tube: t, person, at }) => ({
        scan_id,
        round,
        site,
        tube: t,
        person,
        at,
      }));
      const r = await scansSend(body);
      const tx = d.transaction(['scans', 'refused', 'tubes'], 'readwrite');
      for (const [i, res] of r.results.entries()) {
        const s = batch[i];
        await tx.objectStore('scans').delete(s.scan_id);
        out.answers.push({ scan: s, result: res });
        const tb = await tx.objectStore('tubes').get(s.tube);
        if (res.status === 'error') {
          await tx.objectStore('refused').put({ ...s, error: res.error });
          if (tb) {
            tb.count = Math.max(0, tb.count - 1);
            tb.people = tb.people.filter((x) => x !== s.scan_id);
            await tx.objectStore('tubes').put(tb);
          }
          out.refused++;
        } else {
          if (tb) {
            tb.ok = { ...(tb.ok || {}), [s.scan_id]: { name: res.name_masked || null, repeat: !!res.repeat } };
            if (res.sealed) tb.sealed = true;
            await tx.objectStore('tubes').put(tb);
          }
          out.sent++;
        }
      }
      await tx.done;
    }
  } catch (e) {
    out.error = e;
  }
  return out;
}

// ---- the field outbox: roll-call actions (exemptions, notes) --------------------------
// Its own database, so the sampler's stores and their version stay as they are. An action
// is {id (uuid), kind: 'exemption'|'note'|'task'|'order'|'call_ack'|'call_progress'|'call_close', body (what the API is sent), person, label
// (what the page shows while it waits), queued_at}. It leaves the outbox when the server
// has answered for it: accepted (or already recorded: a resend after a lost answer) or
// refused (kept in 'refused' with the server's error for the page to show). Until then
// the page shows it as queued and counts nothing of it.
let fdbp = null;

function fieldDb() {
  if (!fdbp) {
    fdbp = openDB('muster-field', 1, {
      upgrade(d) {
        d.createObjectStore('actions', { keyPath: 'id' });
        d.createObjectStore('refused', { keyPath: 'id' });
      },
    });
  }
  return fdbp;
}

// An order's step (ack, done, blocked) by a target: {order, code, step, note}; the server
// records an ack or a done sent twice once.
const orderSend = ({ order, code, step, note }) => orderStep(order, code, step, note ? { note } : {});
// A step on a call from the board, body {call, note | outcome}.
const callStep =
  (step) =>
  ({ call, ...rest }) =>
    post(`/api/v1/calls/${encodeURIComponent(call)}/${step}`, rest);
const SENDERS = {
  exemption: exemptionAdd,
  note: noteAdd,
  // A task mark is {task (its id), note, result}: sent to the task's own route.
  task: ({ task, ...body }) => taskDone(task, body),
  order: orderSend,
  call_ack: callStep('ack'),
  call_progress: callStep('progress'),
  call_close: callStep('close'),
};

export async function actionEnqueue(kind, body, extra = {}) {
  const a = { id: uuid(), kind, body, ...extra, queued_at: Date.now() };
  await (await fieldDb()).put('actions', a);
  return a;
}

export async function actionsPending() {
  const all = await (await fieldDb()).getAll('actions');
  return all.sort((a, b) => a.queued_at - b.queued_at);
}

export async function actionsRefused() {
  const all = await (await fieldDb()).getAll('refused');
  return all.sort((a, b) => a.queued_at - b.queued_at);
}

export async function actionDismiss(id) {
  await (await fieldDb()).delete('refused', id);
}

// Whether a failed call is worth sending again later (no network, a server busy or
// restarting, signed out) rather than a refusal of the action itself.
const transient = (e) => e.status === 0 || e.status === 401 || e.status === 429 || e.status >= 500;

let fieldFlushing = null;

// Sends what waits, oldest first, until nothing does or a transient failure stops it.
// Resolves to {sent, refused, error}; never throws. One flush runs at a time.
export function actionsFlush() {
  if (!fieldFlushing)
    fieldFlushing = doActionsFlush().finally(() => {
      fieldFlushing = null;
    });
  return fieldFlushing;
}

async function doActionsFlush() {
  const out = { sent: 0, refused: 0, error: null };
  const d = await fieldDb();
  try {
    if (!session.csrf) {
      const s = await sessionGet();
      session.set(s.user, s.csrf);
    }
    for (const a of await actionsPending()) {
      const send = SENDERS[a.kind];
      try {
        if (!send) throw Object.assign(new Error(`unknown action ${a.kind}`), { status: 400, code: 'invalid' });
        await send({ ...a.body, ...(a.kind === 'note' ? { id: a.id } : {}) });
        await d.delete('actions', a.id);
        out.sent++;
      } catch (e) {
        if (transient(e)) throw e;
        const tx = d.transaction(['actions', 'refused'], 'readwrite');
        await tx.objectStore('actions').delete(a.id);
        // 409: recorded already (this action, sent before its answer was lost, or the
        // same exemption by someone else): the server holds it, nothing is refused.
        if (e.status === 409) out.sent++;
        else {
          await tx.objectStore('refused').put({ ...a, error: { status: e.status, code: e.code, message: e.message } });
          out.refused++;
        }
        await tx.done;
      }
    }
  } catch (e) {
    out.error = e;
  }
  return out;
}

// The resend loop of a page with an outbox: send on the browser's 'online' event (through
// online, default send) and every 4 s while anything waits (waiting()), and once when
// started. start() in the page's onMounted, after its first load; stop() in onUnmounted.
export function resender({ waiting, send, online = send }) {
  let timer = null;
  return {
    start() {
      window.addEventListener('online', online);
      timer = setInterval(() => {
        if (waiting()) send();
      }, 4000);
      send();
    },
    stop() {
      window.removeEventListener('online', online);
      clearInterval(timer);
    },
  };
}
