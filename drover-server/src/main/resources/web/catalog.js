// Read-only pages: the skills one can run (as agents), the models, the connected workers, and how keys are managed.
import { api } from './api.js';
import { el, page, when, showError } from './ui.js';

async function table(title, load, headers, row, empty) {
  const errors = el('div', { class: 'errors' });
  const main = page(title, errors);
  try {
    const items = await load();
    main.appendChild(items.length ? el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
      el('tbody', {}, items.map((i) => el('tr', {}, row(i).map((c) => el('td', {}, c)))))))
      : el('p', { class: 'muted' }, empty));
  } catch (e) {
    showError(errors, e);
  }
}

export function agentsPage() {
  return table('Agents and skills', async () => (await api.get('/agent')).agents.flatMap((a) => (a.variants || []).map((v) => ({ a, v }))),
    ['Agent', 'Skill', 'Description', 'Last run', ''], ({ a, v }) => [a.name, el('code', {}, v.id), v.error ? el('span', { class: 'error' }, v.error) : v.description || '—',
      when(v.last_run_timestamp), el('a', { href: '/runs/new', class: 'button' }, 'Run')],
    'No skills found: add SKILL.md files to a repository of an environment.');
}

export function modelsPage() {
  return table('Models', async () => (await api.get('/agent/models')).models,
    ['Model', 'Provider', 'Vision', 'Available'], (m) => [m.display_name || m.id, m.provider || '—', m.vision_supported ? 'yes' : 'no',
      m.disable_reason ? el('span', { class: 'muted' }, m.disable_reason) : 'yes'], 'No models configured.');
}

export function workersPage() {
  return table('Workers', async () => (await api.get('/workers')).workers,
    ['Name', 'Pool', 'Host', 'Slots', 'Active runs', 'Isolation', 'Last heartbeat'],
    (w) => [w.name, w.pool, w.host || '—', String(w.slots), String(w.active_runs), w.isolation || '—', when(w.last_heartbeat_at)],
    'No workers connected. Start one with drover worker.');
}

export function keysPage() {
  page('API keys', el('p', {}, 'Keys are managed on the server, against its database (the API has no key endpoints, so a stolen session cannot mint keys):'),
    el('pre', {}, 'drover keys create --user you@example.com --name laptop   # prints the key once\n'
      + 'drover keys list\n'
      + 'drover keys revoke <id or prefix>                        # ends its dashboard sessions too\n'
      + 'drover keys login --user you@example.com                 # a one-time sign-in link (10 minutes)'));
}
