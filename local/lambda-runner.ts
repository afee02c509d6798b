/**
 * Runs a bundled Lambda handler the way Lambda would: a fresh Node process
 * loads `index.js` from the asset directory and calls `handler(event, context)`
 * once, with the environment Lambda would set.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

export interface InvokeOptions {
  /** Extra environment, such as AWS_ENDPOINT_URL_SESV2 or real credentials. */
  readonly env?: Record<string, string | undefined>;
  /** What `context.getRemainingTimeInMillis()` starts from. @default 300000 (the function's timeout) */
  readonly timeoutMs?: number;
  /** Fake credentials and region for a local endpoint; false to use the caller's own. @default true */
  readonly localCredentials?: boolean;
}

export interface InvokeResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawning the process to its exit. */
  readonly elapsedMs: number;
}

/** The bundle the synthesized stack deploys, as the build leaves it. */
export const LOOKUP_BUNDLE_DIR = path.join(__dirname, '..', 'assets', 'handler', 'lookup.lambda');

const BOOTSTRAP = `
const { handler } = require(process.argv[1]);
const event = JSON.parse(process.env.LOCAL_LAMBDA_EVENT);
const deadline = Date.now() + Number(process.env.LOCAL_LAMBDA_TIMEOUT_MS);
Promise.resolve(handler(event, { getRemainingTimeInMillis: () => deadline - Date.now() }))
  .catch((error) => { console.error(error); process.exitCode = 1; });
`;

export function invokeBundle(bundleDir: string, event: CloudFormationCustomResourceEvent, options: InvokeOptions = {}): Promise<InvokeResult> {
  const localCredentials = options.localCredentials ?? true;
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(localCredentials
      ? { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST', AWS_SECRET_ACCESS_KEY: 'local-test-secret' }
      : pickAwsEnvironment()),
    ...options.env,
    LOCAL_LAMBDA_EVENT: JSON.stringify(event),
    LOCAL_LAMBDA_TIMEOUT_MS: String(options.timeoutMs ?? 300_000),
  };
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', BOOTSTRAP, path.join(bundleDir, 'index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({
      exitCode,
      stdout,
      stderr,
      elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
    }));
  });
}

/** The caller's AWS settings, for looking up a real identity. */
function pickAwsEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('AWS_')));
}
