import { ConfigError } from './errors.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** How a loader reads one variable: what it accepts and what it falls back to when unset. */
type VariableRead =
  | { readonly key: string; readonly kind: 'string' | 'optional' | 'list' | 'boolean'; readonly fallback?: string }
  | { readonly key: string; readonly kind: 'integer'; readonly fallback: string; readonly min: number; readonly max: number }
  | { readonly key: string; readonly kind: 'url'; readonly fallback: string; readonly protocols: readonly string[] };

/**
 * Set only while observeReads runs: the configuration reference (docs/configuration.md) is built
 * from what the loaders themselves ask for, so the document cannot drift from the code.
 */
let observer: ((read: VariableRead) => void) | undefined;

/** Runs `run` (loaders, synchronously) and tells `observe` about every variable read on the way. */
function observeReads<T>(observe: (read: VariableRead) => void, run: () => T): T {
  const previous = observer;
  observer = observe;
  try {
    return run();
  } finally {
    observer = previous;
  }
}

/**
 * Collects every problem in one pass so a misconfigured deployment reports all of them at once
 * instead of failing on the first variable, fixing it, and failing on the next.
 */
class EnvReader {
  readonly #env: Env;
  readonly #problems: string[] = [];

  constructor(env: Env) {
    this.#env = env;
  }

  string(key: string, fallback?: string): string {
    observer?.({ key, kind: 'string', fallback });
    return this.#string(key, fallback);
  }

  #string(key: string, fallback?: string): string {
    const value = this.#env[key]?.trim();
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    this.#problems.push(`${key} is required`);
    return '';
  }

  optionalString(key: string): string | undefined {
    observer?.({ key, kind: 'optional' });
    const value = this.#env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  integer(key: string, fallback: number, bounds: { min: number; max: number }): number {
    observer?.({ key, kind: 'integer', fallback: String(fallback), ...bounds });
    const raw = this.#env[key]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
      this.#problems.push(`${key} must be an integer in [${bounds.min}, ${bounds.max}], got "${raw}"`);
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    observer?.({ key, kind: 'boolean', fallback: String(fallback) });
    const raw = this.#env[key]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.#problems.push(`${key} must be true or false, got "${raw}"`);
    return fallback;
  }

  url(key: string, fallback: string, protocols: readonly string[]): string {
    observer?.({ key, kind: 'url', fallback, protocols });
    const value = this.#string(key, fallback);
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.#problems.push(`${key} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
    } catch {
      this.#problems.push(`${key} is not a valid URL`);
    }
    return value;
  }

  list(key: string, fallback: readonly string[]): string[] {
    observer?.({ key, kind: 'list', fallback: fallback.join(',') });
    const raw = this.#env[key]?.trim();
    if (raw === undefined || raw === '') return [...fallback];
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  check(condition: boolean, problem: string): void {
    if (!condition) this.#problems.push(problem);
  }

  /** Throws a ConfigError listing every problem seen so far. */
  done(): void {
    if (this.#problems.length > 0) throw new ConfigError(this.#problems);
  }
}

export { EnvReader, observeReads };
export type { Env, VariableRead };
