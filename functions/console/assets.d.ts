// The page's files, bundled at build time by infra/esbuild/consoleAssetsPlugin.cjs: the module
// exists only inside an esbuild build. Its shape is ConsoleAssets (shared/console).
declare module 'ingest-console-assets' {
  export const consoleAssets: {
    readonly indexHtml: string;
    readonly files: Readonly<Record<string, { readonly contentType: string; readonly body: string; readonly immutable: boolean }>>;
  };
}
