/**
 * Files this isolate holds open behind response bodies: the body that owns a file adds one
 * when it takes the file and takes it away when it closes it.
 *
 * @module
 */

/**
 * The count, read by the metrics.
 *
 * @example
 * OPEN_FILE_STREAMS.count++; // a body took a file
 * OPEN_FILE_STREAMS.count--; // and closed it
 */
export const OPEN_FILE_STREAMS: { count: number } = { count: 0 };
