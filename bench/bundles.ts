import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { ROOT } from './children.ts';

type Bundle = {
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
  /** handler.mjs + its source map, zipped as osls packages them. */
  readonly zipBytes: number;
  /** The largest inputs, by bytes they add to the bundle: where a smaller bundle would come from. */
  readonly topInputs: readonly { readonly input: string; readonly bytes: number }[];
};

/** The plugins serverless.yml gives serverless-esbuild (`custom.esbuild.plugins`): the console's page. */
const PLUGINS = createRequire(import.meta.url)('../infra/esbuild/consoleAssetsPlugin.cjs') as Plugin[];

/** Every function with a handler: the stage functions and whatever else serverless.yml deploys. */
function functionNames(): string[] {
  return readdirSync(join(ROOT, 'functions'))
    .filter((name) => existsSync(join(ROOT, 'functions', name, 'handler.ts')))
    .sort();
}

/** Groups bundle inputs by npm package (or project directory), the unit one can actually remove. */
function inputGroup(input: string): string {
  const modules = input.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = input.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return input.split('/').slice(0, 2).join('/');
}

function zipSize(files: readonly string[], dir: string): number {
  const zipFile = join(dir, 'bundle.zip');
  try {
    execFileSync('zip', ['-q', '-j', zipFile, ...files]);
    return statSync(zipFile).size;
  } catch {
    // No zip binary: raw deflate is what a zip stores, minus a few dozen header bytes per file.
    return files.reduce((sum, file) => sum + deflateRawSync(readFileSync(file)).length, 0);
  }
}

/**
 * Builds each handler with the options serverless.yml gives serverless-esbuild (bundle, ESM,
 * node22 (the Lambda runtime), source maps, @aws-sdk/* left to the runtime, the same plugins), into a temporary directory so the
 * shared .esbuild/ that serverless-offline uses is left alone.
 */
async function buildBundles(): Promise<{ bundles: Bundle[]; dir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-bundles-'));
  const bundles: Bundle[] = [];
  for (const name of functionNames()) {
    const outfile = join(dir, name, 'handler.mjs');
    const result = await build({
      entryPoints: [join(ROOT, 'functions', name, 'handler.ts')],
      outfile,
      bundle: true,
      minify: false,
      sourcemap: true,
      target: 'node22',
      platform: 'node',
      format: 'esm',
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      external: ['@aws-sdk/*'],
      plugins: PLUGINS,
      metafile: true,
      logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs).find((out) => out.entryPoint !== undefined);
    const groups = new Map<string, number>();
    for (const [input, info] of Object.entries(output?.inputs ?? {})) {
      groups.set(inputGroup(input), (groups.get(inputGroup(input)) ?? 0) + info.bytesInOutput);
    }
    const topInputs = [...groups]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([input, bytes]) => ({ input, bytes }));
    bundles.push({
      name,
      path: outfile,
      bytes: statSync(outfile).size,
      zipBytes: zipSize([outfile, `${outfile}.map`], join(dir, name)),
      topInputs,
    });
  }
  return { bundles, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { buildBundles, functionNames };
export type { Bundle };
