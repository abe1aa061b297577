// Preloaded (`node --import <this file>?graceMs=N`) into each process infra/local/processes.ts
// starts — serverless-offline and the bridge — so that they end when their launcher ends, however
// it ends. SIGKILL of the launcher cannot be caught, and Linux's PR_SET_PDEATHSIG is not reachable
// from Node without a native addon, so the child watches the one thing that closes whenever the
// launcher's process is gone: the pipe on the child's stdin, whose other end only the launcher holds.
// Serverless-offline is third-party code, hence a preload rather than a change to it; the bridge
// gets the same preload so both behave alike. When the pipe closes, the whole process group goes
// (SIGTERM, so the bridge drains; SIGKILL after graceMs), which takes grandchildren with it
// (esbuild's service, anything a handler spawned). Plain JavaScript because serverless-offline
// runs without tsx; no configuration is read here, only this module's own URL.
import { fstatSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const DEFAULT_GRACE_MS = 10_000;

function graceMs() {
  const value = Number(new URL(import.meta.url).searchParams.get('graceMs'));
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_GRACE_MS;
}

/**
 * True for the process the launcher started (it leads its own group), false for a descendant that
 * inherited this preload through fork()'s execArgv: its stdin may be a pipe from its own parent,
 * and closing that must not stop the group. Without /proc, assume the launcher's direct child.
 */
function leadsItsGroup() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === process.pid;
  } catch {
    return true;
  }
}

/** Only a pipe or socket can report its writer going away; a file or /dev/null ends at once. */
function stdinIsPipe() {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

function signalGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function watchLauncher() {
  const launcherPid = process.ppid;
  const grace = graceMs();
  let stopping = false;
  const stopGroup = () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(
      `[exit-with-launcher] pid ${process.pid}: launcher pid ${launcherPid} is gone; stopping process group ${process.pid} ` +
        `(SIGTERM now, SIGKILL after ${grace} ms)\n`,
    );
    // Whatever the group leader leaves behind goes with it, even if it exits within the grace time.
    process.on('exit', () => signalGroup('SIGKILL'));
    setTimeout(() => signalGroup('SIGKILL'), grace);
    signalGroup('SIGTERM');
  };
  const lifeline = process.stdin;
  lifeline.on('end', stopGroup);
  lifeline.on('close', stopGroup);
  lifeline.on('error', stopGroup);
  lifeline.resume();
  // Watching must not keep a process alive that would otherwise exit.
  lifeline.unref?.();
}

if (isMainThread && leadsItsGroup() && stdinIsPipe()) watchLauncher();
