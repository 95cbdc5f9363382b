// The one way pages talk to Drover: the same /api/v1 every client uses, authenticated by the session cookie
// (HttpOnly: this script never sees it). Writes carry the session's CSRF token; problems become ApiErrors whose
// `field` is the parameter the server named ("name: is required" → field "name").
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, problem) {
    const detail = (problem && (problem.detail || problem.error || problem.title)) || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem || {};
    const m = /^([A-Za-z0-9_.\[\]-]+): /.exec(detail);
    this.field = m ? m[1] : null;
  }
}

async function send(method, url, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-Drover-CSRF'] = csrfToken;
  const res = await fetch(url, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    if (res.status === 401 && url.startsWith('/api/') && location.pathname !== '/sign-in') {
      location.assign('/sign-in?next=' + encodeURIComponent(location.pathname + location.search));
    }
    throw new ApiError(res.status, typeof data === 'object' ? data : { detail: String(data) });
  }
  return data;
}

export const api = {
  get: (path) => send('GET', '/api/v1' + path),
  post: (path, body) => send('POST', '/api/v1' + path, body === undefined ? {} : body),
  put: (path, body) => send('PUT', '/api/v1' + path, body),
  del: (path) => send('DELETE', '/api/v1' + path),
  raw: (url) => send('GET', url),
};

/** Who is signed in ({display_name, csrf_token, …}), or null. */
export async function currentSession() {
  try {
    const s = await send('GET', '/web/session');
    csrfToken = s.csrf_token;
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function signIn(body) {
  const s = await send('POST', '/web/sign-in', body);
  csrfToken = s.csrf_token;
  return s;
}

export async function signOut() {
  await send('POST', '/web/sign-out', {});
  csrfToken = null;
}

const EVENT_TYPES = ['run_queued', 'run_pending', 'run_claimed', 'run_requeued', 'run_in_progress', 'run_succeeded',
  'run_failed', 'run_blocked', 'run_errored', 'run_cancelled', 'run_cancel_requested', 'new_message',
  'child_agent_started', 'artifact_created', 'transcript_appended', 'run_session_linked'];

/**
 * Follows the events of up to 100 runs over SSE (the browser resumes with Last-Event-ID after a drop).
 * Returns a function that stops following.
 */
export function follow(runIds, onEvent, since = 0) {
  if (!runIds.length) return () => {};
  const q = new URLSearchParams();
  q.set('run_ids', runIds.slice(0, 100).join(','));
  if (since) q.set('since', String(since));
  const source = new EventSource('/api/v1/agent/events/stream?' + q.toString());
  const handler = (e) => { try { onEvent(JSON.parse(e.data)); } catch (_) { /* a malformed event is skipped */ } };
  for (const t of EVENT_TYPES) source.addEventListener(t, handler);
  source.onmessage = handler;
  return () => source.close();
}
