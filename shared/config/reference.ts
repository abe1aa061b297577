import { VARIABLE_DESCRIPTIONS } from './descriptions.ts';
import { type Env, observeReads, type VariableRead } from './env.ts';
import { knownVariables, READ_OUTSIDE_LOADERS, SET_BY_OTHERS, TEST_ONLY_VARIABLES } from './knownVariables.ts';
import { LOADERS } from './loaders.ts';
import { LOADER_READERS, READERS, type Reader } from './readers.ts';

/**
 * Settings under which a loader reads more: with LAMBDA_ENDPOINT set the bridge also looks at
 * AWS_ACCESS_KEY_ID. The reference lists those variables too, with what an empty environment showed
 * for everything else.
 */
const CONDITIONAL_READS: Env = { LAMBDA_ENDPOINT: 'http://127.0.0.1:3002' };

type VariableGroup = 'loaders' | 'test-only' | 'outside-loaders' | 'set-by-others';

/** One row of the configuration reference (docs/configuration.md). */
type VariableReference = {
  readonly name: string;
  readonly group: VariableGroup;
  /** Markdown: the default, or `unset` when the variable is optional. */
  readonly defaultText: string;
  /** Markdown: what the loader accepts (an integer range, a URL's schemes, a list), if it checks. */
  readonly accepts: string;
  /** The processes whose loaders read it; for variables no loader reads, the file that does. */
  readonly readers: readonly string[];
  readonly secret: boolean;
  readonly description: string;
};

type Observed = { first: VariableRead; fallbacks: Set<string | undefined>; readers: Set<Reader> };

/** Every loader run under `env`, recording how each variable is read and by which processes. */
function observeLoaders(env: Env, into: Map<string, Observed>, onlyNew: ReadonlySet<string>): void {
  for (const [loader, load] of Object.entries(LOADERS) as [keyof typeof LOADERS, (env: Env) => unknown][]) {
    observeReads(
      (read) => {
        if (onlyNew.has(read.key)) return;
        const seen = into.get(read.key) ?? { first: read, fallbacks: new Set(), readers: new Set() };
        seen.fallbacks.add(read.fallback);
        for (const reader of LOADER_READERS[loader]) seen.readers.add(reader);
        into.set(read.key, seen);
      },
      () => {
        try {
          load(env);
        } catch {
          // Only the reads matter here; they were recorded before any problem was reported.
        }
      },
    );
  }
}

function defaultOf(name: string, observed: Observed): string {
  const override = VARIABLE_DESCRIPTIONS[name]?.defaultText;
  if (override !== undefined) return override;
  if (observed.fallbacks.size > 1) {
    throw new Error(`${name} falls back to different values in different loaders; give it a defaultText in shared/config/descriptions.ts`);
  }
  const [fallback] = observed.fallbacks;
  if (fallback === undefined) return 'unset';
  return fallback === '' ? 'empty' : `\`${fallback}\``;
}

function acceptsOf(read: VariableRead): string {
  switch (read.kind) {
    case 'integer':
      return `integer ${read.min}–${read.max}`;
    case 'url':
      return `URL: ${read.protocols.map((protocol) => protocol.replace(/:$/, '')).join(', ')}`;
    case 'boolean':
      return '`true`/`false` (or `1`/`0`)';
    case 'list':
      return 'comma-separated';
    default:
      return '';
  }
}

function groupOf(name: string): VariableGroup {
  if (name in TEST_ONLY_VARIABLES) return 'test-only';
  if (name in READ_OUTSIDE_LOADERS) return 'outside-loaders';
  if (SET_BY_OTHERS.includes(name)) return 'set-by-others';
  return 'loaders';
}

/**
 * Every known variable with its default, what it accepts, its readers, whether it is secret and its
 * description, sorted by name. Defaults and checks come from the loaders' own reads, so they cannot
 * drift from the code; throws when a variable has no description (shared/config/descriptions.ts).
 */
function describeConfiguration(): VariableReference[] {
  const observed = new Map<string, Observed>();
  observeLoaders({}, observed, new Set());
  observeLoaders(CONDITIONAL_READS, observed, new Set(observed.keys()));
  const names = [...new Set([...knownVariables(), ...knownVariables(CONDITIONAL_READS)])].sort();
  const undescribed = names.filter((name) => VARIABLE_DESCRIPTIONS[name] === undefined);
  if (undescribed.length > 0) throw new Error(`no description in shared/config/descriptions.ts for ${undescribed.join(', ')}`);
  return names.map((name) => {
    const description = VARIABLE_DESCRIPTIONS[name]!;
    const seen = observed.get(name);
    const readers =
      seen !== undefined
        ? READERS.filter((reader) => seen.readers.has(reader))
        : name in READ_OUTSIDE_LOADERS
          ? [READ_OUTSIDE_LOADERS[name]!]
          : ['the Lambda runtime'];
    return {
      name,
      group: groupOf(name),
      defaultText: seen !== undefined ? defaultOf(name, seen) : (description.defaultText ?? ''),
      accepts: seen !== undefined ? acceptsOf(seen.first) : '',
      readers,
      secret: description.secret === true,
      description: description.text,
    };
  });
}

export { describeConfiguration };
export type { VariableGroup, VariableReference };
