/**
 * The integration tests' snapshots (test/integ.*.ts.snapshot), checked
 * offline by integ-runner itself: it synthesizes each test app and compares
 * its templates with the committed ones, ignoring asset hashes. No AWS
 * account, credentials or network.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('every integ test synthesizes to its committed snapshot', () => {
  const root = path.join(__dirname, '..', '..');
  const run = spawnSync(process.execPath, [require.resolve('projen/bin/projen'), 'integ'], { cwd: root, encoding: 'utf-8', timeout: 120_000 });
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) {
    throw new Error('The integ snapshots differ from what the app synthesizes. If the change is intended, write them with'
      + ' `npx projen integ:snapshot` and, with AWS credentials, verify them with `npx projen integ:deploy`.\n\n' + output);
  }
  expect(output).toMatch(/UNCHANGED\s+integ\.email-identity-lookup/);
  expect(output).toMatch(/Tests:\s+1 passed, 1 total/);
}, 150_000);
