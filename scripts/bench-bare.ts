/**
 * A TypeScript module that does nothing. `npm run bench` starts it with tsx
 * as many times as the demo starts processes, all at once: the time that
 * takes is the floor the demo cannot beat (docs/benchmarks.md, demoFloorMs).
 */
export {};
