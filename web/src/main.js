// The command centre: Vue 3, the router, the two languages, and the service worker that
// keeps the app shell for offline sampling.
import { createApp } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import App from './App.vue';
import { i18n } from './i18n.js';
import { session, may, home } from './session.js';
import { sessionGet } from './api.js';
import './style.css';

const routes = [
  { path: '/', redirect: () => home() },
  { path: '/signin', component: () => import('./pages/SignIn.vue'), meta: { public: true } },
  { path: '/overview', component: () => import('./pages/Overview.vue'), meta: { page: 'overview' } },
  { path: '/screening/:round/:place?', component: () => import('./pages/Screening.vue'), meta: { page: 'screening' } },
  { path: '/recalls/:round', component: () => import('./pages/Recalls.vue'), meta: { page: 'recalls' } },
  { path: '/people', component: () => import('./pages/People.vue'), meta: { page: 'people' } },
  { path: '/people/:id', component: () => import('./pages/Person.vue'), meta: { page: 'people' } },
  { path: '/sampler', component: () => import('./pages/Sampler.vue'), meta: { page: 'sampler', offline: true } },
  { path: '/lab', component: () => import('./pages/Lab.vue'), meta: { page: 'lab' } },
  { path: '/audit', component: () => import('./pages/Audit.vue'), meta: { page: 'audit' } },
  { path: '/:rest(.*)*', component: () => import('./pages/NotFound.vue'), meta: { public: true } },
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
  if (to.meta.page && !may(to.meta.page)) return { path: home() };
  return true;
});

window.addEventListener('muster:signed-out', () => {
  if (router.currentRoute.value.path !== '/signin') router.push({ path: '/signin', query: { expired: '1' } });
});

createApp(App).use(router).use(i18n).mount('#app');

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}
