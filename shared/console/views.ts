// The console's JSON API: what each `/console/api/...` endpoint answers. The browser code under
// functions/console/web imports these types only (`import type`), so the page and the function
// cannot drift apart. Times are ISO-8601 strings unless a field says milliseconds.

/** `GET /console/api/session`: what the page needs before its first read. */
type SessionView = {
  readonly stage: string;
  /** Reads need the token too (`CONSOLE_REQUIRE_AUTH`). Writes always do. */
  readonly requireAuth: boolean;
  /** The request carried the right token. */
  readonly authenticated: boolean;
  /** How often each bridge replica publishes its figures. */
  readonly figuresIntervalMs: number;
  /** Where the registry's xRegistry API is served (same origin), for links. */
  readonly registryPath: string;
};

/** One point of the overview's charts: all replicas together over one publish interval. */
type SeriesPoint = {
  /** Milliseconds since the epoch: the end of the interval. */
  readonly t: number;
  /** Events settled (committed + duplicates + dead-lettered) per second over the interval. */
  readonly eventsPerSecond: number;
  /** Dead-lettered + retried over everything the bridge decided in the interval, 0..1; null when nothing was decided. */
  readonly errorRate: number | null;
  /** Publish → commit latency over the interval; null when nothing committed. */
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  /** The consumer's backlog as the server reported it (not yet delivered, and delivered but not acknowledged). */
  readonly consumerPending: number | null;
  readonly consumerAckPending: number | null;
  /** Cumulative since each replica started, summed over replicas: committed + duplicates + dead-lettered. */
  readonly settledTotal: number;
  readonly committedTotal: number;
  readonly deadLetteredTotal: number;
};

/** A row of the overview's route table. */
type RouteFiguresView = {
  /** The route label the bridge uses in its metrics (the route key, or `unknown` for events no route claimed). */
  readonly route: string;
  readonly subject: string | null;
  /** Over the latest interval, all replicas together. */
  readonly eventsPerSecond: number;
  readonly errorsPerSecond: number;
  readonly committedTotal: number;
  readonly deadLetteredTotal: number;
  readonly retriedTotal: number;
  /** Letters now in the dead-letter stream for this route. */
  readonly deadLetterDepth: number;
  /** Each sink target of the route: `open` while its circuit stops writes. */
  readonly circuits: readonly { readonly sink: string; readonly state: 'open' | 'closed' }[];
};

type ReplicaView = {
  readonly replica: string;
  readonly publishedAt: string;
  /** No figures for more than three intervals: the replica is probably gone. */
  readonly stale: boolean;
};

/** `GET /console/api/overview` */
type OverviewView = {
  readonly generatedAt: string;
  readonly intervalMs: number;
  /** The charts' window (15 minutes). */
  readonly windowMs: number;
  /** Oldest first; the last point is the latest interval. */
  readonly series: readonly SeriesPoint[];
  readonly routes: readonly RouteFiguresView[];
  readonly replicas: readonly ReplicaView[];
  readonly deadLetters: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  /** What could not be read (a bucket missing, NATS unreachable), said plainly; the rest is still shown. */
  readonly problems: readonly string[];
};

type SinkView = {
  readonly kind: string;
  /** One line: table, URL or subject. */
  readonly description: string;
  /** Present when the registry holds a sink this plane cannot use. */
  readonly problem?: string;
};

/** `GET /console/api/routes`: one row per route. */
type RouteView = {
  readonly subject: string;
  readonly route: string;
  /** `/messagegroups/g/messages/m` */
  readonly messageXid: string;
  /** `/schemagroups/g/schemas/s/versions/v`: the reader schema. */
  readonly schemaVersionXid: string;
  readonly schemaFormat: string;
  readonly sinks: readonly SinkView[];
  readonly deadLetterSubject: string;
  readonly wireFormat: string;
  /** `CloudEvents/1.0`, or null. */
  readonly envelope: string | null;
  readonly retryBudget: number | null;
  /** What a producer puts on the wire to name its writer schema, per wire format. */
  readonly producerIds: {
    /** Confluent framing: the 4-byte schema id. */
    readonly numericId: number;
    /** Single-object encoding: CRC-64-AVRO (Rabin) of the canonical form, hex. */
    readonly fingerprint: string;
  };
};

type VersionSummary = { readonly versionId: string; readonly isDefault: boolean; readonly createdAt: string; readonly numericId: number | null };
type SchemaSummary = {
  readonly schemaId: string;
  readonly compatibility: string;
  readonly defaultVersionId: string;
  readonly versions: readonly VersionSummary[];
};
type MessageSummary = {
  readonly messageId: string;
  readonly subject: string | null;
  /** Carries `ingestion`: the plane routes it. */
  readonly routed: boolean;
  /** The whole message definition, as the registry API would return it. */
  readonly definition: Readonly<Record<string, unknown>>;
};

/** `GET /console/api/registry` */
type RegistryView = {
  readonly schemaGroups: readonly { readonly groupId: string; readonly schemas: readonly SchemaSummary[] }[];
  readonly messageGroups: readonly { readonly groupId: string; readonly messages: readonly MessageSummary[] }[];
};

/** `GET /console/api/registry/version?group=&schema=&version=` */
type SchemaVersionView = {
  readonly xid: string;
  readonly format: string;
  /** The schema document, pretty-printed JSON. */
  readonly text: string;
};

type BreakingChange = {
  /** Where in the schema, e.g. `MetricCpuUsageData.value`. */
  readonly path: string;
  readonly message: string;
  /** The registered version it breaks against. */
  readonly againstVersion: string;
};

/** `POST /console/api/registry/check` {group, schema, text} — a read: nothing is stored. */
type CompatibilityView = {
  readonly compatibility: string;
  /** Passes the rule against every version it must be checked against (and the text is a valid schema). */
  readonly compatible: boolean;
  readonly breaking: readonly BreakingChange[];
  /** Set when the text is not a schema at all. */
  readonly invalid?: string;
};

/** `POST /console/api/registry/versions` {group, schema, text} (token): answers the new version. */
type RegisteredView = { readonly xid: string; readonly versionId: string };

/** `PUT /console/api/registry/messages` {group, message, definition} (token): a message definition (route) written through the registry. */
type MessageWrittenView = { readonly xid: string; readonly created: boolean };

/** Which letters an action applies to. Every field optional; query parameters of the same names on GETs. */
type LetterFilter = {
  readonly ids?: readonly string[];
  readonly reason?: string;
  readonly routeKey?: string;
  readonly subject?: string;
  readonly since?: string;
  readonly until?: string;
};

type LetterSummary = {
  readonly id: string;
  readonly subject: string;
  readonly routeKey: string | null;
  readonly stage: string;
  readonly reason: string;
  readonly message: string;
  readonly attempts: number;
  readonly replayCount: number;
  readonly parked: boolean;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly eventId: string | null;
};

/** `GET /console/api/deadletters?reason=&routeKey=&subject=&since=&until=&limit=` */
type LetterListView = {
  readonly letters: readonly LetterSummary[];
  /** Over every letter the filter selects, not only the ones listed. */
  readonly total: number;
  readonly byReason: Readonly<Record<string, number>>;
  /** More letters matched than `limit`. */
  readonly truncated: boolean;
};

/** `GET /console/api/deadletters/one?id=` */
type LetterView = LetterSummary & {
  readonly stream: string;
  readonly streamSequence: number;
  readonly publishedAt: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** Base64 of the original bytes. */
  readonly payload: string;
  /** The payload decoded with the registry as it is now, or why it does not decode. */
  readonly decoded: { readonly ok: true; readonly event: unknown } | { readonly ok: false; readonly reason: string; readonly message: string };
  readonly sinks: readonly { readonly sink: string; readonly delivered: boolean; readonly reason?: string; readonly message?: string }[];
  /** What happened to the event, oldest first. */
  readonly history: readonly { readonly at: string; readonly what: string }[];
  /** W3C trace id, when the event was traced. */
  readonly traceId: string | null;
};

/** `POST /console/api/deadletters/replay` {filter, dryRun} (token) — the same run as `ingest dlq replay`. */
type ReplayView = {
  readonly dryRun: boolean;
  readonly examined: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly items: readonly { readonly id: string; readonly subject: string; readonly reason: string; readonly outcome: string; readonly detail?: string }[];
};

/**
 * `POST /console/api/deadletters/purge` {filter, expected?} (token). Without `expected` nothing is
 * deleted and `matched` says how many would be; with it, the purge runs only when that many still
 * match (409 otherwise), so the count the operator confirmed is the count deleted.
 */
type PurgeView = { readonly matched: number; readonly deleted: number; readonly withStoredOriginals: number };

/** Every error: an RFC 9457 problem document, as the registry API answers. */
type ProblemView = { readonly type: string; readonly title: string; readonly status: number; readonly detail?: string };

export type {
  BreakingChange,
  CompatibilityView,
  LetterFilter,
  LetterListView,
  LetterSummary,
  LetterView,
  MessageSummary,
  MessageWrittenView,
  OverviewView,
  ProblemView,
  PurgeView,
  RegisteredView,
  RegistryView,
  ReplayView,
  ReplicaView,
  RouteFiguresView,
  RouteView,
  SchemaSummary,
  SchemaVersionView,
  SeriesPoint,
  SessionView,
  SinkView,
  VersionSummary,
};
