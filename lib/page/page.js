/**
 * pixserve's page: fills each panel from the server, shows the headers each route answered
 * with, and shows a failure as the server's JSON `detail` instead of a broken image.
 *
 * Every panel (`figure`) carries `data-state`: `loading`, then `ok` or `error`.
 *
 * @module
 */

/** Caption rows shown for every response: label, header name. */
const HEADER_ROWS = [
  ["type", "content-type"],
  ["size", "content-length"],
  ["disposition", "content-disposition"],
  ["ETag", "etag"],
];

/** Caption rows added for array answers. */
const ARRAY_ROWS = [["shape", "x-array-shape"], ["dtype", "x-array-dtype"]];

/** What the server said was wrong, or why the browser could not use its answer. */
class PanelError extends Error {}

/**
 * The sentence to show for a failed response: the `detail` of pixserve's JSON error body.
 *
 * @param {Response} response A response whose status is not 2xx.
 * @returns {Promise<PanelError>} The error to show.
 */
async function responseError(response) {
  let detail = `${response.status} ${response.statusText}`.trim();
  try {
    const body = await response.json();
    if (typeof body.detail === "string") detail = body.detail;
  } catch {
    // The body was not pixserve's JSON error; the status line says what happened.
  }
  return new PanelError(detail);
}

/**
 * Fetches a route and insists on a 2xx answer.
 *
 * @param {string} route Path and query.
 * @param {RequestInit} [init] Method, headers, body.
 * @returns {Promise<Response>} The response.
 * @throws {PanelError} The server's detail for a failed answer.
 */
async function fetchOk(route, init) {
  const response = await fetch(route, init);
  if (!response.ok) throw await responseError(response);
  return response;
}

/**
 * Marks a panel as loading, done or failed (for people through `aria-busy`, for tests).
 *
 * @param {HTMLElement} panel The figure.
 * @param {"loading" | "ok" | "error"} state What it shows now.
 */
function setState(panel, state) {
  panel.dataset.state = state;
  panel.setAttribute("aria-busy", String(state === "loading"));
}

/**
 * Fills a caption's list with the route's status and headers.
 *
 * @param {HTMLElement} list The `dl`.
 * @param {Response} response The answer.
 * @param {string[][]} [extra] More label, header pairs.
 */
function showHeaders(list, response, extra = []) {
  const rows = [["status", `${response.status} ${response.statusText}`.trim()]];
  for (const [label, name] of [...HEADER_ROWS, ...extra]) {
    const value = response.headers.get(name);
    if (name === "content-length") {
      rows.push([label, value === null ? "no Content-Length (chunked)" : `${value} bytes`]);
    } else if (value !== null) {
      rows.push([label, value]);
    }
  }
  appendRows(list, rows, true);
}

/**
 * Writes label, value rows into a description list.
 *
 * @param {HTMLElement} list The `dl`.
 * @param {string[][]} rows Label, value pairs.
 * @param {boolean} replace Whether to clear the list first.
 */
function appendRows(list, rows, replace) {
  if (replace) list.replaceChildren();
  for (const [label, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
}

/**
 * Shows an error in a panel, in place of its picture.
 *
 * @param {HTMLElement} panel The figure.
 * @param {unknown} err What went wrong.
 */
function showError(panel, err) {
  let message = panel.querySelector(".error");
  if (message === null) {
    message = document.createElement("p");
    message.className = "error";
    message.setAttribute("role", "alert");
    panel.append(message);
  }
  message.textContent = err instanceof PanelError
    ? err.message
    : `the browser could not show this: ${err instanceof Error ? err.message : String(err)}`;
  for (const picture of panel.querySelectorAll("img, canvas")) picture.hidden = true;
  setState(panel, "error");
}

/** The run in progress in each panel, aborted when a newer one starts. */
const RUNS = new WeakMap();

/**
 * Runs a panel's loader and records how it ended; a newer run of the same panel aborts it.
 *
 * @param {HTMLElement} panel The figure.
 * @param {(signal: AbortSignal) => Promise<void>} load Fills the panel; throws to report a
 *   failure.
 * @returns {Promise<void>} When the panel is done.
 */
async function runPanel(panel, load) {
  RUNS.get(panel)?.abort();
  const controller = new AbortController();
  RUNS.set(panel, controller);
  setState(panel, "loading");
  const message = panel.querySelector(".error");
  if (message !== null) message.textContent = "";
  try {
    await load(controller.signal);
    if (!controller.signal.aborted) setState(panel, "ok");
  } catch (err) {
    if (!controller.signal.aborted) showError(panel, err);
  }
}

/**
 * Shows a Blob in an image through an object URL, revoked once the image has loaded unless
 * it is kept (for a link to save the same bytes; the caller then revokes it).
 *
 * @param {HTMLImageElement} img The image.
 * @param {Blob} blob Encoded image bytes.
 * @param {{ keep?: boolean }} [options] Whether the URL stays valid after the load.
 * @returns {Promise<string>} The object URL, once the image is decoded (and the URL revoked,
 *   unless kept).
 * @throws {PanelError} The bytes are not an image the browser can decode.
 */
async function showBlob(img, blob, options = {}) {
  const url = URL.createObjectURL(blob);
  img.dataset.revoked = "false";
  img.dataset.objectUrl = url;
  img.hidden = false;
  img.src = url;
  try {
    await img.decode();
  } catch {
    URL.revokeObjectURL(url);
    img.dataset.revoked = "true";
    throw new PanelError(
      `the answer (${blob.type || "no type"}) is not an image this browser decodes`,
    );
  }
  if (!options.keep) {
    URL.revokeObjectURL(url);
    img.dataset.revoked = "true";
  }
  return url;
}

/**
 * Panels 1 and 3: an `<img src>` the HTML already loads; the caption gets the route's headers.
 *
 * @param {HTMLElement} panel The figure.
 * @returns {Promise<void>} When the image and its headers are in.
 */
async function describePlainImage(panel) {
  const img = panel.querySelector("img");
  const list = panel.querySelector("dl");
  const route = list.dataset.route;
  const head = await fetch(route, { method: "HEAD" });
  showHeaders(list, head);
  try {
    await img.decode();
  } catch {
    const response = await fetchOk(route);
    await response.body?.cancel();
    throw new PanelError(`the answer (${response.headers.get("content-type")}) did not decode`);
  }
}

/**
 * Panel 2: the image fetched, turned into a Blob and shown through an object URL.
 *
 * @param {HTMLElement} panel The figure.
 * @returns {Promise<void>} When the image is shown and its URL revoked.
 */
async function showFetchedImage(panel) {
  const img = panel.querySelector("img");
  const response = await fetchOk(img.dataset.fetch);
  showHeaders(panel.querySelector("dl"), response);
  await showBlob(img, await response.blob());
}

/**
 * Panel 3, ranged: the file in two `Range` requests, joined into one Blob; both go to the
 * server, not to the browser's cache.
 *
 * @param {HTMLElement} panel The figure.
 * @returns {Promise<void>} When the joined image is shown.
 */
async function showRangedImage(panel) {
  const img = panel.querySelector("img");
  const list = panel.querySelector("dl");
  const route = img.dataset.ranges;
  const first = await fetchOk(route, { cache: "no-store", headers: { range: "bytes=0-1023" } });
  const total = rangeTotal(first);
  const parts = [await first.blob()];
  showHeaders(list, first, [["range", "content-range"]]);
  if (total > 1024) {
    const second = await fetchOk(route, { cache: "no-store", headers: { range: "bytes=1024-" } });
    rangeTotal(second);
    parts.push(await second.blob());
    appendRows(list, [
      ["status", `${second.status} ${second.statusText}`.trim()],
      ["range", second.headers.get("content-range")],
    ], false);
  }
  await showBlob(img, new Blob(parts, { type: first.headers.get("content-type") ?? "" }));
}

/**
 * The full length a 206 answer names in `Content-Range`.
 *
 * @param {Response} response A ranged answer.
 * @returns {number} The file's size.
 * @throws {PanelError} The server did not answer 206 with a `Content-Range`.
 */
function rangeTotal(response) {
  const match = /^bytes \d+-\d+\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
  if (response.status !== 206 || match === null) {
    throw new PanelError(`expected 206 with Content-Range, got ${response.status}`);
  }
  return Number(match[1]);
}

/**
 * Reads `X-Array-Shape` (`H,W` or `H,W,C` with C 1, 3 or 4) and `X-Array-Dtype` (`uint8`).
 *
 * @param {Response} response An array answer.
 * @returns {{ height: number, width: number, channels: number }} The layout.
 * @throws {PanelError} A shape or dtype the page cannot draw.
 */
function arrayLayout(response) {
  const shape = (response.headers.get("x-array-shape") ?? "").split(",").map(Number);
  const dtype = response.headers.get("x-array-dtype") ?? "uint8";
  const [height, width, channels = 0] = shape;
  const ok = (shape.length === 2 || (shape.length === 3 && [1, 3, 4].includes(channels))) &&
    Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0;
  if (!ok || dtype !== "uint8") {
    throw new PanelError(
      `cannot draw an array of shape ${shape.join(",") || "(none)"} and dtype ${dtype}`,
    );
  }
  return { height, width, channels };
}

/**
 * Draws a nested list of pixels on a canvas through `ImageData`.
 *
 * @param {HTMLCanvasElement} canvas The canvas, resized to the array.
 * @param {unknown} rows `[[[r,g,b],…],…]`, `[[[r,g,b,a],…],…]`, `[[[v],…],…]` or `[[v,…],…]`.
 * @param {{ height: number, width: number, channels: number }} layout From the headers.
 * @throws {PanelError} The list does not match the layout.
 */
function drawArray(canvas, rows, layout) {
  const { height, width, channels } = layout;
  const pixels = new ImageData(width, height);
  const data = pixels.data;
  if (!Array.isArray(rows) || rows.length !== height) {
    throw new PanelError(`the array does not have ${height} rows`);
  }
  for (let y = 0; y < height; y++) {
    const row = rows[y];
    if (!Array.isArray(row) || row.length !== width) {
      throw new PanelError(`row ${y} does not have ${width} pixels`);
    }
    for (let x = 0; x < width; x++) {
      const px = row[x];
      const i = (y * width + x) * 4;
      if (channels === 0) {
        data[i] = data[i + 1] = data[i + 2] = px;
      } else if (channels === 1) {
        data[i] = data[i + 1] = data[i + 2] = px[0];
      } else {
        data[i] = px[0];
        data[i + 1] = px[1];
        data[i + 2] = px[2];
      }
      data[i + 3] = channels === 4 ? px[3] : 255;
    }
  }
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").putImageData(pixels, 0, 0);
  canvas.hidden = false;
}

/**
 * Panel 4: `/image.json` drawn on a canvas.
 *
 * @param {HTMLElement} panel The figure.
 * @returns {Promise<void>} When the canvas is drawn.
 */
async function showArrayImage(panel) {
  const response = await fetchOk("/image.json");
  showHeaders(panel.querySelector("dl"), response, ARRAY_ROWS);
  const layout = arrayLayout(response);
  drawArray(panel.querySelector("canvas"), await response.json(), layout);
}

/** Formats whose encoders take a quality. */
const LOSSY = new Set(["jpeg", "webp"]);

/**
 * Panel 5, first form: the sample in the chosen format and quality.
 *
 * @param {HTMLFormElement} form The format form.
 * @param {HTMLElement} panel The result figure.
 */
function setUpFormatForm(form, panel) {
  const format = form.elements.namedItem("format");
  const quality = form.elements.namedItem("quality");
  const sync = () => {
    quality.disabled = !LOSSY.has(format.value);
  };
  format.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = quality.disabled ? "" : `?quality=${encodeURIComponent(quality.value)}`;
    const route = `/image.${format.value}${query}`;
    panel.hidden = false;
    panel.dataset.route = route;
    panel.querySelector(".route").textContent = `GET ${route}`;
    runPanel(panel, async (signal) => {
      const response = await fetchOk(route, { signal });
      showHeaders(panel.querySelector("dl"), response);
      await showBlob(panel.querySelector("img"), await response.blob());
    });
  });
}

/**
 * Where an uploaded file goes, and as which media type.
 *
 * @param {File} file The chosen file.
 * @returns {{ route: string, type: string, array: boolean }} The request to make.
 */
function uploadTarget(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".npy")) {
    return { route: "/render.png", type: "application/x-npy", array: true };
  }
  if (name.endsWith(".npz")) return { route: "/render.png", type: "application/zip", array: true };
  return { route: "/decode.json", type: file.type || "application/octet-stream", array: false };
}

/**
 * Panel 5, second form: an image sent to `/decode.json` and drawn on a canvas, or an array
 * sent to `/render.png` and shown as an image.
 *
 * @param {HTMLFormElement} form The upload form.
 * @param {HTMLElement} panel The result figure.
 */
function setUpUploadForm(form, panel) {
  const input = form.elements.namedItem("upload");
  const canvas = panel.querySelector("canvas");
  const img = panel.querySelector("img");
  const send = () => {
    const file = input.files[0];
    if (file === undefined) return;
    const target = uploadTarget(file);
    panel.hidden = false;
    panel.dataset.file = file.name;
    panel.querySelector(".route").textContent = `POST ${target.route} (${target.type})`;
    panel.querySelector("dl").replaceChildren();
    canvas.hidden = true;
    img.hidden = true;
    runPanel(panel, async (signal) => {
      const response = await fetchOk(target.route, {
        signal,
        method: "POST",
        headers: { "content-type": target.type },
        body: file,
      });
      showHeaders(panel.querySelector("dl"), response, target.array ? [] : ARRAY_ROWS);
      if (target.array) {
        await showBlob(img, await response.blob());
      } else {
        const layout = arrayLayout(response);
        drawArray(canvas, await response.json(), layout);
      }
    });
  };
  input.addEventListener("change", send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
}

/** The bytes read from an uploaded `.npy` for its header: the prefix and a 64 KiB header. */
const NPY_HEADER_BYTES = 12 + 65536;

/**
 * The shape in a `.npy` file's header (format versions 1, 2 and 3).
 *
 * @param {Uint8Array} bytes The file's first {@linkcode NPY_HEADER_BYTES} bytes.
 * @returns {number[] | undefined} The shape, or `undefined` when the bytes are no `.npy`.
 */
function npyShape(bytes) {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 12 || magic.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [start, length] = bytes[6] === 1
    ? [10, view.getUint16(8, true)]
    : [12, view.getUint32(8, true)];
  const header = new TextDecoder().decode(bytes.subarray(start, start + length));
  const match = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (match === null) return undefined;
  return match[1].split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
}

/**
 * What `/render` makes of an array of this shape (channel-last, as pixserve reads it by
 * default): one image, or a stack of frames, (N, H, W, C) or (N, H, W) of gray frames.
 *
 * @param {number[]} shape The array's shape.
 * @returns {{ frames: number, gray3d: boolean, channels: number } | undefined} The stack's
 *   frame count, whether it is 3-D (it then needs `?frames`) and its channels; `undefined`
 *   for one image.
 */
function stackOf(shape) {
  if (shape.length === 4) return { frames: shape[0], gray3d: false, channels: shape[3] };
  if (shape.length === 3 && ![1, 2, 3, 4].includes(shape[2])) {
    return { frames: shape[0], gray3d: true, channels: 1 };
  }
  return undefined;
}

/**
 * The request panel 6 makes.
 *
 * @param {{ cmap: string, vmin: string, vmax: string, show: string, fps: string,
 *   stack: ReturnType<typeof stackOf> }} choice What the form says.
 * @returns {{ route: string, format: string }} Path and query, and the image format asked.
 */
function arrayRequest(choice) {
  const format = choice.stack === undefined ? "png" : choice.show;
  const query = new URLSearchParams();
  if (choice.stack !== undefined && choice.fps !== "") query.set("fps", choice.fps);
  if (choice.cmap !== "none") query.set("cmap", choice.cmap);
  if (choice.cmap !== "none" && choice.cmap !== "labels") {
    for (const name of ["vmin", "vmax"]) {
      if (choice[name] !== "") query.set(name, choice[name]);
    }
  }
  const flags = choice.stack?.gray3d ? ["frames"] : [];
  const text = [...flags, ...(query.size > 0 ? [query.toString()] : [])].join("&");
  return { route: `/render.${format}${text === "" ? "" : `?${text}`}`, format };
}

/**
 * Panel 6: an array sent to `/render` and shown, with the colormap's colour bar
 * (`/colormaps/{name}.png`) when one is chosen. The colormap list comes from
 * `GET /colormaps`. The `.npy` header read in the browser says whether the array is a stack
 * of frames (then shown as an animation, GIF or APNG) and whether it has colours of its own
 * (then no colormap is chosen).
 *
 * @param {HTMLFormElement} form The array form.
 * @param {HTMLElement} panel The result figure.
 */
function setUpArrayForm(form, panel) {
  const field = (name) => form.elements.namedItem(name);
  const [input, cmap, show, fps] = ["file", "cmap", "show", "fps"].map(field);
  const limits = [field("vmin"), field("vmax")];
  const note = document.getElementById("array-header");
  const [img, bar] = panel.querySelectorAll("img");
  const save = panel.querySelector("a.save");
  let stack;
  let header = Promise.resolve();
  const listed = fetchOk("/colormaps").then(async (response) => {
    const { colormaps, special } = await response.json();
    const chosen = cmap.value;
    cmap.replaceChildren(
      ...["none", ...colormaps, ...special].map((name) =>
        new Option(
          name === "none" ? "none (the array's own colours)" : name,
          name,
          false,
          name === chosen,
        )
      ),
    );
  });
  const sync = () => {
    for (const limit of limits) limit.disabled = cmap.value === "none" || cmap.value === "labels";
    show.disabled = stack === undefined;
    fps.disabled = stack === undefined;
  };
  const readHeader = async () => {
    const file = input.files[0];
    stack = undefined;
    note.textContent = "";
    if (file !== undefined && file.name.toLowerCase().endsWith(".npy")) {
      const shape = npyShape(new Uint8Array(await file.slice(0, NPY_HEADER_BYTES).arrayBuffer()));
      stack = shape === undefined ? undefined : stackOf(shape);
      if (shape !== undefined) {
        const kind = stack === undefined
          ? "one image"
          : `a stack of ${stack.frames} frames, shown as an animation`;
        note.textContent = `shape (${shape.join(", ")}): ${kind}`;
        const channels = stack?.channels ?? (shape.length === 3 ? shape[2] : 1);
        if (channels === 3 || channels === 4) cmap.value = "none";
      }
    }
    sync();
  };
  cmap.addEventListener("change", sync);
  input.addEventListener("change", () => {
    header = readHeader();
  });
  sync();
  const send = async () => {
    const file = input.files[0];
    if (file === undefined) return;
    await listed.catch(() => {});
    await header.catch(() => {});
    const { route, format } = arrayRequest({
      cmap: cmap.value,
      vmin: limits[0].value.trim(),
      vmax: limits[1].value.trim(),
      show: show.value,
      fps: fps.value.trim(),
      stack,
    });
    const type = file.name.toLowerCase().endsWith(".npz") ? "application/zip" : "application/x-npy";
    panel.hidden = false;
    panel.dataset.file = file.name;
    panel.dataset.route = route;
    panel.querySelector(".route").textContent = `POST ${route}`;
    panel.querySelector("dl").replaceChildren();
    img.hidden = true;
    bar.hidden = true;
    if (save.href !== "") URL.revokeObjectURL(save.href);
    save.removeAttribute("href");
    save.hidden = true;
    runPanel(panel, async (signal) => {
      const response = await fetchOk(route, {
        signal,
        method: "POST",
        headers: { "content-type": type },
        body: file,
      });
      showHeaders(panel.querySelector("dl"), response);
      const url = await showBlob(img, await response.blob(), { keep: true });
      if (signal.aborted) return URL.revokeObjectURL(url);
      save.href = url;
      save.download = `${file.name.replace(/\.[^.]*$/, "")}.${format}`;
      save.hidden = false;
      if (cmap.value !== "none" && cmap.value !== "labels") {
        const legend = await fetchOk(
          `/colormaps/${encodeURIComponent(cmap.value)}.png?width=512&height=16`,
          { signal },
        );
        await showBlob(bar, await legend.blob());
      }
    });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
}

/** Frames pushed per second by the live panel. */
const LIVE_FPS = 10;

/**
 * Draws frame `t` of the live animation: a dark blue field with a red square that moves
 * across it and a counter.
 *
 * @param {HTMLCanvasElement} canvas The source canvas.
 * @param {number} t The frame number.
 */
function drawLiveFrame(canvas, t) {
  const context = canvas.getContext("2d");
  context.fillStyle = "rgb(0, 0, 128)";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "rgb(255, 0, 0)";
  const side = 60;
  const x = 20 + ((t * 12) % (canvas.width - side - 40));
  context.fillRect(x, (canvas.height - side) / 2, side, side);
  context.fillStyle = "rgb(255, 255, 255)";
  context.font = "16px sans-serif";
  context.fillText(`frame ${t}`, 24, canvas.height - 24);
}

/** The size the live panel asks of a webcam, the size of its canvas. */
const CAMERA_CONSTRAINTS = { video: { width: 320, height: 240 }, audio: false };

/**
 * Why a webcam could not be used, as a sentence.
 *
 * @param {unknown} err What `getUserMedia` or `play` rejected with.
 * @returns {string} The sentence.
 */
function cameraProblem(err) {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "the browser was not allowed to use a camera";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "the browser has no camera";
  }
  if (name === "NotReadableError") return "the camera is in use by something else";
  return `the camera could not be started (${err instanceof Error ? err.message : String(err)})`;
}

/**
 * The webcam as a source of the live panel's frames: started on request, stopped on request
 * or when its track ends; while it plays, {@linkcode LiveCamera.draw} copies its current
 * picture onto the canvas.
 */
class LiveCamera {
  /**
   * Creates a `LiveCamera`.
   *
   * @param {HTMLVideoElement} video The (hidden) element that plays the camera.
   * @param {(problem: string | undefined) => void} onChange Told when the camera starts
   *   (`undefined`) or stops, with why when it stopped by itself.
   */
  constructor(video, onChange) {
    this.video = video;
    this.onChange = onChange;
    this.stream = undefined;
  }

  /** Whether the browser offers cameras at all (a secure context with `mediaDevices`). */
  static get available() {
    return typeof navigator.mediaDevices?.getUserMedia === "function";
  }

  /** Whether it is playing. */
  get on() {
    return this.stream !== undefined;
  }

  /**
   * Asks for the camera and plays it.
   *
   * @returns {Promise<string>} The camera's name.
   * @throws {Error} What `getUserMedia` or `play` threw (no camera, no permission).
   */
  async start() {
    const stream = await navigator.mediaDevices.getUserMedia(CAMERA_CONSTRAINTS);
    const [track] = stream.getVideoTracks();
    try {
      this.video.srcObject = stream;
      await this.video.play();
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      this.video.srcObject = null;
      throw err;
    }
    this.stream = stream;
    track.addEventListener("ended", () => this.stop("the camera stopped"), { once: true });
    this.onChange(undefined);
    return track.label || "camera";
  }

  /**
   * Stops the camera.
   *
   * @param {string} [problem] Why, when it was not asked to.
   */
  stop(problem) {
    if (this.stream === undefined) return;
    for (const track of this.stream.getTracks()) track.stop();
    this.stream = undefined;
    this.video.srcObject = null;
    this.onChange(problem);
  }

  /**
   * Draws the camera's current picture over the whole canvas.
   *
   * @param {HTMLCanvasElement} canvas The source canvas.
   * @returns {boolean} Whether there was a picture to draw.
   */
  draw(canvas) {
    if (!this.on || this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return false;
    canvas.getContext("2d").drawImage(this.video, 0, 0, canvas.width, canvas.height);
    return true;
  }
}

/**
 * The canvas as a JPEG, the body of one push.
 *
 * @param {HTMLCanvasElement} canvas The source canvas.
 * @returns {Promise<Blob>} The encoded frame.
 */
function canvasJpeg(canvas) {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => blob === null ? reject(new Error("no frame")) : resolve(blob),
      "image/jpeg",
      0.9,
    )
  );
}

/**
 * Waits until an `<img>` playing a `multipart/x-mixed-replace` stream shows its first part
 * (it fires `load` only when the whole stream ends).
 *
 * @param {HTMLImageElement} img The image.
 * @returns {Promise<void>} When a frame is shown.
 * @throws {PanelError} The stream failed before it showed one.
 */
function firstPart(img) {
  return new Promise((resolve, reject) => {
    img.addEventListener("error", () => reject(new PanelError("the stream did not play")), {
      once: true,
    });
    const check = () => img.naturalWidth > 0 ? resolve() : requestAnimationFrame(check);
    check();
  });
}

/**
 * Sets up the webcam of the live panel. Its button is shown only where the browser offers
 * cameras: it switches the source between the animation and the webcam, and the note says
 * which one is pushed and, when the webcam cannot be used, why.
 *
 * @param {HTMLVideoElement} video The (hidden) element that plays the camera.
 * @param {HTMLButtonElement} button The button.
 * @param {HTMLElement} note Where the source is named.
 * @returns {LiveCamera} The webcam (never on where the button stays hidden).
 */
function setUpCamera(video, button, note) {
  const show = (label) => {
    button.textContent = camera.on ? "Use the animation" : "Use the webcam";
    button.setAttribute("aria-pressed", String(camera.on));
    note.textContent = label;
  };
  const camera = new LiveCamera(video, (problem) => {
    if (!camera.on) show(`Source: the animation${problem ? ` (${problem})` : ""}`);
  });
  if (!LiveCamera.available) return camera;
  button.hidden = false;
  button.addEventListener("click", async () => {
    if (camera.on) return camera.stop();
    button.disabled = true;
    note.textContent = "Source: asking for the webcam…";
    try {
      show(`Source: the webcam (${await camera.start()})`);
    } catch (err) {
      show(`Source: the animation (no webcam: ${cameraProblem(err)})`);
    } finally {
      button.disabled = false;
    }
  });
  return camera;
}

/**
 * Sets up the live panel: "Go live" pushes the animation (or the webcam, once chosen) to a
 * new stream and plays the stream's `.mjpg` in an `<img>`; "Stop" ends the stream with
 * `DELETE`.
 *
 * @param {HTMLElement} panel The figure showing the stream.
 */
function setUpLivePanel(panel) {
  const source = document.getElementById("live-source");
  const start = document.getElementById("live-start");
  const stop = document.getElementById("live-stop");
  const status = document.getElementById("live-status");
  const view = panel.querySelector("img");
  const camera = setUpCamera(
    document.getElementById("live-camera"),
    document.getElementById("live-webcam"),
    document.getElementById("live-source-note"),
  );
  let live;
  drawLiveFrame(source, 0);
  const pushFrame = async (route, t) => {
    const kind = camera.draw(source) ? "webcam" : "animation";
    if (kind === "animation") drawLiveFrame(source, t);
    const body = await canvasJpeg(source);
    await fetchOk(route, { method: "PUT", body, headers: { "content-type": "image/jpeg" } });
    status.textContent = `pushed ${kind} frame ${t} to ${route}`;
  };
  const pushUntilStopped = async (session) => {
    for (let t = 1; !session.stopped; t++) {
      const due = performance.now() + 1000 / LIVE_FPS;
      await pushFrame(session.route, t);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
  };
  start.addEventListener("click", () => {
    const session = {
      route: `/streams/page-${crypto.randomUUID().slice(0, 8)}`,
      stopped: false,
      pushing: Promise.resolve(),
    };
    live = session;
    start.disabled = true;
    stop.disabled = false;
    panel.querySelector(".route").textContent = `PUT ${session.route}`;
    runPanel(panel, async () => {
      await pushFrame(session.route, 0);
      view.hidden = false;
      view.src = `${session.route}.mjpg`;
      // Chromium shows a part once the next one begins: the pushes go on meanwhile.
      session.pushing = pushUntilStopped(session).catch((err) => showError(panel, err));
      await firstPart(view);
    });
  });
  stop.addEventListener("click", async () => {
    if (live === undefined) return;
    const session = live;
    session.stopped = true;
    stop.disabled = true;
    view.hidden = true;
    view.removeAttribute("src");
    // A push still on its way would make the stream again after the DELETE.
    await session.pushing;
    await fetch(session.route, { method: "DELETE" });
    status.textContent = `ended ${session.route}`;
    start.disabled = false;
  });
}

for (const list of document.querySelectorAll("dl[data-route]")) {
  const panel = list.closest("figure");
  runPanel(panel, () => describePlainImage(panel));
}
const blobPanel = document.getElementById("blob-panel");
runPanel(blobPanel, () => showFetchedImage(blobPanel));
const rangePanel = document.getElementById("range-panel");
runPanel(rangePanel, () => showRangedImage(rangePanel));
const jsonPanel = document.getElementById("json-panel");
runPanel(jsonPanel, () => showArrayImage(jsonPanel));
setUpFormatForm(document.getElementById("format-form"), document.getElementById("format-result"));
setUpUploadForm(document.getElementById("upload-form"), document.getElementById("upload-result"));
setUpArrayForm(document.getElementById("array-form"), document.getElementById("array-result"));
setUpLivePanel(document.getElementById("live-panel"));
