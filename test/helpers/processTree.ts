import { canConnect } from '../../infra/local/probe.ts';
import { descendantsOf, listProcesses } from '../../infra/local/procfs.ts';

/**
 * Every process that belongs to a launcher: its descendants, and everyone in their process groups
 * (a grandchild whose parent died is re-parented, but keeps its group).
 */
async function processTree(rootPid: number): Promise<number[]> {
  const descendants = (await descendantsOf(rootPid)) ?? [];
  const all = (await listProcesses()) ?? [];
  const groups = new Set(all.filter((stat) => descendants.includes(stat.pid)).map((stat) => stat.pgrp));
  groups.delete(all.find((stat) => stat.pid === rootPid)?.pgrp ?? -1);
  const members = all.filter((stat) => groups.has(stat.pgrp)).map((stat) => stat.pid);
  return [...new Set([...descendants, ...members])];
}

/** The pids among `pids` that still run (a zombie has exited: it only waits for its parent to reap it). */
async function stillRunning(pids: readonly number[]): Promise<number[]> {
  const alive = new Set(((await listProcesses()) ?? []).filter((stat) => stat.state !== 'Z').map((stat) => stat.pid));
  return pids.filter((pid) => alive.has(pid));
}

/** Waits until none of `pids` runs and none of `ports` answers; returns what was left at the deadline. */
async function waitUntilGone(
  pids: readonly number[],
  ports: readonly number[],
  timeoutMs: number,
): Promise<{ pids: number[]; ports: number[]; afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const left = await stillRunning(pids);
    const answering = (await Promise.all(ports.map(async (port) => ((await canConnect('127.0.0.1', port, 300)) ? port : undefined)))).filter(
      (port) => port !== undefined,
    );
    if ((left.length === 0 && answering.length === 0) || Date.now() - started > timeoutMs)
      return { pids: left, ports: answering, afterMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGKILL to each pid still running (test cleanup after a failed assertion). */
function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export { killAll, processTree, stillRunning, waitUntilGone };
