/**
 * Viewers of live streams this isolate is sending to now: a streaming route adds one when a
 * viewer's body starts and takes it away when that body ends or the viewer leaves.
 *
 * @module
 */

/**
 * The count, read by the metrics as `pixserve_stream_viewers`.
 *
 * @example
 * STREAM_VIEWERS.count++; // a viewer joined
 * STREAM_VIEWERS.count--; // and left
 */
export const STREAM_VIEWERS: { count: number } = { count: 0 };
