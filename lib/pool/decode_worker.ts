/**
 * The module each decode worker runs: it lowers its thread's priority (like the encode
 * workers) and answers decode jobs.
 *
 * @module
 */

import { type DecodeJob, runDecodeJob, transfersOf } from "./decode_job.ts";
import { lowerThreadPriority } from "./encode_job.ts";
import { type RELEASE, RELEASED, releaseMemory } from "../memory.ts";

interface DecodeScope {
  onmessage: ((event: MessageEvent<DecodeJob | typeof RELEASE>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

const scope = self as unknown as DecodeScope;
lowerThreadPriority();
scope.onmessage = async ({ data }) => {
  if ("release" in data) {
    releaseMemory();
    return scope.postMessage(RELEASED, []);
  }
  const reply = await runDecodeJob(data);
  scope.postMessage(reply, transfersOf(reply));
};
