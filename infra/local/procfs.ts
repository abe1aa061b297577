// What Linux's /proc says about processes and listening sockets. Written here rather than taken from
// a package: the ones on npm (pid-port, find-process, ...) shell out to lsof/ss/netstat, which a
// minimal Debian image may lack, while /proc is always there and three small files answer it all.
// On a system without /proc every function answers `undefined` and callers fall back to weaker checks.
import { readdir, readFile, readlink } from 'node:fs/promises';

type ProcessStat = {
  readonly pid: number;
  /** R, S, D, T, Z (a zombie: exited, not yet reaped by its parent), ... */
  readonly state: string;
  readonly ppid: number;
  /** Process group id: a process started detached leads its own group, and its descendants share it. */
  readonly pgrp: number;
  /** Clock ticks after boot when the process started: with the pid, it names one process for good. */
  readonly startTime: number;
};

/** /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so fields are read after its last ')'. */
async function processStat(pid: number): Promise<ProcessStat | undefined> {
  let raw: string;
  try {
    raw = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) pgrp(5) ... starttime(22), i.e. indexes 0, 1, 2 ... 19 here.
  const [ppid, pgrp, startTime] = [Number(fields[1]), Number(fields[2]), Number(fields[19])];
  if (![ppid, pgrp, startTime].every(Number.isInteger)) return undefined;
  return { pid, state: fields[0] ?? '?', ppid, pgrp, startTime };
}

/** Every process visible in /proc, or undefined where there is no /proc. */
async function listProcesses(): Promise<ProcessStat[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const stats = await Promise.all(names.filter((name) => /^\d+$/.test(name)).map((name) => processStat(Number(name))));
  return stats.filter((stat) => stat !== undefined);
}

/** The pids in process group `pgid`. */
async function processGroupMembers(pgid: number): Promise<number[] | undefined> {
  return (await listProcesses())?.filter((stat) => stat.pgrp === pgid).map((stat) => stat.pid);
}

/** Every descendant of `pid` (children, their children, ...), found through parent links. */
async function descendantsOf(pid: number): Promise<number[] | undefined> {
  const all = await listProcesses();
  if (all === undefined) return undefined;
  const found: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const stat of all) {
      if (stat.ppid === parent && !found.includes(stat.pid)) {
        found.push(stat.pid);
        frontier.push(stat.pid);
      }
    }
  }
  return found;
}

const TCP_LISTEN = '0A';

/** Inodes of the TCP sockets listening on `port` (IPv4 and IPv6, any address), or undefined without /proc. */
async function listeningSocketInodes(port: number): Promise<Set<string> | undefined> {
  const inodes = new Set<string>();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let raw: string;
    try {
      raw = await readFile(table, 'utf8');
      readable = true;
    } catch {
      continue;
    }
    // Columns: sl local_address rem_address st ... uid timeout inode; addresses are HEXIP:HEXPORT.
    for (const line of raw.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      if (local === undefined || columns[3] !== TCP_LISTEN) continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && columns[9] !== undefined) inodes.add(columns[9]);
    }
  }
  return readable ? inodes : undefined;
}

/** Whether `pid` holds one of the socket `inodes` open; false when its fds cannot be read (another user's process). */
async function holdsSocket(pid: number, inodes: ReadonlySet<string>): Promise<boolean> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const target = await readlink(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return true;
    } catch {
      // The fd closed while we looked: not this one.
    }
  }
  return false;
}

/**
 * The processes listening on `port`, among `candidates` (default: every visible process). Empty
 * when nothing listens or the listener's fds are not ours to read; undefined without /proc.
 */
async function portListeners(port: number, candidates?: readonly number[]): Promise<number[] | undefined> {
  const inodes = await listeningSocketInodes(port);
  if (inodes === undefined) return undefined;
  if (inodes.size === 0) return [];
  const pids = candidates ?? (await listProcesses())?.map((stat) => stat.pid) ?? [];
  const holders: number[] = [];
  for (const pid of pids) if (await holdsSocket(pid, inodes)) holders.push(pid);
  return holders;
}

export { type ProcessStat, processStat, listProcesses, processGroupMembers, descendantsOf, portListeners };
