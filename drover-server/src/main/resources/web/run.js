// One run: state timeline, the conversation rendered for people, artifacts with previews, messages, usage, the
// runs around it; cancel, re-run and follow-up. Everything refreshes as the run's events arrive over SSE.
import { api, follow } from './api.js';
import { el, clear, page, stateBadge, timeEl, when, showError, TERMINAL, button, act, money, safeHref, field } from './ui.js';
import { markdown } from './markdown.js';

const enc = encodeURIComponent;

/** /sessions/{id}, where a run's session_link points: find the run, then show its page at its own URL. */
export async function sessionPage(session, sessionId) {
  const found = await api.get('/agent/sessions/' + enc(sessionId) + '/redirect').catch(() => ({}));
  if (!found.run_id) {
    page('Run not found', el('p', {}, 'No run you can see has this session.'));
    return;
  }
  history.replaceState(null, '', '/runs/' + enc(found.run_id));
  return runPage(session, found.run_id);
}

export async function runPage(session, runId) {
  let run;
  try {
    run = await api.get('/agent/runs/' + enc(runId));
  } catch (e) {
    page('Run not found', el('p', { id: 'not-found' }, e.status === 404 ? 'No run you can see has this id.' : e.message));
    return;
  }
  const header = el('div', { class: 'run-header' });
  const errors = el('div', { class: 'errors' });
  const timeline = el('ol', { class: 'timeline', id: 'timeline' });
  const conversation = el('div', { class: 'conversation', id: 'conversation', 'aria-live': 'polite' });
  const artifacts = el('div', { id: 'artifacts' });
  const messages = el('div', { id: 'messages' });
  const details = el('dl', { class: 'details', id: 'details' });
  const family = el('div', { id: 'family' });
  page(run.title || 'Run', header, errors,
    el('div', { class: 'run-layout' },
      el('section', { class: 'main-col' }, el('h2', {}, 'Conversation'), conversation,
        el('h2', {}, 'Artifacts'), artifacts, el('h2', {}, 'Messages'), messages, followUp(run, errors)),
      el('aside', { class: 'side-col' }, el('h2', {}, 'Details'), details, el('h2', {}, 'Timeline'), timeline,
        el('h2', {}, 'Parent and children'), family)));

  async function refresh() {
    try {
      run = await api.get('/agent/runs/' + enc(runId));
    } catch (e) {
      showError(errors, e);
      return;
    }
    renderHeader(header, run, errors, refresh);
    renderDetails(details, run);
    const [conv, events] = await Promise.all([
      api.get('/agent/runs/' + enc(runId) + '/conversation').catch(() => null),
      api.get('/agent/events?run_ids=' + enc(runId) + '&limit=500').catch(() => null),
    ]);
    if (conv) renderConversation(conversation, conv);
    const list = events ? events.events || events : [];
    if (events) renderTimeline(timeline, list);
    renderArtifacts(artifacts, run.artifacts || []);
    renderMessages(messages, runId);
    renderFamily(family, run);
    // at most 500 events were read: with more, the stream starts at the last one read and replays the rest
    return list.length ? list[list.length - 1].sequence : 0;
  }

  const since = await refresh();
  let pending = null;
  // follow from the last event already shown, so the stream brings only news
  follow([runId], () => {
    // a burst of transcript appends becomes one refresh
    if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 150);
  }, since);
}

function renderHeader(header, run, errors, refresh) {
  const actions = el('div', { class: 'toolbar' });
  if (!TERMINAL.includes(run.state) && run.execution_location !== 'LOCAL') {
    const b = button('Cancel run', null, { id: 'cancel-run', class: 'danger' });
    b.addEventListener('click', () => act(b, errors, async () => {
      await api.post('/agent/runs/' + enc(run.run_id) + '/cancel');
      await refresh();
    }));
    actions.appendChild(b);
  }
  const again = button('Re-run', null, { id: 'rerun' });
  again.addEventListener('click', () => act(again, errors, async () => {
    const body = { prompt: run.prompt, title: run.title, config: run.agent_config || undefined,
      team: run.scope && run.scope.type === 'Team' ? true : undefined };
    if (run.agent_skill && run.agent_config && run.agent_config.skill_spec) body.skill = run.agent_config.skill_spec;
    const created = await api.post('/agent/runs', body);
    location.assign('/runs/' + enc(created.run_id));
  }));
  actions.appendChild(again);
  const status = run.status_message && run.status_message.message;
  clear(header, el('p', {}, stateBadge(run.state), ' ', el('span', { class: 'muted' }, run.run_id)),
    status ? el('p', { class: ['ERROR', 'FAILED'].includes(run.state) ? 'status error' : 'status' }, status) : null,
    actions);
}

function renderDetails(dl, run) {
  const cfg = run.agent_config || {};
  const usage = run.request_usage || {};
  const rows = [
    ['Prompt', run.prompt], ['Source', run.source], ['Creator', run.creator && (run.creator.email || run.creator.display_name || run.creator.uid)],
    ['Created', when(run.created_at)], ['Started', when(run.started_at)], ['Updated', when(run.updated_at)],
    ['Skill', run.agent_skill ? run.agent_skill.name + (run.agent_skill.full_path ? ' (' + run.agent_skill.full_path + ')' : '') : '—'],
    ['Environment', cfg.environment_id || '—'], ['Model', cfg.model_id || 'default'],
    ['Harness', cfg.harness ? cfg.harness.type : 'oz'],
    // the API's inference_cost is in credits (one credit = one US cent); the page shows dollars
    ['Inference cost', money(usage.inference_cost_usd)], ['Compute cost', money(usage.compute_cost_usd)],
    ['Tokens', usage.input_tokens || usage.output_tokens ? `${usage.input_tokens || 0} in / ${usage.output_tokens || 0} out` : '—'],
    ['Conversation', run.conversation_id || '—'], ['Execution', run.execution_location || '—'],
  ];
  if (run.metadata) for (const [k, v] of Object.entries(run.metadata)) rows.push(['metadata ' + k, v]);
  clear(dl, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { class: k === 'Prompt' ? 'prompt' : null }, v == null ? '—' : v)]));
}

// The timeline shows the state changes; every event (transcript appends, artifacts, messages) is one click away.
function renderTimeline(ol, events) {
  const item = (e) => el('li', { class: e.event_type.startsWith('run_') ? 'state-event' : 'other-event' },
    el('span', { class: 'event-type' }, e.event_type), ' ', timeEl(e.occurred_at));
  const wasOpen = ol.querySelector('details[open]') !== null;
  clear(ol, events.filter((e) => e.event_type.startsWith('run_')).map(item),
    el('li', {}, el('details', { class: 'all-events', open: wasOpen },
      el('summary', {}, `All events (${events.length})`), el('ol', { class: 'timeline', id: 'events' }, events.map(item)))));
}

function renderConversation(box, conv) {
  const nodes = [];
  const walk = (steps) => {
    for (const step of steps || []) {
      for (const m of step.messages || []) nodes.push(message(m));
      walk(step.steps);
    }
  };
  walk(conv.steps);
  clear(box, nodes.length ? nodes : el('p', { class: 'muted' }, 'Nothing said yet.'));
}

function message(m) {
  const blocks = (m.content || []).map((b) => block(b, m.role));
  return el('article', { class: 'msg role-' + String(m.role || 'assistant').replace(/[^a-z]/g, '') },
    el('header', {}, el('strong', {}, m.role || 'assistant'), ' ', timeEl(m.timestamp)), blocks);
}

function block(b, role) {
  switch (b.type) {
    case 'text':
      return role === 'assistant' ? markdown(b.text) : el('p', { class: 'plain' }, b.text);
    case 'action': {
      const title = (b.name === 'setup_command' ? 'Setup: ' : b.category === 'command' ? 'Command: ' : 'Tool: ') + (b.name || '');
      return el('details', { class: 'tool' }, el('summary', {}, title), el('pre', {}, pretty(b.input)));
    }
    case 'action_result': {
      const failed = b.state && b.state !== 'completed';
      return el('details', { class: 'tool result' + (failed ? ' error' : '') },
        el('summary', {}, (failed ? 'Failed: ' : 'Result: ') + (b.name || '')), el('pre', {}, pretty(b.output)));
    }
    case 'event': {
      // setup and clone steps read as one line each ("repository cloned  repo: acme/app · commit: 8ba6…"), not JSON
      const isError = /error|fail/i.test(b.name || '');
      return el('p', { class: 'event' + (isError ? ' error' : '') },
        el('span', { class: 'event-name' }, String(b.name || 'event').replace(/_/g, ' ')), ' ', eventData(b.data));
    }
    default:
      return el('pre', {}, pretty(b));
  }
}

function eventData(data) {
  if (data === undefined || data === null) return '';
  if (typeof data !== 'object' || Array.isArray(data)) return el('span', { class: 'muted' }, pretty(data));
  const short = (v) => {
    const text = Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')
      : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    return text.length > 160 ? text.slice(0, 159) + '…' : text;
  };
  return el('span', { class: 'muted' }, Object.entries(data).map(([k, v]) => k.replace(/_/g, ' ') + ': ' + short(v)).join(' · '));
}

function pretty(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 2);
}

function renderArtifacts(box, items) {
  if (!items.length) {
    clear(box, el('p', { class: 'muted' }, 'No artifacts.'));
    return;
  }
  const known = new Set([...box.querySelectorAll('[data-artifact]')].map((n) => n.dataset.artifact));
  if (items.every((a) => known.has(uid(a))) && known.size === items.length) return; // nothing new: keep open previews
  clear(box, el('ul', { class: 'artifacts' }, items.map((a) => artifact(a))));
}

const uid = (a) => (a.data && (a.data.artifact_uid || a.data.url)) || '';

function artifact(a) {
  const d = a.data || {};
  const li = el('li', { 'data-artifact': uid(a) });
  if (a.artifact_type === 'PULL_REQUEST') {
    const href = safeHref(d.url);
    li.append(el('span', { class: 'tag' }, 'Pull request'), ' ',
      href ? el('a', { href, rel: 'noopener noreferrer', target: '_blank' }, d.url) : String(d.url || ''),
      d.branch ? el('span', { class: 'muted' }, ' (' + d.branch + ')') : '');
    return li;
  }
  const name = d.filename || d.title || d.filepath || a.artifact_type;
  const preview = el('div', { class: 'preview' });
  const open = button('Open ' + name, null, { class: 'link artifact-open' });
  open.addEventListener('click', async () => {
    open.disabled = true;
    try {
      const full = await api.get('/agent/artifacts/' + enc(d.artifact_uid));
      renderPreview(preview, full);
    } catch (e) {
      showError(preview, e);
    } finally {
      open.disabled = false;
    }
  });
  li.append(el('span', { class: 'tag' }, a.artifact_type), ' ', open,
    d.size_bytes != null ? el('span', { class: 'muted' }, ` ${d.size_bytes} bytes`) : '',
    d.description ? el('p', { class: 'muted' }, d.description) : '', preview);
  return li;
}

async function renderPreview(box, full) {
  const d = full.data || {};
  const nodes = [];
  if (full.artifact_type === 'PLAN') {
    nodes.push(markdown(d.content || ''));
  } else {
    const href = safeHref(d.download_url);
    const type = d.content_type || '';
    if (href && (full.artifact_type === 'SCREENSHOT' || type.startsWith('image/'))) {
      nodes.push(el('img', { src: href, alt: d.description || d.filename || 'screenshot', class: 'shot' }));
    } else if (href && (type.startsWith('text/') || type.includes('json')) && (d.size_bytes || 0) <= 256 * 1024) {
      const text = await fetch(href, { credentials: 'same-origin' }).then((r) => r.text());
      nodes.push(el('pre', { class: 'file-preview' }, text));
    }
    if (href) nodes.push(el('p', {}, el('a', { href, download: d.filename || '', class: 'button' }, 'Download'),
      ' ', el('span', { class: 'muted' }, 'link valid until ' + when(d.expires_at))));
  }
  clear(box, nodes);
}

async function renderMessages(box, runId) {
  try {
    const inbox = await api.get('/agent/messages/' + enc(runId) + '?limit=100');
    const list = inbox.messages || inbox;
    clear(box, list && list.length ? el('ul', { class: 'messages' }, list.map((m) => el('li', {},
      el('strong', {}, m.subject || '(no subject)'), ' ', el('span', { class: 'muted' }, 'from ' + (m.sender_run_id || m.from || '?')),
      ' ', timeEl(m.sent_at || m.created_at)))) : el('p', { class: 'muted' }, 'No messages to this run.'));
  } catch (e) {
    clear(box, el('p', { class: 'muted' }, 'Messages: ' + e.message));
  }
}

async function renderFamily(box, run) {
  const nodes = [];
  if (run.parent_run_id) nodes.push(el('p', {}, 'Parent: ', el('a', { href: '/runs/' + enc(run.parent_run_id) }, run.parent_run_id)));
  try {
    const children = await api.get('/agent/runs?ancestor_run_id=' + enc(run.run_id) + '&limit=50&sort_by=created_at&sort_order=asc');
    if (children.runs.length) {
      nodes.push(el('ul', {}, children.runs.map((c) => el('li', {}, el('a', { href: '/runs/' + enc(c.run_id) }, c.title || c.run_id),
        ' ', stateBadge(c.state)))));
    }
  } catch (_) { /* not fatal */ }
  clear(box, nodes.length ? nodes : el('p', { class: 'muted' }, 'None.'));
}

/**
 * A follow-up gives the run another turn (POST /agent/runs/{id}/followups): a running agent reads it at its next
 * step, an ended run is queued again with its conversation and workspace. The page follows it live.
 */
function followUp(run, errors) {
  const message = el('textarea', { name: 'message', rows: 3, required: true });
  const mode = el('select', { name: 'mode' }, ['normal', 'plan', 'orchestrate'].map((m) => el('option', { value: m }, m)));
  const sent = el('p', { class: 'muted', role: 'status' });
  const form = el('form', { class: 'card', id: 'follow-up' }, el('h2', {}, 'Follow up'),
    field('Message to the agent', message), field('Mode', mode), el('button', { type: 'submit' }, 'Send follow-up'), sent);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const answer = await api.post('/agent/runs/' + enc(run.run_id) + '/followups',
        { message: message.value, mode: mode.value });
      message.value = '';
      sent.textContent = answer.outcome === 'handoff_execution' ? 'Sent: the run takes another turn.'
        : 'Sent: the agent reads it at its next step.';
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}
