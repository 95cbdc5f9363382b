// Conformance test: drives the official TypeScript SDK `oz-agent-sdk` (pinned in package.json)
// against a running Drover server, unmodified, the way an Oz user would.
//
//   OZ_API_BASE_URL=http://127.0.0.1:PORT/api/v1 WARP_API_KEY=<drover key> node --test conformance.mjs
//
// Assumptions about the server under test:
//   - runs stay QUEUED after creation (no worker is claiming them), so cancel/state tests are deterministic;
//   - the server's default model is used (no model_id is sent).
// Every run this suite creates carries a config.name starting with a per-execution tag, so repeated
// executions against the same server do not see each other's runs.
// Besides the Oz Agent API it checks Drover's `metadata` extension (on create, retrieve and list, and the
// `metadata[k]=v` filter), reached the way an SDK user would: extra body keys and the generic client.get.
// See SDK-NOTES.md for what the SDK sends on the wire.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import OzAPI, { APIError, AuthenticationError, BadRequestError, NotFoundError } from 'oz-agent-sdk';

const BASE_URL = process.env.OZ_API_BASE_URL;
const API_KEY = process.env.WARP_API_KEY;
if (!BASE_URL || !API_KEY) {
  // Never fall back to the SDK's default base URL (https://app.warp.dev/api/v1).
  throw new Error('OZ_API_BASE_URL and WARP_API_KEY must both be set, e.g. OZ_API_BASE_URL=http://127.0.0.1:8080/api/v1');
}

// baseURL and apiKey come from the environment (the SDK reads OZ_API_BASE_URL and WARP_API_KEY itself).
// Retries are off so that a 5xx/409/429 shows up as a failure instead of being retried away
// (the SDK would re-send a POST without any idempotency key and could create duplicate runs).
const client = new OzAPI({ maxRetries: 0, timeout: 30_000 });

const TAG = `ozsdk-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const TEST_TIMEOUT = 120_000;

/**
 * A client that records the method and URL of every request it sends, to show which path an SDK method uses
 * and how the SDK encodes a query. It sends through the global fetch, like the default client.
 */
function recordingClient(seen) {
  return new OzAPI({
    maxRetries: 0,
    timeout: 30_000,
    fetch: (url, init) => {
      seen.push({ method: init?.method, url: String(url) });
      return fetch(url, init);
    },
  });
}

/** A config name unique to this test execution. */
const uniqueName = (what) => `${TAG}-${what}`;

/** Creates a run through the SDK and checks the create response. */
async function createRun({ name, prompt = `conformance run for ${name}`, title, metadata } = {}) {
  const params = { prompt, config: { name } };
  if (title !== undefined) params.title = title;
  if (metadata !== undefined) params.metadata = metadata;
  const created = await client.agent.run(params);
  assert.equal(typeof created.run_id, 'string', 'run_id must be a string');
  assert.ok(created.run_id.length > 0, 'run_id must not be empty');
  return created;
}

/**
 * Auto-pagination over GET /agent/runs. oz-agent-sdk 1.0.0-alpha.8 has no page helper (runs.list returns a
 * plain {runs, page_info} object), so this follows page_info.next_cursor with runs.list exactly as an SDK
 * user has to. `pages` receives the size of every page fetched.
 */
async function* allRuns(params, pages = []) {
  let cursor;
  for (let i = 0; i < 1000; i++) {
    const page = await client.agent.runs.list(cursor === undefined ? params : { ...params, cursor });
    assert.ok(Array.isArray(page.runs), 'list response must have a runs array');
    assert.equal(typeof page.page_info?.has_next_page, 'boolean', 'page_info.has_next_page must be a boolean');
    pages.push(page.runs.length);
    yield* page.runs;
    if (!page.page_info.has_next_page) return;
    assert.equal(typeof page.page_info.next_cursor, 'string', 'next_cursor must be set when has_next_page is true');
    assert.ok(page.page_info.next_cursor.length > 0, 'next_cursor must not be empty when has_next_page is true');
    assert.notEqual(page.page_info.next_cursor, cursor, 'next_cursor must advance');
    cursor = page.page_info.next_cursor;
  }
  assert.fail('pagination did not terminate within 1000 pages');
}

async function collectIds(params, pages) {
  const ids = [];
  for await (const run of allRuns(params, pages)) ids.push(run.run_id);
  return ids;
}

/** Asserts that `promise` rejects with the SDK error class `ErrorClass` and HTTP `status`, as problem+json. */
async function assertApiError(promise, ErrorClass, status) {
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof APIError, `expected an SDK APIError, got ${caught?.constructor?.name}: ${caught?.message}`);
  assert.ok(caught instanceof ErrorClass,
    `expected ${ErrorClass.name}, got ${caught.constructor.name} (status ${caught.status}): ${caught.message}`);
  assert.equal(caught.status, status);
  const contentType = caught.headers?.get('content-type') ?? '';
  assert.match(contentType, /^application\/problem\+json/i, `error content-type should be application/problem+json, got "${contentType}"`);
  assert.equal(typeof caught.error, 'object', 'error body must be JSON');
  assert.equal(caught.error.status, status, 'problem "status" member must equal the HTTP status');
  for (const member of ['type', 'title', 'detail']) {
    assert.equal(typeof caught.error[member], 'string', `problem member "${member}" must be a string`);
  }
  return caught;
}

function assertTimestamp(value, field) {
  assert.equal(typeof value, 'string', `${field} must be a string`);
  assert.match(value, RFC3339, `${field} must be RFC 3339, got "${value}"`);
  assert.ok(!Number.isNaN(Date.parse(value)), `${field} must parse as a date`);
}

describe('the SDK client', () => {
  test('a client built only from OZ_API_BASE_URL and WARP_API_KEY reaches the server', { timeout: TEST_TIMEOUT }, async () => {
    const envClient = new OzAPI();
    assert.equal(envClient.baseURL, BASE_URL);
    assert.equal(envClient.apiKey, API_KEY);
    const page = await envClient.agent.runs.list({ limit: 1 });
    assert.ok(Array.isArray(page.runs));
    assert.ok(page.runs.length <= 1, 'limit=1 must return at most one run');
    assert.equal(typeof page.page_info.has_next_page, 'boolean');
  });

  test('a client with a wrong API key gets AuthenticationError (401)', { timeout: TEST_TIMEOUT }, async () => {
    const badClient = new OzAPI({ apiKey: `not-a-valid-key-${randomUUID()}`, maxRetries: 0 });
    await assertApiError(badClient.agent.runs.list({ limit: 1 }), AuthenticationError, 401);
    await assertApiError(badClient.agent.run({ prompt: 'must not be created', config: { name: uniqueName('badkey') } }),
      AuthenticationError, 401);
  });
});

describe('creating runs', () => {
  test('agent.run creates a QUEUED run whose task_id equals its run_id', { timeout: TEST_TIMEOUT }, async () => {
    const created = await client.agent.run({
      prompt: 'Say hello from the oz-agent-sdk conformance test',
      title: 'SDK conformance: create',
      config: { name: uniqueName('create') },
    });
    assert.equal(typeof created.run_id, 'string');
    assert.ok(created.run_id.length > 0);
    assert.equal(created.task_id, created.run_id);
    assert.equal(created.state, 'QUEUED');
  });

  test('agent.run posts to the deprecated /agent/run path, and the run it creates is readable under /agent/runs', { timeout: TEST_TIMEOUT }, async () => {
    const seen = [];
    const recording = recordingClient(seen);
    const name = uniqueName('deprecated');
    const created = await recording.agent.run({ prompt: 'created via the deprecated POST /agent/run', config: { name } });
    assert.deepEqual(seen, [{ method: 'POST', url: `${BASE_URL}/agent/run` }]);
    assert.equal(created.task_id, created.run_id);
    assert.equal(created.state, 'QUEUED');
    const run = await recording.agent.runs.retrieve(created.run_id);
    assert.equal(seen[1].url, `${BASE_URL}/agent/runs/${created.run_id}`);
    assert.equal(run.prompt, 'created via the deprecated POST /agent/run');
    assert.equal(run.agent_config?.name, name);
  });

  test('the preferred POST /agent/runs endpoint creates a run the same way', { timeout: TEST_TIMEOUT }, async () => {
    // The SDK has no method for POST /agent/runs; its generic client.post is how an SDK user reaches it.
    const seen = [];
    const name = uniqueName('preferred');
    const created = await recordingClient(seen).post('/agent/runs', { body: { prompt: 'created via POST /agent/runs', config: { name } } });
    assert.deepEqual(seen, [{ method: 'POST', url: `${BASE_URL}/agent/runs` }]);
    assert.equal(typeof created.run_id, 'string');
    assert.equal(created.task_id, created.run_id);
    assert.equal(created.state, 'QUEUED');
    const run = await client.agent.runs.retrieve(created.run_id);
    assert.equal(run.prompt, 'created via POST /agent/runs');
    assert.equal(run.agent_config?.name, name);
  });

  test('a create with neither prompt nor skill is rejected with BadRequestError (400)', { timeout: TEST_TIMEOUT }, async () => {
    await assertApiError(client.agent.run({ title: 'no prompt', config: { name: uniqueName('noprompt') } }), BadRequestError, 400);
    await assertApiError(client.agent.run({}), BadRequestError, 400);
  });

  test('sending the same Idempotency-Key twice returns the same run instead of a second one', { timeout: TEST_TIMEOUT }, async () => {
    // The SDK never sends Idempotency-Key by itself; a caller can add it through the per-request headers option.
    const name = uniqueName('idempotent');
    const key = `conformance-${randomUUID()}`;
    const body = { prompt: 'idempotent create', config: { name } };
    const first = await client.agent.run(body, { headers: { 'Idempotency-Key': key } });
    const second = await client.agent.run(body, { headers: { 'Idempotency-Key': key } });
    assert.equal(second.run_id, first.run_id);
    const ids = await collectIds({ name, limit: 10 });
    assert.deepEqual(ids, [first.run_id], 'exactly one run must exist for the idempotent create');
  });
});

describe('retrieving runs', () => {
  test('runs.retrieve returns the prompt, title, state, timestamps and agent_config.name of a run', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('retrieve');
    const prompt = `Retrieve me ${randomUUID()}`;
    const created = await createRun({ name, prompt, title: 'SDK conformance: retrieve' });
    const run = await client.agent.runs.retrieve(created.run_id);
    assert.equal(run.run_id, created.run_id);
    assert.equal(run.task_id, created.run_id);
    assert.equal(run.prompt, prompt);
    assert.equal(run.title, 'SDK conformance: retrieve');
    assert.equal(run.state, 'QUEUED');
    assertTimestamp(run.created_at, 'created_at');
    assertTimestamp(run.updated_at, 'updated_at');
    assert.ok(Date.parse(run.updated_at) >= Date.parse(run.created_at), 'updated_at must not precede created_at');
    assert.equal(run.agent_config?.name, name);
  });

  test('a run created without a title still has a non-empty title', { timeout: TEST_TIMEOUT }, async () => {
    const created = await createRun({ name: uniqueName('untitled'), prompt: 'A run without an explicit title' });
    const run = await client.agent.runs.retrieve(created.run_id);
    assert.equal(typeof run.title, 'string');
    assert.ok(run.title.length > 0, 'title is required in RunItem and must be generated when not given');
  });

  test('runs.retrieve of an unknown run id throws NotFoundError (404)', { timeout: TEST_TIMEOUT }, async () => {
    await assertApiError(client.agent.runs.retrieve(randomUUID()), NotFoundError, 404);
  });
});

describe('listing runs', () => {
  test('paging with limit 10 and a name filter visits exactly the 25 runs created, each once', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('paging');
    const expected = [];
    for (let i = 0; i < 25; i++) expected.push((await createRun({ name, prompt: `paging run ${i}` })).run_id);

    const pages = [];
    const seen = await collectIds({ name, limit: 10 }, pages);
    assert.equal(new Set(seen).size, seen.length, `a run was returned twice across pages (page sizes ${pages})`);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    assert.ok(pages.every((n) => n <= 10), `no page may exceed limit=10, got page sizes ${pages}`);
    assert.ok(pages.length >= 3, `25 runs at limit=10 need at least 3 pages, got ${pages.length}`);
  });

  test('runs.list with limit returns at most that many runs and a cursor to the rest', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('limit');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createRun({ name })).run_id);
    const page = await client.agent.runs.list({ name, limit: 2 });
    assert.equal(page.runs.length, 2);
    assert.equal(page.page_info.has_next_page, true);
    assert.equal(typeof page.page_info.next_cursor, 'string');
    const rest = await client.agent.runs.list({ name, limit: 2, cursor: page.page_info.next_cursor });
    assert.equal(rest.runs.length, 1);
    assert.equal(rest.page_info.has_next_page, false);
    assert.deepEqual([...page.runs, ...rest.runs].map((r) => r.run_id).sort(), [...ids].sort());
  });

  describe('with sorting', () => {
    const name = uniqueName('sort');
    const byTitle = {};
    before(async () => {
      // Created out of alphabetical order so that title order differs from creation order.
      for (const title of ['bravo', 'alpha', 'charlie']) {
        byTitle[title] = (await createRun({ name, title: `${title} ${TAG}` })).run_id;
      }
    });

    test('sort_by=title with sort_order=asc and desc returns the titles in order', { timeout: TEST_TIMEOUT }, async () => {
      const asc = await collectIds({ name, sort_by: 'title', sort_order: 'asc', limit: 10 });
      assert.deepEqual(asc, [byTitle.alpha, byTitle.bravo, byTitle.charlie]);
      const desc = await collectIds({ name, sort_by: 'title', sort_order: 'desc', limit: 10 });
      assert.deepEqual(desc, [byTitle.charlie, byTitle.bravo, byTitle.alpha]);
    });

    test('sort_by=created_at ascending is ordered by created_at and is the reverse of descending', { timeout: TEST_TIMEOUT }, async () => {
      const runs = [];
      for await (const run of allRuns({ name, sort_by: 'created_at', sort_order: 'asc', limit: 2 })) runs.push(run);
      assert.equal(runs.length, 3);
      for (let i = 1; i < runs.length; i++) {
        assert.ok(Date.parse(runs[i - 1].created_at) <= Date.parse(runs[i].created_at),
          `created_at must not decrease in ascending order: ${runs.map((r) => r.created_at)}`);
      }
      const desc = [];
      for await (const run of allRuns({ name, sort_by: 'created_at', sort_order: 'desc', limit: 2 })) desc.push(run);
      for (let i = 1; i < desc.length; i++) {
        assert.ok(Date.parse(desc[i - 1].created_at) >= Date.parse(desc[i].created_at),
          `created_at must not increase in descending order: ${desc.map((r) => r.created_at)}`);
      }
      assert.deepEqual(desc.map((r) => r.run_id).sort(), runs.map((r) => r.run_id).sort());
      // The spec does not say how runs with equal created_at are ordered, so only distinct timestamps must flip.
      if (new Set(runs.map((r) => r.created_at)).size === runs.length) {
        assert.deepEqual(desc.map((r) => r.run_id), runs.map((r) => r.run_id).reverse());
      }
    });
  });

  test('runs.list with repeated state parameters returns runs in any of those states', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('state');
    const a = (await createRun({ name })).run_id;
    const b = (await createRun({ name })).run_id;
    const c = (await createRun({ name })).run_id;
    assert.equal(await client.agent.runs.cancel(b), b);

    const hint = '(this suite expects runs to stay QUEUED: is a worker claiming them?)';
    assert.deepEqual(await collectIds({ name, state: ['CANCELLED'] }), [b]);
    assert.deepEqual((await collectIds({ name, state: ['QUEUED'] })).sort(), [a, c].sort(), hint);
    assert.deepEqual((await collectIds({ name, state: ['QUEUED', 'CANCELLED'] })).sort(), [a, b, c].sort(), hint);
    assert.deepEqual(await collectIds({ name, state: ['SUCCEEDED', 'FAILED'] }), []);
    for await (const run of allRuns({ name, state: ['CANCELLED', 'SUCCEEDED'] })) {
      assert.ok(['CANCELLED', 'SUCCEEDED'].includes(run.state), `state filter returned a ${run.state} run`);
    }
  });

  test('runs.list with a name filter returns only runs with that config name', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('name');
    const other = uniqueName('name-other');
    const mine = [(await createRun({ name })).run_id, (await createRun({ name })).run_id];
    await createRun({ name: other });
    assert.deepEqual((await collectIds({ name })).sort(), [...mine].sort());
  });
});

describe('run metadata (Drover extension, as in newer Oz SDKs)', () => {
  test('metadata given to agent.run and to POST /agent/runs is returned by runs.retrieve and runs.list', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('metadata');
    const viaRun = { ticket: 'ENG-42', 'team.name': 'core_platform', tag: TAG };
    const a = await client.agent.run({ prompt: 'metadata via agent.run', config: { name }, metadata: viaRun });
    const viaRuns = { origin: 'post-agent-runs', 'x-1': '' };
    const b = await client.post('/agent/runs', { body: { prompt: 'metadata via POST /agent/runs', config: { name }, metadata: viaRuns } });
    assert.deepEqual((await client.agent.runs.retrieve(a.run_id)).metadata, viaRun);
    assert.deepEqual((await client.agent.runs.retrieve(b.run_id)).metadata, viaRuns);
    const listed = {};
    for await (const run of allRuns({ name })) listed[run.run_id] = run.metadata;
    assert.deepEqual(listed, { [a.run_id]: viaRun, [b.run_id]: viaRuns });
  });

  test('metadata[k]=v sent through client.get selects exactly the runs with every given pair, across pages', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('metadata-filter');
    const gold = (await createRun({ name, metadata: { env: 'prod', tier: 'gold' } })).run_id;
    const silver = (await createRun({ name, metadata: { env: 'prod', tier: 'silver' } })).run_id;
    await createRun({ name, metadata: { env: 'dev', tier: 'gold' } });
    await createRun({ name });

    // The SDK's generic request method encodes a nested query object with brackets (qs): metadata%5Benv%5D=prod.
    const seen = [];
    const recording = recordingClient(seen);
    const get = async (metadata, extra = {}) => {
      const ids = [];
      let cursor;
      do {
        const page = await recording.get('/agent/runs', { query: { name, metadata, limit: 1, ...extra, cursor } });
        ids.push(...page.runs.map((r) => r.run_id));
        cursor = page.page_info.has_next_page ? page.page_info.next_cursor : undefined;
      } while (cursor !== undefined);
      return ids;
    };
    assert.deepEqual((await get({ env: 'prod' })).sort(), [gold, silver].sort());
    assert.ok(seen.some((r) => r.url.includes('metadata%5Benv%5D=prod')), `query was ${seen[0]?.url}`);
    assert.ok(seen.length >= 2, `two matching runs at limit=1 take at least two pages, took ${seen.length}`);
    assert.deepEqual(await get({ env: 'prod', tier: 'gold' }), [gold]);
    assert.deepEqual(await get({ tier: 'gold', env: 'prod' }, { sort_by: 'created_at', sort_order: 'asc' }), [gold]);
    assert.deepEqual(await get({ env: 'staging' }), []);
    assert.deepEqual(await get({ nothere: 'prod' }), []);

    // runs.list passes keys it does not type straight into the query, so the filter works through it too.
    const page = await client.agent.runs.list({ name, metadata: { tier: 'silver' } });
    assert.deepEqual(page.runs.map((r) => r.run_id), [silver]);
  });

  test('metadata that breaks the rules is rejected with BadRequestError naming the field', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('metadata-bad');
    const badKey = await assertApiError(client.agent.run({ prompt: 'x', config: { name }, metadata: { 'no spaces': 'v' } }), BadRequestError, 400);
    assert.match(badKey.error.detail, /^metadata/);
    const notString = await assertApiError(client.agent.run({ prompt: 'x', config: { name }, metadata: { n: 5 } }), BadRequestError, 400);
    assert.match(notString.error.detail, /^metadata/);
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    const many = await assertApiError(client.agent.run({ prompt: 'x', config: { name }, metadata: tooMany }), BadRequestError, 400);
    assert.match(many.error.detail, /^metadata/);
    assert.deepEqual(await collectIds({ name }), [], 'a rejected create must not leave a run behind');

    // A filter key no run can have is a mistake, not an empty result.
    const badFilter = await assertApiError(client.get('/agent/runs', { query: { metadata: { 'bad key': 'x' } } }), BadRequestError, 400);
    assert.match(badFilter.error.detail, /^metadata\[bad key\]/);
  });
});

describe('fields of the newer Oz SDK, sent by the npm release as extra keys (docs/api.md "Request fields")', () => {
  test('every mode is accepted for the built-in harness; plan with a CLI harness is a BadRequestError naming mode', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('mode');
    const created = [];
    for (const mode of ['normal', 'plan', 'orchestrate']) {
      const run = await client.agent.run({ prompt: `${mode} mode`, config: { name }, mode });
      assert.equal(run.state, 'QUEUED');
      created.push(run.run_id);
    }
    const err = await assertApiError(client.agent.run({ prompt: 'x', config: { name, harness: { type: 'claude' } }, mode: 'plan' }),
      BadRequestError, 400);
    assert.match(err.error.detail, /^mode:/);
    assert.deepEqual((await collectIds({ name })).sort(), created.sort());
  });

  test('config members Drover has nothing behind are a BadRequestError naming them, never dropped', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('unsupported');
    for (const [config, field] of [
      [{ name, runner_id: 'r-1' }, 'config.runner_id'],
      [{ name, session_sharing: { public_access: 'VIEWER' } }, 'config.session_sharing'],
      [{ name, harness: { type: 'oz', model_id: 'gpt-5' } }, 'config.harness.model_id'],
    ]) {
      const err = await assertApiError(client.agent.run({ prompt: 'x', config }), BadRequestError, 400);
      assert.ok(err.error.detail.startsWith(`${field}:`), err.error.detail);
    }
  });

  test('a run shows executor, is_run_type_cancellable and no run_time before it starts', { timeout: TEST_TIMEOUT }, async () => {
    const created = await createRun({ name: uniqueName('newer-fields') });
    const run = await client.agent.runs.retrieve(created.run_id);
    assert.equal(run.executor?.uid, run.creator?.uid);
    assert.equal(run.is_run_type_cancellable, true);
    assert.equal(run.run_time, undefined);
  });

  test('runs.list passes the newer filters through: automation_id filters, factory_uid matches nothing', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('newer-filters');
    const automated = (await createRun({ name, metadata: { automation_id: `${TAG}-auto` } })).run_id;
    await createRun({ name });
    assert.deepEqual(await collectIds({ name, automation_id: `${TAG}-auto` }), [automated]);
    assert.deepEqual(await collectIds({ name, factory_uid: 'factory-1' }), []);
    assert.equal((await collectIds({ name, source: 'API' })).length, 2);
    assert.equal((await collectIds({ name, task_status: 'running' })).length, 2, 'both are queued');
    assert.deepEqual(await collectIds({ name, task_status: 'complete' }), []);
  });
});

describe('cancelling runs', () => {
  test('runs.cancel on a QUEUED run returns its id and the run then reads CANCELLED', { timeout: TEST_TIMEOUT }, async () => {
    const created = await createRun({ name: uniqueName('cancel') });
    const cancelled = await client.agent.runs.cancel(created.run_id);
    assert.equal(cancelled, created.run_id, 'cancel must return the run id as a JSON string');
    const run = await client.agent.runs.retrieve(created.run_id);
    assert.equal(run.state, 'CANCELLED');
    assert.ok(Date.parse(run.updated_at) >= Date.parse(run.created_at));
  });

  test('cancelling an already-cancelled run throws BadRequestError (400)', { timeout: TEST_TIMEOUT }, async () => {
    const created = await createRun({ name: uniqueName('cancel-twice') });
    assert.equal(await client.agent.runs.cancel(created.run_id), created.run_id);
    await assertApiError(client.agent.runs.cancel(created.run_id), BadRequestError, 400);
    assert.equal((await client.agent.runs.retrieve(created.run_id)).state, 'CANCELLED');
  });

  test('cancelling an unknown run id throws NotFoundError (404)', { timeout: TEST_TIMEOUT }, async () => {
    await assertApiError(client.agent.runs.cancel(randomUUID()), NotFoundError, 404);
  });
});

describe('scheduled agents', () => {
  // yearly at 00:00 on 1 January (UTC): no run is fired while the suite runs
  const YEARLY = '0 0 1 1 *';

  test('schedules.create, retrieve, list, update, pause, resume and delete round-trip a schedule', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('schedule-b');
    const created = await client.agent.schedules.create({ name, cron_schedule: YEARLY, prompt: 'Write the yearly report',
      agent_config: { name: uniqueName('scheduled') } });
    assert.equal(typeof created.id, 'string');
    assert.equal(created.name, name);
    assert.equal(created.cron_schedule, YEARLY);
    assert.equal(created.enabled, true, 'enabled defaults to true');
    assert.equal(created.prompt, 'Write the yearly report');
    assert.equal(created.agent_config?.name, uniqueName('scheduled'));
    assertTimestamp(created.created_at, 'created_at');
    assertTimestamp(created.updated_at, 'updated_at');
    assertTimestamp(created.history?.next_run, 'history.next_run');
    assert.match(created.history.next_run, /-01-01T00:00:00/, 'the next tick of a yearly schedule is on 1 January');
    assert.ok(created.scope?.type === 'Team' || created.scope?.type === 'User');
    assert.equal(typeof created.created_by?.display_name, 'string');
    assert.deepEqual(await client.agent.schedules.retrieve(created.id), created);

    const other = await client.agent.schedules.create({ name: uniqueName('schedule-a'), cron_schedule: YEARLY, prompt: 'p' });
    const mine = (await client.agent.schedules.list()).schedules.filter((s) => s.name.startsWith(TAG)).map((s) => s.name);
    assert.deepEqual(mine, [uniqueName('schedule-a'), name], 'schedules are listed sorted by name');

    const updated = await client.agent.schedules.update(created.id, { name, cron_schedule: '0 12 1 1 *', enabled: true,
      prompt: 'Write the yearly report, at noon' });
    assert.equal(updated.cron_schedule, '0 12 1 1 *');
    assert.equal(updated.prompt, 'Write the yearly report, at noon');
    assert.match(updated.history.next_run, /-01-01T12:00:00/);

    const paused = await client.agent.schedules.pause(created.id);
    assert.equal(paused.enabled, false);
    assert.ok(paused.history?.next_run == null, 'a paused schedule has no next run');
    const resumed = await client.agent.schedules.resume(created.id);
    assert.equal(resumed.enabled, true);
    assertTimestamp(resumed.history?.next_run, 'history.next_run');

    assert.deepEqual(await client.agent.schedules.delete(created.id), { success: true });
    await assertApiError(client.agent.schedules.retrieve(created.id), NotFoundError, 404);
    assert.deepEqual(await client.agent.schedules.delete(other.id), { success: true });
  });

  test('an invalid cron expression is rejected with BadRequestError naming cron_schedule', { timeout: TEST_TIMEOUT }, async () => {
    const err = await assertApiError(client.agent.schedules.create({ name: uniqueName('bad-cron'), cron_schedule: '0 25 * * *',
      prompt: 'p' }), BadRequestError, 400);
    assert.match(err.error.detail, /^cron_schedule/);
    const mine = (await client.agent.schedules.list()).schedules.filter((s) => s.name === uniqueName('bad-cron'));
    assert.deepEqual(mine, [], 'a rejected create leaves no schedule behind');
  });

  test('schedules.retrieve of an unknown id throws NotFoundError (404)', { timeout: TEST_TIMEOUT }, async () => {
    await assertApiError(client.agent.schedules.retrieve(randomUUID()), NotFoundError, 404);
  });
});

describe('agents (skills)', () => {
  // The repository (owner/repo) the server under test has a `greet` skill in, within an environment the key's
  // team sees; OzSdkConformanceTest sets it up. Without it only the shape of agent.list is checked.
  const SKILL_REPO = process.env.DROVER_CONFORMANCE_SKILL_REPO;

  test('agent.list returns agents, each with variants naming their source and environments', { timeout: TEST_TIMEOUT }, async () => {
    const list = await client.agent.list();
    assert.ok(Array.isArray(list.agents), 'agents must be an array');
    for (const agent of list.agents) {
      assert.equal(typeof agent.name, 'string');
      assert.ok(Array.isArray(agent.variants) && agent.variants.length > 0, 'an agent has variants');
      for (const v of agent.variants) {
        assert.match(v.id, /^[^/]+\/[^:]+:.+SKILL\.md$/, 'a variant id is owner/repo:path/SKILL.md');
        assert.equal(typeof v.description, 'string');
        assert.equal(typeof v.base_prompt, 'string');
        assert.equal(typeof v.source?.skill_path, 'string');
        assert.ok(Array.isArray(v.environments));
      }
    }
    if (!SKILL_REPO) return;
    const greet = list.agents.find((a) => a.name === 'greet');
    assert.ok(greet, `the greet skill of ${SKILL_REPO} is listed`);
    const [owner, name] = SKILL_REPO.split('/');
    assert.deepEqual(greet.variants.map((v) => v.id), [`${SKILL_REPO}:.agents/skills/greet/SKILL.md`]);
    assert.deepEqual(greet.variants[0].source, { owner, name, skill_path: '.agents/skills/greet/SKILL.md' });
    assert.equal(greet.variants[0].description, 'Greets whoever $ARGUMENTS names');
    assert.equal(greet.variants[0].base_prompt, 'Say hello to $ARGUMENTS.');
    assert.ok(greet.variants[0].environments.length > 0, 'the variant names the environment it is in');

    const sorted = await client.agent.list({ sort_by: 'last_run', refresh: true });
    assert.ok(sorted.agents.some((a) => a.name === 'greet'));
    const one = await client.agent.list({ repo: SKILL_REPO });
    assert.deepEqual(one.agents.map((a) => a.name), ['greet']);
  });

  test('agent.list with a malformed repo is a BadRequestError naming repo', { timeout: TEST_TIMEOUT }, async () => {
    const err = await assertApiError(client.agent.list({ repo: 'not-a-repo' }), BadRequestError, 400);
    assert.match(err.error.detail, /^repo/);
  });

  test('a run created from a skill records the skill and its name', { timeout: TEST_TIMEOUT }, async (t) => {
    if (!SKILL_REPO) return t.skip('DROVER_CONFORMANCE_SKILL_REPO is not set');
    const repo = SKILL_REPO.split('/')[1];
    const created = await client.agent.run({ skill: `${repo}:greet`, prompt: 'the reviewers' });
    const run = await client.agent.runs.retrieve(created.run_id);
    assert.equal(run.agent_skill?.name, 'greet');
    assert.equal(run.agent_skill?.full_path, '.agents/skills/greet/SKILL.md');
    assert.equal(run.agent_config?.name, 'greet', 'config.name defaults to the skill name');
    const listed = await client.agent.runs.list({ skill_spec: `${SKILL_REPO}:.agents/skills/greet/SKILL.md` });
    assert.ok(listed.runs.some((r) => r.run_id === created.run_id), 'the run is found by its canonical skill spec');
    await client.agent.runs.cancel(created.run_id);
    await assertApiError(client.agent.run({ skill: `${repo}:no-such-skill`, prompt: 'x' }), NotFoundError, 404);
  });
});

// The newer SDK (oz-agent-sdk 1.4.0-alpha, GitHub; not on npm yet) calls operations the pinned release has no
// methods for: runs.submitFollowup, runs.listHandoffAttachments and conversations.checkRedirect (which, like
// sessions.checkRedirect, it sends without an Authorization header). These are raw HTTP checks of exactly the
// paths, bodies and answers that SDK uses (docs/api.md, "SDK 1.4").
describe('newer SDK operations (raw HTTP)', () => {
  const api = (path, { method = 'GET', body, key = API_KEY } = {}) => fetch(`${BASE_URL}${path}`, {
    method,
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

  test('POST /agent/runs/{runId}/followups answers {followup_id, outcome} and continues an ended run', { timeout: TEST_TIMEOUT }, async () => {
    const created = await createRun({ name: uniqueName('followup') });
    const queued = await api(`/agent/runs/${created.run_id}/followups`, { method: 'POST', body: { message: 'and this too', mode: 'plan' } });
    assert.equal(queued.status, 200);
    const first = await queued.json();
    assert.equal(typeof first.followup_id, 'string');
    assert.equal(first.outcome, 'queue_pending', 'a run that has not started takes the message at its first step');

    await client.agent.runs.cancel(created.run_id);
    const again = await api(`/agent/runs/${created.run_id}/followups`, { method: 'POST', body: { message: 'try again' } });
    assert.equal(again.status, 200);
    const second = await again.json();
    assert.equal(second.outcome, 'handoff_execution', 'an ended run is continued by a new execution');
    assert.notEqual(second.followup_id, first.followup_id);
    const run = await client.agent.runs.retrieve(created.run_id);
    assert.equal(run.state, 'QUEUED');
    assert.equal(run.run_id, created.run_id, 'the same run, not a new one');

    const bad = await api(`/agent/runs/${created.run_id}/followups`, { method: 'POST', body: { message: 'x', mode: 'fast' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-should-retry'), 'false');
    assert.match((await bad.json()).detail, /^mode/);
    const unknown = await api(`/agent/runs/${randomUUID()}/followups`, { method: 'POST', body: { message: 'x' } });
    assert.equal(unknown.status, 404);
    await client.agent.runs.cancel(created.run_id);
  });

  test('GET /agent/runs/{runId}/handoff/attachments lists the input files with signed download URLs', { timeout: TEST_TIMEOUT }, async () => {
    const data = Buffer.from(`notes of ${TAG}`).toString('base64');
    const made = await api('/agent/runs', { method: 'POST', body: { prompt: 'with a file', config: { name: uniqueName('handoff') },
      attachments: [{ file_name: 'notes.txt', mime_type: 'text/plain', data }] } });
    assert.equal(made.status, 200);
    const runId = (await made.json()).run_id;
    const listed = await api(`/agent/runs/${runId}/handoff/attachments`);
    assert.equal(listed.status, 200);
    const { attachments } = await listed.json();
    assert.equal(attachments.length, 1);
    const [a] = attachments;
    assert.equal(typeof a.attachment_id, 'string');
    assert.equal(a.filename, 'notes.txt');
    assert.equal(a.mime_type, 'text/plain');
    const download = await fetch(a.download_url);
    assert.equal(download.status, 200, 'the signed URL needs no key');
    assert.equal(Buffer.from(await download.arrayBuffer()).toString('base64'), data);
    await client.agent.runs.cancel(runId);
  });

  test('the redirect checks answer without an Authorization header, the same for every id', { timeout: TEST_TIMEOUT }, async () => {
    const created = await createRun({ name: uniqueName('redirect') });
    const run = await client.agent.runs.retrieve(created.run_id);
    const own = await api(`/agent/conversations/${run.conversation_id}/redirect`);
    assert.equal(own.status, 200);
    assert.deepEqual(await own.json(), { session_id: run.session_id }, 'the owner is sent to the live session');
    for (const path of [`/agent/conversations/${run.conversation_id}/redirect`, `/agent/conversations/${randomUUID()}/redirect`,
      `/agent/sessions/${run.session_id}/redirect`, `/agent/sessions/${randomUUID()}/redirect`]) {
      const keyless = await api(path, { key: null });
      assert.equal(keyless.status, 200, path);
      assert.equal(await keyless.text(), '{}', `${path}: a request without a key learns nothing`);
    }
    await client.agent.runs.cancel(created.run_id);
  });
});

describe('agent identities (raw HTTP: the npm release has no identity methods; the newer SDK calls these paths)', () => {
  // oz-agent-sdk 1.0.0-alpha.8 has neither client.agent.agent nor agent_identity_uid; the newer SDK (1.4.0-alpha on
  // GitHub) sends exactly these requests: POST/GET /agent/identities, GET/PUT/DELETE /agent/identities/{uid} (DELETE
  // with Accept: */* and no body read), and agent_identity_uid at the top level of the run request.
  test('an identity is created, listed, read, updated, runs act as it, and it is deleted', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('identity');
    const created = await client.post('/agent/identities', { body: { name, description: 'conformance',
      skills: [], secrets: [] } });
    assert.equal(typeof created.uid, 'string');
    assert.equal(created.name, name);
    assert.equal(created.description, 'conformance');
    assert.equal(created.available, true);
    assertTimestamp(created.created_at, 'created_at');
    assert.deepEqual(created.skills, []);
    assert.deepEqual(created.secrets, []);
    assert.deepEqual(created.memory, { attached_stores: [], auto_memory: { enabled: false } });

    const listed = await client.get('/agent/identities');
    assert.ok(listed.agents.some((a) => a.uid === created.uid), 'the identity is listed');
    assert.deepEqual(await client.get(`/agent/identities/${created.uid}`), created);
    const updated = await client.put(`/agent/identities/${created.uid}`, { body: { name: `${name}-2`, description: '' } });
    assert.equal(updated.name, `${name}-2`);
    assert.equal(updated.description, undefined, 'an empty description clears it');

    // agent_identity_uid passes through the SDK's run() as an extra body key
    const run = await client.agent.run({ prompt: 'as the identity', config: { name }, agent_identity_uid: created.uid });
    const item = await client.agent.runs.retrieve(run.run_id);
    assert.equal(item.agent_identity_uid, created.uid);
    assert.equal(item.creator?.uid, created.uid);
    assert.equal(item.creator?.type, 'service_account');
    assert.equal(item.scope?.type, 'Team');
    const byCreator = await client.agent.runs.list({ creator: created.uid });
    assert.deepEqual(byCreator.runs.map((r) => r.run_id), [run.run_id], 'runs are listed by the identity as creator');
    await client.agent.runs.cancel(run.run_id);

    assert.equal(await client.delete(`/agent/identities/${created.uid}`, { headers: { Accept: '*/*' } }), null);
    await assertApiError(client.get(`/agent/identities/${created.uid}`), NotFoundError, 404);
    const kept = await client.agent.runs.retrieve(run.run_id);
    assert.equal(kept.agent_identity_uid, created.uid, 'a run keeps naming the identity it ran as');
  });

  test('an identity without a name, or naming a secret the team lacks, is a BadRequestError naming the field', { timeout: TEST_TIMEOUT }, async () => {
    const noName = await assertApiError(client.post('/agent/identities', { body: { description: 'x' } }), BadRequestError, 400);
    assert.match(noName.error.detail, /^name/);
    const noSecret = await assertApiError(client.post('/agent/identities', { body: { name: uniqueName('nosecret'),
      secrets: [{ name: 'NO_SUCH_SECRET_ANYWHERE' }] } }), BadRequestError, 400);
    assert.match(noSecret.error.detail, /^secrets\[0\]\.name/);
    await assertApiError(client.get(`/agent/identities/${'Z'.repeat(22)}`), NotFoundError, 404);
  });
});
