export { createSql } from './client.ts';
export type { Sql, TransactionSql } from './client.ts';
export { isRowDataError, isTransientPostgresError, isUndefinedTable } from './errors.ts';
export { migrate } from './migrate.ts';
export { arrayLiteral } from './arrayLiteral.ts';
export { isSqlIdentifier, isTableName } from './identifiers.ts';
