import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './children.ts';

type BridgeBundles = {
  /** bridge/main.ts and bench/inProcessBridge.ts, each as one ESM file. */
  readonly lambda: string;
  readonly inProcess: string;
  cleanup(): void;
};

/**
 * Bundles both bridges the way infra/aws/Dockerfile bundles the production one (esbuild, ESM,
 * source maps, a real `require`), so `--bundle` measures what ECS runs rather than tsx, which
 * compiles on load and keeps its own state in memory. Target node22: the bridge image's Node (infra/aws/Dockerfile).
 */
async function buildBridgeBundles(): Promise<BridgeBundles> {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-bridge-'));
  const bundle = async (entry: string, name: string): Promise<string> => {
    const outfile = join(dir, name);
    await build({
      entryPoints: [join(ROOT, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      sourcemap: true,
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    return outfile;
  };
  return {
    lambda: await bundle('bridge/main.ts', 'bridge.mjs'),
    inProcess: await bundle('bench/inProcessBridge.ts', 'inProcessBridge.mjs'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export { buildBridgeBundles };
export type { BridgeBundles };
