import type { RegistryService } from '../xregistry/index.ts';

/** An HTTP request, independent of API Gateway's event shape. */
type ApiRequest = {
  readonly method: string;
  /** The path as it arrived, still percent-encoded; parsePath decodes and checks it. */
  readonly path: string;
  /** The query string without `?`, as it arrived. */
  readonly query: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
};

type ApiResponse = { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string };

type ApiDeps = {
  readonly service: RegistryService;
  /** Bearer token that writes must present; undefined disables writes. */
  readonly writeToken: string | undefined;
  /**
   * The registry's public base URL without a trailing slash, for `self` links and `Location`;
   * never taken from the request. Empty: document views without links (the CLI).
   */
  readonly publicUrl: string;
  /** Exact origins browsers may call from; empty: no CORS headers for anyone. */
  readonly corsOrigins: readonly string[];
};

/** Hooks for what the handler reports; the API itself stays free of logging. */
type ApiObserver = {
  /** An error that is no client's fault: answered as a 500 without internals. */
  readonly unexpected?: (error: unknown) => void;
};

export type { ApiDeps, ApiObserver, ApiRequest, ApiResponse };
