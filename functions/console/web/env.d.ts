// Stylesheets imported for their effect: esbuild gathers them into the page's one .css file.
declare module '*.css';
