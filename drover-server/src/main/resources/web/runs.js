// The runs list: the API's filters and order (kept in the page's query string, so a view can be shared), cursor
// paging, live state over SSE for the runs shown, new runs picked up by re-reading the first page, bulk cancel.
import { api, follow } from './api.js';
import { el, clear, page, stateBadge, timeEl, showError, TERMINAL, field } from './ui.js';

const STATES = ['QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS', 'SUCCEEDED', 'FAILED', 'BLOCKED', 'ERROR', 'CANCELLED'];
const SOURCES = ['', 'API', 'CLI', 'WEB_APP', 'SCHEDULED_AGENT', 'LINEAR', 'SLACK', 'LOCAL'];
const TEXT_FILTERS = [['q', 'Search'], ['creator', 'Creator id'], ['skill', 'Skill'], ['environment_id', 'Environment id'],
  ['schedule_id', 'Schedule id'], ['model_id', 'Model'], ['ancestor_run_id', 'Below run']];
const REFRESH_MS = 5000;

export async function runsPage() {
  const params = new URLSearchParams(location.search);
  // the server rendered the first page into the shell (WebService.runsPage) and sent it along as JSON: the script
  // takes the table over from that page, without a second list call
  const main = document.getElementById('main');
  const rendered = main.dataset.runsPage ? JSON.parse(main.dataset.runsPage) : null;
  delete main.dataset.runsPage;
  const errors = el('div', { class: 'errors' });
  const form = filterForm(params);
  const body = el('tbody', { id: 'runs-body' });
  const all = el('input', { type: 'checkbox', 'aria-label': 'Select all runs shown' });
  const table = el('table', { class: 'runs', id: 'runs-table' },
    el('thead', {}, el('tr', {}, el('th', {}, all), el('th', {}, 'Title'), el('th', {}, 'State'),
      el('th', { class: 'wide' }, 'Source'), el('th', { class: 'wide' }, 'Skill'), el('th', { class: 'wide' }, 'Created'),
      el('th', {}, 'Updated'))),
    body);
  const more = el('button', { type: 'button', id: 'load-more', hidden: true }, 'Load more');
  const cancel = el('button', { type: 'button', id: 'bulk-cancel', disabled: true }, 'Cancel selected');
  const count = el('span', { class: 'muted', id: 'selected-count' });
  page('Runs', el('details', { class: 'filters', open: params.toString() ? true : null },
    el('summary', {}, 'Filters and order'), form),
    el('div', { class: 'toolbar' }, el('a', { href: '/runs/new', class: 'button primary' }, 'Start a run'), cancel, count),
    errors, el('div', { class: 'scroll' }, table), more);

  const rows = new Map(); // run id → {run, tr}
  let cursor = null;
  let stop = () => {};

  const selected = () => [...rows.values()].filter((r) => r.box.checked);
  const updateSelection = () => {
    const n = selected().length;
    cancel.disabled = n === 0;
    count.textContent = n ? `${n} selected` : '';
  };
  all.addEventListener('change', () => {
    for (const r of rows.values()) if (!r.box.disabled) r.box.checked = all.checked;
    updateSelection();
  });

  function render(run, before) {
    const existing = rows.get(run.run_id);
    const box = existing ? existing.box : el('input', { type: 'checkbox', 'aria-label': 'Select ' + (run.title || run.run_id) });
    box.disabled = TERMINAL.includes(run.state);
    if (box.disabled) box.checked = false;
    box.onchange = updateSelection;
    const tr = el('tr', { 'data-run-id': run.run_id },
      el('td', {}, box),
      el('td', {}, el('a', { href: '/runs/' + encodeURIComponent(run.run_id), class: 'run-title' }, run.title || run.prompt || run.run_id)),
      el('td', {}, stateBadge(run.state)),
      el('td', { class: 'wide' }, run.source || '—'),
      el('td', { class: 'wide' }, run.agent_skill ? run.agent_skill.name : '—'),
      el('td', { class: 'wide' }, timeEl(run.created_at)),
      el('td', {}, timeEl(run.updated_at)));
    if (existing) existing.tr.replaceWith(tr);
    else if (before) body.prepend(tr);
    else body.appendChild(tr);
    rows.set(run.run_id, { run, tr, box });
  }

  function query(extra) {
    const q = new URLSearchParams(params);
    if (!q.has('limit')) q.set('limit', '50');
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return '/agent/runs?' + q.toString();
  }

  function listen() {
    stop();
    // state changes of the runs on screen arrive at once; the stream watches at most 100 runs
    stop = follow([...rows.keys()].slice(0, 100), async (event) => {
      if (!event.event_type.startsWith('run_')) return;
      // the stream starts with each run's history: what the row already shows (its updated_at) is no news
      const shown = rows.get(event.run_id);
      if (shown && new Date(event.occurred_at) <= new Date(shown.run.updated_at)) return;
      try {
        render(await api.get('/agent/runs/' + encodeURIComponent(event.run_id)));
        updateSelection();
      } catch (_) { /* a run gone from view stays as last seen */ }
    });
  }

  function show(page) {
    if (!page.runs.length && !rows.size) {
      clear(body, el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No runs match.')));
    } else if (!rows.size) {
      body.replaceChildren();
    }
    for (const run of page.runs) render(run, false);
    cursor = page.page_info && page.page_info.has_next_page ? page.page_info.next_cursor : null;
    more.hidden = !cursor;
    // the stream opens once the rows are painted: following them must not delay showing them
    requestAnimationFrame(() => setTimeout(listen, 0));
  }

  async function load(next) {
    try {
      show(await api.get(next ? query({ cursor: next }) : query()));
    } catch (e) {
      showError(errors, e);
      if (e.field) showError(form, e);
    }
  }

  // new runs (and runs that moved into the filter) appear without a reload: the first page is read again
  async function refresh() {
    try {
      const first = await api.get(query());
      let added = false;
      for (const run of [...first.runs].reverse()) {
        if (!rows.has(run.run_id)) {
          if (!rows.size) body.replaceChildren();
          render(run, true);
          added = true;
        } else if (rows.get(run.run_id).run.updated_at !== run.updated_at) {
          render(run);
        }
      }
      if (added) listen();
    } catch (_) { /* the next tick tries again */ }
  }

  more.addEventListener('click', () => load(cursor));
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    errors.replaceChildren();
    const failures = [];
    for (const r of selected()) {
      try {
        await api.post('/agent/runs/' + encodeURIComponent(r.run.run_id) + '/cancel');
        r.box.checked = false;
        render(await api.get('/agent/runs/' + encodeURIComponent(r.run.run_id)));
      } catch (e) {
        failures.push((r.run.title || r.run.run_id) + ': ' + e.message);
      }
    }
    if (failures.length) errors.appendChild(el('p', { class: 'field-error', role: 'alert' }, failures.join('\n')));
    updateSelection();
  });

  // no await between page() above and show(): the server's rows are replaced by the same rows in one task, so the
  // browser never paints the table empty
  if (rendered) show(rendered);
  else await load(null);
  // bench --suite web times the page to this mark: the first frame painted with the rows in the document
  requestAnimationFrame(() => setTimeout(() => performance.mark('drover:runs-painted'), 0));
  setInterval(refresh, REFRESH_MS);
}

function filterForm(params) {
  const state = el('fieldset', { class: 'states' }, el('legend', {}, 'State'),
    STATES.map((s) => el('label', {}, el('input', { type: 'checkbox', name: 'state', value: s,
      checked: params.getAll('state').flatMap((v) => v.split(',')).includes(s) }), ' ', s)));
  const source = el('select', { name: 'source' }, SOURCES.map((s) => el('option', { value: s, selected: params.get('source') === s }, s || 'any')));
  const texts = TEXT_FILTERS.map(([name, label]) => field(label, el('input', { name, value: params.get(name) || '' })));
  const dates = [['created_after', 'Created after'], ['created_before', 'Created before'], ['updated_after', 'Updated after']]
    .map(([name, label]) => field(label, el('input', { name, type: 'datetime-local', value: local(params.get(name)) })));
  const meta = field('Metadata (key=value, one per line)', el('textarea', { name: 'metadata', rows: 2 },
    [...params.keys()].filter((k) => /^metadata\[/.test(k)).map((k) => k.slice(9, -1) + '=' + params.get(k)).join('\n')));
  const sortBy = el('select', { name: 'sort_by' }, ['updated_at', 'created_at', 'title', 'agent']
    .map((s) => el('option', { value: s, selected: (params.get('sort_by') || 'updated_at') === s }, s)));
  const sortOrder = el('select', { name: 'sort_order' }, ['desc', 'asc']
    .map((s) => el('option', { value: s, selected: (params.get('sort_order') || 'desc') === s }, s)));
  const form = el('form', { class: 'grid', id: 'filters' }, state, field('Source', source), texts, dates, meta,
    field('Sort by', sortBy), field('Order', sortOrder),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Apply'),
      el('a', { href: '/runs', class: 'button' }, 'Reset')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    const states = [...form.querySelectorAll('input[name=state]:checked')].map((b) => b.value);
    if (states.length) q.set('state', states.join(','));
    if (source.value) q.set('source', source.value);
    for (const [name] of TEXT_FILTERS) {
      const v = form.elements[name].value.trim();
      if (v) q.set(name, v);
    }
    for (const name of ['created_after', 'created_before', 'updated_after']) {
      const v = form.elements[name].value;
      if (v) q.set(name, new Date(v).toISOString());
    }
    for (const line of form.elements.metadata.value.split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) q.set('metadata[' + line.slice(0, at).trim() + ']', line.slice(at + 1).trim());
    }
    if (sortBy.value !== 'updated_at') q.set('sort_by', sortBy.value);
    if (sortOrder.value !== 'desc') q.set('sort_order', sortOrder.value);
    location.assign('/runs' + (q.toString() ? '?' + q.toString() : ''));
  });
  return form;
}

function local(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
