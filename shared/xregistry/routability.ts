/**
 * What the plane routes, as a pure judgement: a NATS message definition that reads an Avro schema
 * stored inline in this registry, and carries the `ingestion` extension attribute. Any other
 * conforming message definition is catalogue: stored, served and exported, never routed. The
 * registry refuses `ingestion` on a message that is not routable (the reasons below), and
 * `ingest registry list` shows catalogue messages with the same reasons.
 */

const ROUTED_PROTOCOL = 'NATS';
const AVRO_FORMAT = /^avro\/[0-9]+(\.[0-9]+){0,2}$/i;

/** What the message's `dataschema*` attributes point at. */
type SchemaPointer =
  | { readonly kind: 'registry'; readonly xid: string }
  | { readonly kind: 'inline' }
  | { readonly kind: 'external'; readonly uri: string }
  | { readonly kind: 'none' };

/** The facts routing depends on, gathered from the message, its group and the schema it reads. */
type RoutingFacts = {
  /** The message's own `protocol`, else its group's; undefined when neither says. */
  readonly protocol: string | undefined;
  readonly schema: SchemaPointer;
  /**
   * The schema version the reference resolves to (the pinned one or the default): its format and
   * whether its document is stored inline. Undefined when it does not resolve.
   */
  readonly version: { readonly format: string; readonly inline: boolean } | undefined;
};

type Routing = { readonly routed: true } | { readonly routed: false; readonly reasons: readonly string[] };

function isAvroFormat(format: string): boolean {
  return AVRO_FORMAT.test(format);
}

/**
 * The schema a `dataschemaxid`, or else a `dataschemauri`, names. rc4 message model: a relative
 * `dataschemauri` is an xid in the same registry; an absolute one is a schema elsewhere.
 */
function schemaReference(attributes: Readonly<Record<string, unknown>>): SchemaPointer {
  if (typeof attributes.dataschemaxid === 'string') return { kind: 'registry', xid: attributes.dataschemaxid };
  if (typeof attributes.dataschemauri === 'string') {
    const uri = attributes.dataschemauri;
    // A fragment deep-links to a type inside the document; the schema is what precedes it.
    return uri.startsWith('/schemagroups/') ? { kind: 'registry', xid: uri.split('#')[0]! } : { kind: 'external', uri };
  }
  if (attributes.dataschema !== undefined) return { kind: 'inline' };
  return { kind: 'none' };
}

/**
 * Why the plane could not route a message with these facts; empty when it could. A protocol
 * nobody states counts as NATS: a definition with `ingestion` has always meant a NATS subject.
 */
function routingObstacles(facts: RoutingFacts): string[] {
  const reasons: string[] = [];
  if (facts.protocol !== undefined && facts.protocol.toUpperCase() !== ROUTED_PROTOCOL) {
    reasons.push(`protocol "${facts.protocol}": the plane consumes only NATS`);
  }
  const schema = facts.schema;
  if (schema.kind === 'none') reasons.push('no schema: the plane needs dataschemaxid naming an Avro schema in this registry');
  else if (schema.kind === 'inline') reasons.push('an inline dataschema: the plane reads schemas from this registry (use dataschemaxid)');
  else if (schema.kind === 'external') reasons.push(`schema ${schema.uri} is outside this registry: the plane reads schemas from this registry`);
  else if (facts.version === undefined) reasons.push(`schema ${schema.xid} does not exist in this registry`);
  else if (!isAvroFormat(facts.version.format)) reasons.push(`schema format "${facts.version.format}": the plane decodes only Avro`);
  else if (!facts.version.inline) reasons.push(`schema ${schema.xid} has no inline Avro document (only a URL), so the plane cannot decode with it`);
  return reasons;
}

/** Routed, or catalogue with every reason: the obstacles, and a missing `ingestion` attribute. */
function classifyMessage(facts: RoutingFacts, hasIngestion: boolean): Routing {
  const reasons = routingObstacles(facts);
  if (hasIngestion && reasons.length === 0) return { routed: true };
  return { routed: false, reasons: hasIngestion ? reasons : ['no ingestion attribute', ...reasons] };
}

export { classifyMessage, isAvroFormat, routingObstacles, schemaReference };
export type { Routing, RoutingFacts, SchemaPointer };
