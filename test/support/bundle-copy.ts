/**
 * A handler bundle as Lambda holds it: a copy outside the repository, where
 * require() cannot fall back on its node_modules, so the bundle must carry
 * its own SDK.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Copies the bundle in `bundleDir` to a fresh temporary folder; `name` says which, in the error when it was never built. */
export function copyOfBundle(bundleDir: string, name: string): string {
  const entry = path.join(bundleDir, 'index.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`The ${name} bundle ${entry} is missing: run "npx projen bundle" (the test task does it before jest).`);
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-bundle-`));
  fs.cpSync(bundleDir, copy, { recursive: true });
  return copy;
}
