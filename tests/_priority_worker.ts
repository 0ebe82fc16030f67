/**
 * A worker for the priority test: lowers its thread's priority as an encode worker does,
 * then reports what it reads back.
 *
 * @module
 */

import { getPriority } from "node:os";
import { lowerThreadPriority } from "../lib/pool/encode_job.ts";

/** The part of the worker's global scope this module uses. */
interface ReplyScope {
  postMessage(message: { lowered: boolean; nice: number }): void;
}

const lowered = lowerThreadPriority();
(self as unknown as ReplyScope).postMessage({ lowered, nice: getPriority(0) });
