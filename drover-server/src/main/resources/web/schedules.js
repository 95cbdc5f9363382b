// Schedules: list, create, edit, delete, pause and resume, with the API's validation messages on the fields.
import { api } from './api.js';
import { el, clear, page, field, showError, button, act, when } from './ui.js';

export async function schedulesPage() {
  const list = el('div', { id: 'schedule-list' });
  const errors = el('div', { class: 'errors' });
  const formBox = el('div');
  const envs = await api.get('/agent/environments').catch(() => ({ environments: [] }));
  page('Schedules', errors, el('div', { class: 'toolbar' }, button('New schedule', () => edit(null), { class: 'primary', id: 'new-schedule' })),
    formBox, list);

  async function load() {
    try {
      const { schedules } = await api.get('/agent/schedules');
      clear(list, schedules.length ? el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, ['Name', 'Cron (UTC)', 'State', 'Next run', 'Last run', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, schedules.map((s) => {
          const toggle = button(s.enabled ? 'Pause' : 'Resume', null, { class: 'toggle' });
          toggle.addEventListener('click', () => act(toggle, errors, async () => {
            await api.post('/agent/schedules/' + encodeURIComponent(s.id) + (s.enabled ? '/pause' : '/resume'));
            await load();
          }));
          const del = button('Delete', null, { class: 'danger' });
          del.addEventListener('click', () => act(del, errors, async () => {
            if (!confirm('Delete schedule ' + s.name + '? Its runs remain.')) return;
            await api.del('/agent/schedules/' + encodeURIComponent(s.id));
            await load();
          }));
          const runs = el('a', { href: '/runs?schedule_id=' + encodeURIComponent(s.id) }, 'runs');
          return el('tr', { 'data-schedule': s.id }, el('td', {}, s.name), el('td', {}, el('code', {}, s.cron_schedule)),
            el('td', {}, s.enabled ? 'active' : 'paused'), el('td', {}, when(s.history && s.history.next_run)),
            el('td', {}, when(s.history && s.history.last_ran)),
            el('td', {}, button('Edit', () => edit(s)), ' ', toggle, ' ', del, ' ', runs));
        })))) : el('p', { class: 'muted' }, 'No schedules yet.'));
    } catch (e) {
      showError(errors, e);
    }
  }

  function edit(s) {
    const cfg = (s && s.agent_config) || {};
    const name = el('input', { name: 'name', value: s ? s.name : '' });
    const cron = el('input', { name: 'cron_schedule', value: s ? s.cron_schedule : '', placeholder: '0 9 * * 1-5' });
    const prompt = el('textarea', { name: 'prompt', rows: 3 }, s ? s.prompt || '' : '');
    const env = el('select', { name: 'environment_id' }, el('option', { value: '' }, 'none'),
      (envs.environments || []).map((e) => el('option', { value: e.uid, selected: cfg.environment_id === e.uid }, e.config.name)));
    const skill = el('input', { name: 'skill_spec', value: cfg.skill_spec || '' });
    const enabled = el('input', { name: 'enabled', type: 'checkbox', checked: s ? s.enabled : true });
    const form = el('form', { class: 'card', id: 'schedule-form' }, el('h2', {}, s ? 'Edit ' + s.name : 'New schedule'),
      field('Name', name), field('Cron schedule', cron, 'Five fields, UTC'), field('Prompt', prompt),
      field('Environment', env), field('Skill', skill), el('label', {}, enabled, ' Enabled'),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, s ? 'Save' : 'Create'),
        button('Close', () => formBox.replaceChildren())));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const agentConfig = { ...cfg };
      if (env.value) agentConfig.environment_id = env.value; else delete agentConfig.environment_id;
      if (skill.value.trim()) agentConfig.skill_spec = skill.value.trim(); else delete agentConfig.skill_spec;
      const body = { name: name.value, cron_schedule: cron.value, prompt: prompt.value, enabled: enabled.checked,
        agent_config: agentConfig };
      try {
        if (s) await api.put('/agent/schedules/' + encodeURIComponent(s.id), body);
        else await api.post('/agent/schedules', body);
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
