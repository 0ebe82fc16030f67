import assert from "node:assert/strict";
import { PROJECT_DIR, withServer } from "./_server.ts";

/** The Python to run: `PIXSERVE_PYTHON`, else `python3` on PATH. */
const PYTHON = Deno.env.get("PIXSERVE_PYTHON") ?? "python3";

const CHECKS = [
  "np.load(io.BytesIO(requests.get('/image.npy').content)) is the sample",
  "np.asarray(requests.get('/image.json').json(), dtype=np.uint8) is the sample",
  "X-Array-Shape and X-Array-Dtype describe it",
  "r.json() is already the list: no json.loads(r.json()) needed",
  "the reference client's requests.get(url=url) writes a PNG to test.png",
  "test.png decodes back to the sample",
  "np.savez bytes sent as application/octet-stream render as a PNG",
  "... pixel for pixel",
  "a float32 array from np.savez_compressed renders as np.round(a * 255)",
  "an OpenCV BGR array with ?order=bgr renders red as red",
  "/decode.npy?order=bgr gives OpenCV's order back",
  "requests.post(json=arr.tolist()) renders an RGBA array exactly",
  "a float outside [0, 1] is a 422 naming [2][1][0]",
];

/** Runs the Python interpreter; `null` when it cannot be started at all. */
async function python(args: string[]): Promise<Deno.CommandOutput | null> {
  try {
    return await new Deno.Command(PYTHON, {
      args,
      stdout: "piped",
      stderr: "piped",
      env: { NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" },
    }).output();
  } catch {
    return null;
  }
}

Deno.test("a NumPy client (numpy + requests) gets, renders and decodes arrays live", async () => {
  const probe = await python(["-c", "import numpy, requests"]);
  if (probe === null || !probe.success) {
    assert.fail(
      `this test needs a Python with numpy and requests: "${PYTHON}" ` +
        (probe === null
          ? "could not be started"
          : `failed: ${new TextDecoder().decode(probe.stderr).trim()}`) +
        "; install them (apt-get install python3-numpy python3-requests) or set PIXSERVE_PYTHON",
    );
  }
  await withServer(async ({ base }) => {
    const run = await python([`${PROJECT_DIR}/tests/numpy_client.py`, base]);
    assert.ok(run !== null);
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(run.stdout)).checks, CHECKS);
  });
});
