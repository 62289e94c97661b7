/**
 * How much memory the AS lets its JavaScript heap take beyond what it holds.
 *
 * Every store is capped (policy.ts CAPS), so a flood of registrations keeps
 * at most 10 000 clients — but with V8's defaults the heap still grows by
 * ~80–100 MB during a 100 000-registration flood: under a high allocation
 * rate V8 lets dead objects (evicted registrations, finished requests) pile
 * up to several times the live heap before collecting, and widens the young
 * generation to 16 MB semi-spaces. Neither is returned to the system
 * afterwards. These two settings keep the heap near its live size: the old
 * generation may grow 50 % past what survived the last full collection, and
 * the young generation keeps its start-up size. Measured on the flood
 * (docs/benchmarks.md): growth ~13 MB instead of ~90 MB, throughput within
 * noise. They are V8 options applied at start-up; an unknown one is ignored
 * with a warning on stderr.
 */
import { setFlagsFromString } from 'node:v8';

const HEAP_SETTINGS = ['--heap-growing-percent=50', '--semi-space-growth-factor=1'];

export function keepHeapNearLiveSize(): void {
    for (const setting of HEAP_SETTINGS) setFlagsFromString(setting);
}
