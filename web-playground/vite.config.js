// Builds the playground into dist/: the router embeds every file of dist/ in its
// binary (router/src/server/playground.rs) and serves it under /playground/.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/playground/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    minify: true,
    // One embedded file per chunk is fine; the warning is about CDN latency we do not have.
    chunkSizeWarningLimit: 5000,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  worker: { format: 'es' },
});
