import { ServiceUnavailableError } from './errors.ts';
import { ensureNats, type NatsStatus, probeNats, startedNats, stopNats } from './nats.ts';
import { ensurePostgres, type PostgresStatus, probePostgres, startedPostgres, stopPostgres } from './postgres.ts';
import { errorMessage, type StartedService } from './probe.ts';

type EnsureServicesOptions = {
  natsUrl: string;
  databaseUrl: string;
  /** Where started services keep their data, logs and pid files; `stopStartedServices` reads it back. */
  dataDir: string;
  log: (message: string) => void;
};

type EnsuredServices = { natsUrl: string; databaseUrl: string; started: StartedService[] };

type ServicesStatus = { nats: NatsStatus; postgres: PostgresStatus; started: StartedService[] };

/**
 * Makes NATS (with JetStream) and PostgreSQL (with the URL's database) answer at the given URLs.
 * Servers already answering are used as they are; missing ones on this machine are started under
 * `dataDir`; remote ones are never started.
 */
async function ensureServices(opts: EnsureServicesOptions): Promise<EnsuredServices> {
  // Independent of each other, and PostgreSQL's first start (initdb) is the slow part.
  const [nats, pg] = await Promise.allSettled([ensureNats(opts.natsUrl, opts.dataDir, opts.log), ensurePostgres(opts.databaseUrl, opts.dataDir, opts.log)]);
  if (nats.status === 'rejected' || pg.status === 'rejected') {
    const failures = [nats, pg].filter((result) => result.status === 'rejected').map((result) => result.reason as unknown);
    // A half-started environment is more confusing than none: stop what this call started, and only that.
    if (nats.status === 'fulfilled' && nats.value !== undefined) await stopNats(opts.dataDir, opts.log).catch(() => {});
    if (pg.status === 'fulfilled' && pg.value !== undefined) await stopPostgres(opts.dataDir, opts.log).catch(() => {});
    if (failures.length === 1) throw failures[0];
    throw new ServiceUnavailableError(failures.map(errorMessage).join('\n'), { cause: failures });
  }
  const started = [nats.value, pg.value].filter((service) => service !== undefined);
  return { natsUrl: opts.natsUrl, databaseUrl: opts.databaseUrl, started };
}

/** Stops only the services `ensureServices` started under `dataDir`; servers it found running are left alone. */
async function stopStartedServices(dataDir: string, log: (message: string) => void): Promise<void> {
  const results = await Promise.allSettled([stopNats(dataDir, log), stopPostgres(dataDir, log)]);
  const failures = results.filter((result) => result.status === 'rejected').map((result) => errorMessage(result.reason));
  if (failures.length > 0) throw new ServiceUnavailableError(`could not stop every service: ${failures.join('; ')}`);
}

/** The services started under `dataDir` that are still running. */
async function listStartedServices(dataDir: string): Promise<StartedService[]> {
  const services = await Promise.all([startedNats(dataDir), startedPostgres(dataDir)]);
  return services.filter((service) => service !== undefined);
}

/** What answers at the URLs, and what of it this module started; never throws for a service that is down. */
async function probeServices(opts: Omit<EnsureServicesOptions, 'log'>): Promise<ServicesStatus> {
  const [nats, postgres, started] = await Promise.all([probeNats(opts.natsUrl), probePostgres(opts.databaseUrl), listStartedServices(opts.dataDir)]);
  return { nats, postgres, started };
}

export {
  type StartedService,
  type EnsureServicesOptions,
  type EnsuredServices,
  type ServicesStatus,
  ensureServices,
  stopStartedServices,
  listStartedServices,
  probeServices,
  ServiceUnavailableError,
};
