/**
 * `npm run test:topology`: only the tests that need nginx, redis-server and
 * openssl — the shared DPoP replay store and the production topology (nginx, two
 * demo-rs instances, Redis, demo-as; e2e/topology/), with the main suite's
 * timeouts and workers.
 */
import { defineConfig } from 'vitest/config';
import { PROCESS_TEST_SETTINGS, TOPOLOGY_TESTS } from './vitest.config.ts';

export default defineConfig({ test: { include: [TOPOLOGY_TESTS], ...PROCESS_TEST_SETTINGS } });
