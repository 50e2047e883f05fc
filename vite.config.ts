import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./client', import.meta.url));
const sfu = process.env.WARDWALL_DEV_SFU ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./client/dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 800,
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
