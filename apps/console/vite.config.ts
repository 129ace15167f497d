import { defineConfig } from 'vite';

// The console is served by the controller at /console: every asset under /console/assets/ with a
// content hash in its name (cached for a year); index.html is served with no-cache.
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
