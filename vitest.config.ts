/**
 * Test runner settings: the e2e tests spawn real processes, so they get
 * generous timeouts and at most two files at once on a 2-core machine.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['e2e/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 60_000,
        maxWorkers: 2,
        pool: 'forks'
    }
});
