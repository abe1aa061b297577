import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './probe.ts';
import { processStat } from './procfs.ts';

const LOCK_FILE = 'plane.json';

/** What `.local/plane.json` says about the running plane: enough to find it, check it and stop it. */
type PlaneRecord = {
  /** The launcher (`npm start`) process. */
  readonly pid: number;
  /** Its start time in clock ticks after boot (Linux); tells the launcher apart from a later process given the same pid. */
  readonly startTime: number | null;
  /** A random id per start, printed with the plane, so two starts are never mistaken for each other. */
  readonly instance: string;
  readonly startedAt: string;
  readonly ports: { readonly lambda: number; readonly http: number };
  /** Pids of the processes it started (each leads its process group); filled in as they start. */
  readonly children: Readonly<Record<string, number>>;
};

/** Another `npm start` owns the plane (same data directory). Not retryable: it has to be stopped first. */
class PlaneAlreadyRunningError extends Error {
  readonly retryable = false;
  readonly record: PlaneRecord;

  constructor(record: PlaneRecord, lockPath: string) {
    const children = Object.entries(record.children).map(([name, pid]) => `${name} pid ${pid}`);
    super(
      `the plane is already running: launcher pid ${record.pid} (instance ${record.instance}, started ${record.startedAt}), ` +
        `functions on port ${record.ports.lambda}, registry API on port ${record.ports.http}` +
        `${children.length > 0 ? `, ${children.join(', ')}` : ''} (see ${lockPath}). ` +
        `Stop it with Ctrl-C in its terminal or \`kill ${record.pid}\`, or give this start its own LOCAL_DATA_DIR and ports.`,
    );
    this.name = 'PlaneAlreadyRunningError';
    this.record = record;
  }
}

type PlaneLock = {
  readonly path: string;
  readonly record: PlaneRecord;
  /** Records the pid of a process the launcher (re)started. */
  setChild(name: string, pid: number): Promise<void>;
  /** Removes the lock file if it is still this start's. */
  release(): Promise<void>;
};

function isPlaneRecord(value: unknown): value is PlaneRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const ports = record.ports as Record<string, unknown> | undefined;
  return (
    Number.isInteger(record.pid) &&
    (record.startTime === null || Number.isInteger(record.startTime)) &&
    typeof record.instance === 'string' &&
    typeof record.startedAt === 'string' &&
    typeof ports === 'object' &&
    ports !== null &&
    Number.isInteger(ports.lambda) &&
    Number.isInteger(ports.http) &&
    typeof record.children === 'object' &&
    record.children !== null
  );
}

/** Why a lock file no longer stands for a running launcher, or undefined when it does. */
async function staleReason(record: PlaneRecord): Promise<string | undefined> {
  const stat = await processStat(record.pid);
  if (stat === undefined) {
    // No /proc entry: the process is gone, or there is no /proc and only a signal can tell.
    return isProcessAlive(record.pid) && record.startTime === null ? undefined : `its launcher, pid ${record.pid}, is gone`;
  }
  if (record.startTime !== null && stat.startTime !== record.startTime) {
    return `pid ${record.pid} now belongs to another process than the launcher that wrote it`;
  }
  return undefined;
}

async function readRecord(path: string): Promise<PlaneRecord | string> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    return `it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    return isPlaneRecord(parsed) ? parsed : 'it is not a plane record';
  } catch {
    return 'it is not valid JSON';
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a record. */
async function writeRecord(path: string, record: PlaneRecord): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, path);
}

/**
 * Takes `<dataDir>/plane.json` for this start, or throws PlaneAlreadyRunningError when a live
 * launcher holds it. A lock whose launcher is gone (SIGKILL, a crash, a reboot) or whose pid now
 * names another process is stale: it is reported through `log` and replaced.
 */
async function acquirePlaneLock(dataDir: string, plane: { readonly ports: PlaneRecord['ports'] }, log: (line: string) => void): Promise<PlaneLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const own = await processStat(process.pid);
  let record: PlaneRecord = {
    pid: process.pid,
    startTime: own?.startTime ?? null,
    instance: randomBytes(6).toString('hex'),
    startedAt: new Date().toISOString(),
    ports: plane.ports,
    children: {},
  };
  // link() creates the lock only if no file has that name, with its whole content at once: two
  // starts racing cannot both win, and neither can read the other's record half-written.
  const draft = `${path}.${process.pid}.draft`;
  await writeFile(draft, `${JSON.stringify(record, null, 2)}\n`);
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await link(draft, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      }
      const existing = await readRecord(path);
      const stale = typeof existing === 'string' ? existing : await staleReason(existing);
      if (stale === undefined) throw new PlaneAlreadyRunningError(existing as PlaneRecord, path);
      log(`replacing the stale lock ${path}: ${stale}`);
      await unlink(path).catch(() => {});
    }
  } finally {
    await unlink(draft).catch(() => {});
  }
  let released = false;
  return {
    path,
    get record() {
      return record;
    },
    async setChild(name, pid) {
      if (released) return;
      record = { ...record, children: { ...record.children, [name]: pid } };
      await writeRecord(path, record);
    },
    async release() {
      released = true;
      const current = await readRecord(path);
      if (typeof current !== 'string' && current.instance === record.instance) await unlink(path).catch(() => {});
    },
  };
}

export { acquirePlaneLock, PlaneAlreadyRunningError };
export type { PlaneLock, PlaneRecord };
