export { handleRegistryRequest } from './api.ts';
export { toApiRequest } from './httpEvent.ts';
export { toHttpResult } from './httpEvent.ts';
export { describeWrite } from './writeLog.ts';
export { bearerTokenMatches } from './auth.ts';
export type { ApiDeps, ApiRequest, ApiResponse } from './request.ts';
