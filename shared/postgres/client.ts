import postgres from 'postgres';

type Sql = postgres.Sql;
type TransactionSql = postgres.TransactionSql;

type SqlOptions = {
  readonly max: number;
  readonly applicationName: string;
};

/**
 * One pool per process. Short idle and lifetime limits let a Lambda container give its
 * connections back instead of pinning them while frozen.
 */
function createSql(url: string, options: SqlOptions): Sql {
  return postgres(url, {
    max: options.max,
    idle_timeout: 20,
    max_lifetime: 60 * 30,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: options.applicationName },
  });
}

export { createSql };
export type { Sql, TransactionSql };
