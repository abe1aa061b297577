type Labels = Readonly<Record<string, string>>;

/** Attributes every xRegistry entity has. */
type EntityCommon = {
  readonly epoch: number;
  readonly name: string | null;
  readonly description: string | null;
  readonly labels: Labels;
  readonly createdat: Date;
  readonly modifiedat: Date;
};

/** The registry's own level; `attributes` holds `documentation` and `icon` (rc4 core model). */
type RegistryRow = EntityCommon & { readonly registryid: string; readonly attributes: Readonly<Record<string, unknown>> };
/** Attributes kept as written: extensions ("*") and standard attributes nothing here reads. */
type Extensions = Readonly<Record<string, unknown>>;

type SchemaGroupRow = EntityCommon & { readonly schemagroupid: string; readonly attributes: Extensions };
type MessageGroupRow = EntityCommon & {
  readonly messagegroupid: string;
  readonly envelope: string | null;
  readonly protocol: string | null;
  readonly attributes: Extensions;
};
/** An endpoint (rc4 endpoint model): catalogue only, every attribute as written. */
type EndpointRow = EntityCommon & { readonly endpointid: string; readonly attributes: Extensions };

type SchemaMetaRow = {
  readonly schemagroupid: string;
  readonly schemaid: string;
  readonly meta_epoch: number;
  readonly compatibility: string;
  readonly defaultversionid: string;
  readonly defaultversionsticky: boolean;
  readonly meta_createdat: Date;
  readonly meta_modifiedat: Date;
  /** The resource-level attributes a document wrote beside `versions`; null: the default version's. */
  readonly attributes: Extensions | null;
};

type SchemaVersionRow = EntityCommon & {
  readonly schemagroupid: string;
  readonly schemaid: string;
  readonly versionid: string;
  /** Avro versions with an inline document only: what 4-byte-id frames carry. */
  readonly numericid: number | null;
  readonly format: string;
  readonly contenttype: string | null;
  /** The `schema` value as written (any JSON value); null when the version has none inline. */
  readonly document: unknown;
  /** Avro versions with an inline document only: the specification's CRC-64-AVRO fingerprint (16 hex digits). */
  readonly fingerprint: string | null;
  /** Every canonical-form variant's fingerprint, by variant name (shared/avro/variants.ts); empty for versions that are not Avro. */
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly ancestorid: string;
  readonly attributes: Extensions;
  /** The order versions were written in. */
  readonly position: number;
};

type StoredSink = { readonly kind: string; readonly table?: string };

/** The ingest-plane extension attribute of a message definition: `sink`, or `sinks` to fan out. */
type Ingestion = {
  readonly sink?: StoredSink;
  readonly sinks?: readonly StoredSink[];
  readonly deadlettersubject: string;
  readonly retrybudget?: number;
  readonly wireformat?: string;
};

/**
 * A message definition. `attributes` is the message as written; the other columns are what the
 * data path reads, set only for a route (a message with `ingestion`) and null for catalogue.
 */
type MessageRow = EntityCommon & {
  readonly messagegroupid: string;
  readonly messageid: string;
  readonly protocol: string | null;
  readonly protocoloptions: ({ readonly subject: string } & Readonly<Record<string, unknown>>) | null;
  readonly subject: string | null;
  readonly dataschemaformat: string | null;
  /** A route's reader schema (from `dataschemaxid`, or a `dataschemauri` that is an xid here). */
  readonly dataschemaxid: string | null;
  readonly ingestion: Ingestion | null;
  readonly attributes: Extensions;
};

/** A message definition the data path routes: every route column set. */
type RoutedMessageRow = MessageRow & {
  readonly protocoloptions: { readonly subject: string } & Readonly<Record<string, unknown>>;
  readonly subject: string;
  readonly dataschemaformat: string;
  readonly dataschemaxid: string;
  readonly ingestion: Ingestion;
};

type GroupKind = 'schemagroups' | 'messagegroups' | 'endpoints';

/** Writable attributes as they arrive in a request body. */
type Attributes = Record<string, unknown>;

export type {
  Attributes,
  EndpointRow,
  EntityCommon,
  Extensions,
  GroupKind,
  Ingestion,
  Labels,
  MessageGroupRow,
  MessageRow,
  RegistryRow,
  RoutedMessageRow,
  SchemaGroupRow,
  SchemaMetaRow,
  SchemaVersionRow,
};
