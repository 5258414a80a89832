import { Worker } from "node:worker_threads";

/**
 * Start a loopback console (node:http on 127.0.0.1, random port) in a worker thread.
 * @param {{status?: number, headers?: object, body?: string, hang?: boolean}} behaviour
 */
export async function startConsole(behaviour) {
  const worker = new Worker(new URL("./console-worker.js", import.meta.url), {
    workerData: behaviour,
    execArgv: [], // not the parent's (e.g. --input-type=module, which a file worker refuses)
  });
  const waiting = new Map(); // message type -> resolve
  const failed = new Promise((_, reject) => worker.once("error", reject));
  worker.on("message", (msg) => {
    const resolve = waiting.get(msg.type);
    waiting.delete(msg.type);
    resolve?.(msg);
  });
  const next = (type) => Promise.race([new Promise((resolve) => waiting.set(type, resolve)), failed]);
  const { port } = await next("listening");
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    /** What the server received so far (a round trip, so it is current). */
    async requests() {
      const reply = next("requests");
      worker.postMessage({ type: "requests" });
      return (await reply).requests;
    },
    async close() {
      const reply = next("closed");
      worker.postMessage({ type: "close" });
      await reply;
      await worker.terminate();
    },
  };
}
