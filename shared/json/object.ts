/** A parsed JSON object: what a request body, a stored document or a config entry is checked as. */
type JsonObject = Record<string, unknown>;

/** A plain object, not null and not an array: the one test every parser of untrusted JSON starts with. */
function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { isObject };
export type { JsonObject };
