import { defineConfig } from 'vitest/config';

// `npm test`: codec, session, integration and system tests. The interop suite (Debian tools: peers,
// mosquitto, chromium for the web console, dpkg-deb and lintian for the packages) has its own
// config: vitest.interop.config.ts, run by `npm run test:interop`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'test/console/**', 'test/package/**', 'node_modules/**'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
