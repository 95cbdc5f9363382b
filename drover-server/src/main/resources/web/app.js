// The dashboard's router: one module per page, chosen by location.pathname (real URLs, full page loads).
import { currentSession, signOut } from './api.js';
import { el, clear, page } from './ui.js';

const NAV = [
  ['/runs', 'Runs'], ['/runs/new', 'Start a run'], ['/environments', 'Environments'], ['/schedules', 'Schedules'],
  ['/agents', 'Agents'], ['/models', 'Models'], ['/workers', 'Workers'], ['/keys', 'API keys'],
];

const ROUTES = [
  [/^\/sign-in$/, () => import('./sign-in.js'), 'signInPage'],
  [/^\/(?:runs)?$/, () => import('./runs.js'), 'runsPage'],
  [/^\/runs\/new$/, () => import('./new-run.js'), 'newRunPage'],
  [/^\/runs\/([^/]+)$/, () => import('./run.js'), 'runPage'],
  [/^\/sessions\/([^/]+)$/, () => import('./run.js'), 'sessionPage'],
  [/^\/environments$/, () => import('./environments.js'), 'environmentsPage'],
  [/^\/schedules$/, () => import('./schedules.js'), 'schedulesPage'],
  [/^\/agents$/, () => import('./catalog.js'), 'agentsPage'],
  [/^\/models$/, () => import('./catalog.js'), 'modelsPage'],
  [/^\/workers$/, () => import('./catalog.js'), 'workersPage'],
  [/^\/keys$/, () => import('./catalog.js'), 'keysPage'],
];

function nav(session) {
  const here = location.pathname === '/' ? '/runs' : location.pathname; // / is the runs page
  const current = NAV.filter(([href]) => here === href || here.startsWith(href + '/'))
    .sort((a, b) => b[0].length - a[0].length)[0];
  clear(document.getElementById('nav'), el('ul', {}, NAV.map(([href, label]) => el('li', {},
    el('a', { href, 'aria-current': current && current[0] === href ? 'page' : null }, label)))));
  const out = el('button', { type: 'button', id: 'sign-out', class: 'link' }, 'Sign out');
  out.addEventListener('click', async () => {
    out.disabled = true;
    try { await signOut(); } finally { location.assign('/sign-in'); }
  });
  clear(document.getElementById('who'), el('span', { class: 'muted', id: 'whoami' },
    session.email || session.display_name), ' ', out);
}

async function main() {
  const path = location.pathname;
  const route = ROUTES.map(([pattern, load, name]) => [pattern.exec(path), load, name]).find(([m]) => m);
  // the session check and the page's module load at the same time: the first paint waits for the slower one only
  const [session, module] = await Promise.all([currentSession(), route ? route[1]() : null]);
  if (!session && path !== '/sign-in') {
    location.replace('/sign-in?next=' + encodeURIComponent(path + location.search));
    return;
  }
  if (session) nav(session);
  if (route) {
    await module[route[2]](session, ...route[0].slice(1).map(decodeURIComponent));
    return;
  }
  page('Not found', el('p', {}, 'No page here. ', el('a', { href: '/runs' }, 'See the runs.')));
}

main().catch((e) => {
  page('Something went wrong', el('p', { class: 'field-error', role: 'alert' }, String(e && e.message || e)));
});
