// esbuild bundles the stylesheets imported from TypeScript into one .css file; to TypeScript they are side-effect imports.
declare module '*.css';
