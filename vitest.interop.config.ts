import { defineConfig } from 'vitest/config';

// `npm run test:interop`: fieldgate against peers it did not write (mbpoll, pymodbus, socat).
// .ci/run installs them: apt-get install -y mbpoll python3-pymodbus socat iproute2 (ss)
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 15_000,
    fileParallelism: false,
  },
});
