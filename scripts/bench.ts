/**
 * Benchmark: EmailIdentityLookup against the AwsCustomResource a user would
 * write instead (SESV2 getEmailIdentity, PhysicalResourceId.of(name),
 * AwsCustomResourcePolicy.fromSdkCalls({ resources: [identityArn] })).
 *
 *   npm run bench -- [--runs 20] [--synth-runs 3]
 *
 * 1. Stacks of 1, 50 and 400 lookups of each variant, synthesized with the
 *    context the CDK CLI gives a new project: synth time, template bytes,
 *    resources, Lambda functions, the handler role's IAM policy size.
 * 2. Each variant's handler, from the 1-lookup cloud assembly, run cold in
 *    fresh Node processes (local/lambda-runner.ts) on the Create event
 *    CloudFormation would send, against a local SES v2 endpoint, alternating.
 *    The response PUT to S3's host is redirected in-process to a local HTTP
 *    receiver: no TLS for either variant, no root, nothing leaves 127.0.0.1.
 *
 * Prints tables and writes them to bench-results/bench.json. Figures are
 * findings, not errors: the exit code only says whether the benchmark ran.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as zlib from 'node:zlib';
import { App, Stack } from 'aws-cdk-lib';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { createEvent, ResponseReceiver } from '../local/cloudformation';
import { FakeSesServer, verifiedIdentity } from '../local/fake-ses-server';
import { invokeBundle } from '../local/lambda-runner';
import { asDelivered, DEPLOY_ENV, handlerAssetDir, TemplateResolver, type CfnTemplate } from '../local/template-resolver';
import { EmailIdentityLookup } from '../src';
import { printMonitorSimulation } from './simulate-monitor';
import { printScaleSimulation } from './simulate-scale';
import { LOOKUP_RESOURCE_TYPE } from '../src/shared/wire';

const REPO = path.join(__dirname, '..');
const RESULTS = path.join(REPO, 'bench-results', 'bench.json');
const STACK_NAME = 'LookupBench';
const STACK_SIZES = [1, 50, 400] as const;
/** Where CloudFormation's pre-signed response URLs point (eu-west-1). */
const RESPONSE_HOST = 'cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com';
/** Published limits: resources per stack, template via S3, IAM inline chars per role, chars per managed policy, managed policies per role. */
const LIMITS = { resources: 500, templateS3Bytes: 1_048_576, inlineChars: 10_240, managedChars: 6_144, managedPolicies: 10 };

/** What the CDK CLI passes to a `cdk init` project; no resource limit, so that 400 AwsCustomResources can be measured. */
const CLI_CONTEXT: Record<string, unknown> = {
  ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
  ...cxapi.NEW_PROJECT_DEFAULT_CONTEXT,
  [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true,
  [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true,
  [cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT]: true,
  [cxapi.DISABLE_METADATA_STACK_TRACE]: true,
  '@aws-cdk/core:stackResourceLimit': 0,
};

const domain = (index: number) => `domain-${index}.example.com`;

interface Variant {
  readonly label: string;
  readonly lookupType: string;
  addLookup(stack: Stack, index: number): void;
  /** The DKIM tokens in a successful response's Data. */
  dkimTokens(data: Record<string, unknown>): unknown[];
}

const VARIANTS: readonly Variant[] = [
  {
    label: 'EmailIdentityLookup',
    lookupType: LOOKUP_RESOURCE_TYPE,
    addLookup: (stack, index) => new EmailIdentityLookup(stack, `Identity${index}`, { emailIdentity: domain(index) }),
    dkimTokens: (data) => [data.DkimToken1, data.DkimToken2, data.DkimToken3],
  },
  {
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
    dkimTokens: (data) => [0, 1, 2].map((index) => data[`DkimAttributes.Tokens.${index}`]),
  },
];

interface StackFigures {
  lookups: number;
  synthMs: number;
  /** Minified. */
  templateBytes: number;
  /** The file the CLI uploads, which CloudFormation's size limit applies to. */
  templateFileBytes: number;
  resources: number;
  lambdaFunctions: number;
  /** IAM's count (no whitespace, intrinsics resolved) of the handler role's inline and customer managed policies. */
  inlineChars: number[];
  managedChars: number[];
  overLimits: string[];
}

function synthesize(variant: Variant, lookups: number, workDir: string) {
  const started = performance.now();
  const app = new App({ outdir: fs.mkdtempSync(path.join(workDir, 'cdk.out-')), context: CLI_CONTEXT });
  const stack = new Stack(app, STACK_NAME);
  for (let index = 1; index <= lookups; index++) variant.addLookup(stack, index);
  const artifact = app.synth().getStackByName(STACK_NAME);
  const template = artifact.template as CfnTemplate;
  const lookupId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === variant.lookupType)!;
  return { ms: performance.now() - started, artifact, template, lookupId };
}

function stackFigures(lookups: number, runs: Synthesized[]): StackFigures {
  const { artifact, template, lookupId } = runs[0];
  const resources = Object.values(template.Resources);
  const functionId = (template.Resources[lookupId].Properties?.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const roleId = (template.Resources[functionId].Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const resolver = new TemplateResolver(template, STACK_NAME);
  const size = (document: unknown) => JSON.stringify(resolver.resolve(document)).length;
  const onRole = (roles: unknown) => (roles as Array<{ Ref?: string }> | undefined)?.some((role) => role.Ref === roleId);
  const role = template.Resources[roleId].Properties ?? {};
  const inlineChars = ((role.Policies ?? []) as Array<{ PolicyDocument: unknown }>).map((policy) => size(policy.PolicyDocument));
  const managedChars: number[] = [];
  for (const resource of resources) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' && onRole(properties.Roles)) inlineChars.push(size(properties.PolicyDocument));
    if (resource.Type === 'AWS::IAM::ManagedPolicy' && onRole(properties.Roles)) managedChars.push(size(properties.PolicyDocument));
  }
  const managedArns = ((role.ManagedPolicyArns ?? []) as Array<{ Ref?: string }>).filter((arn) => template.Resources[arn.Ref ?? '']?.Type !== 'AWS::IAM::ManagedPolicy');
  const templateFileBytes = fs.statSync(artifact.templateFullPath).size;
  const overLimits = [
    resources.length > LIMITS.resources ? `${resources.length} resources` : '',
    templateFileBytes > LIMITS.templateS3Bytes ? 'template file' : '',
    sum(inlineChars) > LIMITS.inlineChars ? `inline ${sum(inlineChars)} chars` : '',
    Math.max(0, ...managedChars) > LIMITS.managedChars ? 'a managed policy' : '',
    managedChars.length + managedArns.length > LIMITS.managedPolicies ? 'managed policies per role' : '',
  ].filter(Boolean);
  return {
    lookups,
    synthMs: round(median(runs.map((run) => run.ms)), 1),
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    templateFileBytes,
    resources: resources.length,
    lambdaFunctions: resources.filter((resource) => resource.Type === 'AWS::Lambda::Function').length,
    inlineChars,
    managedChars,
    overLimits,
  };
}

/** One cold invocation of a variant's handler; fails unless it answered SUCCESS with the identity's DKIM tokens. */
type Synthesized = ReturnType<typeof synthesize>;

async function coldRun(variant: Variant, synthesized: Synthesized, receiver: ResponseReceiver, sesEndpoint: string, modules = false) {
  const { artifact, template, lookupId } = synthesized;
  const { ServiceToken: _, ...properties } = template.Resources[lookupId].Properties ?? {};
  const responseUrl = receiver.url(RESPONSE_HOST);
  const event = createEvent(asDelivered(properties, new TemplateResolver(template, STACK_NAME)) as Record<string, unknown>, {
    responseUrl,
    logicalResourceId: lookupId,
    resourceType: variant.lookupType,
    stackId: `arn:aws:cloudformation:${DEPLOY_ENV.region}:${DEPLOY_ENV.account}:stack/${STACK_NAME}/00000000-0000-0000-0000-000000000000`,
  });
  const assetDir = handlerAssetDir(artifact, lookupId);
  const run = await invokeBundle(assetDir, event, {
    timeoutMs: 120_000,
    timing: modules ? 'modules' : true,
    redirectResponses: { host: RESPONSE_HOST, port: receiver.port },
    env: {
      // The runtime's SDK, for AwsCustomResource: this repository's node_modules stands in for /var/runtime/node_modules.
      NODE_PATH: path.join(REPO, 'node_modules'),
      // The SDK warns about Node 20; Lambda's nodejs22.x/24.x would not.
      NODE_NO_WARNINGS: '1',
      TZ: 'UTC',
      AWS_DEFAULT_REGION: DEPLOY_ENV.region,
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      AWS_ENDPOINT_URL_SESV2: sesEndpoint,
    },
  });
  const received = await receiver.response(responseUrl, 1000).catch(() => undefined);
  const tokens = variant.dkimTokens(received?.body.Data ?? {});
  const named = received?.body.PhysicalResourceId.split('/')[0] === domain(1);
  if (run.exitCode !== 0 || !run.timing || received?.body.Status !== 'SUCCESS' || !named
    || JSON.stringify(tokens) !== JSON.stringify(verifiedIdentity(domain(1)).DkimAttributes?.Tokens)) {
    throw new Error(`${variant.label}: exit ${run.exitCode}, response ${received?.raw.slice(0, 500)}\n${run.stdout}${run.stderr}`);
  }
  const files = (dir: string) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => path.join(dir, name)).filter((file) => fs.statSync(file).isFile());
  const own = files(assetDir);
  return {
    wholeMs: run.elapsedMs,
    inProcessMs: (received.receivedAtUs - run.timing.requireStartUs) / 1000,
    cpuInProcessMs: run.timing.cpuFromRequireUs / 1000,
    responseBytes: received.bytes,
    bundle: sizes(own),
    runtimeSdk: sizes((run.timing.modules ?? []).filter((file) => !own.includes(file) && file.includes('node_modules'))),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'runs': { type: 'string', default: '20' }, 'synth-runs': { type: 'string', default: '3' } } });
  const [coldRuns, synthRuns] = [Number(values.runs), Number(values['synth-runs'])];
  if (!(coldRuns >= 1) || !(synthRuns >= 1)) throw new Error('--runs and --synth-runs must be at least 1');
  const machine = `${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.release()}`;
  console.log(`${new Date().toISOString()} on ${machine}; load average ${os.loadavg().map((load) => load.toFixed(2)).join(', ')}`);
  await printScaleSimulation();
  await printMonitorSimulation();

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ses-lookup-bench-'));
  const ses = await FakeSesServer.start();
  ses.setIdentity(domain(1), verifiedIdentity(domain(1)));
  const receiver = await ResponseReceiver.start();
  try {
    console.log(`Synthesizing stacks of ${STACK_SIZES.join(', ')} lookups, ${synthRuns} time(s) each after a warm-up...`);
    VARIANTS.forEach((variant) => synthesize(variant, 1, workDir));
    const synthesized = VARIANTS.map((variant) => STACK_SIZES.map((lookups) =>
      Array.from({ length: synthRuns }, () => synthesize(variant, lookups, workDir))));
    const stacks = VARIANTS.map((_, v) => STACK_SIZES.map((lookups, s) => stackFigures(lookups, synthesized[v][s])));

    console.log(`Cold runs: 1 warm-up + ${coldRuns} each, alternating...`);
    const warmUps = [];
    for (const [v, variant] of VARIANTS.entries()) warmUps.push(await coldRun(variant, synthesized[v][0][0], receiver, ses.endpoint, true));
    const runs: Array<Array<Awaited<ReturnType<typeof coldRun>>>> = VARIANTS.map(() => []);
    for (let round_ = 0; round_ < coldRuns; round_++) {
      for (const v of round_ % 2 === 0 ? [0, 1] : [1, 0]) runs[v].push(await coldRun(VARIANTS[v], synthesized[v][0][0], receiver, ses.endpoint));
    }
    const cold = runs.map((variantRuns) => ({
      wholeMs: stat(variantRuns.map((run) => run.wholeMs)),
      inProcessMs: stat(variantRuns.map((run) => run.inProcessMs)),
      cpuInProcessMs: stat(variantRuns.map((run) => run.cpuInProcessMs)),
      responseBytes: variantRuns[0].responseBytes,
    }));
    const per = (figures: StackFigures[], select: (stack: StackFigures) => number) =>
      round((select(figures[figures.length - 1]) - select(figures[0])) / (figures[figures.length - 1].lookups - figures[0].lookups), 4);
    const marginal = stacks.map((figures) => ({
      templateBytes: per(figures, (stack) => stack.templateBytes),
      resources: per(figures, (stack) => stack.resources),
      policyChars: per(figures, (stack) => sum(stack.inlineChars) + sum(stack.managedChars)),
    }));
    const [ours, theirs] = VARIANTS.map((variant) => variant.label);

    heading(`Cold start to response: median [min–max] of ${coldRuns} runs each, alternating; ms`);
    const range = (value: Stat) => `${value.median.toFixed(1)} [${value.min.toFixed(0)}–${value.max.toFixed(0)}]`;
    printTable(['', ours, theirs, 'ours/theirs'], 'lrrr', [
      ['whole process (spawn → exit)', 'wholeMs'],
      ['in-process (require → response received)', 'inProcessMs'],
      ['CPU time, in-process (require → handler done)', 'cpuInProcessMs'],
    ].map(([label, key]) => {
      const [a, b] = cold.map((figures) => figures[key as 'wholeMs']);
      return [label, range(a), range(b), (a.median / b.median).toFixed(2)];
    }).concat([['response body bytes (CloudFormation limit 4096)', String(cold[0].responseBytes), String(cold[1].responseBytes), '']]));
    const kib = (bytes: { bytes: number; gzipBytes: number }) => `${bytes.bytes} (gzip ${bytes.gzipBytes})`;
    console.log(`Handler bundle bytes: ${ours} ${kib(warmUps[0].bundle)}; ${theirs} ${kib(warmUps[1].bundle)}`
      + ` + ${kib(warmUps[1].runtimeSdk)} in ${warmUps[1].runtimeSdk.files} files of the runtime's SDK it loads.`);

    heading('Stacks (environment-agnostic): template B minified, file B as uploaded; handler role policy chars as IAM counts them, inline (i) and managed (m)');
    printTable(['variant', 'lookups', 'synth ms', 'template B', 'file B', 'resources', 'Lambdas', 'policy chars', 'limits'], 'lrrrrrrll',
      VARIANTS.flatMap((variant, v) => stacks[v].map((figures) => [
        variant.label, String(figures.lookups), figures.synthMs.toFixed(0), String(figures.templateBytes), String(figures.templateFileBytes),
        String(figures.resources), String(figures.lambdaFunctions),
        `i ${sum(figures.inlineChars)} in ${figures.inlineChars.length}` + (figures.managedChars.length
          ? ` + m ${sum(figures.managedChars)} in ${figures.managedChars.length} (largest ${Math.max(...figures.managedChars)})` : ''),
        figures.overLimits.length ? `OVER: ${figures.overLimits.join(', ')}` : 'ok',
      ])));

    heading(`Per lookup, marginal: (stack of ${STACK_SIZES[2]} - stack of ${STACK_SIZES[0]}) / ${STACK_SIZES[2] - STACK_SIZES[0]}`);
    printTable(['variant', 'template B', 'resources', 'policy chars'], 'lrrr', VARIANTS.map((variant, v) => [
      variant.label, marginal[v].templateBytes.toFixed(1), marginal[v].resources.toFixed(4), marginal[v].policyChars.toFixed(1),
    ]));

    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    const byVariant = <T>(list: T[]) => Object.fromEntries(VARIANTS.map((variant, v) => [variant.label, list[v]]));
    fs.writeFileSync(RESULTS, JSON.stringify({
      date: new Date().toISOString(),
      machine,
      loadAverageAtEnd: os.loadavg(),
      coldRuns,
      synthRuns,
      cold: byVariant(cold),
      bundles: byVariant(warmUps.map(({ bundle, runtimeSdk }) => ({ bundle, runtimeSdk }))),
      stacks: byVariant(stacks),
      marginal: byVariant(marginal),
    }, undefined, 2) + '\n');
    console.log(`\nLoad average at end: ${os.loadavg().map((load) => load.toFixed(2)).join(', ')}. Figures written to ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    await receiver.stop();
    await ses.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

interface Stat { median: number; min: number; max: number }

function stat(values: number[]): Stat {
  return { median: round(median(values), 1), min: round(Math.min(...values), 1), max: round(Math.max(...values), 1) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function sizes(files: string[]) {
  const contents = files.map((file) => fs.readFileSync(file));
  const gzip = (content: Buffer) => zlib.gzipSync(content, { level: 9 }).length;
  return { files: files.length, bytes: sum(contents.map((content) => content.length)), gzipBytes: sum(contents.map(gzip)) };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const round = (value: number, digits: number) => Number(value.toFixed(digits));
const heading = (text: string) => console.log(`\n${text}`);

/** A plain-text table; `align` has one letter per column, l or r. */
function printTable(header: string[], align: string, rows: string[][]): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, c) => align[c] === 'r' ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join('  ').trimEnd();
  console.log([line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
