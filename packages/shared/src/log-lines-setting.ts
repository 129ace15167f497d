import { z } from 'zod';

/**
 * PAAS_LOG_LINES, read by every writer of the apps' log streams (the controller's collector and
 * platform events, the router's access lines), so they all trim a stream to the same length.
 *
 * The stream is the history (`paas logs -n`) and also the live tail's only buffer: a tail that
 * falls more lines behind than the stream holds loses lines. 10,000 lines hold half a second at
 * 20,000 lines/s — the tail's latency budget at its target rate — where 1,500 held 75 ms, less than
 * a scheduling hiccup on a busy machine. That is about 1–2 MB of Redis for an app that logs so much.
 */
export const defaultLogLines = 10_000;

export const logLinesSchema = z.coerce.number().int().min(100).max(1_000_000).default(defaultLogLines);
