/**
 * What EmailIdentityLookup's cold start spends its time on, and what would
 * shorten it. Companion to scripts/bench.ts, on the same rig:
 *
 *   npx projen bundle
 *   npx ts-node --project tsconfig.dev.json scripts/bench/diagnose.ts [--runs 15] [--profiles 5]
 *
 * 1. Variants of the handler bundle, each run cold `--runs` times, round-robin:
 *    - shipped: assets/handler/lookup.lambda as `npx projen bundle` made it;
 *    - split load: the same file loaded by a small index.js that times read,
 *      compile and evaluation separately;
 *    - env credentials: rebuilt with the projen task's esbuild arguments plus an
 *      alias that replaces the SDK's default credential chain with its
 *      environment provider (Lambda always passes credentials there);
 *    - code cache: the same build (without import(), see below) loaded with a
 *      V8 code cache that one earlier invocation on this Node version wrote;
 *    - env credentials + code cache;
 *    - SigV4 signer, no SDK client: a sketch of the handler that signs its GET
 *      with @smithy/signature-v4 and keeps this library's response code;
 *    - no SDK: a plain http GET and https PUT, the floor for any Node handler.
 *    Every run must answer SUCCESS with the identity's DKIM tokens.
 * 2. CPU profiles (--cpu-prof) of an unminified but otherwise identical build,
 *    samples attributed to a phase (by time) and an npm package (by the
 *    bundle's `// node_modules/...` comments).
 *
 * Writes bench-results/diagnose.json. Nothing here changes src/ or assets/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as zlib from 'node:zlib';
import { ColdStartRig, median, round, stat, type DetailedRun, type Invocation, type Marks } from './cold-start';
import { createEvent } from '../../local/cloudformation';

const REPO = path.join(__dirname, '..', '..');
const SHIPPED = path.join(REPO, 'assets', 'handler', 'lookup.lambda');
const RESULTS = path.join(REPO, 'bench-results', 'diagnose.json');
const BUNDLE_TASK = 'bundle:handler/lookup.lambda';
const IDENTITY = 'domain-1.example.com';

// ---------------------------------------------------------------------------
// Bundle variants

/** The projen task's esbuild arguments, so that rebuilt variants differ only where intended. */
function projenEsbuildArgs(): string[] {
  const tasks = JSON.parse(fs.readFileSync(path.join(REPO, '.projen', 'tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps: Array<{ execArgs?: string[] }> }>;
  };
  const args = tasks.tasks[BUNDLE_TASK]?.steps.find((step) => step.execArgs?.[0] === 'esbuild')?.execArgs;
  if (!args) {
    throw new Error(`No esbuild step in the projen task ${BUNDLE_TASK}`);
  }
  return args.slice(1).filter((arg) => !arg.startsWith('--outfile='));
}

function esbuild(assetDir: string, args: readonly string[]): string {
  execFileSync(path.join(REPO, 'node_modules', '.bin', 'esbuild'), [...args, `--outfile=${path.join(assetDir, 'index.js')}`, '--log-level=warning'], {
    cwd: REPO,
    // Lets files outside the repo (the alias below) import packages from it.
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    stdio: 'inherit',
  });
  return assetDir;
}

/** Stands in for @aws-sdk/credential-provider-node: Lambda always sets AWS_ACCESS_KEY_ID and friends. */
const ENV_CREDENTIALS = 'export { fromEnv as defaultProvider } from \'@aws-sdk/credential-provider-env\';\n';

/**
 * An index.js that loads bundle.js itself, timing read, compile and
 * evaluation (in globalThis.benchMarks, which bootstrap.js reports), and with
 * `cache` uses bundle.cache: a V8 code cache, written at exit when absent.
 */
function loader(cache: boolean): string {
  return `'use strict';
const fs = require('node:fs'), path = require('node:path'), vm = require('node:vm'), Module = require('node:module');
const now = () => Number(process.hrtime.bigint() / 1000n);
const marks = globalThis.benchMarks = { loaderStart: now() };
const filename = path.join(__dirname, 'bundle.js');
const cacheFile = path.join(__dirname, 'bundle.cache');
const source = fs.readFileSync(filename, 'utf8');
const cachedData = ${cache} && fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined;
marks.read = now();
// The bundle has import() calls (node:http): resolve them as require's own loader would.
const script = new vm.Script(Module.wrap(source), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
marks.compiled = now();
if (cachedData) marks.cacheRejected = script.cachedDataRejected ? 1 : 0;
script.runInThisContext()(module.exports, require, module, filename, __dirname);
marks.evaluated = now();
if (${cache} && !cachedData) {
  // Made after the invocation, so that it holds the functions the first request compiled.
  process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
}
`;
}

function loaded(assetDir: string, bundleFile: string, cache: boolean): string {
  fs.mkdirSync(assetDir, { recursive: true });
  fs.copyFileSync(bundleFile, path.join(assetDir, 'bundle.js'));
  fs.writeFileSync(path.join(assetDir, 'index.js'), loader(cache));
  return assetDir;
}

/** The least any Node handler does: GET the identity, PUT the answer. Unsigned; SigV4 is a few HMACs. */
const NO_SDK_HANDLER = `'use strict';
const http = require('node:http'), https = require('node:https');
exports.handler = async (event) => {
  const name = event.ResourceProperties.EmailIdentity;
  const url = new URL('/v2/email/identities/' + encodeURIComponent(name), process.env.AWS_ENDPOINT_URL_SESV2);
  const identity = await new Promise((resolve, reject) => (url.protocol === 'https:' ? https : http).get(url, (response) => {
    let body = '';
    response.on('data', (chunk) => { body += chunk; });
    response.on('end', () => resolve(JSON.parse(body)));
  }).on('error', reject));
  const [DkimToken1, DkimToken2, DkimToken3] = identity.DkimAttributes.Tokens;
  const body = JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: name, StackId: event.StackId, RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId, Data: { DkimToken1, DkimToken2, DkimToken3 } });
  await new Promise((resolve, reject) => https.request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
    (response) => { response.resume(); resolve(); }).on('error', reject).end(body));
};
`;

/**
 * A sketch, for measuring only: the SDK's SigV4 signer and this library's
 * response code, without the SES client (its serde, endpoint rules, retries
 * and credential chain). Timestamps stay epoch seconds: no deserializer.
 */
function sigv4Handler(): string {
  return `import * as http from 'node:http';
import * as https from 'node:https';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { sendResponse, successBody } from '${path.join(REPO, 'src', 'handler', 'response')}';

const region = process.env.AWS_REGION;
const endpoint = new URL(process.env.AWS_ENDPOINT_URL_SESV2 || 'https://email.' + region + '.amazonaws.com');
const signer = new SignatureV4({
  service: 'ses', region, sha256: Sha256,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN },
});

export async function handler(event) {
  const name = event.ResourceProperties.EmailIdentity;
  const signed = await signer.sign({
    method: 'GET', protocol: endpoint.protocol, hostname: endpoint.hostname, port: endpoint.port ? Number(endpoint.port) : undefined,
    path: '/v2/email/identities/' + encodeURIComponent(name), query: {}, headers: { host: endpoint.host },
  });
  const identity = await new Promise((resolve, reject) => (endpoint.protocol === 'http:' ? http : https)
    .request({ method: 'GET', hostname: signed.hostname, port: signed.port, path: signed.path, headers: signed.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject).end());
  const envelope = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: name };
  await sendResponse(event.ResponseURL, successBody(envelope, identity));
}
`;
}

interface BundleVariant {
  readonly name: string;
  readonly assetDir: string;
  /** The file to size: what Lambda would load. */
  readonly files: string[];
}

function buildVariants(workDir: string): BundleVariant[] {
  const dir = (name: string) => path.join(workDir, name);
  const args = projenEsbuildArgs();
  fs.writeFileSync(path.join(workDir, 'env-credentials.ts'), ENV_CREDENTIALS);
  const envArgs = [...args, `--alias:@aws-sdk/credential-provider-node=${path.join(workDir, 'env-credentials.ts')}`];
  // On Node 20 a script compiled from a code cache loses its import() callback:
  // esbuild turns the bundle's few import() of Node built-ins into require().
  const noImport = '--supported:dynamic-import=false';
  const bundle = (name: string, esbuildArgs: string[]) => path.join(esbuild(dir(name), esbuildArgs), 'index.js');
  const shippedFile = path.join(SHIPPED, 'index.js');
  const envFile = bundle('env-credentials', envArgs);
  const cacheFile = bundle('cache-bundle', [...args, noImport]);
  const envCacheFile = bundle('env-cache-bundle', [...envArgs, noImport]);
  fs.writeFileSync(path.join(workDir, 'sigv4-handler.js'), sigv4Handler());
  const sigv4File = bundle('sigv4', [path.join(workDir, 'sigv4-handler.js'), ...args.filter((arg) => !arg.endsWith('.ts'))]);
  fs.mkdirSync(dir('no-sdk'));
  fs.writeFileSync(path.join(dir('no-sdk'), 'index.js'), NO_SDK_HANDLER);
  return [
    { name: 'shipped', assetDir: SHIPPED, files: [shippedFile] },
    { name: 'split load (shipped)', assetDir: loaded(dir('split'), shippedFile, false), files: [shippedFile] },
    { name: 'env credentials', assetDir: path.dirname(envFile), files: [envFile] },
    { name: 'code cache', assetDir: loaded(dir('cache'), cacheFile, true), files: [cacheFile, path.join(dir('cache'), 'bundle.cache')] },
    {
      name: 'env credentials + code cache',
      assetDir: loaded(dir('env-cache'), envCacheFile, true),
      files: [envCacheFile, path.join(dir('env-cache'), 'bundle.cache')],
    },
    { name: 'SigV4 signer, no SDK client (sketch)', assetDir: path.dirname(sigv4File), files: [sigv4File] },
    { name: 'no SDK (floor)', assetDir: dir('no-sdk'), files: [path.join(dir('no-sdk'), 'index.js')] },
  ];
}

// ---------------------------------------------------------------------------
// CPU profiles

interface CpuProfile {
  readonly nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  readonly startTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** The package each line of an unminified esbuild bundle comes from, from its `// path` comments. */
function packageByLine(bundleFile: string): (line: number) => string | undefined {
  const starts: Array<[number, string]> = [];
  fs.readFileSync(bundleFile, 'utf8').split('\n').forEach((text, line) => {
    const match = /^\/\/ ((?:node_modules\/)?(@[^/]+\/)?[^/\s]+)(?:\/.*?\/submodules\/([^/]+))?/.exec(text);
    if (match && !text.startsWith('// Annotate')) {
      const name = match[1].replace(/^node_modules\//, '');
      starts.push([line, match[3] ? `${name}/${match[3]}` : name === 'src' ? 'src (this library)' : name]);
    }
  });
  // Before the first comment: esbuild's runtime (module init wrappers), which belongs to whatever it runs.
  return (line) => {
    let found: string | undefined;
    for (const [start, name] of starts) {
      if (start > line) break;
      found = name;
    }
    return found;
  };
}

const PROFILE_PHASES = [
  ['load', 'require(bundle)'],
  ['toRequest', 'invoke → SES request sent'],
  ['toPut', 'SES request → response PUT sent'],
  ['put', 'PUT → handler done'],
] as const;
type ProfilePhase = typeof PROFILE_PHASES[number][0];

/** Sampled CPU time in µs by phase, then by what was running: a package, or V8/Node itself. */
type PhaseCategories = Record<ProfilePhase, Record<string, number>>;

function attribute(profile: CpuProfile, bundleFile: string, packageOf: (line: number) => string | undefined, marks: Marks): PhaseCategories {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    node.children?.forEach((child) => parents.set(child, node.id));
  }
  const bundleUrl = `file://${bundleFile}`;
  // The innermost recognisable frame decides: Node's own work on the bundle's behalf
  // (loading built-ins, reading and compiling the file), else the bundle code that ran.
  const categoryOf = (id: number): string => {
    const leaf = nodes.get(id)!.callFrame.functionName;
    if (leaf === '(garbage collector)') return 'V8: garbage collection';
    if (leaf === '(program)') return 'V8: (program): parsing, compiling, runtime';
    if (leaf === '(idle)') return 'idle: waiting for I/O';
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const frame = nodes.get(current)!.callFrame;
      if (frame.functionName === 'compileForInternalLoader') return 'Node.js: loading built-in modules (http, https, tls, net, crypto...)';
      if (frame.functionName === 'wrapSafe') return 'V8: compiling the bundle (top level)';
      if (frame.functionName === 'loadSource') return 'Node.js: reading the bundle file';
      const name = frame.url === bundleUrl ? packageOf(frame.lineNumber) : undefined;
      if (name) return name;
    }
    return 'Node.js: other (net, tls, http, bootstrap)';
  };
  const phaseOf = (time: number): ProfilePhase | undefined => {
    if (time < marks.requireStart || time > marks.handlerDone) return undefined;
    if (time < marks.requireEnd) return 'load';
    if (time < (marks.GETSent ?? 0)) return 'toRequest';
    if (time < (marks.PUTSent ?? 0)) return 'toPut';
    return 'put';
  };
  const result = Object.fromEntries(PROFILE_PHASES.map(([phase]) => [phase, {}])) as PhaseCategories;
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index];
    // A sample stands for the interval up to the next one.
    const weight = profile.timeDeltas[index + 1] ?? 0;
    const phase = phaseOf(time);
    if (phase) {
      const category = categoryOf(id);
      result[phase][category] = (result[phase][category] ?? 0) + weight;
    }
  });
  return result;
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, profiles: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  const profiles = Number(values.profiles);
  if (!fs.existsSync(path.join(SHIPPED, 'index.js'))) {
    throw new Error('No handler bundle in assets/: run `npx projen bundle` first.');
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ses-lookup-diagnose-'));
  const rig = await ColdStartRig.start(workDir, IDENTITY);
  try {
    const variants = buildVariants(workDir);
    const invocation = (variant: BundleVariant, extra: Partial<Invocation> = {}): Invocation => ({
      label: variant.name,
      assetDir: variant.assetDir,
      // As the construct synthesizes it (see scripts/bench.ts, which takes it from the template).
      event: (responseUrl) => createEvent({ ServiceTimeout: '360', EmailIdentity: IDENTITY }, { responseUrl, logicalResourceId: 'Identity1D3F89DAF' }),
      check: (response) => {
        const data = response.body.Data ?? {};
        if (response.body.Status !== 'SUCCESS' || [data.DkimToken1, data.DkimToken2, data.DkimToken3].join() !== rig.expectedTokens.join()) {
          throw new Error(`${variant.name}: unexpected response ${response.raw.slice(0, 300)}`);
        }
      },
      ...extra,
    });

    // --- 1. Bundle variants. The first run of each is a warm-up, and makes the code caches.
    console.log(`Bundle variants: 1 warm-up + ${runs} runs each, round-robin...`);
    for (const variant of variants) {
      await rig.run(invocation(variant));
    }
    const results = new Map<string, DetailedRun[]>(variants.map((variant) => [variant.name, []]));
    for (let run = 0; run < runs; run++) {
      // Rotate the order, so that no variant always runs after the same one.
      for (let offset = 0; offset < variants.length; offset++) {
        const variant = variants[(run + offset) % variants.length];
        results.get(variant.name)!.push(await rig.run(invocation(variant)));
      }
    }

    // --- 2. CPU profiles of an unminified build.
    console.log(`CPU profiles: ${profiles} runs of an unminified build...`);
    const plainDir = esbuild(path.join(workDir, 'unminified'), projenEsbuildArgs().filter((arg) => arg !== '--minify'));
    const plainBundle = path.join(plainDir, 'index.js');
    const packageOf = packageByLine(plainBundle);
    const profileTotals = Object.fromEntries(PROFILE_PHASES.map(([phase]) => [phase, {}])) as PhaseCategories;
    const profiledRuns: DetailedRun[] = [];
    for (let run = 0; run < profiles; run++) {
      const profileDir = path.join(workDir, `profile-${run}`);
      const detailed = await rig.run(invocation({ name: 'unminified, profiled', assetDir: plainDir, files: [] }, {
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=250'],
      }));
      profiledRuns.push(detailed);
      const [file] = fs.readdirSync(profileDir);
      const profile = JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
      const attributed = attribute(profile, plainBundle, packageOf, detailed.marks);
      for (const [phase, categories] of Object.entries(attributed) as Array<[ProfilePhase, Record<string, number>]>) {
        for (const [category, us] of Object.entries(categories)) {
          profileTotals[phase][category] = (profileTotals[phase][category] ?? 0) + us;
        }
      }
    }

    // --- Report.
    const variantFigures = variants.map((variant) => {
      const variantRuns = results.get(variant.name)!;
      const contents = variant.files.map((file) => fs.readFileSync(file));
      const loaderMarks = (select: (marks: LoaderMarks) => number | undefined) => {
        const values_ = variantRuns.map((run) => select(run.marks as LoaderMarks)).filter((value): value is number => value !== undefined);
        return values_.length > 0 ? round(median(values_) / 1000, 1) : undefined;
      };
      return {
        variant: variant.name,
        bytes: contents.reduce((total, content) => total + content.length, 0),
        gzipBytes: contents.reduce((total, content) => total + zlib.gzipSync(content, { level: 9 }).length, 0),
        inProcessMs: stat(variantRuns.map((run) => run.inProcessMs)),
        wholeMs: stat(variantRuns.map((run) => run.wholeMs)),
        cpuInProcessMs: stat(variantRuns.map((run) => run.cpuInProcessMs)),
        phasesMs: Object.fromEntries(Object.keys(variantRuns[0].phases).map((name) =>
          [name, round(median(variantRuns.map((run) => run.phases[name as keyof DetailedRun['phases']])), 1)])),
        loadSplitMs: {
          read: loaderMarks((marks) => marks.read !== undefined ? marks.read - marks.loaderStart! : undefined),
          compile: loaderMarks((marks) => marks.compiled !== undefined ? marks.compiled - marks.read! : undefined),
          evaluate: loaderMarks((marks) => marks.evaluated !== undefined ? marks.evaluated - marks.compiled! : undefined),
        },
        codeCacheRejected: variantRuns.some((run) => (run.marks as LoaderMarks).cacheRejected === 1),
      };
    });
    const profileFigures = Object.fromEntries(PROFILE_PHASES.map(([phase]) => [phase, Object.fromEntries(
      Object.entries(profileTotals[phase]).sort(([, a], [, b]) => b - a).map(([category, us]) => [category, round(us / profiles / 1000, 1)]),
    )]));
    const output = {
      machine: {
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        node: process.version,
        date: new Date().toISOString(),
        loadAverage: os.loadavg(),
      },
      runs,
      profiles,
      variants: variantFigures,
      profileMsPerRun: profileFigures,
      profiledRunPhasesMs: Object.fromEntries(Object.keys(profiledRuns[0].phases).map((name) =>
        [name, round(median(profiledRuns.map((run) => run.phases[name as keyof DetailedRun['phases']])), 1)])),
    };
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, JSON.stringify(output, undefined, 2) + '\n');

    console.log(`\nOur handler, variants: median of ${runs} cold runs each; ms, wall time unless marked CPU`);
    printTable(
      ['variant', 'bytes', 'gzip', 'in-process', 'CPU in-process', 'whole', 'require', '→ SES sent', '→ PUT sent', 'read/compile/evaluate'],
      variantFigures.map((figures) => [
        figures.variant,
        String(figures.bytes),
        String(figures.gzipBytes),
        figures.inProcessMs.median.toFixed(1),
        figures.cpuInProcessMs.median.toFixed(1),
        figures.wholeMs.median.toFixed(1),
        figures.phasesMs.loadMs.toFixed(1),
        figures.phasesMs.toSesRequestMs.toFixed(1),
        (figures.phasesMs.sesRoundTripMs + figures.phasesMs.toPutMs).toFixed(1),
        figures.loadSplitMs.compile === undefined ? '' : `${figures.loadSplitMs.read} / ${figures.loadSplitMs.compile} / ${figures.loadSplitMs.evaluate}`
          + (figures.codeCacheRejected ? ' (cache REJECTED)' : ''),
      ]),
    );
    console.log(`\nCPU profile of the unminified build: ms per run (mean of ${profiles}), by phase and by what ran (top 8)`);
    for (const [phase, label] of PROFILE_PHASES) {
      const entries = Object.entries(profileFigures[phase]);
      const total = entries.reduce((sum, [, ms]) => sum + ms, 0);
      console.log(`  ${label}: ${total.toFixed(1)} ms sampled`);
      for (const [category, ms] of entries.slice(0, 8)) {
        console.log(`    ${ms.toFixed(1).padStart(6)}  ${category}`);
      }
    }
    console.log(`\nFigures written to ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    await rig.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** Marks the loader adds, in globalThis.benchMarks. */
interface LoaderMarks extends Marks {
  readonly loaderStart?: number;
  readonly read?: number;
  readonly compiled?: number;
  readonly evaluated?: number;
  readonly cacheRejected?: number;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  rows.forEach((row) => console.log(line(row)));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
