import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import postgres from 'postgres';
import type { PlaneRecord } from '../../infra/local/planeLock.ts';
import { processStat } from '../../infra/local/procfs.ts';
import { createLauncherSandbox, type LauncherRun, type LauncherSandbox } from '../helpers/launcher.ts';
import { waitUntilGone } from '../helpers/processTree.ts';

const UP = /\[start\] the plane is up/;
/** How long the launcher's processes may take to go once it is gone or told to stop (the bridge drains 2 s here). */
const GONE_WITHIN_MS = 15_000;

async function sandbox(t: { after(fn: () => Promise<void>): void }): Promise<LauncherSandbox> {
  const box = await createLauncherSandbox();
  t.after(() => box.close());
  return box;
}

function tokenIn(output: string): string {
  const token = /Authorization: Bearer (\S+)\)/.exec(output)?.[1];
  assert.ok(token !== undefined, `a registry token is printed:\n${output}`);
  return token;
}

async function readLock(box: LauncherSandbox): Promise<PlaneRecord> {
  return JSON.parse(await readFile(join(box.dataDir, 'plane.json'), 'utf8')) as PlaneRecord;
}

async function messageRow(box: LauncherSandbox, id: string): Promise<{ description: string | null; ingestion: Record<string, unknown> } | undefined> {
  const sql = postgres(box.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ description: string | null; ingestion: Record<string, unknown> }[]>`
      select description, ingestion from xr_messages where messageid = ${id}`;
    return row;
  } finally {
    await sql.end();
  }
}

/** Every process the launcher started, and theirs (esbuild services among them), read before it is signalled. */
async function launcherTree(box: LauncherSandbox, run: LauncherRun): Promise<number[]> {
  const tree = await box.tree(run);
  const { children } = await readLock(box);
  for (const name of ['serverless-offline', 'bridge']) {
    assert.ok(children[name] !== undefined && tree.includes(children[name]), `${name} (pid ${children[name]}) is in the launcher's tree ${tree.join(', ')}`);
  }
  return tree;
}

async function assertAllGone(box: LauncherSandbox, tree: readonly number[], what: string): Promise<void> {
  const left = await waitUntilGone(tree, [box.ports.lambda, box.ports.http], GONE_WITHIN_MS);
  assert.deepEqual(left.pids, [], `${what}: every child and grandchild is gone within ${GONE_WITHIN_MS} ms`);
  assert.deepEqual(left.ports, [], `${what}: ports ${box.ports.lambda} and ${box.ports.http} are free`);
}

test("restart keeps an operator's route edit and seeds only what is missing; SIGKILL of the launcher takes every child with it", {
  timeout: 120_000,
}, async (t) => {
  // Prepare: two registry files; the second never changes.
  const box = await sandbox(t);
  const extra = {
    schemagroups: {
      extra: {
        schemas: { thing: { versions: { '1': { format: 'Avro/1.12', schema: { type: 'record', name: 'Thing', fields: [{ name: 'id', type: 'string' }] } } } } },
      },
    },
  };
  await writeFile(join(box.registryDir, 'extra.xreg.json'), JSON.stringify(extra));
  const first = box.start();
  const firstOutput = await first.waitFor(UP);
  assert.match(firstOutput, /registry: extra\.xreg\.json: imported \(created \/schemagroups\/extra\)/);
  assert.match(firstOutput, /registry: metrics\.xreg\.json: imported \(created \/schemagroups\/metrics, \/messagegroups\/metrics\)/);

  // Act 1: an operator edits the route through the API, with the token this start printed.
  const v1 = box.subject;
  const edit = await fetch(`http://127.0.0.1:${box.ports.http}/messagegroups/metrics/messages/${v1}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${tokenIn(firstOutput)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ingestion: { sink: { kind: 'postgres', table: 'metric_events' }, deadlettersubject: `${box.runId}dlq.edited`, retrybudget: 2 } }),
  });
  assert.equal(edit.status, 200, "the registry API answering is this start's own: its token works");
  // Ctrl-C twice: the second one does not wait for the drain. The bridge is frozen (SIGSTOP), so
  // the first Ctrl-C would wait out its whole grace time.
  const firstTree = await launcherTree(box, first);
  process.kill((await readLock(box)).children.bridge!, 'SIGSTOP');
  first.child.kill('SIGINT');
  await first.waitFor(/SIGINT: stopping/, 10_000);
  first.child.kill('SIGINT');
  assert.equal(await first.exited(3000), 130, `a second Ctrl-C kills at once, without waiting for the bridge:\n${first.output()}`);
  assert.match(first.output(), /SIGINT again: killing what is left/);
  await assertAllGone(box, firstTree, 'after Ctrl-C twice');

  // Act 2: the example file changes (a v2 route, a new description for v1); start again.
  const document = JSON.parse(await readFile(join(box.registryDir, 'metrics.xreg.json'), 'utf8')) as {
    messagegroups: { metrics: { messages: Record<string, Record<string, unknown>> } };
  };
  const messages = document.messagegroups.metrics.messages;
  const v2 = v1.replace(/v1$/, 'v2');
  messages[v2] = { ...structuredClone(messages[v1]!), protocoloptions: { subject: v2 } };
  messages[v1]!.description = 'changed in the file';
  await writeFile(join(box.registryDir, 'metrics.xreg.json'), JSON.stringify(document));
  const second = box.start();
  const secondOutput = await second.waitFor(UP);

  // Assess 2: each file says what was done; the edit survived; the self-check ran on the edited route.
  assert.doesNotMatch(secondOutput, /stale lock/, 'the killed-at-once start released its lock');
  assert.match(secondOutput, /registry: extra\.xreg\.json: skipped \(unchanged since it was seeded at /);
  assert.match(
    secondOutput,
    new RegExp(
      `registry: metrics\\.xreg\\.json: changed since it was seeded; partly seeded: created /messagegroups/metrics/messages/${v2.replaceAll('.', '\\.')}; ` +
        `kept as they are: /schemagroups/metrics, /messagegroups/metrics/messages/${v1.replaceAll('.', '\\.')} `,
    ),
  );
  assert.match(secondOutput, new RegExp(`self-check: published 3 ${v1.replaceAll('.', '\\.')} events, 3 rows in metric_events`));
  const kept = await messageRow(box, v1);
  assert.equal(kept?.ingestion.deadlettersubject, `${box.runId}dlq.edited`, "the operator's dead-letter subject is still there");
  assert.equal(kept?.ingestion.retrybudget, 2);
  assert.notEqual(kept?.description, 'changed in the file', 'an existing route is not overwritten from the file');
  assert.deepEqual((await messageRow(box, v2))?.ingestion, messages[v2]!.ingestion, 'the new route was seeded as the file has it');

  // Act 3: SIGKILL, which the launcher cannot catch.
  const tree = await launcherTree(box, second);
  second.child.kill('SIGKILL');

  // Assess 3
  await assertAllGone(box, tree, 'after SIGKILL of the launcher');
});

test('a second start finds the running plane, says where it is and exits 1; SIGTERM stops the plane', { timeout: 120_000 }, async (t) => {
  // Prepare
  const box = await sandbox(t);
  const first = box.start();
  const firstOutput = await first.waitFor(UP);
  const lock = await readLock(box);
  const offlinePid = lock.children['serverless-offline'];
  assert.equal(lock.pid, first.child.pid);
  assert.ok(offlinePid !== undefined && lock.children.bridge !== undefined, 'the lock names both children');

  // Act 1: the same start again (same data directory and ports).
  const second = box.start();
  const secondExit = await second.exited(30_000);

  // Assess 1
  assert.equal(secondExit, 1);
  assert.match(
    second.output(),
    new RegExp(
      `the plane is already running: launcher pid ${first.child.pid} \\(instance ${lock.instance}, .*functions on port ${box.ports.lambda}, registry API on port ${box.ports.http}, serverless-offline pid ${offlinePid}, bridge pid ${lock.children.bridge}`,
    ),
  );
  assert.doesNotMatch(second.output(), UP);
  assert.deepEqual(await readLock(box), lock, "the running plane's lock is left alone");

  // Act 2: another data directory (no lock to find) but the same ports.
  const third = box.start({ LOCAL_DATA_DIR: join(box.dataDir, 'elsewhere') });
  const thirdExit = await third.exited(30_000);

  // Assess 2: the ports are checked before anything starts, naming their holder.
  assert.equal(thirdExit, 1);
  assert.match(
    third.output(),
    new RegExp(`port ${box.ports.lambda} is held by pid ${offlinePid} \\(.*serverless\\.js offline.*\\); stop it, or set OFFLINE_LAMBDA_PORT to a free port`),
  );
  assert.match(third.output(), new RegExp(`port ${box.ports.http} is held by pid ${offlinePid} .*OFFLINE_HTTP_PORT`));
  const stillServing = await fetch(`http://127.0.0.1:${box.ports.http}/messagegroups/metrics/messages/${box.subject}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${tokenIn(firstOutput)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ description: 'still the first plane' }),
  });
  assert.equal(stillServing.status, 200, 'the first plane is untouched and its token still works');

  // Act 3
  const tree = await launcherTree(box, first);
  first.child.kill('SIGTERM');

  // Assess 3
  assert.equal(await first.exited(GONE_WITHIN_MS), 0);
  assert.match(first.output(), /SIGTERM: stopping/);
  await assertAllGone(box, tree, 'after SIGTERM');
  assert.equal(existsSync(join(box.dataDir, 'plane.json')), false, 'the lock is released');
});

test('a stale lock (its pid reused) is replaced; SIGHUP (a closed terminal) stops the plane', { timeout: 120_000 }, async (t) => {
  // Prepare: a lock naming a live process that is not a launcher (this test, with another start time).
  const box = await sandbox(t);
  const own = await processStat(process.pid);
  const planted: PlaneRecord = {
    pid: process.pid,
    startTime: own!.startTime + 1,
    instance: 'old',
    startedAt: '2020-01-01T00:00:00.000Z',
    ports: box.ports,
    children: {},
  };
  await writeFile(join(box.dataDir, 'plane.json'), JSON.stringify(planted));

  // Act 1
  const run = box.start();
  const output = await run.waitFor(UP);

  // Assess 1
  assert.match(
    output,
    new RegExp(`replacing the stale lock .*plane\\.json: pid ${process.pid} now belongs to another process than the launcher that wrote it`),
  );
  assert.equal((await readLock(box)).pid, run.child.pid);

  // Act 2
  const tree = await launcherTree(box, run);
  run.child.kill('SIGHUP');

  // Assess 2
  assert.equal(await run.exited(GONE_WITHIN_MS), 0);
  assert.match(run.output(), /SIGHUP: stopping/);
  await assertAllGone(box, tree, 'after SIGHUP');
});

test('bad input: --help, unknown arguments, bad settings and a broken registry file stop before anything runs', { timeout: 90_000 }, async (t) => {
  const box = await sandbox(t);
  const cases: { name: string; overrides?: Record<string, string>; args?: string[]; code: number; output: RegExp }[] = [
    { name: '--help', args: ['--help'], code: 0, output: /^usage: npm start \[-- --help\][\s\S]*LOCAL_DATA_DIR/ },
    { name: 'an unknown argument', args: ['--port', '3000'], code: 2, output: /unknown arguments: --port 3000\nusage: npm start/ },
    {
      name: 'a missing registry directory',
      overrides: { LOCAL_REGISTRY_DIR: join(box.registryDir, 'missing') },
      code: 1,
      output: /LOCAL_REGISTRY_DIR ".*missing" is not a directory/,
    },
    {
      name: 'equal ports',
      overrides: { OFFLINE_HTTP_PORT: String(box.ports.lambda) },
      code: 1,
      output: /OFFLINE_LAMBDA_PORT and OFFLINE_HTTP_PORT must differ/,
    },
  ];
  for (const { name, overrides, args, code, output } of cases) {
    const run = box.start(overrides, args);
    assert.equal(await run.exited(30_000), code, `${name}: exit code\n${run.output()}`);
    assert.match(run.output(), output, name);
    assert.doesNotMatch(run.output(), /starting serverless-offline/, `${name}: nothing was started`);
  }

  // A registry file that is not JSON: named, exit 1, no lock and nothing listening left behind.
  await writeFile(join(box.registryDir, 'zz-broken.xreg.json'), '{"schemagroups": {');
  const broken = box.start();
  assert.equal(await broken.exited(60_000), 1, broken.output());
  assert.match(broken.output(), /registry file zz-broken\.xreg\.json: not valid JSON/);
  assert.doesNotMatch(broken.output(), /starting serverless-offline/);
  assert.equal(existsSync(join(box.dataDir, 'plane.json')), false, 'a failed start releases its lock');
});
