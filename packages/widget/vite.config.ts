import { defineConfig } from 'vite';

// One ES module, dist/widget.js, registers both elements; what a visitor needs only after opening
// the chat (the SDK, socket.io-client, the message view) is split into widget-chunks/, loaded on
// demand from beside widget.js.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'widget.js' },
    rolldownOptions: {
      // Lets the entry also export what the lazy chunks share with it: no extra eager requests.
      preserveEntrySignatures: 'allow-extension',
      // Library builds keep whitespace by default; this one is the script pages load: minify fully.
      output: {
        chunkFileNames: 'widget-chunks/[name]-[hash].js',
        minify: true,
        comments: { legal: true, annotation: false, jsdoc: false },
      },
    },
  },
});
