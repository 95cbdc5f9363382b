// Environments: list, create, edit, delete; the API's validation messages land on the fields they name.
import { api } from './api.js';
import { el, clear, page, field, showError, button, act, when } from './ui.js';

export async function environmentsPage() {
  const list = el('div', { id: 'environment-list' });
  const errors = el('div', { class: 'errors' });
  const formBox = el('div');
  page('Environments', errors, el('div', { class: 'toolbar' }, button('New environment', () => edit(null), { class: 'primary', id: 'new-environment' })),
    formBox, list);

  async function load() {
    try {
      const { environments } = await api.get('/agent/environments');
      clear(list, environments.length ? el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, ['Name', 'Repositories', 'Setup', 'Updated', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, environments.map((e) => {
          const del = button('Delete', null, { class: 'danger' });
          del.addEventListener('click', () => act(del, errors, async () => {
            if (!confirm('Delete environment ' + e.config.name + '?')) return;
            await api.del('/agent/environments/' + encodeURIComponent(e.uid));
            await load();
          }));
          return el('tr', { 'data-environment': e.uid }, el('td', {}, e.config.name),
            el('td', {}, (e.config.github_repos || []).map((r) => r.owner + '/' + r.repo).join(', ') || '—'),
            el('td', {}, plural((e.config.setup_commands || []).length, 'command')),
            el('td', {}, when(e.last_updated)),
            el('td', {}, button('Edit', () => edit(e)), ' ', del));
        })))) : el('p', { class: 'muted' }, 'No environments yet.'));
    } catch (e) {
      showError(errors, e);
    }
  }

  function edit(env) {
    const c = env ? env.config : {};
    const name = el('input', { name: 'name', value: c.name || '' });
    const description = el('input', { name: 'description', value: c.description || '' });
    const image = el('input', { name: 'docker_image', value: c.docker_image || '' });
    const repos = el('textarea', { name: 'github_repos', rows: 2 }, (c.github_repos || []).map((r) => r.owner + '/' + r.repo).join('\n'));
    const setup = el('textarea', { name: 'setup_commands', rows: 3 }, (c.setup_commands || []).join('\n'));
    const team = el('input', { name: 'team', type: 'checkbox' });
    const form = el('form', { class: 'card', id: 'environment-form' }, el('h2', {}, env ? 'Edit ' + c.name : 'New environment'),
      field('Name', name), field('Description', description), field('Docker image', image),
      field('GitHub repositories', repos, 'owner/repo, one per line'), field('Setup commands', setup, 'One per line, run in order'),
      env ? null : el('label', {}, team, ' Owned by my team'),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, env ? 'Save' : 'Create'),
        button('Close', () => formBox.replaceChildren())));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { name: name.value, description: description.value || null, docker_image: image.value || null,
        github_repos: lines(repos.value).map((l) => { const [owner, ...rest] = l.split('/'); return { owner, repo: rest.join('/') }; }),
        setup_commands: lines(setup.value) };
      if (!env && team.checked) body.team = true;
      try {
        if (env) await api.put('/agent/environments/' + encodeURIComponent(env.uid), body);
        else await api.post('/agent/environments', body);
        formBox.replaceChildren();
        await load();
      } catch (err) {
        showError(form, err);
      }
    });
    clear(formBox, form);
    name.focus();
  }

  await load();
}

export function lines(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

function plural(n, word) {
  return n + ' ' + word + (n === 1 ? '' : 's');
}
