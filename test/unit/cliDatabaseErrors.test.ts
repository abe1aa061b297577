import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DatabaseConnectionError, describeDatabaseError } from '../../cli/databaseErrors.ts';

const URL_WITH_PASSWORD = 'postgres://ingest:top%2Fsecret@db.internal:6432/ingest';

function socketError(code: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(`connect ${code}`), { code, ...fields });
}

function postgresError(code: string, message: string): Error {
  const error = new Error(message);
  error.name = 'PostgresError';
  return Object.assign(error, { code });
}

describe('CLI database errors', () => {
  test('a refused login (class 28) names DATABASE_URL with the password masked, not retryable', () => {
    const described = describeDatabaseError(postgresError('28P01', 'password authentication failed for user "ingest"'), URL_WITH_PASSWORD);
    assert.ok(described instanceof DatabaseConnectionError);
    assert.equal(
      described.message,
      'the database at DATABASE_URL=postgres://ingest:***@db.internal:6432/ingest refused the login: password authentication failed for user "ingest"',
    );
    assert.equal(described.retryable, false);
  });

  test('a password that shows up in a message is masked there too (decoded, as the server would see it)', () => {
    const described = describeDatabaseError(postgresError('28000', 'no entry for top/secret'), URL_WITH_PASSWORD) as Error;
    assert.doesNotMatch(described.message, /top\/secret|top%2Fsecret/);
  });

  test("socket errors count only when they come from the database's host or port", () => {
    const refused = describeDatabaseError(socketError('ECONNREFUSED', { address: '10.0.0.9', port: 6432 }), URL_WITH_PASSWORD);
    assert.ok(refused instanceof DatabaseConnectionError);
    assert.equal(refused.retryable, true);
    const dns = describeDatabaseError(socketError('ENOTFOUND', { hostname: 'db.internal' }), URL_WITH_PASSWORD);
    assert.match((dns as Error).message, /has a host name that does not resolve/);
    // Another service's failure (an HTTP call, NATS) is left as it is.
    const other = socketError('ECONNREFUSED', { address: '127.0.0.1', port: 4222 });
    assert.equal(describeDatabaseError(other, URL_WITH_PASSWORD), other);
  });

  test('query errors and errors without a code are not connection errors', () => {
    const syntax = postgresError('42601', 'syntax error');
    assert.equal(describeDatabaseError(syntax, URL_WITH_PASSWORD), syntax);
    const plain = new Error('no route registered');
    assert.equal(describeDatabaseError(plain, URL_WITH_PASSWORD), plain);
    assert.equal(describeDatabaseError('text', URL_WITH_PASSWORD), 'text');
  });

  test("postgres.js's own connection codes and a missing database", () => {
    assert.equal(
      (
        describeDatabaseError(
          Object.assign(new Error('write CONNECT_TIMEOUT db.internal:6432'), { code: 'CONNECT_TIMEOUT' }),
          URL_WITH_PASSWORD,
        ) as DatabaseConnectionError
      ).retryable,
      true,
    );
    assert.match(
      (describeDatabaseError(postgresError('3D000', 'database "ingest" does not exist'), URL_WITH_PASSWORD) as Error).message,
      /has no such database/,
    );
  });
});
