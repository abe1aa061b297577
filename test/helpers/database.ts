import postgres from 'postgres';
import { loadCliConfig } from '../../shared/config/index.ts';

/** The server the tests use: `server` when given, else DATABASE_URL's host, or the machine's PostgreSQL. */
function serverUrl(database: string, server?: string): string {
  const url = new URL(server ?? loadCliConfig().databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates a throwaway database and returns its URL and a function that drops it. */
async function createTestDatabase(name: string, server?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad test database name ${name}`);
  const admin = postgres(serverUrl('postgres', server), { max: 1, onnotice: () => {} });
  try {
    await admin`create database ${admin(name)}`;
  } finally {
    await admin.end();
  }
  return {
    url: serverUrl(name, server),
    async drop() {
      const sql = postgres(serverUrl('postgres', server), { max: 1, onnotice: () => {} });
      try {
        await sql`drop database if exists ${sql(name)} with (force)`;
      } finally {
        await sql.end();
      }
    },
  };
}

export { createTestDatabase };
