import type { Logger } from '../logging/index.ts';
import type { RouteRecord } from '../routes/index.ts';
import type { RegistryService } from '../xregistry/index.ts';
import type { LetterFilter, LetterListView, LetterView, OverviewView, PurgeView, ReplayView } from './views.ts';

/** One file the page loads: its media type, its text, and whether its name carries its content hash. */
type ConsoleAsset = { readonly contentType: string; readonly body: string; readonly immutable: boolean };

/** The browser code, bundled at build time: `index.html` and the files it names, by name. */
type ConsoleAssets = {
  readonly indexHtml: string;
  readonly files: Readonly<Record<string, ConsoleAsset>>;
};

type ConsoleAuth = {
  /** The registry's write token (`REGISTRY_API_TOKEN`); undefined: nothing may be written. */
  readonly token: string | undefined;
  /** Reads need the token too (`CONSOLE_REQUIRE_AUTH`). */
  readonly requireAuth: boolean;
};

/** The registry operations the console uses: the same methods the registry API's handlers call. */
type ConsoleRegistry = Pick<RegistryService, 'export' | 'version' | 'checkVersion' | 'postVersion' | 'putMessage'>;

type ReplayInput = { readonly filter: LetterFilter; readonly dryRun: boolean };
/** Without `expected` nothing is deleted (the count only); with it, only when that many still match. */
type PurgeInput = { readonly filter: LetterFilter; readonly expected: number | undefined };

/** Dead letters, through the same code as `ingest dlq`. */
type ConsoleLetters = {
  readonly list: (filter: LetterFilter, limit: number) => Promise<LetterListView>;
  /** Undefined when no letter has the id. */
  readonly show: (id: string) => Promise<LetterView | undefined>;
  readonly replay: (input: ReplayInput) => Promise<ReplayView>;
  /** Throws ConsoleConflictError when `expected` is given and no longer the count. */
  readonly purge: (input: PurgeInput) => Promise<PurgeView>;
};

/**
 * What the console's handler works with, each a small capability, so the handler is pure and a
 * test gives in-memory fakes. Capabilities that cannot answer now throw ConsoleUnavailableError
 * (503); any other error is a 500 that says nothing of internals and is logged.
 */
type ConsoleDeps = {
  /** The deployment's stage, shown on the page. */
  readonly stage: string;
  readonly auth: ConsoleAuth;
  readonly assets: ConsoleAssets;
  readonly registry: ConsoleRegistry;
  /** Every route the registry holds (shared/routes listRoutes). */
  readonly routes: () => Promise<readonly RouteRecord[]>;
  /** How often bridge replicas publish their figures, for the page's refresh. */
  readonly figuresIntervalMs: number;
  readonly overview: () => Promise<OverviewView>;
  readonly letters: ConsoleLetters;
  /** One line per write (register, message write, replay, purge) and per unexpected failure. */
  readonly logger: Logger;
};

export type { ConsoleAsset, ConsoleAssets, ConsoleAuth, ConsoleDeps, ConsoleLetters, ConsoleRegistry, PurgeInput, ReplayInput };
