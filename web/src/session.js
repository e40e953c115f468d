// Who is signed in, shared by every page. The user (name, role, place — no personal
// data) is remembered in localStorage so a sampler's page still opens with no network;
// the CSRF token lives in memory and is fetched again after a reload.
import { reactive } from 'vue';
import { navOf, allowed } from './pages.js';

const KEY = 'muster.user';

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
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

// Whether the user may open the page named page (pages.js holds who may open what; the
// server enforces the same on every route).
export function may(page, user = session.user) {
  return !!user && allowed(page, user.role);
}

// The first page a role lands on: the first of the nav it may open.
export function home(user = session.user) {
  const p = user && navOf(user.role).find((x) => may(x.name, user));
  return p ? p.path : '/signin';
}
