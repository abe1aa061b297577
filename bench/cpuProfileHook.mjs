// Preloaded into the bridge and serverless-offline with NODE_OPTIONS=--import=<this file> when
// BENCH_CPU_PROF=1. Node 20 refuses --cpu-prof in NODE_OPTIONS, and both children are spawned by
// code the bench may not change (test/helpers/plane.ts, infra/local/processes.ts), so the profiler
// is started from inside instead. Plain JavaScript because serverless-offline runs without tsx.
// The bench sends SIGUSR2 at the end of a phase; the profile so far is written to
// $BENCH_CPU_PROF_DIR/<process>-<pid>-<n>.cpuprofile (the format `node --cpu-prof` writes).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';

const dir = process.env.BENCH_CPU_PROF_DIR;
const script = basename(process.argv[1] ?? 'node');
// Only the long-running processes the bench measures; helpers they spawn are left alone.
const names = {
  'main.ts': 'bridge',
  'bridge.mjs': 'bridge',
  'inProcessBridge.ts': 'inprocess-bridge',
  'inProcessBridge.mjs': 'inprocess-bridge',
  'serverless.js': 'offline',
};
const name = names[script];

if (dir !== undefined && name !== undefined) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  let written = 0;
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error === null && result !== undefined) {
        writeFileSync(join(dir, `${name}-${process.pid}-${++written}.cpuprofile`), JSON.stringify(result.profile));
      }
      session.post('Profiler.start');
    });
  });
}
