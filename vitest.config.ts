import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs everywhere in parallel; `peers` starts real web servers and
// FastCGI apps (nginx, php-fpm, Apache, lighttpd, HAProxy), one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.peer.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'peers',
          include: ['packages/*/test/**/*.peer.test.ts', 'apps/*/test/**/*.peer.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
