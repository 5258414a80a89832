// The SentinelOne "Download From Cloud" component, run in Node through
// `jco transpile` + @bytecodealliance/preview2-shim.
//
//   import { downloadFromCloud, invokeJson, ActionError } from "./src/index.js";
//
// Both calls are synchronous: the component blocks the calling thread while
// the shim's worker thread does the HTTP (see README.md).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { componentPath } from "./paths.js";

export { componentPath };

const genDir = fileURLToPath(new URL("../gen/", import.meta.url));
const stampPath = `${genDir}source.json`;

function checkBuild() {
  const wasm = componentPath();
  if (!existsSync(stampPath)) {
    throw new Error(`hosts/node/gen/ is missing: run \`npm run build\` in hosts/node (component: ${wasm})`);
  }
  const stamp = JSON.parse(readFileSync(stampPath, "utf8"));
  if (!existsSync(wasm)) {
    throw new Error(`component not found: ${wasm} (set S1_DFC_COMPONENT, or run \`make build\`)`);
  }
  const sha256 = createHash("sha256").update(readFileSync(wasm)).digest("hex");
  if (sha256 !== stamp.sha256) {
    throw new Error(
      `hosts/node/gen/ was transpiled from another component (${stamp.path}); ` +
        `run \`npm run build\` in hosts/node to transpile ${wasm}`,
    );
  }
}

checkBuild();
const { downloadFromCloud: action } = await import("../gen/component.js");

/** Why the action did not produce a download link: one of the WIT `action-error` cases. */
export class ActionError extends Error {
  /**
   * @param {"invalid-input"|"http-status"|"timeout"|"transport"|"invalid-response"} kind
   * @param {string} message
   * @param {object} [extra] `output` for http-status; `json` (the raw err arm) from invokeJson
   */
  constructor(kind, message, extra = {}) {
    super(message);
    this.name = "ActionError";
    this.kind = kind;
    if (extra.output !== undefined) this.output = extra.output;
    if (extra.json !== undefined) this.json = extra.json;
  }
}

// jco throws a WIT `err(...)` as a ComponentError whose own `payload` is the error value;
// anything else (a trap, a lowering TypeError) is rethrown as is.
function errPayload(e) {
  if (e && typeof e === "object" && Object.prototype.hasOwnProperty.call(e, "payload")) return e.payload;
  throw e;
}

/**
 * Ask the console for a threat file's download link.
 *
 * @param {{baseUrl: string, apiToken: string, threatId: string, timeoutMs?: number, maxRetries?: number}} args
 * @returns {{statusCode: number, reason: string, responseHeaders: [string, string][], jsonBody: string}}
 *   the WIT `output` record (jsonBody is JSON text)
 * @throws {ActionError} kind is the `action-error` case; `output` is set for http-status
 */
export function downloadFromCloud({ baseUrl, apiToken, threatId, timeoutMs, maxRetries }) {
  const connection = { baseUrl, apiToken, timeoutMs: timeoutMs ?? undefined, maxRetries: maxRetries ?? undefined };
  try {
    return action.downloadFromCloud(connection, { pathParameters: { threatId } });
  } catch (e) {
    const err = errPayload(e);
    if (err.tag === "http-status") {
      throw new ActionError(err.tag, `the console answered ${err.val.statusCode} ${err.val.reason}`.trimEnd(), {
        output: err.val,
      });
    }
    throw new ActionError(err.tag, err.val);
  }
}

/**
 * The JSON entry point: the README's request shape in, the documented one-element
 * JSON array out (as text).
 *
 * @param {string} request
 * @returns {string} the ok arm
 * @throws {ActionError} from the err arm `{"error": {kind, message, output?}}`; `json` is that text
 */
export function invokeJson(request) {
  try {
    return action.invokeJson(request);
  } catch (e) {
    const json = errPayload(e);
    const { error } = JSON.parse(json);
    throw new ActionError(error.kind, error.message, { output: error.output, json });
  }
}
