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
  // A three-person group's day (?place=GRID&day=YYYY-MM-DD; by default the user's own
  // place): the grid worker's landing page, first of their nav (first: the roles whose nav
  // it heads); at a community or a street the missed tasks that climbed to it.
  {
    name: 'tasks',
    path: '/tasks',
    component: () => import('./pages/Tasks.vue'),
    roles: FIELD,
    nav: 1.2,
    first: ['grid_worker'],
    label: 'tasks.nav',
  },
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
  // ---- calls (helper calls): calls for help, logged by operators, worked by grid workers ----
  {
    name: 'calls',
    path: '/calls',
    component: () => import('./pages/Calls.vue'),
    roles: [...FIELD, 'operator'],
    nav: 1.7,
    label: 'calls.nav',
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
  // ---- plans (helper plans): key persons with their plan progress, and one file each.
  {
    name: 'keypersons',
    path: '/keypersons',
    component: () => import('./pages/KeyPersons.vue'),
    roles: FIELD,
    nav: 2.5,
    label: 'plans.nav',
  },
  { name: 'file', path: '/people/:id/file', component: () => import('./pages/File.vue'), roles: FIELD },
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
  // ---- orders (helper orders): orders received and issued, and one order's tracker.
  {
    name: 'orders',
    path: '/orders',
    component: () => import('./pages/Orders.vue'),
    roles: FIELD,
    nav: 2.5,
    label: 'orders.nav',
  },
  { name: 'order', path: '/orders/:id', component: () => import('./pages/Order.vue'), roles: FIELD },
  // ---- forces (helper forces) ----
  // Organisations in a subtree, an organisation's members, forming a compound.
  {
    name: 'forces',
    path: '/forces',
    component: () => import('./pages/Forces.vue'),
    roles: ['admin', 'commander', 'staff'],
    nav: 2.6,
    label: 'forces.nav',
  },
  // Person-times per day by organisation and place, and who is where now.
  {
    name: 'ledger',
    path: '/ledger',
    component: () => import('./pages/Ledger.vue'),
    roles: ['admin', 'commander', 'staff'],
    nav: 2.7,
    label: 'forces.ledgerNav',
  },
  // ---- posts (helper posts): service posts and their stock ----
  {
    name: 'posts',
    path: '/posts',
    component: () => import('./pages/Posts.vue'),
    roles: FIELD,
    nav: 4.5,
    label: 'posts.nav',
  },
  // ---- cases (helper cases) ----
  {
    name: 'cases',
    path: '/cases',
    component: () => import('./pages/Cases.vue'),
    roles: ['admin', 'commander', 'staff'],
    nav: 2.5,
    label: 'cases.nav',
  },
  {
    name: 'chain',
    path: '/chains/:id',
    component: () => import('./pages/Chain.vue'),
    roles: ['admin', 'commander', 'staff'],
  },
  // ---- end cases ----
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

// The nav as role sees it: the pages it heads (first) before the rest, each in nav order.
export function navOf(role) {
  const heads = (p) => !!p.first && p.first.includes(role);
  return [...NAV.filter(heads), ...NAV.filter((p) => !heads(p))];
}

// Whether role may open the page named name (public pages: everyone).
export function allowed(name, role) {
  const p = byName.get(name);
  return !!p && (!p.roles || p.roles.includes(role));
}
