/**
 * Jest's global setup and teardown: the test run's temporary files go to a
 * folder of its own, removed at the end. aws-cdk-lib synthesizes every App
 * without an outdir into a fresh temporary folder, hundreds a run, and
 * nothing else would remove them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const OWN = 'SES_LOOKUP_TEST_TMPDIR';

export async function setup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ses-lookup-tests-'));
  // The workers start after this, with this environment: os.tmpdir() is the folder there.
  process.env[OWN] = dir;
  process.env.TMPDIR = dir;
}

export async function teardown(): Promise<void> {
  const dir = process.env[OWN];
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
