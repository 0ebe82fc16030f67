/**
 * The module each encode worker runs: it lowers its thread's priority, then answers the
 * pool's jobs (see `encode_job.ts`).
 *
 * @module
 */

import { type JobScope, lowerThreadPriority, serveEncodeJobs } from "./encode_job.ts";

lowerThreadPriority();
serveEncodeJobs(self as unknown as JobScope);
