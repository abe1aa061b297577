export { handleRegistryRequest } from './api.ts';
export { toApiRequest } from './httpEvent.ts';
export { toHttpResult } from './httpEvent.ts';
export { describeWrite } from './writeLog.ts';
export type { ApiDeps } from './request.ts';
