import assert from "node:assert/strict";
import type { ChannelPixels } from "../lib/image/encode.ts";
import {
  type HubLink,
  type HubMessage,
  STREAM_NAME,
  StreamHub,
  StreamHubError,
} from "../lib/streams/hub.ts";
import { boundaryOf, mjpegEnd, mjpegPart, MjpegReader, mjpegStart } from "../lib/streams/mjpeg.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** One gray pixel of this value. */
function gray(value: number): ChannelPixels {
  return { width: 1, height: 1, channels: 1, data: new Uint8Array([value]) };
}

/** A stream of these chunks. */
function chunked(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Two links joined to each other, delivering as a `BroadcastChannel` does: later, in order. */
function linkedPair(): [HubLink, HubLink] {
  const make = (): HubLink & { peer?: HubLink } => ({
    onmessage: null,
    postMessage(message: HubMessage) {
      const peer = this.peer;
      queueMicrotask(() => peer?.onmessage?.(new MessageEvent("message", { data: message })));
    },
    close() {
      this.peer = undefined;
    },
  });
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Resolves at the hub's next `viewers` event. */
function nextViewersEvent(hub: StreamHub): Promise<void> {
  return new Promise((resolve) => hub.addEventListener("viewers", () => resolve(), { once: true }));
}

Deno.test("mjpegStart(), mjpegPart() and mjpegEnd() write a standard multipart body", () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
  const body = text(
    new Uint8Array([
      ...mjpegStart("b"),
      ...mjpegPart(jpeg, { "X-Frame-Number": "7" }, "b"),
      ...mjpegPart(jpeg, {}, "b"),
      ...mjpegEnd(),
    ]),
  );
  const image = text(jpeg);
  assert.equal(
    body,
    "--b\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\nX-Frame-Number: 7\r\n\r\n" +
      `${image}\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\n\r\n${image}` +
      "\r\n--b--\r\n",
  );
  assert.ok(text(mjpegPart(jpeg)).endsWith("\r\n--pixserve-frame"));
});

Deno.test("boundaryOf() reads the boundary of a multipart/x-mixed-replace type", () => {
  const cases: [string | null, string | undefined][] = [
    ["multipart/x-mixed-replace; boundary=frame", "frame"],
    ['multipart/x-mixed-replace;boundary="a b"', "a b"],
    ["multipart/x-mixed-replace", undefined],
    ["image/jpeg", undefined],
    [null, undefined],
  ];
  for (const [type, boundary] of cases) assert.equal(boundaryOf(type), boundary, String(type));
});

Deno.test("MjpegReader reads parts split anywhere across chunks, then the end", async () => {
  const whole = new Uint8Array([
    ...mjpegStart(),
    ...mjpegPart(new Uint8Array([1, 2, 3])),
    ...mjpegPart(new Uint8Array(1000).fill(7)),
    ...mjpegEnd(),
  ]);
  for (const size of [1, 7, 64, whole.byteLength]) {
    const chunks = [];
    for (let i = 0; i < whole.byteLength; i += size) chunks.push(whole.slice(i, i + size));
    const reader = new MjpegReader(chunked(chunks));
    const first = await reader.next();
    assert.deepEqual(first?.headers, { "content-type": "image/jpeg", "content-length": "3" });
    assert.deepEqual([...first.body], [1, 2, 3]);
    const second = await reader.next();
    assert.deepEqual(second?.body, new Uint8Array(1000).fill(7));
    assert.equal(await reader.next(), undefined);
  }
});

Deno.test("MjpegReader reads many parts of mixed sizes in order, whatever the chunking", async () => {
  const bodies = Array.from(
    { length: 20 },
    (_, k) => new Uint8Array((k * 997) % 5000 + 1).map((_, i) => (i * 31 + k) & 255),
  );
  const whole = new Uint8Array([
    ...mjpegStart(),
    ...bodies.flatMap((body) => [...mjpegPart(body)]),
    ...mjpegEnd(),
  ]);
  for (const size of [5, 333, 4096]) {
    const chunks = [];
    for (let i = 0; i < whole.byteLength; i += size) chunks.push(whole.slice(i, i + size));
    const reader = new MjpegReader(chunked(chunks));
    for (const [k, body] of bodies.entries()) {
      assert.deepEqual((await reader.next())?.body, body, `part ${k}, chunks of ${size}`);
    }
    assert.equal(await reader.next(), undefined);
  }
});

Deno.test("MjpegReader refuses bytes that are not a part", async () => {
  const reader = new MjpegReader(
    chunked([new TextEncoder().encode("--other\r\nContent-Length: 1\r\n\r\nx\r\n")]),
  );
  await assert.rejects(reader.next(), new SyntaxError('expected --pixserve-frame, got "--other"'));
});

Deno.test("STREAM_NAME takes 1 to 64 of A-Z a-z 0-9 _ -", () => {
  for (const name of ["a", "Cam_1-x", "x".repeat(64)]) assert.ok(STREAM_NAME.test(name), name);
  for (const name of ["", "x".repeat(65), "a.b", "a b", "é", "a/b"]) {
    assert.ok(!STREAM_NAME.test(name), name);
  }
});

Deno.test("StreamViewer.next() answers the current frame, then only the newest one", async () => {
  const hub = new StreamHub();
  try {
    hub.publish("cam", gray(1));
    const viewer = hub.watch("cam");
    assert.ok(viewer !== undefined);
    assert.equal((await viewer.next())?.pixels.data[0], 1);
    const pending = viewer.next();
    hub.publish("cam", gray(2));
    assert.equal((await pending)?.seq, 2);
    for (const value of [3, 4, 5]) hub.publish("cam", gray(value));
    const newest = await viewer.next();
    assert.deepEqual([newest?.seq, newest?.pixels.data[0]], [5, 5]);
    viewer.close();
    assert.equal(await viewer.next(), undefined);
  } finally {
    hub.close();
  }
});

Deno.test("StreamHub.publish() frees the pixels of the frame it replaces, not the latest", () => {
  const hub = new StreamHub();
  try {
    const first = hub.publish("cam", gray(1));
    const second = hub.publish("cam", gray(2));
    assert.equal(first.pixels.data.byteLength, 0);
    assert.equal(first.pixels.data.buffer.byteLength, 0);
    assert.deepEqual([...second.pixels.data], [2]);
    assert.equal(hub.latest("cam"), second);
    assert.deepEqual([first.pixels.width, first.pixels.height], [1, 1]);
  } finally {
    hub.close();
  }
});

Deno.test("StreamViewer.close() ends a pending next() and the count drops at once", async () => {
  const hub = new StreamHub();
  try {
    hub.publish("cam", gray(1));
    const viewer = hub.watch("cam")!;
    await viewer.next();
    const pending = viewer.next();
    assert.equal(hub.status("cam")?.viewers, 1);
    const event = nextViewersEvent(hub);
    viewer.close();
    await event;
    assert.equal(await pending, undefined);
    assert.equal(hub.status("cam")?.viewers, 0);
    assert.equal(hub.viewers, 0);
  } finally {
    hub.close();
  }
});

Deno.test("StreamHub.end() and close() end every viewer and refuse afterwards", async () => {
  const hub = new StreamHub();
  hub.publish("a", gray(1));
  hub.publish("b", gray(1));
  const a = hub.watch("a")!;
  const b = hub.watch("b")!;
  await a.next();
  await b.next();
  const pendingA = a.next();
  assert.equal(hub.end("a"), true);
  assert.equal(hub.end("a"), false);
  assert.equal(await pendingA, undefined);
  assert.equal(hub.watch("a"), undefined);
  const pendingB = b.next();
  hub.close();
  assert.equal(await pendingB, undefined);
  assert.deepEqual(hub.list(), []);
  assert.throws(
    () => hub.publish("c", gray(1)),
    new StreamHubError("closed", "the server is shutting down"),
  );
  assert.throws(() => hub.watch("b"), new StreamHubError("closed", "the server is shutting down"));
});

Deno.test("StreamHub refuses a stream past maxStreams and a viewer past maxViewers", () => {
  const hub = new StreamHub({ maxStreams: 2, maxViewers: 1 });
  try {
    hub.publish("a", gray(1));
    hub.publish("b", gray(1));
    hub.publish("a", gray(2));
    assert.throws(
      () => hub.publish("c", gray(1)),
      new StreamHubError("too_many_streams", "2 streams exist, MAX_STREAMS is 2"),
    );
    const viewer = hub.watch("a")!;
    assert.throws(
      () => hub.watch("b"),
      new StreamHubError("too_many_viewers", "1 viewers are watching, MAX_VIEWERS is 1"),
    );
    viewer.close();
    hub.watch("b")!.close();
  } finally {
    hub.close();
  }
});

Deno.test("StreamHub.sweep() drops a stream idle for idleSeconds, never one watched", () => {
  let now = 1_000_000;
  const hub = new StreamHub({ idleSeconds: 10, now: () => now });
  try {
    hub.publish("a", gray(1));
    hub.publish("b", gray(1));
    const viewer = hub.watch("b")!;
    now += 9_999;
    assert.deepEqual(hub.sweep(), []);
    now += 1;
    assert.deepEqual(hub.sweep(), ["a"]);
    now += 60_000;
    assert.deepEqual(hub.sweep(), []);
    viewer.close();
    now += 9_999;
    assert.deepEqual(hub.sweep(), []);
    now += 1;
    assert.deepEqual(hub.sweep(), ["b"]);
    assert.deepEqual(hub.list(), []);
  } finally {
    hub.close();
  }
});

Deno.test("StreamHub.status() counts frames and gives size, fps and time", () => {
  let now = Date.UTC(2026, 0, 2, 3, 4, 5);
  const hub = new StreamHub({ now: () => now });
  try {
    for (let i = 0; i < 10; i++) {
      hub.publish("cam", gray(i));
      now += 100;
    }
    hub.publish("cam", { width: 3, height: 2, channels: 3, data: new Uint8Array(18) });
    assert.deepEqual(hub.status("cam"), {
      name: "cam",
      width: 3,
      height: 2,
      frames: 11,
      viewers: 0,
      fps: 5.5,
      updated: "2026-01-02T03:04:06.000Z",
    });
    now += 2000;
    assert.equal(hub.status("cam")?.fps, 0);
    assert.equal(hub.status("other"), undefined);
  } finally {
    hub.close();
  }
});

Deno.test("Linked hubs share frames with their encodings, viewer counts and ends", async () => {
  const [linkA, linkB] = linkedPair();
  const a = new StreamHub({ link: linkA, maxViewers: 2 });
  const b = new StreamHub({ link: linkB, maxViewers: 2 });
  try {
    const jpeg = {
      bytes: new Uint8Array([0xff, 0xd8]),
      format: "jpeg" as const,
      etag: '"x"',
      byteLength: 2,
    };
    a.publish("cam", gray(9), [["jpeg:90", jpeg]]);
    await Promise.resolve();
    const viewer = b.watch("cam")!;
    const frame = await viewer.next();
    assert.equal(frame?.pixels.data[0], 9);
    assert.deepEqual(await frame?.encodings.get("jpeg:90"), jpeg);
    // b's count reached a while `viewer.next()` was awaited.
    assert.equal(a.status("cam")?.viewers, 1);
    a.watch("cam");
    assert.equal(a.status("cam")?.viewers, 2);
    assert.throws(() => a.watch("cam"), StreamHubError);
    const pending = viewer.next();
    a.end("cam");
    assert.equal(await pending, undefined);
    assert.equal(b.status("cam"), undefined);
  } finally {
    a.close();
    b.close();
  }
});
