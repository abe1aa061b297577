/** Raised once, at start, when configuration is missing or malformed. Never retryable. */
class ConfigError extends Error {
  readonly retryable = false;
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export { ConfigError };
