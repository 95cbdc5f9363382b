// Start a run: prompt, skill (searchable list from GET /agent), environment, model, harness, attachments.
import { api } from './api.js';
import { el, page, field, showError } from './ui.js';

const HARNESSES = ['oz', 'claude', 'codex', 'gemini', 'command'];
const MAX_ATTACHMENTS = 5;

export async function newRunPage() {
  const [agents, envs, models] = await Promise.all([
    api.get('/agent').catch(() => ({ agents: [] })),
    api.get('/agent/environments').catch(() => ({ environments: [] })),
    api.get('/agent/models').catch(() => ({ models: [] })),
  ]);
  const skills = el('datalist', { id: 'skills' }, (agents.agents || []).flatMap((a) => (a.variants || []).map((v) =>
    el('option', { value: v.id }, a.name + (v.description ? ' — ' + v.description : '')))));
  const prompt = el('textarea', { name: 'prompt', rows: 6, id: 'prompt' });
  const title = el('input', { name: 'title' });
  const skill = el('input', { name: 'skill', list: 'skills', placeholder: 'owner/repo:path or a name', autocomplete: 'off' });
  const env = el('select', { name: 'environment_id' }, el('option', { value: '' }, 'none'),
    (envs.environments || []).map((e) => el('option', { value: e.uid }, e.config.name)));
  const model = el('select', { name: 'model_id' }, el('option', { value: '' }, 'default' + (models.default_model_id ? ' (' + models.default_model_id + ')' : '')),
    (models.models || []).map((m) => el('option', { value: m.id, disabled: !!m.disable_reason }, m.display_name || m.id)));
  const harness = el('select', { name: 'harness' }, HARNESSES.map((h) => el('option', { value: h }, h)));
  const command = el('input', { name: 'command', placeholder: 'shell command (command harness)' });
  const commandField = field('Command', command);
  commandField.hidden = true;
  harness.addEventListener('change', () => { commandField.hidden = harness.value !== 'command'; });
  const files = el('input', { name: 'attachments', type: 'file', multiple: true });
  const team = el('input', { name: 'team', type: 'checkbox' });
  const form = el('form', { class: 'card', id: 'new-run' },
    field('Prompt', prompt), field('Title', title, 'Optional; the prompt is shown otherwise.'),
    field('Skill', skill, 'Search the skills you can run.'), skills,
    field('Environment', env), field('Model', model), field('Harness', harness), commandField,
    field('Attachments', files, `At most ${MAX_ATTACHMENTS} files of 10 MiB.`),
    el('label', {}, team, ' Share with my team'),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'start-run' }, 'Start run')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const config = {};
      if (env.value) config.environment_id = env.value;
      if (model.value) config.model_id = model.value;
      if (harness.value !== 'oz') config.harness = harness.value === 'command' ? { type: 'command', command: command.value } : { type: harness.value };
      const body = { prompt: prompt.value };
      if (title.value.trim()) body.title = title.value.trim();
      if (skill.value.trim()) body.skill = skill.value.trim();
      if (Object.keys(config).length) body.config = config;
      if (team.checked) body.team = true;
      if (files.files.length) body.attachments = await Promise.all([...files.files].map(attachment));
      const created = await api.post('/agent/runs', body);
      location.assign('/runs/' + encodeURIComponent(created.run_id));
    } catch (err) {
      showError(form, err);
    }
  });
  page('Start a run', form);
  prompt.focus();
}

function attachment(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ file_name: file.name, mime_type: file.type || 'application/octet-stream',
      data: String(reader.result).replace(/^data:[^,]*,/, '') });
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
