/** Ways `ingest publish --broken` spoils an event, each ending as a dead letter with its own reason. */
const BROKEN = ['random-bytes', 'truncated', 'unknown-route', 'bad-subject', 'unknown-schema-id'] as const;
type Broken = (typeof BROKEN)[number];

export { BROKEN };
export type { Broken };
