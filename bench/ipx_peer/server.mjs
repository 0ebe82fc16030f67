// IPX (the Nuxt image server) serving a folder, as bench/transforms_load.ts compares with it.
// Usage: node server.mjs <folder> <port>
import { createServer } from "node:http";
import { createIPX, createIPXNodeServer, ipxFSStorage } from "ipx";

const [dir, port] = process.argv.slice(2);
const ipx = createIPX({ storage: ipxFSStorage({ dir }) });
createServer(createIPXNodeServer(ipx)).listen(Number(port), "127.0.0.1");
