/**
 * Benchmark: EmailIdentityLookup against the AwsCustomResource a user would
 * write instead (SESV2 getEmailIdentity, PhysicalResourceId.of(name),
 * AwsCustomResourcePolicy.fromSdkCalls({ resources: [identityArn] })).
 *
 *   npx projen bundle
 *   npx ts-node --project tsconfig.dev.json scripts/bench.ts [--runs 20] [--synth-runs 3]
 *
 * Everything stays on 127.0.0.1: a local SES v2 endpoint, and CloudFormation's
 * response URL played by an HTTPS server on port 443 (so it needs root, or
 * CAP_NET_BIND_SERVICE). It prints tables and writes the same figures to
 * bench-results/bench.json. Missed targets are findings, not errors: the exit
 * code only says whether the benchmark itself ran.
 *
 * 1. Stacks of 1, 50 and 400 lookups of each variant are synthesized in this
 *    process with the context the CDK CLI gives a new project, and measured:
 *    synth time, template bytes, resources, Lambda functions, the handler
 *    role's IAM policy size, service limits.
 * 2. Each variant's handler is taken from the 1-lookup cloud assembly (the
 *    function's aws:asset:path) and run cold in fresh Node processes on the
 *    Create event CloudFormation would send, the two variants alternating.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as zlib from 'node:zlib';
import { App, Stack } from 'aws-cdk-lib';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { EmailIdentityLookup } from '../src';
import {
  BOOTSTRAP, coldFigures, ColdStartRig, createEventFor, median, PHASES, round,
  type ColdFigures, type ColdRun, type Invocation, type Stat,
} from './bench/cold-start';
import type { TimedResponse } from './bench/https-receiver';
import { functionRolePolicies, iamProblems, LIMITS, sum, TemplateResolver, type CfnTemplate, type RolePolicies } from './bench/template';
import { printScaleSimulation } from './simulate-scale';
import { LOOKUP_RESOURCE_TYPE } from '../src/shared/wire';

const REPO = path.join(__dirname, '..');
const RESULTS = path.join(REPO, 'bench-results', 'bench.json');
const STACK_NAME = 'LookupBench';
const STACK_SIZES = [1, 50, 400] as const;

/** What the CDK CLI passes to a `cdk init` project: its feature flags, metadata on, stack traces off. */
const CLI_CONTEXT: Record<string, unknown> = {
  ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
  ...cxapi.NEW_PROJECT_DEFAULT_CONTEXT,
  [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true,
  [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true,
  [cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT]: true,
  [cxapi.DISABLE_METADATA_STACK_TRACE]: true,
  // Off, so that a stack over CloudFormation's 500 resources still synthesizes and
  // can be measured; the limits are checked here instead (the CDK would refuse it).
  '@aws-cdk/core:stackResourceLimit': 0,
};

const domain = (index: number) => `domain-${index}.example.com`;

interface Variant {
  readonly key: 'ours' | 'theirs';
  readonly label: string;
  /** CloudFormation type of one lookup. */
  readonly lookupType: string;
  addLookup(stack: Stack, index: number): void;
  /** The DKIM tokens in a successful response's Data. */
  dkimTokens(data: Record<string, unknown>): unknown[];
}
type ByVariant<T> = Record<Variant['key'], T>;

const VARIANTS: readonly Variant[] = [
  {
    key: 'ours',
    label: 'EmailIdentityLookup',
    lookupType: LOOKUP_RESOURCE_TYPE,
    addLookup: (stack, index) => new EmailIdentityLookup(stack, `Identity${index}`, { emailIdentity: domain(index) }),
    dkimTokens: (data) => [data.DkimToken1, data.DkimToken2, data.DkimToken3],
  },
  {
    key: 'theirs',
    label: 'AwsCustomResource',
    lookupType: 'Custom::AWS',
    addLookup: (stack, index) => new AwsCustomResource(stack, `Identity${index}`, {
      onCreate: {
        service: 'SESV2',
        action: 'getEmailIdentity',
        parameters: { EmailIdentity: domain(index) },
        physicalResourceId: PhysicalResourceId.of(domain(index)),
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({
        resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain(index) })],
      }),
      // What a new project gets (the recommended flag); true would `npm install` the SDK on every cold start.
      installLatestAwsSdk: false,
    }),
    // The handler flattens the SDK response into dotted keys.
    dkimTokens: (data) => [0, 1, 2].map((index) => data[`DkimAttributes.Tokens.${index}`]),
  },
];

/** Runs `action` for each variant, alternating which goes first so that neither always follows the other. */
async function alternating(rounds: number, action: (variant: Variant) => Promise<void> | void): Promise<void> {
  for (let round_ = 0; round_ < rounds; round_++) {
    for (const variant of round_ % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      await action(variant);
    }
  }
}

// ---------------------------------------------------------------------------
// Stacks

interface Synthesized {
  readonly ms: number;
  readonly assemblyDir: string;
  readonly template: CfnTemplate;
  /** The template file the CLI uploads to S3 (JSON, 1-space indent). */
  readonly templateFileBytes: number;
}

function synthesize(variant: Variant, lookups: number, workDir: string): Synthesized {
  const outdir = fs.mkdtempSync(path.join(workDir, `cdk.out-${variant.key}-${lookups}-`));
  const started = performance.now();
  const app = new App({ outdir, context: CLI_CONTEXT });
  // Environment-agnostic, the CDK default: ARNs are Fn::Join over pseudo parameters.
  const stack = new Stack(app, STACK_NAME);
  for (let index = 1; index <= lookups; index++) {
    variant.addLookup(stack, index);
  }
  const assembly = app.synth();
  const ms = performance.now() - started;
  const artifact = assembly.getStackByName(STACK_NAME);
  return {
    ms,
    assemblyDir: assembly.directory,
    template: artifact.template as CfnTemplate,
    templateFileBytes: fs.statSync(artifact.templateFullPath).size,
  };
}

interface StackFigures {
  readonly lookups: number;
  readonly synthMs: number;
  readonly synthRunsMs: number[];
  /** Buffer.byteLength(JSON.stringify(template)): minified. */
  readonly templateBytes: number;
  /** The file the CLI uploads: what CloudFormation's size limits apply to. */
  readonly templateFileBytes: number;
  readonly templateBytesPerLookup: number;
  readonly resources: number;
  readonly resourcesByType: Record<string, number>;
  /** Minified bytes of the template's resources of each type (key and value). */
  readonly bytesByType: Record<string, number>;
  readonly lambdaFunctions: number;
  readonly handlerRole: RolePolicies & { readonly totalChars: number };
  readonly limits: {
    readonly resources: boolean;
    readonly templateS3: boolean;
    readonly templateBody: boolean;
    readonly iam: boolean;
    readonly iamProblems: string[];
  };
}

function stackFigures(variant: Variant, lookups: number, runs: readonly Synthesized[]): StackFigures {
  const { template, templateFileBytes } = runs[0];
  const resources = Object.entries(template.Resources);
  const templateBytes = Buffer.byteLength(JSON.stringify(template));
  const handlerRole = functionRolePolicies(template, handlerFunctionId(template, variant), new TemplateResolver(template, STACK_NAME));
  const problems = iamProblems(handlerRole);
  const resourcesByType: Record<string, number> = {};
  const bytesByType: Record<string, number> = {};
  for (const [logicalId, resource] of resources) {
    resourcesByType[resource.Type] = (resourcesByType[resource.Type] ?? 0) + 1;
    bytesByType[resource.Type] = (bytesByType[resource.Type] ?? 0) + Buffer.byteLength(JSON.stringify({ [logicalId]: resource })) - 2;
  }
  return {
    lookups,
    synthMs: round(median(runs.map((run) => run.ms)), 1),
    synthRunsMs: runs.map((run) => round(run.ms, 1)),
    templateBytes,
    templateFileBytes,
    templateBytesPerLookup: round(templateBytes / lookups, 1),
    resources: resources.length,
    resourcesByType,
    bytesByType,
    lambdaFunctions: resourcesByType['AWS::Lambda::Function'] ?? 0,
    handlerRole: { ...handlerRole, totalChars: sum(handlerRole.inlineChars) + sum(handlerRole.managedChars) },
    limits: {
      resources: resources.length <= LIMITS.resources,
      templateS3: templateFileBytes <= LIMITS.templateS3Bytes,
      templateBody: templateFileBytes <= LIMITS.templateBodyBytes,
      iam: problems.length === 0,
      iamProblems: problems,
    },
  };
}

/** The function behind the lookups: the ServiceToken of the first one. */
function handlerFunctionId(template: CfnTemplate, variant: Variant): string {
  const lookup = Object.values(template.Resources).find((resource) => resource.Type === variant.lookupType);
  const token = lookup?.Properties?.ServiceToken as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const functionId = token?.['Fn::GetAtt']?.[0];
  if (!functionId) {
    throw new Error(`${variant.label}: no ${variant.lookupType} with a ServiceToken in the template`);
  }
  return functionId;
}

interface Marginal {
  /** (bytes(400) - bytes(1)) / 399, minified. */
  readonly templateBytesPerLookup: number;
  readonly resourcesPerLookup: number;
  readonly policyCharsPerLookup: number;
  /** Where the bytes and resources per lookup go, by resource type (the rest: outputs, metadata, conditions). */
  readonly byType: Record<string, { readonly bytes: number; readonly resources: number }>;
}

function marginalFigures(figures: readonly StackFigures[]): Marginal {
  const first = figures[0];
  const last = figures[figures.length - 1];
  const per = (select: (stack: StackFigures) => number) => round((select(last) - select(first)) / (last.lookups - first.lookups), 4);
  const types = Object.keys(last.resourcesByType).filter((type) => last.bytesByType[type] !== first.bytesByType[type]);
  return {
    templateBytesPerLookup: per((stack) => stack.templateBytes),
    resourcesPerLookup: per((stack) => stack.resources),
    policyCharsPerLookup: per((stack) => stack.handlerRole.totalChars),
    byType: Object.fromEntries(types.map((type) => [type, {
      bytes: per((stack) => stack.bytesByType[type] ?? 0),
      resources: per((stack) => stack.resourcesByType[type] ?? 0),
    }])),
  };
}

// ---------------------------------------------------------------------------
// Handler bundles

interface BundleFigures {
  readonly files: number;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Files the handler loaded from outside its asset (the runtime's SDK), and their size. */
  readonly runtimeModules?: { readonly files: number; readonly bytes: number; readonly gzipBytes: number };
}

function assetDirOf(synthesized: Synthesized, variant: Variant): string {
  const fn = synthesized.template.Resources[handlerFunctionId(synthesized.template, variant)];
  const assetPath = fn.Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') {
    throw new Error(`${variant.label}: the handler function has no aws:asset:path metadata`);
  }
  return path.join(synthesized.assemblyDir, assetPath);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => fs.statSync(file).isFile());
}

function sizes(files: readonly string[]): { files: number; bytes: number; gzipBytes: number } {
  const contents = files.map((file) => fs.readFileSync(file));
  return {
    files: files.length,
    bytes: sum(contents.map((content) => content.length)),
    gzipBytes: sum(contents.map((content) => zlib.gzipSync(content, { level: 9 }).length)),
  };
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'runs': { type: 'string', default: '20' },
      'synth-runs': { type: 'string', default: '3' },
    },
  });
  const coldRuns = Number(values.runs);
  const synthRuns = Number(values['synth-runs']);
  if (!(coldRuns >= 10) || !(synthRuns >= 1)) {
    throw new Error('--runs must be at least 10 and --synth-runs at least 1');
  }
  if (!fs.existsSync(path.join(REPO, 'assets', 'handler', 'lookup.lambda', 'index.js'))) {
    throw new Error('No handler bundle in assets/: run `npx projen bundle` first.');
  }

  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
    // Other work on the machine skews timings: recorded so that a noisy run shows.
    loadAverageAtStart: os.loadavg().map((load) => round(load, 2)),
    loadAverageAtEnd: [] as number[],
  };
  console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, ${machine.date}`);
  console.log(`Load average at start: ${machine.loadAverageAtStart.join(', ')}`);
  await printScaleSimulation();

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ses-lookup-bench-'));
  try {
    // --- 1. Stacks. The first synth of each variant loads and JITs the CDK: not counted.
    console.log(`\nSynthesizing stacks of ${STACK_SIZES.join(', ')} lookups, ${synthRuns} time(s) each after a warm-up...`);
    for (const variant of VARIANTS) {
      synthesize(variant, 1, workDir);
    }
    const synthesized: ByVariant<Record<number, Synthesized[]>> = { ours: {}, theirs: {} };
    for (const lookups of STACK_SIZES) {
      await alternating(synthRuns, (variant) => {
        (synthesized[variant.key][lookups] ??= []).push(synthesize(variant, lookups, workDir));
      });
    }
    const stacks = byVariant((variant) => STACK_SIZES.map((lookups) => stackFigures(variant, lookups, synthesized[variant.key][lookups])));
    const marginal = byVariant((variant) => marginalFigures(stacks[variant.key]));

    // --- 2. Cold starts, of the handlers in the 1-lookup assemblies.
    console.log(`Cold runs: 1 warm-up + ${coldRuns} each, alternating...`);
    const rig = await ColdStartRig.start(workDir, domain(1));
    const invocations = byVariant((variant): Invocation => {
      const { template } = synthesized[variant.key][1][0];
      return {
        label: variant.label,
        assetDir: assetDirOf(synthesized[variant.key][1][0], variant),
        event: createEventFor(template, variant.lookupType, STACK_NAME),
        check: (response) => checkResponse(variant, response, rig),
      };
    });
    const runs: ByVariant<ColdRun[]> = { ours: [], theirs: [] };
    const bundles = {} as ByVariant<BundleFigures>;
    try {
      // The warm-up fills the page cache and lists the files each handler loads.
      for (const variant of VARIANTS) {
        const { assetDir } = invocations[variant.key];
        const warmUp = await rig.run(invocations[variant.key], true);
        const ownFiles = filesUnder(assetDir);
        const outside = (warmUp.modules ?? []).filter((file) => !ownFiles.includes(file) && file !== BOOTSTRAP);
        bundles[variant.key] = { ...sizes(ownFiles), runtimeModules: outside.length > 0 ? sizes(outside) : undefined };
      }
      await alternating(coldRuns, async (variant) => {
        const { wholeMs, inProcessMs, cpuWholeMs, cpuInProcessMs, phases, responseBytes } = await rig.run(invocations[variant.key]);
        runs[variant.key].push({ wholeMs, inProcessMs, cpuWholeMs, cpuInProcessMs, phases, responseBytes });
      });
    } finally {
      await rig.stop();
    }
    const cold = byVariant((variant) => coldFigures(runs[variant.key]));
    machine.loadAverageAtEnd = os.loadavg().map((load) => round(load, 2));

    const results = {
      machine,
      setup: {
        coldRuns,
        synthRuns,
        stacks: 'environment-agnostic stack named LookupBench; CDK CLI context for a new project (recommended feature flags, path and asset metadata, version reporting)',
        templateBytes: 'Buffer.byteLength(JSON.stringify(template)): minified. templateFileBytes: the file the CLI uploads to S3 (1-space indent), used for the limits',
        policyChars: 'the handler role\'s inline and customer managed policy documents, JSON without whitespace, intrinsics resolved for 123456789012 in eu-west-1',
        coldStart: 'a fresh node process per run; scripts/bench/bootstrap.js requires the asset\'s index.js and invokes handler(event) once, exiting when its promise settles',
        runtimeSdk: 'NODE_PATH = this repo\'s node_modules, standing in for /var/runtime/node_modules; AwsCustomResource loads @aws-sdk/client-sesv2 from it',
        installLatestAwsSdk: false,
      },
      cold,
      bundles,
      stacks,
      marginal,
      targets: targets(cold, stacks, marginal),
    };
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, JSON.stringify(results, undefined, 2) + '\n');
    printReport(results);
    console.log(`\nLoad average at end: ${machine.loadAverageAtEnd.join(', ')}`);
    console.log(`Figures written to ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function byVariant<T>(make: (variant: Variant) => T): ByVariant<T> {
  return Object.fromEntries(VARIANTS.map((variant) => [variant.key, make(variant)])) as ByVariant<T>;
}

/** Every run must be a success carrying the identity's DKIM tokens and named after it (ours adds a digest). */
function checkResponse(variant: Variant, response: TimedResponse, rig: ColdStartRig): void {
  const { body } = response;
  const tokens = variant.dkimTokens(body.Data ?? {});
  const named = body.PhysicalResourceId === rig.identity || body.PhysicalResourceId?.startsWith(`${rig.identity}/`);
  if (body.Status !== 'SUCCESS' || JSON.stringify(tokens) !== JSON.stringify(rig.expectedTokens) || !named) {
    throw new Error(`${variant.label}: unexpected response ${response.raw.slice(0, 500)}`);
  }
}

interface Target {
  readonly target: string;
  readonly pass: boolean;
  readonly figures: string;
}

/** The targets, and one it does not state but a deployment needs. */
function targets(cold: ByVariant<ColdFigures>, stacks: ByVariant<StackFigures[]>, marginal: ByVariant<Marginal>): Target[] {
  const ratio = (ours: number, theirs: number) => `${fmt(ours)} vs ${fmt(theirs)} ms, ratio ${fmt(ours / theirs, 2)}`;
  const largest = stacks.ours[stacks.ours.length - 1];
  const lookupShare = (key: Variant['key']) => Object.entries(marginal[key].byType)
    .filter(([, figures]) => figures.resources !== 0)
    .map(([type, figures]) => `${fmt(figures.resources, 4)} ${type}`).join(' + ');
  return [
    {
      target: 'Cold time ≤ ½ of AwsCustomResource\'s: in-process, require → response',
      pass: cold.ours.inProcessMs.median <= cold.theirs.inProcessMs.median / 2,
      figures: ratio(cold.ours.inProcessMs.median, cold.theirs.inProcessMs.median),
    },
    {
      target: 'Cold time ≤ ½ of AwsCustomResource\'s: CPU time, require → handler done',
      pass: cold.ours.cpuInProcessMs.median <= cold.theirs.cpuInProcessMs.median / 2,
      figures: ratio(cold.ours.cpuInProcessMs.median, cold.theirs.cpuInProcessMs.median),
    },
    {
      target: 'Cold time ≤ ½ of AwsCustomResource\'s: whole process, spawn → exit',
      pass: cold.ours.wholeMs.median <= cold.theirs.wholeMs.median / 2,
      figures: ratio(cold.ours.wholeMs.median, cold.theirs.wholeMs.median),
    },
    {
      target: 'One CloudFormation resource per lookup (marginal)',
      pass: marginal.ours.resourcesPerLookup <= 1,
      figures: `${lookupShare('ours')}; AwsCustomResource ${lookupShare('theirs')}`,
    },
    {
      target: '≤ ¼ of AwsCustomResource\'s template bytes per lookup (marginal, minified)',
      pass: marginal.ours.templateBytesPerLookup <= marginal.theirs.templateBytesPerLookup / 4,
      figures: `${fmt(marginal.ours.templateBytesPerLookup)} vs ${fmt(marginal.theirs.templateBytesPerLookup)} B, ratio ${fmt(marginal.ours.templateBytesPerLookup / marginal.theirs.templateBytesPerLookup, 2)}`,
    },
    {
      target: 'One Lambda function per stack',
      pass: stacks.ours.every((figures) => figures.lambdaFunctions === 1),
      figures: stacks.ours.map((figures) => `${figures.lambdaFunctions} at ${figures.lookups}`).join(', '),
    },
    {
      target: `${largest.lookups} lookups within CloudFormation limits (resources, template via S3)`,
      pass: largest.limits.resources && largest.limits.templateS3,
      figures: `${largest.resources} resources, ${largest.templateFileBytes} B template file`,
    },
    {
      target: `${largest.lookups} lookups within IAM limits for the handler role (not in the issue; deploy needs it)`,
      pass: largest.limits.iam,
      figures: largest.limits.iam ? policySummary(largest.handlerRole) : largest.limits.iamProblems.join('; '),
    },
  ];
}

// ---------------------------------------------------------------------------
// Output

function printReport(results: {
  cold: ByVariant<ColdFigures>;
  bundles: ByVariant<BundleFigures>;
  stacks: ByVariant<StackFigures[]>;
  marginal: ByVariant<Marginal>;
  targets: Target[];
}): void {
  const { cold, bundles, stacks, marginal } = results;
  const [ours, theirs] = VARIANTS;

  heading(`Cold start to response: median [min–max] of ${cold.ours.runs.length} runs each, alternating; ms`);
  const range = (value: Stat) => `${fmt(value.median, 1)} [${fmt(value.min)}–${fmt(value.max)}]`;
  const ratio = (select: (figures: ColdFigures) => number) => fmt(select(cold.ours) / select(cold.theirs), 2);
  printTable(['', ours.label, theirs.label, 'ours/theirs'], 'lrrr', [
    ['whole process (spawn → exit)', range(cold.ours.wholeMs), range(cold.theirs.wholeMs), ratio((figures) => figures.wholeMs.median)],
    ['in-process (require → response received)', range(cold.ours.inProcessMs), range(cold.theirs.inProcessMs), ratio((figures) => figures.inProcessMs.median)],
    ['CPU time, whole process (user + sys)', range(cold.ours.cpuWholeMs), range(cold.theirs.cpuWholeMs), ratio((figures) => figures.cpuWholeMs.median)],
    ['CPU time, in-process (require → handler done)', range(cold.ours.cpuInProcessMs), range(cold.theirs.cpuInProcessMs),
      ratio((figures) => figures.cpuInProcessMs.median)],
    ...PHASES.map(([name, label]) => [`  ${label}`, fmt(cold.ours.phasesMs[name], 1), fmt(cold.theirs.phasesMs[name], 1), '']),
    ['response body bytes (CloudFormation limit 4096)', String(cold.ours.responseBytes), String(cold.theirs.responseBytes), ''],
  ]);
  console.log('Wall time unless marked CPU. Phases are medians of each phase: they need not add up to the total.');
  console.log('CPU time counts every thread of the process (GC, libuv) and is steadier than wall time on a busy machine.');
  console.log('Every run answered SUCCESS with the identity\'s DKIM tokens.');

  heading('Handler bundle (the asset Lambda deploys)');
  const kib = (bytes: number) => `${bytes} (${fmt(bytes / 1024, 1)} KiB)`;
  printTable(['', 'files', 'bytes', 'gzip -9 bytes'], 'lrrr', [
    ...VARIANTS.map((variant) => {
      const bundle = bundles[variant.key];
      return [variant.label, String(bundle.files), kib(bundle.bytes), kib(bundle.gzipBytes)];
    }),
    ...VARIANTS.flatMap((variant) => {
      const modules = bundles[variant.key].runtimeModules;
      return modules ? [[`  ${variant.label}: runtime SDK files it loads, not in its bundle`, String(modules.files), kib(modules.bytes), kib(modules.gzipBytes)]] : [];
    }),
  ]);

  heading('Stacks: environment-agnostic; template B = JSON.stringify (minified), file B = the template file the CLI uploads');
  printTable(
    ['variant', 'lookups', 'synth ms', 'template B', 'B/lookup', 'file B', 'resources', 'Lambdas', 'handler role policy chars', 'limits'],
    'lrrrrrrrll',
    VARIANTS.flatMap((variant) => stacks[variant.key].map((figures) => [
      variant.label,
      String(figures.lookups),
      fmt(figures.synthMs),
      String(figures.templateBytes),
      fmt(figures.templateBytesPerLookup),
      String(figures.templateFileBytes),
      String(figures.resources),
      String(figures.lambdaFunctions),
      policySummary(figures.handlerRole),
      limitsSummary(figures),
    ])),
  );
  console.log('Policy chars: IAM\'s count (no whitespace, intrinsics resolved) of the inline (i) and customer managed (m) policies on the handler role.');
  console.log(`Limits: ${LIMITS.resources} resources; template ${LIMITS.templateS3Bytes} B via S3 (${LIMITS.templateBodyBytes} B passed directly: "S3 only" beyond);`
    + ` IAM ${LIMITS.inlinePolicyCharsPerRole} inline chars per role, ${LIMITS.managedPolicyChars} chars per managed policy,`
    + ` ${LIMITS.managedPoliciesPerRole} managed policies per role.`);

  heading(`Per lookup, marginal: (stack of ${STACK_SIZES[STACK_SIZES.length - 1]} - stack of ${STACK_SIZES[0]}) / ${STACK_SIZES[STACK_SIZES.length - 1] - STACK_SIZES[0]}`);
  printTable(['variant', 'template B', 'resources', 'policy chars', 'of which, by resource type (B, resources)'], 'lrrrl', VARIANTS.map((variant) => [
    variant.label,
    fmt(marginal[variant.key].templateBytesPerLookup, 1),
    fmt(marginal[variant.key].resourcesPerLookup, 4),
    fmt(marginal[variant.key].policyCharsPerLookup, 1),
    Object.entries(marginal[variant.key].byType)
      .map(([type, figures]) => `${type} ${fmt(figures.bytes)} B, ${fmt(figures.resources, 4)}`)
      .join('; '),
  ]));

  heading('Targets');
  printTable(['', 'target', 'figures'], 'lll', results.targets.map((target) => [target.pass ? 'PASS' : 'FAIL', target.target, target.figures]));
}

function policySummary(role: StackFigures['handlerRole']): string {
  return [
    role.inlineChars.length > 0 ? `i ${sum(role.inlineChars)} in ${role.inlineChars.length}` : '',
    role.managedChars.length > 0 ? `m ${sum(role.managedChars)} in ${role.managedChars.length} (largest ${Math.max(...role.managedChars)})` : '',
  ].filter(Boolean).join(' + ');
}

function limitsSummary(figures: StackFigures): string {
  const broken = [
    figures.limits.resources ? '' : 'resources',
    figures.limits.templateS3 ? '' : 'template',
    figures.limits.iam ? '' : 'IAM',
  ].filter(Boolean);
  const within = broken.length === 0 ? 'ok' : `OVER: ${broken.join(', ')}`;
  return figures.limits.templateBody ? within : `${within} (S3 only)`;
}

function heading(text: string): void {
  console.log(`\n${text}`);
}

/** A plain-text table; `align` has one letter per column, l or r. */
function printTable(header: string[], align: string, rows: string[][]): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells
    .map((cell, column) => align[column] === 'r' ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))
    .join('  ')
    .trimEnd();
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  rows.forEach((row) => console.log(line(row)));
}

function fmt(value: number, digits = 0): string {
  return value.toFixed(digits);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
