import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchProcess, startOffline } from '../../infra/local/processes.ts';
import { processGroupMembers } from '../../infra/local/procfs.ts';
import { freePort, waitFor } from '../helpers/names.ts';
import { killAll, waitUntilGone } from '../helpers/processTree.ts';

const STAND_IN = fileURLToPath(new URL('../helpers/launcherStandIn.ts', import.meta.url));

/**
 * A child that starts a grandchild (same process group) and, like the grandchild, may ignore
 * SIGTERM; each writes "ready" to the log once its handler is in place.
 */
function childScript(childIgnoresTerm: boolean, grandchildIgnoresTerm = childIgnoresTerm): string {
  const ignore = (yes: boolean): string => (yes ? "process.on('SIGTERM', () => {});" : '');
  const grandchild = `${ignore(grandchildIgnoresTerm)} process.stdout.write('ready\\n'); setInterval(() => {}, 60000);`;
  return `${ignore(childIgnoresTerm)}
    const { spawn } = require('node:child_process');
    spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: ['ignore', 'inherit', 'inherit'] });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 60000);`;
}

async function readyLines(log: string): Promise<number> {
  return (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line === 'ready').length;
}

/** The child's process group once the child and its grandchild both run in it, signal handlers set. */
async function launchedGroup(childPid: number, log: string): Promise<number[]> {
  const ready = await waitFor(
    'the child and its grandchild to run and say ready',
    async () => ({ tree: (await processGroupMembers(childPid)) ?? [], ready: await readyLines(log) }),
    (seen) => seen.tree.length >= 2 && seen.ready >= 2,
    20_000,
  );
  return ready.tree;
}

async function startStandIn(
  t: { after(fn: () => Promise<void>): void },
  ignoreTerm: boolean,
  graceMs: number,
): Promise<{ standIn: ChildProcess; tree: number[]; log: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ingest-ownership-'));
  const log = join(dir, 'child.log');
  const standIn = spawn(process.execPath, ['--import', 'tsx', STAND_IN, childScript(ignoreTerm), log, String(graceMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let tree: number[] = [];
  t.after(async () => {
    killAll([standIn.pid!, ...tree]);
    await rm(dir, { recursive: true, force: true });
  });
  const [line] = (await once(createInterface({ input: standIn.stdout! }), 'line')) as [string];
  const childPid = (JSON.parse(line) as { child: number }).child;
  tree = await launchedGroup(childPid, log);
  return { standIn, tree, log };
}

test('SIGKILL of the launcher: its child and grandchild stop on their own (SIGTERM)', { timeout: 60_000 }, async (t) => {
  // Prepare
  const { standIn, tree, log } = await startStandIn(t, false, 5000);

  // Act
  standIn.kill('SIGKILL');

  // Assess
  const left = await waitUntilGone(tree, [], 5000);
  assert.deepEqual(left.pids, [], `every process of the launched group is gone (${tree.join(', ')})`);
  assert.match(await readFile(log, 'utf8'), new RegExp(`launcher pid ${standIn.pid} is gone; stopping process group`));
});

test('SIGKILL of the launcher: a child and grandchild that ignore SIGTERM are killed after the grace time', { timeout: 60_000 }, async (t) => {
  // Prepare
  const graceMs = 1500;
  const { standIn, tree, log } = await startStandIn(t, true, graceMs);

  // Act
  const killedAtMs = Date.now();
  standIn.kill('SIGKILL');

  // Assess: gone, and not before the grace time had passed (SIGTERM alone did not stop them, since
  // they ignore it). A lower bound only: a loaded machine can make it later, never earlier.
  const left = await waitUntilGone(tree, [], graceMs + 10_000);
  const goneAfterMs = Date.now() - killedAtMs;
  assert.deepEqual(left.pids, [], 'SIGKILL after the grace time took them all');
  // Node may fire a timer up to a millisecond early; the margin covers that, not scheduling.
  assert.ok(goneAfterMs >= graceMs - 5, `gone ${goneAfterMs} ms after the launcher died, before the ${graceMs} ms grace time`);
  assert.match(
    await readFile(log, 'utf8'),
    new RegExp(`launcher pid ${standIn.pid} is gone; stopping process group \\d+ \\(SIGTERM now, SIGKILL after ${graceMs} ms\\)`),
  );
});

test('stop() also ends a grandchild that outlives its parent', { timeout: 30_000 }, async (t) => {
  // Prepare: the child stops on SIGTERM at once, its grandchild ignores it.
  const dir = await mkdtemp(join(tmpdir(), 'ingest-ownership-'));
  const log = join(dir, 'child.log');
  const child = launchProcess('child', process.execPath, ['-e', childScript(false, true)], process.env, log);
  let tree: number[] = [];
  t.after(async () => {
    killAll([child.child.pid!, ...tree]);
    await rm(dir, { recursive: true, force: true });
  });
  tree = await launchedGroup(child.child.pid!, log);

  // Act
  await child.stop(3000);

  // Assess: stop() returns once the child has exited and the group has been sent SIGKILL; the kernel
  // may take a moment to end the grandchild on a loaded machine (CI once read it still running).
  const left = await waitUntilGone(tree, [], 5_000);
  assert.deepEqual(left.pids, [], 'the child and the grandchild that ignored SIGTERM are gone');
});

test('startOffline refuses a port that answers but is not its own, and leaves nothing running', { timeout: 90_000 }, async (t) => {
  // Prepare: something else listens on the Lambda port, as a plane left behind would.
  const dir = await mkdtemp(join(tmpdir(), 'ingest-ownership-'));
  const [lambdaPort, httpPort] = [await freePort(), await freePort()];
  const squatter: Server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => squatter.listen(lambdaPort, '127.0.0.1', resolve));
  t.after(async () => {
    await new Promise((resolve) => squatter.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  const logFile = join(dir, 'offline.log');

  // Act
  const started = startOffline({ stage: 'test', lambdaPort, httpPort, env: { ...process.env, LOG_LEVEL: 'warn' }, logFile, startTimeoutMs: 60_000 });

  // Assess: never "ready" on a port another process answers, and the reason names the holder.
  await assert.rejects(started, (error: Error) => {
    assert.match(error.message, new RegExp(`port ${lambdaPort} is held by pid ${process.pid}`));
    return true;
  });
  const log = await readFile(logFile, 'utf8');
  assert.match(log, /EADDRINUSE/, 'serverless-offline itself failed to listen');
  assert.equal(await waitUntilGone([], [httpPort], 5000).then((left) => left.ports.length), 0, 'its other port is free again');
});
