import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where the router listens; the dev server and `vite preview` forward /graphql there (same origin: no CORS). */
const router = process.env.ROUTER_URL ?? 'http://localhost:4000';
const proxy = { '/graphql': { target: router, changeOrigin: true } };

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: false, proxy },
  preview: { port: 4173, proxy },
  build: { outDir: 'dist', sourcemap: true },
});
