import { isTableName } from '../../postgres/index.ts';
import type { PostgresSinkTarget } from '../types.ts';
import { columnsProblem, mappedColumns } from './columns.ts';
import { reservedTableProblem } from './reserved.ts';
import { type Json, type StoreChecks, unknownAttributeProblem } from '../targetChecks.ts';

const POSTGRES_TARGET_ATTRIBUTES = ['kind', 'table', 'columns'] as const;

/** `{kind: "postgres", table, columns?}`, or what is wrong with it. */
function parsePostgresTarget(value: Json, store: StoreChecks | undefined): PostgresSinkTarget | string {
  const unknown = unknownAttributeProblem(value, POSTGRES_TARGET_ATTRIBUTES);
  if (unknown !== undefined) return unknown;
  const { table, columns } = value;
  if (typeof table !== 'string' || !isTableName(table)) {
    return `ingestion.sink.table "${String(table)}" must be [schema.]table in lower case (a-z, 0-9, _)`;
  }
  const reserved = reservedTableProblem(table);
  if (reserved !== undefined) return `ingestion.sink.table "${table}" is not allowed: ${reserved}`;
  if (columns === undefined) return { kind: 'postgres', table };
  const shape = columnsProblem(columns);
  if (shape !== undefined) return `ingestion.sink.${shape}`;
  const mapping = { ...(columns as Record<string, string>) };
  if (store !== undefined) {
    // Every path must lead somewhere in the route's schema: the column types come from there.
    try {
      mappedColumns(mapping, store.schema);
    } catch (error) {
      return `ingestion.sink.columns: ${(error as Error).message}`;
    }
  }
  return { kind: 'postgres', table, columns: mapping };
}

export { parsePostgresTarget, POSTGRES_TARGET_ATTRIBUTES };
