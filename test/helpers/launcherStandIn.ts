// A stand-in for `npm start` in the process-layer tests: starts one node child through
// launchProcess, exactly as the launcher does, prints its pid, and waits to be signalled or killed.
import { launchProcess } from '../../infra/local/processes.ts';

const [script, logFile, graceMs] = process.argv.slice(2);
if (script === undefined || logFile === undefined || graceMs === undefined) {
  process.stderr.write('usage: launcherStandIn.ts <child script> <log file> <grace ms>\n');
  process.exit(2);
}
const child = launchProcess('child', process.execPath, ['-e', script], process.env, logFile, { graceMs: Number(graceMs) });
process.stdout.write(`${JSON.stringify({ child: child.child.pid })}\n`);
// Stays up until killed; SIGTERM stops the child as the launcher does.
process.on('SIGTERM', () => void child.stop(Number(graceMs)).then(() => process.exit(0)));
setInterval(() => {}, 60_000);
