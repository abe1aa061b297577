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

type RegistryRow = EntityCommon & { readonly registryid: string };
type SchemaGroupRow = EntityCommon & { readonly schemagroupid: string };
type MessageGroupRow = EntityCommon & {
  readonly messagegroupid: string;
  readonly envelope: string | null;
  readonly protocol: string | null;
};

type SchemaMetaRow = {
  readonly schemagroupid: string;
  readonly schemaid: string;
  readonly meta_epoch: number;
  readonly compatibility: string;
  readonly defaultversionid: string;
  readonly defaultversionsticky: boolean;
  readonly meta_createdat: Date;
  readonly meta_modifiedat: Date;
};

type SchemaVersionRow = EntityCommon & {
  readonly schemagroupid: string;
  readonly schemaid: string;
  readonly versionid: string;
  readonly numericid: number;
  readonly format: string;
  readonly contenttype: string;
  readonly document: unknown;
  /** The specification's CRC-64-AVRO fingerprint (16 hex digits). */
  readonly fingerprint: string;
  /** Every canonical-form variant's fingerprint, by variant name (shared/avro/variants.ts). */
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly ancestorid: string;
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

type MessageRow = EntityCommon & {
  readonly messagegroupid: string;
  readonly messageid: string;
  readonly protocol: string;
  readonly protocoloptions: { readonly subject: string } & Readonly<Record<string, unknown>>;
  readonly subject: string;
  readonly dataschemaformat: string;
  readonly dataschemaxid: string;
  readonly ingestion: Ingestion;
};

type GroupKind = 'schemagroups' | 'messagegroups';

/** Writable attributes as they arrive in a request body. */
type Attributes = Record<string, unknown>;

export type {
  Attributes,
  EntityCommon,
  GroupKind,
  Ingestion,
  Labels,
  MessageGroupRow,
  MessageRow,
  RegistryRow,
  SchemaGroupRow,
  SchemaMetaRow,
  SchemaVersionRow,
};
