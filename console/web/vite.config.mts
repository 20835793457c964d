// The console's browser bundle: built into dist/console/web, where the console server serves it.
// In development, `npx vite console/web` proxies /api to a console server on :8090.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The page's initial JavaScript (entry chunk and its static imports), gzipped: budget 250 KB. */
export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

function initialJsBudget(): Plugin {
  return {
    name: 'tracelab-initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map(Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [[c.fileName, c] as const] : [])));
      const initial = new Set<string>();
      const visit = (name: string) => {
        if (initial.has(name)) return;
        initial.add(name);
        for (const imported of chunks.get(name)?.imports ?? []) visit(imported);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
      const bytes = [...initial].reduce((sum, name) => sum + gzipSync(chunks.get(name)!.code, { level: 9 }).length, 0);
      const line = `console initial JS: ${(bytes / 1024).toFixed(1)} KB gzipped (budget ${INITIAL_JS_BUDGET_BYTES / 1024} KB)`;
      if (bytes > INITIAL_JS_BUDGET_BYTES) this.error(`${line}: over budget`);
      console.log(line);
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [initialJsBudget()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8090' } },
});
