// The real component (S1_DFC_COMPONENT, default: the repo's release build),
// transpiled by jco, against loopback consoles this test starts on 127.0.0.1.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ActionError, componentPath, downloadFromCloud, invokeJson } from "../src/index.js";
import { startConsole } from "../support/console.js";

const TOKEN = "test-token-0123456789";
const THREAT_ID = "1462913347082287800";
const OK_BODY = '{"data":{"downloadUrl":"https://x.invalid/f","fileName":"abc"}}';
const AUTH_FAILED_BODY = '{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}';

test(`component: ${componentPath()}`, () => {});

describe("documented 200", () => {
  let server;
  before(async () => {
    server = await startConsole({
      status: 200,
      headers: { "Content-Type": "application/json", "X-RQID": "rq-1" },
      body: OK_BODY,
    });
  });
  after(() => server.close());

  test("downloadFromCloud returns the output record", async () => {
    const out = downloadFromCloud({ baseUrl: server.baseUrl, apiToken: TOKEN, threatId: THREAT_ID, timeoutMs: 5000 });
    assert.equal(out.statusCode, 200);
    assert.equal(out.reason, "OK");
    assert.deepEqual(JSON.parse(out.jsonBody), JSON.parse(OK_BODY));
    const headers = new Map(out.responseHeaders);
    assert.equal(headers.get("Content-Type"), "application/json");
    assert.equal(headers.get("X-RQID"), "rq-1");

    const [req, ...more] = await server.requests();
    assert.equal(more.length, 0);
    assert.equal(req.method, "GET");
    assert.equal(req.url, `/web/api/v2.1/threats/${THREAT_ID}/download-from-cloud`);
    assert.equal(req.headers.authorization, `ApiToken ${TOKEN}`);
    assert.equal(req.headers.accept, "application/json");
  });

  test("invokeJson returns the documented one-element array", () => {
    const request = JSON.stringify({
      connection: { base_url: server.baseUrl, api_token: TOKEN, timeout_ms: 5000 },
      inputs: { path_parameters: { threat_id: THREAT_ID } },
    });
    const [out, ...more] = JSON.parse(invokeJson(request));
    assert.equal(more.length, 0);
    assert.equal(out.status_code, 200);
    assert.equal(out.reason, "OK");
    assert.deepEqual(out.json_body, JSON.parse(OK_BODY));
    assert.equal(out.response_headers["X-RQID"], "rq-1");
  });
});

describe("401 is an http-status error", () => {
  let server;
  before(async () => {
    server = await startConsole({
      status: 401,
      headers: { "Content-Type": "application/json" },
      body: AUTH_FAILED_BODY,
    });
  });
  after(() => server.close());

  test("downloadFromCloud throws http-status carrying the whole answer, not retried", async () => {
    const err = assertThrowsActionError(() =>
      downloadFromCloud({ baseUrl: server.baseUrl, apiToken: TOKEN, threatId: THREAT_ID, timeoutMs: 5000 }),
    );
    assert.equal(err.kind, "http-status");
    assert.equal(err.output.statusCode, 401);
    assert.equal(err.output.reason, "Unauthorized");
    assert.deepEqual(JSON.parse(err.output.jsonBody), JSON.parse(AUTH_FAILED_BODY));
    assert.equal((await server.requests()).length, 1);
  });

  test("invokeJson's err arm names the kind, quotes errors[0], carries the output", () => {
    const request = JSON.stringify({
      connection: { base_url: server.baseUrl, api_token: TOKEN, timeout_ms: 5000 },
      inputs: { path_parameters: { threat_id: THREAT_ID } },
    });
    const err = assertThrowsActionError(() => invokeJson(request));
    assert.equal(err.kind, "http-status");
    assert.match(err.message, /Authentication Failed/);
    assert.match(err.message, /4010010/);
    assert.equal(err.output[0].status_code, 401);
    assert.ok(!err.json.includes(TOKEN));
  });
});

describe("invalid input sends nothing", () => {
  let server;
  before(async () => {
    server = await startConsole({ status: 200, headers: { "Content-Type": "application/json" }, body: OK_BODY });
  });
  after(() => server.close());

  test("a threat id that is not digits is invalid-input, and the server saw no request", async () => {
    const err = assertThrowsActionError(() =>
      downloadFromCloud({ baseUrl: server.baseUrl, apiToken: TOKEN, threatId: "12ab", timeoutMs: 5000 }),
    );
    assert.equal(err.kind, "invalid-input");
    assert.match(err.message, /^inputs\.path_parameters\.threat_id: /);

    const request = JSON.stringify({
      connection: { base_url: server.baseUrl, api_token: TOKEN, timeout_ms: 0 },
      inputs: { path_parameters: { threat_id: THREAT_ID } },
    });
    const jsonErr = assertThrowsActionError(() => invokeJson(request));
    assert.equal(jsonErr.kind, "invalid-input");
    assert.match(jsonErr.message, /^connection\.timeout_ms: /);

    assert.deepEqual(await server.requests(), []);
  });
});

describe("a console that never answers", () => {
  let server;
  before(async () => {
    server = await startConsole({ hang: true });
  });
  after(() => server.close());

  test("timeoutMs 500 yields timeout at the deadline", async () => {
    const started = performance.now();
    const err = assertThrowsActionError(() =>
      downloadFromCloud({ baseUrl: server.baseUrl, apiToken: TOKEN, threatId: THREAT_ID, timeoutMs: 500 }),
    );
    const elapsed = performance.now() - started;
    assert.equal(err.kind, "timeout");
    assert.match(err.message, /500 ms/);
    assert.ok(elapsed >= 450, `returned after ${elapsed.toFixed(0)} ms, before the deadline`);
    assert.ok(elapsed < 3000, `returned after ${elapsed.toFixed(0)} ms, long past the 500 ms deadline`);
    assert.equal((await server.requests()).length, 1, "the request did reach the server");
  });
});

function assertThrowsActionError(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ActionError, `expected an ActionError, got ${e?.stack ?? e}`);
    assert.ok(!e.message.includes(TOKEN), "the token leaked into the message");
    return e;
  }
  assert.fail("expected an ActionError, the call returned");
}
