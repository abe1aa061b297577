export { isObject } from './object.ts';
export type { JsonObject } from './object.ts';
