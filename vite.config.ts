import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { precacheList } from './client/src/core/shell-cache.js';

const root = fileURLToPath(new URL('./client', import.meta.url));
const outDir = fileURLToPath(new URL('./client/dist', import.meta.url));
const sfu = process.env.WARDWALL_DEV_SFU ?? 'http://127.0.0.1:8080';

/**
 * Writes this build's file list and version into the service worker (client/src/sw/sw.ts → /sw.js).
 * The worker is registered as a classic script: it must not import or export anything.
 */
function serviceWorkerManifest(): Plugin {
  return {
    name: 'wardwall-sw-manifest',
    apply: 'build',
    writeBundle(_options, bundle) {
      const files = precacheList(Object.keys(bundle));
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      const path = join(outDir, 'sw.js');
      const code = readFileSync(path, 'utf8');
      if (!code.includes('__WW_PRECACHE__') || !code.includes('__WW_VERSION__')) throw new Error('sw.js: the placeholders are missing');
      if (/^\s*(import|export)\b/m.test(code)) throw new Error('sw.js must be a classic script (no import/export): it shares a chunk with the page');
      writeFileSync(path, code.replace('__WW_PRECACHE__', JSON.stringify(files).replace(/'/g, "\\'")).replace('__WW_VERSION__', version));
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  plugins: [serviceWorkerManifest()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: { main: join(root, 'index.html'), sw: join(root, 'src/sw/sw.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: sfu, changeOrigin: false },
      '/ws': { target: sfu, ws: true, changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
  },
});
