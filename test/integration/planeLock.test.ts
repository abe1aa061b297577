import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { acquirePlaneLock, PlaneAlreadyRunningError, type PlaneRecord } from '../../infra/local/planeLock.ts';
import { processStat } from '../../infra/local/procfs.ts';

const ports = { lambda: 13002, http: 13000 };

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ingest-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function plantedRecord(pid: number, startTime: number | null): PlaneRecord {
  return { pid, startTime, instance: 'planted', startedAt: '2020-01-01T00:00:00.000Z', ports, children: { bridge: 1 } };
}

describe('the plane lock (.local/plane.json)', () => {
  test('a live launcher holds it: a second start is refused with its pid, ports and children', async (t) => {
    // Prepare
    const dir = await tempDir(t);
    const first = await acquirePlaneLock(dir, { ports }, () => {});
    await first.setChild('serverless-offline', 4242);

    // Act + Assess
    await assert.rejects(
      acquirePlaneLock(dir, { ports: { lambda: 1, http: 2 } }, () => {}),
      (error: unknown) => {
        assert.ok(error instanceof PlaneAlreadyRunningError);
        assert.equal(error.retryable, false);
        assert.equal(error.record.instance, first.record.instance);
        assert.match(error.message, new RegExp(`launcher pid ${process.pid} .*port 13002.*port 13000.*serverless-offline pid 4242`));
        return true;
      },
    );
    const stored = JSON.parse(await readFile(first.path, 'utf8')) as PlaneRecord;
    assert.equal(stored.instance, first.record.instance, 'the refused start left the lock alone');
    assert.equal(stored.startTime, (await processStat(process.pid))?.startTime);
  });

  test('a lock whose launcher is gone is replaced, and the replacement says why', async (t) => {
    // Prepare: the pid of a process that has exited.
    const dir = await tempDir(t);
    const exited = spawn(process.execPath, ['-e', '0']);
    await once(exited, 'exit');
    await writeFile(join(dir, 'plane.json'), JSON.stringify(plantedRecord(exited.pid!, 1)));
    const lines: string[] = [];

    // Act
    const lock = await acquirePlaneLock(dir, { ports }, (line) => lines.push(line));

    // Assess
    assert.equal(lock.record.pid, process.pid);
    assert.match(lines.join('\n'), new RegExp(`stale lock .*its launcher, pid ${exited.pid}, is gone`));
  });

  test('a pid that now names another process (reused) does not hold the lock', async (t) => {
    // Prepare: this very process, alive, but with another start time than the record says.
    const dir = await tempDir(t);
    const own = await processStat(process.pid);
    await writeFile(join(dir, 'plane.json'), JSON.stringify(plantedRecord(process.pid, own!.startTime - 1)));
    const lines: string[] = [];

    // Act
    const lock = await acquirePlaneLock(dir, { ports }, (line) => lines.push(line));

    // Assess
    assert.notEqual(lock.record.instance, 'planted');
    assert.match(lines.join('\n'), new RegExp(`pid ${process.pid} now belongs to another process`));
  });

  test('a lock file that is not a plane record is replaced with a warning, not a crash', async (t) => {
    for (const [content, reason] of [
      ['{"pid": 1, "instance": "x"', /not valid JSON/],
      ['{"pid": "one"}', /not a plane record/],
      ['', /not valid JSON/],
    ] as const) {
      const dir = await tempDir(t);
      await writeFile(join(dir, 'plane.json'), content);
      const lines: string[] = [];
      const lock = await acquirePlaneLock(dir, { ports }, (line) => lines.push(line));
      assert.equal(lock.record.pid, process.pid);
      assert.match(lines.join('\n'), reason, `content ${JSON.stringify(content)}`);
    }
  });

  test('release removes only the lock it took', async (t) => {
    // Prepare
    const dir = await tempDir(t);
    const lock = await acquirePlaneLock(dir, { ports }, () => {});
    const path = lock.path;

    // Act: another start replaced it meanwhile (say, after this one was reported stale).
    await writeFile(path, JSON.stringify(plantedRecord(process.pid, null)));
    await lock.release();

    // Assess
    assert.equal((JSON.parse(await readFile(path, 'utf8')) as PlaneRecord).instance, 'planted', 'the other start keeps its lock');
    const own = await acquirePlaneLock(await tempDir(t), { ports }, () => {});
    await own.release();
    await assert.rejects(readFile(own.path), { code: 'ENOENT' });
  });
});
