/**
 * The real CDK CLI (npm `aws-cdk`), run as a user runs `cdk synth`: the tests
 * that drive it share this one runner, and read what it printed as one text.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const CDK = path.join(__dirname, '..', '..', 'node_modules', 'aws-cdk', 'bin', 'cdk');

/** What `cdk synth` left: its exit code and everything it printed, stdout and stderr in order. */
export interface CliRun {
  readonly code: number | null;
  readonly output: string;
}

/** `cdk synth --app APP` in `cwd`, writing to `cwd/cdk.out`, with only the environment given (no notices, no telemetry report). */
export function cdkSynth(app: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  const args = [CDK, 'synth', '--app', app, '--output', path.join(cwd, 'cdk.out'), '--no-notices', '--no-version-reporting', '--quiet'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
