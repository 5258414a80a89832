// Transpile the component with `jco transpile` into gen/ (ES module + core wasm),
// and record which .wasm it came from (path, size, sha256) in gen/source.json so
// the wrapper can refuse a stale build.
//
// The component is S1_DFC_COMPONENT, defaulting to the repo's release build.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const { componentPath } = await import("../src/paths.js");
const wasm = componentPath();
if (!existsSync(wasm)) {
  console.error(`component not found: ${wasm}\n(set S1_DFC_COMPONENT, or run \`make build\` at the repo root)`);
  process.exit(1);
}
const bytes = readFileSync(wasm);
const sha256 = createHash("sha256").update(bytes).digest("hex");
const out = join(root, "gen");
const stamp = join(out, "source.json");
if (existsSync(stamp) && !process.argv.includes("--force")) {
  const old = JSON.parse(readFileSync(stamp, "utf8"));
  if (old.sha256 === sha256) {
    console.log(`gen/ is up to date with ${wasm}`);
    process.exit(0);
  }
}
rmSync(out, { recursive: true, force: true });
const jco = join(root, "node_modules", "@bytecodealliance", "jco", "dist", "jco.js");
execFileSync(process.execPath, [jco, "transpile", wasm, "--out-dir", out, "--name", "component", "--quiet"], {
  stdio: "inherit",
});
writeFileSync(stamp, JSON.stringify({ path: wasm, size: bytes.length, sha256 }, null, 2) + "\n");
console.log(`transpiled ${wasm} (${bytes.length} bytes, sha256 ${sha256.slice(0, 12)}…) into gen/`);
