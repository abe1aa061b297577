/** What `ingest` exits with; `ingest --help` and docs/operations.md list the same. */
const EXIT = {
  /** Done. */
  ok: 0,
  /** Failed: not found, incompatible, refused, invalid configuration, a service unreachable. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** Partly done: printed what it could, some source did not answer (`ingest status`). */
  partial: 3,
} as const;

/** The command line cannot be run as typed; `usage` is the synopsis to show with it. Never retryable. */
class UsageError extends Error {
  readonly retryable = false;
  readonly usage: string | undefined;

  constructor(message: string, usage?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

export { EXIT, UsageError };
