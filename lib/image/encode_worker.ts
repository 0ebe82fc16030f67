/**
 * The module each encode worker runs: it answers the pool's jobs (see `encode_job.ts`).
 *
 * @module
 */

import { type JobScope, serveEncodeJobs } from "./encode_job.ts";

serveEncodeJobs(self as unknown as JobScope);
