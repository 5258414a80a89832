import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The repo root (hosts/node/src -> ../../..). */
export const repoRoot = resolve(here, "..", "..", "..");

/** The component: S1_DFC_COMPONENT, else the repo's release build. */
export function componentPath() {
  return resolve(
    process.env.S1_DFC_COMPONENT ||
      resolve(repoRoot, "target", "wasm32-wasip2", "release", "sentinelone_download_from_cloud.wasm"),
  );
}
