import { canConnect, processCommandLine } from './probe.ts';
import { portListeners, processGroupMembers } from './procfs.ts';
import { ServiceUnavailableError } from './errors.ts';

const LOOPBACK = '127.0.0.1';

/**
 * Whether `port` is listened on by a process of the group `pgid` leads, i.e. by that process or
 * its descendants. Without /proc (not Linux) only whether the port answers can be known.
 */
async function isPortOwnedBy(port: number, pgid: number): Promise<boolean> {
  const members = await processGroupMembers(pgid);
  if (members === undefined) return canConnect(LOOPBACK, port, 500);
  if (members.length === 0) return false;
  return ((await portListeners(port, members)) ?? []).length > 0;
}

/** "port N is held by pid P (command line)", or undefined when nothing listens on the port. */
async function describePortHolders(port: number): Promise<string | undefined> {
  const holders = await portListeners(port);
  if (holders === undefined || holders.length === 0) {
    // No /proc, or a listener whose process is not ours to inspect: the port may still answer.
    return (await canConnect(LOOPBACK, port, 500)) ? `port ${port} is in use (by a process this user cannot inspect)` : undefined;
  }
  const described = await Promise.all(
    holders.map(async (pid) => {
      // The watchdog preload (processes.ts) says nothing about what the process is; the rest does.
      const argv = (await processCommandLine(pid))?.filter(
        (arg, index, all) => !arg.includes('exitWithLauncher.mjs') && !all[index + 1]?.includes('exitWithLauncher.mjs'),
      );
      const command = argv?.join(' ') ?? '?';
      return `pid ${pid} (${command.length > 200 ? `${command.slice(0, 197)}...` : command})`;
    }),
  );
  return `port ${port} is held by ${described.join(', ')}`;
}

/** Refuses to go on when any of `ports` is taken, naming what holds it and the variable that moves it. */
async function assertPortsFree(ports: readonly { port: number; variable: string }[]): Promise<void> {
  const problems: string[] = [];
  for (const { port, variable } of ports) {
    const holder = await describePortHolders(port);
    if (holder !== undefined) problems.push(`${holder}; stop it, or set ${variable} to a free port`);
  }
  if (problems.length > 0) throw new ServiceUnavailableError(`cannot start serverless-offline:\n  ${problems.join('\n  ')}`);
}

export { assertPortsFree, describePortHolders, isPortOwnedBy };
