/** The identity of a route: `metrics.cpu.usage.v1` is type `metrics.cpu.usage`, version `v1`. */
type RouteKey = { readonly type: string; readonly version: string };

/** Sink kinds the plane can write to. */
const SinkKind = { postgres: 'postgres' } as const;
type SinkKind = (typeof SinkKind)[keyof typeof SinkKind];

type PostgresSinkTarget = { readonly kind: typeof SinkKind.postgres; readonly table: string };
type SinkTarget = PostgresSinkTarget;

/** A stored sink the running code does not know or that breaks the rules (edited by hand in SQL). */
type InvalidSink = { readonly kind: 'invalid'; readonly problem: string };

/** What the registry says about one event type and version. */
type RouteRecord = {
  readonly key: RouteKey;
  readonly subject: string;
  readonly schema: { readonly format: string; readonly definition: unknown };
  readonly sink: SinkTarget | InvalidSink;
  readonly deadLetterSubject: string;
  /** Bumped on every change; compiled schemas are cached per epoch. */
  readonly epoch: number;
};

export { SinkKind };
export type { RouteKey, PostgresSinkTarget, SinkTarget, InvalidSink, RouteRecord };
