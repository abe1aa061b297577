import { COMPATIBILITY_MODES, WIRE_FORMATS } from '../avro/index.ts';

const SPEC_VERSION = '1.0-rc4';

/** What a sink target may say; which attributes apply depends on kind. */
const SINK_ATTRIBUTES = {
  kind: { name: 'kind', type: 'string', required: true, enum: ['postgres', 'http', 'nats'], strict: true },
  table: { name: 'table', type: 'string', description: 'postgres: lower-case [schema.]table; validated before it reaches SQL.' },
  columns: {
    name: 'columns',
    type: 'map',
    item: { type: 'string' },
    description: 'postgres: column -> path in the decoded event (e.g. data.value); types come from the Avro schema. Unset: envelope columns + payload jsonb.',
  },
  url: { name: 'url', type: 'url', description: "http: the endpoint; its host must be in the deployment's HTTP_SINK_ALLOWED_HOSTS." },
  mode: {
    name: 'mode',
    type: 'string',
    enum: ['batch', 'event'],
    strict: true,
    description: 'http: one POST {"events": [...]} per batch, or one POST per event.',
  },
  timeoutms: { name: 'timeoutms', type: 'uinteger', description: 'http: per-request timeout in milliseconds (100-20000).' },
  subject: {
    name: 'subject',
    type: 'string',
    description: 'nats: subject (no wildcards, outside the ingest and dead-letter streams) a JetStream stream captures.',
  },
};

/**
 * The ingestion policy is not part of xRegistry; the spec rejects undeclared attributes, so it is
 * declared here as an extension attribute of message definitions and shows up in `GET /model`.
 */
const INGESTION_ATTRIBUTE = {
  name: 'ingestion',
  type: 'object',
  description:
    'Where valid events of this message go and what happens to failures (ingest-plane extension). Present: the plane routes the message (it must be NATS with an Avro schema here); absent: catalogue.',
  required: true,
  attributes: {
    sink: {
      name: 'sink',
      type: 'object',
      description: 'The one target of a route; which attributes apply depends on kind. Exactly one of sink or sinks.',
      attributes: SINK_ATTRIBUTES,
    },
    sinks: {
      name: 'sinks',
      type: 'array',
      description: 'Fan-out: 1 to 8 targets, each like sink, none named twice; delivery is tracked per sink so a retry re-drives only those that failed.',
      item: { type: 'object', attributes: SINK_ATTRIBUTES },
    },
    deadlettersubject: { name: 'deadlettersubject', type: 'string', required: true, description: 'NATS subject for dead letters (no wildcards).' },
    retrybudget: { name: 'retrybudget', type: 'uinteger', description: 'Deliveries before a transiently failing event is dead-lettered.' },
    wireformat: {
      name: 'wireformat',
      type: 'string',
      enum: [...WIRE_FORMATS],
      strict: true,
      description: 'Payload framing: raw Avro, 4-byte schema id, Confluent (0x00 + id) or Avro single-object encoding.',
    },
  },
} as const;

const COMMON_ENTITY = ['name', 'description', 'labels', 'createdat', 'modifiedat', 'epoch'] as const;
/** rc4: a model with this attribute keeps any extension attribute. */
const ANY_EXTENSION = { '*': { name: '*', type: 'any' } } as const;

function attributeList(names: readonly string[]): Record<string, { name: string; type: string }> {
  const types: Record<string, string> = { labels: 'map', epoch: 'uinteger', createdat: 'timestamp', modifiedat: 'timestamp' };
  return Object.fromEntries(names.map((name) => [name, { name, type: types[name] ?? 'string' }]));
}

/** `GET /model`: the parts of the xRegistry schema and message models this registry implements. */
function registryModel(): Record<string, unknown> {
  return {
    attributes: attributeList(['specversion', 'registryid', 'self', 'xid', ...COMMON_ENTITY]),
    groups: {
      schemagroups: {
        plural: 'schemagroups',
        singular: 'schemagroup',
        attributes: { ...attributeList(['schemagroupid', 'self', 'xid', ...COMMON_ENTITY]), ...ANY_EXTENSION },
        resources: {
          schemas: {
            plural: 'schemas',
            singular: 'schema',
            hasdocument: true,
            versionmode: 'manual',
            validateformat: true,
            validatecompatibility: true,
            attributes: {
              ...attributeList(['schemaid', 'versionid', 'self', 'xid', 'ancestorid', 'contenttype', ...COMMON_ENTITY]),
              format: {
                name: 'format',
                type: 'string',
                required: true,
                description:
                  'Any format (e.g. Avro/1.12, JSONSchema/Draft-07, Protobuf/3); only Avro versions stored inline are checked, fingerprinted and numbered.',
              },
              schemaurl: { name: 'schemaurl', type: 'url', description: 'A document stored outside this registry.' },
              schemabase64: { name: 'schemabase64', type: 'string', description: 'A document that is not JSON, base64-encoded.' },
              isdefault: { name: 'isdefault', type: 'boolean', readonly: true },
              fingerprint: { name: 'fingerprint', type: 'string', readonly: true, description: 'Avro only: CRC-64-AVRO of the parsing canonical form (hex).' },
              fingerprints: {
                name: 'fingerprints',
                type: 'map',
                readonly: true,
                item: { type: 'string' },
                description:
                  'Avro only: CRC-64-AVRO (hex) of each canonical-form variant Avro implementations write, by variant: spec (Java, avsc), python, goavro, rust, rust-0.16, csharp. A single-object frame may carry any of them.',
              },
              numericid: { name: 'numericid', type: 'uinteger', readonly: true, description: 'Avro only: registry-wide id used by 4-byte-id wire formats.' },
              ...ANY_EXTENSION,
            },
            metaattributes: {
              compatibility: { name: 'compatibility', type: 'string', enum: ['none', ...COMPATIBILITY_MODES.filter((mode) => mode !== 'none')], strict: true },
              defaultversionid: { name: 'defaultversionid', type: 'string' },
              defaultversionsticky: { name: 'defaultversionsticky', type: 'boolean' },
            },
          },
        },
      },
      messagegroups: {
        plural: 'messagegroups',
        singular: 'messagegroup',
        attributes: { ...attributeList(['messagegroupid', 'self', 'xid', 'envelope', 'protocol', ...COMMON_ENTITY]), ...ANY_EXTENSION },
        resources: {
          messages: {
            plural: 'messages',
            singular: 'message',
            hasdocument: false,
            maxversions: 1,
            // The rc4 message model (message/model.json); the plane routes a NATS message with
            // `ingestion` reading an Avro schema here, and keeps every other one as catalogue.
            attributes: {
              ...attributeList([
                'messageid',
                'self',
                'xid',
                'basemessageuri',
                'envelope',
                'dataschemaformat',
                'dataschemauri',
                'dataschemaxid',
                'datacontenttype',
                'documentation',
                'icon',
                ...COMMON_ENTITY,
              ]),
              envelopemetadata: { name: 'envelopemetadata', type: 'object', attributes: ANY_EXTENSION },
              envelopeoptions: { name: 'envelopeoptions', type: 'object', attributes: ANY_EXTENSION },
              protocol: { name: 'protocol', type: 'string', description: 'AMQP/1.0, MQTT/3.1.1, MQTT/5.0, KAFKA, HTTP, NATS, ...; a route is NATS.' },
              protocoloptions: {
                name: 'protocoloptions',
                type: 'object',
                description: "The protocol's options; a route reads subject (<type>.<version>, no wildcards).",
                attributes: ANY_EXTENSION,
              },
              dataschema: { name: 'dataschema', type: 'any' },
              deprecated: { name: 'deprecated', type: 'object', attributes: ANY_EXTENSION },
              ingestion: { ...INGESTION_ATTRIBUTE, required: false },
            },
          },
        },
      },
      endpoints: {
        plural: 'endpoints',
        singular: 'endpoint',
        description: 'Catalogue only: kept as written, never used to route.',
        attributes: { ...attributeList(['endpointid', 'self', 'xid', ...COMMON_ENTITY]), ...ANY_EXTENSION },
      },
    },
  };
}

/** `GET /capabilities`. */
function registryCapabilities(): Record<string, unknown> {
  return {
    apis: ['/capabilities', '/export', '/model'],
    flags: ['filter', 'inline'],
    mutable: ['entities'],
    pagination: false,
    specversions: [SPEC_VERSION],
    compatibilities: { 'avro*': COMPATIBILITY_MODES.filter((mode) => mode !== 'none') },
  };
}

export { registryModel, registryCapabilities, SPEC_VERSION };
