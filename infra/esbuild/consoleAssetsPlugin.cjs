// The operator console's browser code, bundled into the console function at build time.
//
// The console function imports the virtual module `ingest-console-assets`. This esbuild plugin
// answers it by bundling functions/console/web/main.tsx for the browser (Preact JSX, CSS imported
// from TypeScript gathered into one .css file, minified, file names carrying their content hash)
// in memory, and exporting those files with index.html, whose `<!-- console:assets -->` marker is
// replaced by the tags that load them. So the page needs no build step or dev server of its own:
// `npm start` (serverless-offline through serverless-esbuild), `osls package` and the benchmark's
// bundles all build it the same way.
//
// serverless-esbuild loads this file by `custom.esbuild.plugins` (an array of plugins);
// bench/bundles.ts passes the same array to esbuild.
const { readFile } = require('node:fs/promises');
const { basename, join, resolve } = require('node:path');
const esbuild = require('esbuild');

const MODULE = 'ingest-console-assets';
const ROOT = resolve(__dirname, '..', '..');
const WEB = join(ROOT, 'functions', 'console', 'web');
/** Where index.html wants its script and style tags. */
const MARKER = '<!-- console:assets -->';
/** The path the console function serves assets under. */
const ASSETS_PATH = '/console/assets/';

const CONTENT_TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

function contentTypeOf(name) {
  const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
  if (type === undefined) throw new Error(`console assets: no content type for ${name}`);
  return type;
}

/** The browser bundle: every output is text (images are inlined as data: URLs, which the CSP allows). */
async function bundleWeb() {
  const result = await esbuild.build({
    entryPoints: [join(WEB, 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(WEB, 'tsconfig.json'),
    loader: { '.svg': 'dataurl', '.png': 'dataurl' },
    entryNames: '[name]-[hash]',
    outdir: join(WEB, 'dist'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const files = {};
  for (const output of result.outputFiles) {
    const name = basename(output.path);
    files[name] = { contentType: contentTypeOf(name), body: output.text, immutable: true };
  }
  return { files, inputs: Object.keys(result.metafile.inputs).map((input) => resolve(ROOT, input)) };
}

/** index.html with the tags that load the bundle: styles first, then the module script. */
function pageWith(template, files) {
  if (!template.includes(MARKER)) throw new Error(`console assets: functions/console/web/index.html has no ${MARKER} marker`);
  const names = Object.keys(files).sort();
  const styles = names.filter((name) => name.endsWith('.css')).map((name) => `<link rel="stylesheet" href="${ASSETS_PATH}${name}">`);
  const scripts = names.filter((name) => name.endsWith('.js')).map((name) => `<script type="module" src="${ASSETS_PATH}${name}"></script>`);
  return template.replace(MARKER, [...styles, ...scripts].join('\n    '));
}

function consoleAssetsPlugin() {
  return {
    name: MODULE,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${MODULE}$`) }, () => ({ path: MODULE, namespace: MODULE }));
      build.onLoad({ filter: /.*/, namespace: MODULE }, async () => {
        const template = join(WEB, 'index.html');
        const { files, inputs } = await bundleWeb();
        const indexHtml = pageWith(await readFile(template, 'utf8'), files);
        return {
          contents: `export const consoleAssets = ${JSON.stringify({ indexHtml, files })};`,
          loader: 'js',
          // A watching build (serverless-offline's reload) rebuilds when the page's sources change.
          watchFiles: [template, ...inputs],
        };
      });
    },
  };
}

module.exports = [consoleAssetsPlugin()];
