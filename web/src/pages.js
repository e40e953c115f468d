// Every page of the command centre, once: the router builds its routes from this list,
// the session decides from it who may open what and where each role lands, and the top
// bar shows its nav from it. The server enforces the same roles on every API route.
const FIELD = ['admin', 'commander', 'staff', 'grid_worker'];
const RESIDENTS = [...FIELD, 'operator'];

// name: the page's name (route meta.page; data-nav in the top bar)
// path: its route; roles: who may open it (none: public, opened signed out too)
// nav: its place in the top bar, label its i18n key (pages without nav are reached by links)
// A role lands on the first page of the nav it may open.
export const PAGES = [
  { name: 'signin', path: '/signin', component: () => import('./pages/SignIn.vue') },
  {
    name: 'overview',
    path: '/overview',
    component: () => import('./pages/Overview.vue'),
    roles: FIELD,
    nav: 1,
    label: 'nav.overview',
  },
  {
    name: 'screening',
    path: '/screening/:round/:place?',
    component: () => import('./pages/Screening.vue'),
    roles: FIELD,
  },
  { name: 'recalls', path: '/recalls/:round', component: () => import('./pages/Recalls.vue'), roles: FIELD },
  // The door-to-door roll-call (?round=ID&place=CODE; by default the open round and the
  // user's own grid): one tap from a grid worker's landing page.
  {
    name: 'rollcall',
    path: '/rollcall',
    component: () => import('./pages/RollCall.vue'),
    roles: FIELD,
    nav: 1.5,
    label: 'nav.rollcall',
  },
  {
    name: 'people',
    path: '/people',
    component: () => import('./pages/People.vue'),
    roles: RESIDENTS,
    nav: 2,
    label: 'nav.people',
  },
  { name: 'person', path: '/people/:id', component: () => import('./pages/Person.vue'), roles: RESIDENTS },
  {
    name: 'sampler',
    path: '/sampler',
    component: () => import('./pages/Sampler.vue'),
    roles: ['sampler'],
    nav: 3,
    label: 'nav.sampler',
  },
  { name: 'lab', path: '/lab', component: () => import('./pages/Lab.vue'), roles: ['lab'], nav: 4, label: 'nav.lab' },
  {
    name: 'audit',
    path: '/audit',
    component: () => import('./pages/Audit.vue'),
    roles: ['admin', 'auditor'],
    nav: 5,
    label: 'nav.audit',
  },
  // Risk zones on the place tree, their counts and lift/downgrade proposals (issue 13 §5).
  {
    name: 'zones',
    path: '/zones',
    component: () => import('./pages/Zones.vue'),
    roles: FIELD,
    nav: 2.5,
    label: 'zones.nav',
  },
  { name: 'notFound', path: '/:rest(.*)*', component: () => import('./pages/NotFound.vue') },
];

const byName = new Map(PAGES.map((p) => [p.name, p]));

export const NAV = PAGES.filter((p) => p.nav).sort((a, b) => a.nav - b.nav);

// Whether role may open the page named name (public pages: everyone).
export function allowed(name, role) {
  const p = byName.get(name);
  return !!p && (!p.roles || p.roles.includes(role));
}
