/** A request that does not have the stage contract's shape; the caller must fix it. */
class BadRequestError extends Error {
  readonly retryable = false;
  readonly problems: readonly string[];

  constructor(functionName: string, problems: readonly string[], options?: ErrorOptions) {
    super(`${functionName}: bad request: ${problems.join('; ')}`, options);
    this.name = 'BadRequestError';
    this.problems = problems;
  }
}

export { BadRequestError };
