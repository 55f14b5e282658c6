import { defineConfig } from 'vitest/config';

// `npm run test:interop`: fieldgate against peers it did not write (mbpoll, pymodbus, socat, the
// mosquitto broker and its mosquitto_pub/sub, openssl for the tests' TLS CA, libmodbus's unit-test
// client built with gcc and pkg-config against libmodbus-dev) and the web console in Debian's chromium
// (test/console/, driven by playwright-core; no browser is downloaded), and the packages
// (test/package/: npm run package, checked with dpkg-deb and lintian).
// .ci/run installs them: apt-get install -y mbpoll python3-pymodbus socat libmodbus-dev gcc pkg-config
// iproute2 (ss) mosquitto mosquitto-clients openssl (the tests start mosquitto themselves; the Debian
// service is not needed) chromium dpkg-dev lintian
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts', 'test/console/**/*.test.ts', 'test/package/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 15_000,
    fileParallelism: false,
  },
});
