/**
 * What `_encode_test_worker.ts` reacts to: a job of width {@linkcode CRASH_WIDTH} kills
 * the worker with an uncaught error; a job of width {@linkcode HOLD_WIDTH} posts "held" on
 * the {@linkcode GATE} channel and waits there for "release".
 *
 * @module
 */

/** Jobs this wide crash the test worker. */
export const CRASH_WIDTH = 13;
/** Jobs this wide wait for the gate. */
export const HOLD_WIDTH = 17;
/** The BroadcastChannel that holds and releases jobs. */
export const GATE = "pixserve-encode-test-gate";
/** The test worker module. */
export const TEST_WORKER_URL: URL = new URL("./_encode_test_worker.ts", import.meta.url);
