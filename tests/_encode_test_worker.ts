/**
 * An encode worker for tests: the real job loop, with a crash and a hold on demand
 * (see `_encode_gate.ts`).
 *
 * @module
 */

import {
  type EncodeJob,
  type JobScope,
  type PING,
  serveEncodeJobs,
} from "../lib/pool/encode_job.ts";
import type { RELEASE } from "../lib/memory.ts";
import { CRASH_WIDTH, GATE, HOLD_WIDTH } from "./_encode_gate.ts";

const scope = self as unknown as JobScope;
serveEncodeJobs(scope);
const answer = scope.onmessage!;

scope.onmessage = (event: MessageEvent<EncodeJob | typeof PING | typeof RELEASE>) => {
  if ("ping" in event.data || "release" in event.data) return answer(event);
  if (event.data.width === CRASH_WIDTH) throw new Error("the test worker crashes on purpose");
  if (event.data.width !== HOLD_WIDTH) return answer(event);
  const gate = new BroadcastChannel(GATE);
  gate.onmessage = () => {
    gate.close();
    answer(event);
  };
  gate.postMessage("held");
};
