/**
 * Live streams without HTTP: each stream keeps only its latest frame; viewers wait for a
 * frame newer than the last they took, so a slow viewer skips to the newest and never
 * queues; a stream with neither frames nor viewers for a while is dropped; the counts of
 * streams and viewers are bounded. Hubs in several isolates of one server stay in step
 * through a {@linkcode HubLink} (a `BroadcastChannel`): each frame is sent to the others
 * with its encodings, and each hub tells the others how many viewers it serves.
 *
 * @module
 */

import { releaseBuffer } from "../chunks.ts";
import type { ChannelPixels } from "../image/encode.ts";
import type { EncodedImage } from "../responses.ts";

/** The names a stream may have: 1 to 64 of `A-Z a-z 0-9 _ -`. */
export const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** How long a frame counts towards a stream's `fps`, in milliseconds. */
const FPS_WINDOW_MS = 2000;

/** One frame: its pixels, and its encodings, each made once whatever the number of viewers. */
export interface LiveFrame {
  /** Its number in its stream, from 1. */
  readonly seq: number;
  /**
   * The 8-bit pixels, while this is its stream's latest frame: once a newer one replaces it,
   * their buffer is freed (detached, so they read as empty), not left to the collector.
   */
  readonly pixels: ChannelPixels;
  /** When it arrived, in milliseconds since the epoch. */
  readonly updated: number;
  /** Encodings by a key such as `jpeg:90`, each made at most once. */
  readonly encodings: Map<string, Promise<EncodedImage>>;
}

/** What `GET /streams/{name}` says of a stream. */
export interface StreamStatus {
  /** The name. */
  readonly name: string;
  /** Columns of the latest frame. */
  readonly width: number;
  /** Rows of the latest frame. */
  readonly height: number;
  /** Frames received so far. */
  readonly frames: number;
  /** Viewers watching now, in every isolate. */
  readonly viewers: number;
  /** Frames per second received over the last two seconds. */
  readonly fps: number;
  /** When the latest frame arrived, ISO 8601. */
  readonly updated: string;
}

/** What hubs of one server tell each other. */
export type HubMessage =
  | {
    readonly kind: "frame";
    readonly name: string;
    readonly pixels: ChannelPixels;
    readonly updated: number;
    readonly encodings: readonly (readonly [string, EncodedImage])[];
  }
  | {
    readonly kind: "viewers";
    readonly name: string;
    readonly from: string;
    readonly count: number;
  }
  | { readonly kind: "end"; readonly name: string };

/** A channel to the hubs of the server's other isolates; a `BroadcastChannel` is one. */
export interface HubLink {
  /** Sends to every other end. */
  postMessage(message: HubMessage): void;
  /** Receives from the others. */
  onmessage: ((event: MessageEvent<HubMessage>) => void) | null;
  /** Stops sending and receiving. */
  close(): void;
}

/** Why a hub refused. */
export type StreamHubErrorReason = "too_many_streams" | "too_many_viewers" | "closed";

/**
 * A limit reached, or a hub that is closed.
 *
 * @example
 * throw new StreamHubError("too_many_streams", "16 streams exist, MAX_STREAMS is 16");
 */
export class StreamHubError extends Error {
  /**
   * Creates a `StreamHubError`.
   *
   * @param reason What was refused.
   * @param message A sentence naming the limit.
   */
  constructor(readonly reason: StreamHubErrorReason, message: string) {
    super(message);
    this.name = "StreamHubError";
  }
}

/** Options of {@linkcode StreamHub}. */
export interface StreamHubOptions {
  /** Streams that may exist at once. @default {16} */
  maxStreams?: number;
  /** Viewers that may watch at once, over all streams and isolates. @default {256} */
  maxViewers?: number;
  /** Seconds without frames and viewers after which a stream is dropped. @default {300} */
  idleSeconds?: number;
  /** The other isolates' hubs; none: this hub is alone. */
  link?: HubLink;
  /** The clock, in milliseconds since the epoch. @default {Date.now} */
  now?: () => number;
}

class LiveStream {
  frame: LiveFrame | undefined;
  frames: number = 0;
  /** When it last had a frame or lost its last viewer. */
  idleSince: number = 0;
  readonly arrivals: number[] = [];
  readonly viewers: Set<StreamViewer> = new Set();
  /** Viewers in other isolates, by isolate. */
  readonly remote: Map<string, number> = new Map();
  readonly waiters: Set<() => void> = new Set();
  ended: boolean = false;

  constructor(readonly name: string) {}

  get viewerCount(): number {
    let count = this.viewers.size;
    for (const n of this.remote.values()) count += n;
    return count;
  }

  wake(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}

/**
 * One viewer of a stream: {@linkcode StreamViewer.next} answers frames newer than the last
 * it answered, the newest one each time; {@linkcode StreamViewer.close} lets go at once.
 *
 * @example
 * const viewer = hub.watch("cam");
 * const frame = await viewer.next(); // the current frame, then each newer one
 * viewer.close();
 */
export class StreamViewer {
  #last = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  /**
   * Creates a `StreamViewer`.
   *
   * @param stream The stream.
   * @param onClose Told once when the viewer closes.
   */
  constructor(
    private readonly stream: LiveStream,
    private readonly onClose: (viewer: StreamViewer) => void,
  ) {}

  /** Whether it was closed, or its stream ended. */
  get closed(): boolean {
    return this.#closed || this.stream.ended;
  }

  /**
   * Waits for a frame newer than the last one answered.
   *
   * @returns The newest frame, or `undefined` once the viewer is closed or the stream ended.
   */
  async next(): Promise<LiveFrame | undefined> {
    while (!this.closed) {
      const frame = this.stream.frame;
      if (frame !== undefined && frame.seq > this.#last) {
        this.#last = frame.seq;
        return frame;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.stream.waiters.add(resolve);
      });
      this.#wake = undefined;
    }
    return undefined;
  }

  /** Stops watching: a pending {@linkcode StreamViewer.next} answers `undefined`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#wake !== undefined) {
      this.stream.waiters.delete(this.#wake);
      this.#wake();
    }
    this.onClose(this);
  }
}

/**
 * The streams of one isolate. It dispatches a `viewers` event each time its count of
 * viewers changes (one joins or leaves here, or another isolate reports its count).
 *
 * @example
 * const hub = new StreamHub({ maxStreams: 4 });
 * hub.publish("cam", { width: 1, height: 1, channels: 3, data: new Uint8Array(3) });
 * hub.status("cam")?.frames; // 1
 * hub.close();
 */
export class StreamHub extends EventTarget {
  /** Streams that may exist at once. */
  readonly maxStreams: number;
  /** Viewers that may watch at once. */
  readonly maxViewers: number;
  readonly #idleMs: number;
  readonly #link: HubLink | undefined;
  readonly #now: () => number;
  readonly #id = crypto.randomUUID();
  readonly #streams = new Map<string, LiveStream>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * Creates a `StreamHub`.
   *
   * @param options Limits, idle time, the link to other isolates, the clock.
   */
  constructor(options: StreamHubOptions = {}) {
    super();
    this.maxStreams = options.maxStreams ?? 16;
    this.maxViewers = options.maxViewers ?? 256;
    this.#idleMs = (options.idleSeconds ?? 300) * 1000;
    this.#now = options.now ?? Date.now;
    this.#link = options.link;
    if (this.#link !== undefined) this.#link.onmessage = ({ data }) => this.#receive(data);
  }

  /** Viewers this isolate serves now, over every stream (what its metrics count). */
  get localViewers(): number {
    let count = 0;
    for (const stream of this.#streams.values()) count += stream.viewers.size;
    return count;
  }

  /** Viewers watching now, over every stream and isolate. */
  get viewers(): number {
    let count = 0;
    for (const stream of this.#streams.values()) count += stream.viewerCount;
    return count;
  }

  /**
   * Makes pixels the latest frame of a stream, creating the stream on its first frame, and
   * wakes its viewers. The hub takes the pixels: their buffer is freed when a newer frame
   * replaces them, so a stream of any length holds one frame's pixels, not a collector's
   * backlog of them.
   *
   * @param name A name matching {@linkcode STREAM_NAME}.
   * @param pixels The frame; the caller gives up their buffer.
   * @param encodings Encodings already made of it, by key.
   * @returns The frame.
   * @throws {StreamHubError} `too_many_streams` for a new stream past `maxStreams`;
   *   `closed` after {@linkcode StreamHub.close}.
   */
  publish(
    name: string,
    pixels: ChannelPixels,
    encodings: readonly (readonly [string, EncodedImage])[] = [],
  ): LiveFrame {
    if (this.#closed) throw new StreamHubError("closed", "the server is shutting down");
    if (!this.#streams.has(name) && this.#streams.size >= this.maxStreams) {
      throw new StreamHubError(
        "too_many_streams",
        `${this.#streams.size} streams exist, MAX_STREAMS is ${this.maxStreams}`,
      );
    }
    const updated = this.#now();
    this.#link?.postMessage({ kind: "frame", name, pixels, updated, encodings });
    return this.#accept(name, pixels, updated, encodings);
  }

  /**
   * Starts watching a stream.
   *
   * @param name The stream.
   * @returns The viewer, or `undefined` when there is no such stream.
   * @throws {StreamHubError} `too_many_viewers` past `maxViewers`; `closed` after close.
   */
  watch(name: string): StreamViewer | undefined {
    if (this.#closed) throw new StreamHubError("closed", "the server is shutting down");
    const stream = this.#streams.get(name);
    if (stream === undefined) return undefined;
    const total = this.viewers;
    if (total >= this.maxViewers) {
      throw new StreamHubError(
        "too_many_viewers",
        `${total} viewers are watching, MAX_VIEWERS is ${this.maxViewers}`,
      );
    }
    const viewer = new StreamViewer(stream, (v) => this.#leave(stream, v));
    stream.viewers.add(viewer);
    this.#tellViewers(stream);
    this.dispatchEvent(new Event("viewers"));
    return viewer;
  }

  /**
   * The latest frame of a stream.
   *
   * @param name The stream.
   * @returns The frame, or `undefined` when there is no such stream.
   */
  latest(name: string): LiveFrame | undefined {
    return this.#streams.get(name)?.frame;
  }

  /**
   * What a stream is.
   *
   * @param name The stream.
   * @returns Its status, or `undefined` when there is no such stream.
   */
  status(name: string): StreamStatus | undefined {
    const stream = this.#streams.get(name);
    return stream === undefined ? undefined : this.#statusOf(stream);
  }

  /**
   * Every stream, by name.
   *
   * @returns Their statuses.
   */
  list(): StreamStatus[] {
    return [...this.#streams.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((s) => this.#statusOf(s));
  }

  /**
   * Ends a stream here and in the other isolates: its viewers' {@linkcode StreamViewer.next}
   * answer `undefined`.
   *
   * @param name The stream.
   * @returns Whether it existed.
   */
  end(name: string): boolean {
    if (!this.#streams.has(name)) return false;
    this.#link?.postMessage({ kind: "end", name });
    this.#drop(name);
    return true;
  }

  /**
   * Drops every stream that has had neither a frame nor a viewer for the idle time.
   *
   * @returns The names dropped.
   */
  sweep(): string[] {
    const now = this.#now();
    const dropped = [];
    for (const stream of [...this.#streams.values()]) {
      if (stream.viewerCount === 0 && now - stream.idleSince >= this.#idleMs) {
        this.#drop(stream.name);
        dropped.push(stream.name);
      }
    }
    return dropped;
  }

  /** Ends every stream, refuses new frames and viewers, and closes the link. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const name of [...this.#streams.keys()]) this.#drop(name);
    this.#link?.close();
  }

  #accept(
    name: string,
    pixels: ChannelPixels,
    updated: number,
    encodings: readonly (readonly [string, EncodedImage])[],
  ): LiveFrame {
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      stream = new LiveStream(name);
      this.#streams.set(name, stream);
    }
    const frame: LiveFrame = {
      seq: stream.frames + 1,
      pixels,
      updated,
      encodings: new Map(encodings.map(([key, encoded]) => [key, Promise.resolve(encoded)])),
    };
    const previous = stream.frame;
    stream.frame = frame;
    if (previous !== undefined) releaseBuffer(previous.pixels.data);
    stream.frames++;
    stream.idleSince = updated;
    stream.arrivals.push(updated);
    while (stream.arrivals[0] <= updated - FPS_WINDOW_MS) stream.arrivals.shift();
    stream.wake();
    this.#arm();
    return frame;
  }

  #receive(message: HubMessage): void {
    if (this.#closed) return;
    if (message.kind === "frame") {
      this.#accept(message.name, message.pixels, message.updated, message.encodings);
    } else if (message.kind === "end") {
      this.#drop(message.name);
    } else {
      const stream = this.#streams.get(message.name);
      if (stream === undefined) return;
      if (message.count === 0) stream.remote.delete(message.from);
      else stream.remote.set(message.from, message.count);
      if (stream.viewerCount === 0) this.#becameIdle(stream);
      this.dispatchEvent(new Event("viewers"));
    }
  }

  #leave(stream: LiveStream, viewer: StreamViewer): void {
    if (!stream.viewers.delete(viewer)) return;
    this.#tellViewers(stream);
    if (stream.viewerCount === 0) this.#becameIdle(stream);
    this.dispatchEvent(new Event("viewers"));
  }

  #becameIdle(stream: LiveStream): void {
    stream.idleSince = Math.max(stream.idleSince, this.#now());
    this.#arm();
  }

  #tellViewers(stream: LiveStream): void {
    if (stream.ended) return;
    this.#link?.postMessage({
      kind: "viewers",
      name: stream.name,
      from: this.#id,
      count: stream.viewers.size,
    });
  }

  #drop(name: string): void {
    const stream = this.#streams.get(name);
    if (stream === undefined) return;
    this.#streams.delete(name);
    stream.ended = true;
    stream.frame = undefined;
    stream.wake();
  }

  /** Sets one timer for the earliest stream that may become idle, unless one is set. */
  #arm(): void {
    if (this.#timer !== undefined || this.#closed) return;
    let earliest = Infinity;
    for (const stream of this.#streams.values()) {
      if (stream.viewerCount === 0) earliest = Math.min(earliest, stream.idleSince + this.#idleMs);
    }
    if (earliest === Infinity) return;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.sweep();
      this.#arm();
    }, Math.max(0, earliest - this.#now()));
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #statusOf(stream: LiveStream): StreamStatus {
    const now = this.#now();
    const recent = stream.arrivals.filter((t) => t > now - FPS_WINDOW_MS).length;
    const pixels = stream.frame?.pixels;
    return {
      name: stream.name,
      width: pixels?.width ?? 0,
      height: pixels?.height ?? 0,
      frames: stream.frames,
      viewers: stream.viewerCount,
      fps: Math.round((recent / (FPS_WINDOW_MS / 1000)) * 10) / 10,
      updated: new Date(stream.frame?.updated ?? now).toISOString(),
    };
  }
}
