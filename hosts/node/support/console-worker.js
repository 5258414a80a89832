// A loopback stand-in for a SentinelOne console, run in a worker thread.
//
// It has to live off the main thread: the component's calls are synchronous
// (the shim blocks the main thread with Atomics.wait while its own worker does
// the HTTP), so a server on the main thread could never answer.
import http from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const { status = 200, headers = {}, body = "", hang = false } = workerData;
const requests = [];

const server = http.createServer((req, res) => {
  requests.push({ method: req.method, url: req.url, headers: req.headers });
  if (hang) return; // accept, read the request, never answer
  res.writeHead(status, headers);
  res.end(body);
});

parentPort.on("message", (msg) => {
  if (msg.type === "requests") parentPort.postMessage({ type: "requests", requests });
  if (msg.type === "close") {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage({ type: "closed" }));
  }
});

server.listen(0, "127.0.0.1", () => parentPort.postMessage({ type: "listening", port: server.address().port }));
