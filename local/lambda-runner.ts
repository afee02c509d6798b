/**
 * Runs a bundled Lambda handler the way Lambda would: a fresh Node process
 * (local/lambda-bootstrap.js) loads `index.js` from the asset directory and
 * calls `handler(event, context)` once, with the environment Lambda would set.
 * The one runner the tests, the demo and the bench share.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { FUNCTION_ENV } from './aws-environment';

export interface InvokeOptions {
  /** Extra environment, such as AWS_ENDPOINT_URL_SESV2 or real credentials. */
  readonly env?: Record<string, string | undefined>;
  /** What `context.getRemainingTimeInMillis()` starts from. @default 300000 (the function's timeout) */
  readonly timeoutMs?: number;
  /** Fake credentials and region for a local endpoint; false to use the caller's own. @default true */
  readonly localCredentials?: boolean;
  /** Called with each line of output as soon as it is written. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** HTTPS requests to `host` go to 127.0.0.1:`port` over HTTP instead (a ResponseReceiver's). */
  readonly redirectResponses?: { readonly host: string; readonly port: number };
  /** The handler's DNS resolvers ask this server (a FakeDnsServer's address) instead of the system's. */
  readonly dnsServer?: string;
  /** Timing marks from inside the process; 'modules' adds the files the handler loaded. */
  readonly timing?: boolean | 'modules';
}

export interface InvokeResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawning the process to its exit. */
  readonly elapsedMs: number;
  /** process.hrtime in µs, comparable with ReceivedResponse.receivedAtUs. */
  readonly spawnedAtUs: number;
  readonly exitedAtUs: number;
  /** With `timing`: before require(bundle), when the handler's promise settled, CPU µs in between. */
  readonly timing?: { requireStartUs: number; handlerDoneUs: number; cpuFromRequireUs: number; modules?: string[] };
}

/** The bundle the synthesized stack deploys, as the build leaves it. */
export const LOOKUP_BUNDLE_DIR = path.join(__dirname, '..', 'assets', 'handler', 'lookup.lambda');
const BOOTSTRAP = path.join(__dirname, 'lambda-bootstrap.js');

/** Runs the bundle once on `event`: a CloudFormation event, or what a schedule's target delivers. */
export function invokeBundle(bundleDir: string, event: object, options: InvokeOptions = {}): Promise<InvokeResult> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(options.localCredentials ?? true ? FUNCTION_ENV : Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('AWS_')))),
    ...options.env,
    LOCAL_LAMBDA_EVENT: JSON.stringify(event),
    LOCAL_LAMBDA_TIMEOUT_MS: String(options.timeoutMs ?? 300_000),
    LOCAL_LAMBDA_TIMING: options.timing ? String(options.timing) : undefined,
    LOCAL_DNS_SERVER: options.dnsServer,
    LOCAL_RESPONSE_HOST: options.redirectResponses?.host,
    LOCAL_RESPONSE_PORT: options.redirectResponses && String(options.redirectResponses.port),
  };
  const spawnedAtUs = nowUs();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BOOTSTRAP, path.join(bundleDir, 'index.js')], {
      env, cwd: bundleDir, stdio: ['ignore', 'pipe', 'pipe', options.timing ? 'pipe' : 'ignore'],
    });
    const output = { stdout: '', stderr: '', report: '' };
    const collect = (stream: Readable | null, name: keyof typeof output) => {
      let partial = '';
      // Decoded by the stream, so that a character split between chunks stays whole.
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        output[name] += chunk;
        if (name === 'report' || !options.onLine) return;
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        lines.forEach((line) => options.onLine?.(line, name));
      });
      stream?.on('end', () => partial && name !== 'report' && options.onLine?.(partial, name));
    };
    collect(child.stdout, 'stdout');
    collect(child.stderr, 'stderr');
    collect(child.stdio[3] as Readable | null, 'report');
    let exitedAtUs = 0;
    child.on('exit', () => { exitedAtUs = nowUs(); });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({
      exitCode,
      stdout: output.stdout,
      stderr: output.stderr,
      elapsedMs: (exitedAtUs - spawnedAtUs) / 1000,
      spawnedAtUs,
      exitedAtUs,
      timing: output.report ? JSON.parse(output.report) : undefined,
    }));
  });
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
