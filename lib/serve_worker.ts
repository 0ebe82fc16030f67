/**
 * The module each extra serving isolate runs (see `serve.ts`): it serves the app on the
 * port it is given until told to stop.
 *
 * @module
 */

import { type IsolateServer, type ServeCommand, serveIsolate, type ServeReport } from "./serve.ts";

interface ServeScope {
  onmessage: ((event: MessageEvent<ServeCommand>) => void) | null;
  postMessage(message: ServeReport): void;
}

const scope = self as unknown as ServeScope;
let server: IsolateServer | undefined;

scope.onmessage = async ({ data }) => {
  if ("start" in data) {
    try {
      server = serveIsolate(data.start, true, data.metrics, data.streams);
      scope.postMessage({ listening: true });
    } catch (err) {
      scope.postMessage({ failed: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  await server?.stop();
  scope.postMessage({ stopped: true });
};
