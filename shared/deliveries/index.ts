export { DeliveryStateUnavailableError } from './errors.ts';
export { createPostgresLedger } from './postgresLedger.ts';
export type { DeliveryLedger } from './types.ts';
