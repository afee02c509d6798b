/**
 * Cold starts of a handler bundle, measured: a fresh Node process per run
 * (scripts/bench/bootstrap.js) against a local SES v2 endpoint, answering an
 * HTTPS response URL on 127.0.0.1:443.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HttpsResponseReceiver, makeCertificate, type TimedResponse } from './https-receiver';
import { asDelivered, DEPLOY_ENV, TemplateResolver, type CfnTemplate } from './template';
import { createEvent } from '../../local/cloudformation';
import { FakeSesServer, fullIdentity } from '../../local/fake-ses-server';

export const BOOTSTRAP = path.join(__dirname, 'bootstrap.js');
const REPO = path.join(__dirname, '..', '..');

/** Timestamps from bootstrap.js (µs, CLOCK_MONOTONIC). */
export interface Marks {
  readonly bootstrap: number;
  readonly requireStart: number;
  readonly requireEnd: number;
  readonly handlerDone: number;
  readonly GETSent?: number;
  readonly GETAnswered?: number;
  readonly PUTSent?: number;
  /** Around the handler's require of an SDK client from NODE_PATH, if it makes one. */
  readonly sdkRequireStart?: number;
  readonly sdkRequireEnd?: number;
}

export const PHASES = [
  ['nodeStartMs', 'Node start (spawn → require)'],
  ['loadMs', 'require(handler bundle)'],
  ['toSesRequestMs', 'invoke → SES request sent'],
  ['sdkRequireMs', '  of which require(runtime SDK)'],
  ['sesRoundTripMs', 'SES request → response headers'],
  ['toPutMs', 'SES response → response PUT sent'],
  ['putMs', 'PUT sent → received (TLS)'],
  ['exitMs', 'received → process exit'],
] as const;
export type PhaseName = typeof PHASES[number][0];

/** One cold run, in milliseconds. */
export interface ColdRun {
  /** Spawn to exit. */
  readonly wholeMs: number;
  /** Before require(bundle) to the response's last byte at the receiver. */
  readonly inProcessMs: number;
  /** CPU time (user + system, all threads) of the process until the handler's promise settled. */
  readonly cpuWholeMs: number;
  /** The same, from before require(bundle). */
  readonly cpuInProcessMs: number;
  readonly phases: Record<PhaseName, number>;
  readonly responseBytes: number;
}

/** One handler to run cold, and how to tell that it succeeded. */
export interface Invocation {
  readonly label: string;
  /** The asset directory: Lambda's /var/task. */
  readonly assetDir: string;
  readonly event: (responseUrl: string) => unknown;
  /** Throws unless the response is a success with the expected data. */
  readonly check: (response: TimedResponse) => void;
  /** Extra node options, such as --cpu-prof. */
  readonly nodeArgs?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
}

/** A run's figures, with the raw timestamps and, when asked for, the files it loaded. */
export interface DetailedRun extends ColdRun {
  readonly marks: Marks;
  readonly spawnedAt: number;
  readonly receivedAt: number;
  readonly modules?: string[];
}

/**
 * What every cold run shares: the local SES endpoint with the looked-up
 * identity in it, the HTTPS response URL, and the environment Lambda gives a
 * function.
 */
export class ColdStartRig {
  public static async start(workDir: string, identity: string): Promise<ColdStartRig> {
    const { certFile, keyFile } = makeCertificate(workDir);
    const home = fs.mkdtempSync(path.join(workDir, 'home-'));
    const ses = await FakeSesServer.start();
    ses.setIdentity(identity, fullIdentity(identity));
    const receiver = await HttpsResponseReceiver.start(certFile, keyFile);
    // Credentials and region in the environment, its SDK on NODE_PATH (here this
    // repo's node_modules, for /var/runtime/node_modules), no AWS config files
    // (an empty HOME). No Node warnings: the SDK warns about Node 20, which
    // Lambda's nodejs22.x/24.x runtimes would not.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      TZ: 'UTC',
      NODE_PATH: path.join(REPO, 'node_modules'),
      NODE_EXTRA_CA_CERTS: certFile,
      NODE_NO_WARNINGS: '1',
      AWS_REGION: DEPLOY_ENV.region,
      AWS_DEFAULT_REGION: DEPLOY_ENV.region,
      AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_SESSION_TOKEN: 'bench-session-token',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    };
    return new ColdStartRig(ses, receiver, env, identity);
  }

  private constructor(
    private readonly ses: FakeSesServer,
    private readonly receiver: HttpsResponseReceiver,
    public readonly env: Record<string, string>,
    /** The identity SES knows; the one to look up. */
    public readonly identity: string,
  ) {}

  /** The DKIM tokens a successful lookup of `identity` returns. */
  public get expectedTokens(): readonly string[] {
    return fullIdentity(this.identity).DkimAttributes?.Tokens ?? [];
  }

  /** Runs `invocation` once in a fresh process; with listModules, also returns the files it loaded. */
  public async run(invocation: Invocation, listModules = false): Promise<DetailedRun> {
    const responseUrl = this.receiver.url();
    const env = {
      ...this.env,
      ...invocation.env,
      BENCH_EVENT: JSON.stringify(invocation.event(responseUrl)),
      ...(listModules ? { BENCH_LIST_MODULES: '1' } : {}),
    };
    const response = this.receiver.response(responseUrl, 30_000);
    const spawnedAt = nowUs();
    const child = spawn(process.execPath, [...invocation.nodeArgs ?? [], BOOTSTRAP, path.join(invocation.assetDir, 'index.js')], {
      env, cwd: invocation.assetDir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let report = '';
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => { report += chunk.toString(); });
    const exited = new Promise<{ code: number | null; exitedAt: number }>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, exitedAt: nowUs() }));
    });
    const closed = new Promise((resolve) => child.on('close', resolve));

    let received: TimedResponse;
    try {
      received = await response;
    } catch (error) {
      child.kill();
      await closed;
      throw new Error(`${invocation.label}: ${(error as Error).message}\n${output}`);
    }
    const { code, exitedAt } = await exited;
    await closed;
    if (code !== 0) {
      throw new Error(`${invocation.label}: handler process exited with ${code}\n${output}`);
    }
    // A benchmark of failing runs is worthless.
    invocation.check(received);

    const { marks, modules, cpuUs } = JSON.parse(report) as { marks: Marks; modules?: string[]; cpuUs: { total: number; fromRequire: number } };
    if (marks.GETSent === undefined || marks.GETAnswered === undefined || marks.PUTSent === undefined) {
      throw new Error(`${invocation.label}: missing HTTP timestamps ${JSON.stringify(marks)}`);
    }
    const ms = (from: number, to: number) => (to - from) / 1000;
    return {
      wholeMs: ms(spawnedAt, exitedAt),
      inProcessMs: ms(marks.requireStart, received.receivedAtUs),
      cpuWholeMs: cpuUs.total / 1000,
      cpuInProcessMs: cpuUs.fromRequire / 1000,
      phases: {
        nodeStartMs: ms(spawnedAt, marks.requireStart),
        loadMs: ms(marks.requireStart, marks.requireEnd),
        toSesRequestMs: ms(marks.requireEnd, marks.GETSent),
        sdkRequireMs: marks.sdkRequireStart === undefined ? 0 : ms(marks.sdkRequireStart, marks.sdkRequireEnd ?? marks.sdkRequireStart),
        sesRoundTripMs: ms(marks.GETSent, marks.GETAnswered),
        toPutMs: ms(marks.GETAnswered, marks.PUTSent),
        putMs: ms(marks.PUTSent, received.receivedAtUs),
        exitMs: ms(received.receivedAtUs, exitedAt),
      },
      responseBytes: received.bytes,
      marks,
      spawnedAt,
      receivedAt: received.receivedAtUs,
      modules,
    };
  }

  public async stop(): Promise<void> {
    await this.receiver.stop();
    await this.ses.stop();
  }
}

/**
 * The Create event CloudFormation would send for the first resource of
 * `lookupType` in a synthesized template.
 */
export function createEventFor(template: CfnTemplate, lookupType: string, stackName: string): (responseUrl: string) => unknown {
  const [logicalId, lookup] = Object.entries(template.Resources).find(([, resource]) => resource.Type === lookupType) ?? [];
  if (!logicalId || !lookup) {
    throw new Error(`No ${lookupType} in the template`);
  }
  const { ServiceToken: _serviceToken, ...properties } = lookup.Properties ?? {};
  const delivered = asDelivered(properties, new TemplateResolver(template, stackName)) as Record<string, unknown>;
  const stackId = `arn:aws:cloudformation:${DEPLOY_ENV.region}:${DEPLOY_ENV.account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`;
  return (responseUrl) => ({ ...createEvent(delivered, { responseUrl, logicalResourceId: logicalId, stackId }), ResourceType: lookup.Type });
}

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ColdFigures {
  readonly runs: ColdRun[];
  readonly wholeMs: Stat;
  readonly inProcessMs: Stat;
  readonly cpuWholeMs: Stat;
  readonly cpuInProcessMs: Stat;
  /** Median of each phase; they need not add up to the median total. */
  readonly phasesMs: Record<PhaseName, number>;
  readonly responseBytes: number;
}

export function coldFigures(runs: ColdRun[]): ColdFigures {
  return {
    runs,
    wholeMs: stat(runs.map((run) => run.wholeMs)),
    inProcessMs: stat(runs.map((run) => run.inProcessMs)),
    cpuWholeMs: stat(runs.map((run) => run.cpuWholeMs)),
    cpuInProcessMs: stat(runs.map((run) => run.cpuInProcessMs)),
    phasesMs: Object.fromEntries(PHASES.map(([name]) => [name, round(median(runs.map((run) => run.phases[name])), 1)])) as Record<PhaseName, number>,
    responseBytes: runs[0].responseBytes,
  };
}

export function stat(values: readonly number[]): Stat {
  return { median: round(median(values), 1), min: round(Math.min(...values), 1), max: round(Math.max(...values), 1) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
