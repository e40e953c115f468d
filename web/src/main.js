// The command centre: Vue 3, the router, the two languages, and the service worker that
// keeps the app shell for offline sampling.
import { createApp } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import App from './App.vue';
import { i18n } from './locale.js';
import { session, may, home } from './session.js';
import { PAGES } from './pages.js';
import { sessionGet } from './api.js';
import './style.css';

const routes = [
  { path: '/', redirect: () => home() },
  ...PAGES.map((p) => ({ path: p.path, component: p.component, meta: { page: p.name, public: !p.roles } })),
];

const router = createRouter({ history: createWebHistory(), routes });

// The session is checked once per load; with no network a remembered sampler keeps
// working offline (the server checks everything again when the scans are sent).
async function checkSession() {
  if (session.checked) return;
  try {
    const s = await sessionGet();
    session.set(s.user, s.csrf);
  } catch (e) {
    if (e.status === 401) session.clear();
    session.checked = e.status !== 0;
  }
}

router.beforeEach(async (to) => {
  await checkSession();
  if (to.meta.public) return true;
  if (!session.user) return { path: '/signin', query: { next: to.fullPath } };
  if (!may(to.meta.page)) return { path: home() };
  return true;
});

// A session that expires mid-page signs in again and comes back to that page (SignIn
// follows ?next=), not to the role's home.
window.addEventListener('muster:signed-out', () => {
  const here = router.currentRoute.value;
  if (here.path !== '/signin') router.push({ path: '/signin', query: { expired: '1', next: here.fullPath } });
});

createApp(App).use(router).use(i18n).mount('#app');

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}
