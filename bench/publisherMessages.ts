import type { RouteRecord } from '../shared/routes/index.ts';

/** What the paced publisher measured about itself. */
type PacedPublish = {
  readonly published: number;
  /** Publishes JetStream dropped as repeats (same Nats-Msg-Id); must be 0. */
  readonly duplicates: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The payloads' `time` base: event `i` says baseMs + i × 1000 / rate. */
  readonly baseMs: number;
  /** Wall clock when the schedule started: event `i` was due at startedAtMs + i × 1000 / rate. */
  readonly startedAtMs: number;
  /** Schedule start → last publish, plus the last event's slot (1/rate): exactly the duration when on time. */
  readonly sendSeconds: number;
  /** Events per second the publisher actually sent: published ÷ sendSeconds. */
  readonly achievedPerSecond: number;
  /** Schedule start → the last PubAck. */
  readonly ackSeconds: number;
  /** How late each publish left after its scheduled time, in ms. */
  readonly lagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Due events that waited because `window` acks were outstanding. */
  readonly windowWaits: number;
  readonly window: number;
  /** The publisher's own CPU (process.cpuUsage) from schedule start to the last ack, per event. */
  readonly cpuUsPerEvent: number;
  /** Of that, kernel time: mostly its socket writes and reads. */
  readonly systemCpuUsPerEvent: number;
  /** CPU per event it spent encoding before the schedule started (not in the measured window). */
  readonly encodeCpuUsPerEvent: number;
};

/** Bench → publisher child. */
type PublisherRequest =
  | { readonly kind: 'prepare'; readonly route: RouteRecord; readonly rate: number; readonly seconds: number; readonly window: number }
  | { readonly kind: 'go' };

/** Publisher child → bench: one answer per request, `ready` once connected. */
type PublisherReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'prepared'; readonly events: number }
  | { readonly kind: 'done'; readonly result: PacedPublish }
  | { readonly kind: 'failed'; readonly message: string };

export type { PacedPublish, PublisherReply, PublisherRequest };
