// Who is signed in, shared by every page. The user (name, role, place — no personal
// data) is remembered in localStorage so a sampler's page still opens with no network;
// the CSRF token lives in memory and is fetched again after a reload.
import { reactive } from 'vue';

const KEY = 'muster.user';

function remembered() {
  try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch { return null; }
}

export const session = reactive({
  user: remembered(),
  csrf: null,
  checked: false,
  set(user, csrf) {
    this.user = user;
    this.csrf = csrf;
    this.checked = true;
    localStorage.setItem(KEY, JSON.stringify(user));
  },
  clear() {
    this.user = null;
    this.csrf = null;
    localStorage.removeItem(KEY);
  },
  expired() {
    this.clear();
    window.dispatchEvent(new CustomEvent('muster:signed-out'));
  },
});

// The pages each role may open (the server enforces the same on every route).
export const PAGES = {
  overview: ['admin', 'commander', 'staff', 'grid_worker'],
  screening: ['admin', 'commander', 'staff', 'grid_worker'],
  recalls: ['admin', 'commander', 'staff', 'grid_worker'],
  people: ['admin', 'commander', 'staff', 'grid_worker', 'operator'],
  sampler: ['sampler'],
  lab: ['lab'],
  audit: ['admin', 'auditor'],
};

export function may(page, user = session.user) {
  return !!user && (PAGES[page] || []).includes(user.role);
}

// The first page a role lands on.
export function home(user = session.user) {
  for (const p of ['overview', 'sampler', 'lab', 'people', 'audit']) if (may(p, user)) return `/${p}`;
  return '/signin';
}
