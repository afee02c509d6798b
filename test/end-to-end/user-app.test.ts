/**
 * The complete app of the README (examples/user-app) built as a user's
 * `cdk init app --language typescript` app builds it: compiled by TypeScript 7
 * under cdk init's tsconfig.json (NodeNext, strict, isolatedModules, noEmit),
 * then run by tsx, the two steps of cdk init's cdk.json `app` command, run
 * as the CDK CLI runs it (its context, CDK_OUTDIR, the default account and
 * region). The README's copy of the app is checked against the files.
 *
 * The app resolves `cdk-ses-identity-lookup` as a user's app does, from its
 * own node_modules: a package folder with the repository's package.json,
 * lib/ (JavaScript and declarations) and the handler bundles in assets/. A
 * fresh clone's `npm test` has no jsii-compiled lib/ (only the build makes
 * it), so lib/ is emitted from src/ here, by TypeScript 7 without a type
 * check (1.5 s of CPU where TypeScript 5/6 takes 7 s: the library's own type
 * check is the build's job; tsc's declarations are what jsii writes too), and
 * lib/handler/ is left out, as the npm package leaves it out. Beside it,
 * aws-cdk-lib is the newest one (the aws-cdk-lib-latest devDependency), as a
 * new `cdk init` app installs it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { writePackageFolder } from '../../scripts/package-folder';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';
import { cloudControlContext, EASY_DKIM_MODEL } from '../support/cloud-control-context';

const REPO = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'user-app');
/** The app's files that a user writes; cdk.json and tsconfig.json are cdk init's. */
const USER_FILES = ['bin/app.ts', 'lib/mail-stack.ts'];

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const HOSTED_ZONE_ID = 'Z0123456789USERAPP';
/** The account the README's cross-account snippet reads from (its DNS account looks up the zone). */
const DNS_ACCOUNT = '222222222222';
/** What the CDK CLI caches in cdk.context.json for the apps' lookups: hosted zones, and the README's synth-time lookup of example.com. */
const LOOKUP_CONTEXT = {
  ...Object.fromEntries([ACCOUNT, DNS_ACCOUNT].map((account) => [
    `hosted-zone:account=${account}:domainName=example.com:region=${REGION}`, { Id: `/hostedzone/${HOSTED_ZONE_ID}`, Name: 'example.com.' },
  ])),
  ...cloudControlContext(new Stack(new App(), 'Keys', { env: { account: ACCOUNT, region: REGION } }), 'example.com', EASY_DKIM_MODEL),
};

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string[];
}

let app: string;

beforeAll(() => {
  app = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'user-app-')), 'app');
  fs.cpSync(EXAMPLE, app, { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'user-app', version: '0.1.0', private: true }));

  const modules = path.join(app, 'node_modules');
  const link = (name: string, target: string) => {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'node_modules', target), path.join(modules, name), 'dir');
  };
  link('aws-cdk-lib', 'aws-cdk-lib-latest');
  link('constructs', 'constructs');
  link('typescript', 'typescript-7');
  link('tsx', 'tsx');
  // cdk init's tsconfig.json names the jest and node types.
  link('@types', '@types');
  fs.mkdirSync(path.join(modules, '.bin'));
  fs.symlinkSync('../typescript/bin/tsc', path.join(modules, '.bin', 'tsc'));
  fs.symlinkSync('../tsx/dist/cli.mjs', path.join(modules, '.bin', 'tsx'));

  writePackageFolder(path.join(modules, 'cdk-ses-identity-lookup'));
}, 60_000);

/** cdk.json, as cdk init wrote it. */
function cdkJson(): { app: string; context: Record<string, unknown> } {
  return JSON.parse(fs.readFileSync(path.join(app, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
}

/** Runs `command` in the app as the CDK CLI runs its app: with cdk.json's and cdk.context.json's context, an output folder, a default account and region. */
function runAsCli(command: string, outdir: string) {
  return spawnSync(command, {
    cwd: app,
    shell: true,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: os.tmpdir(),
      // npx runs the app's own tsc and tsx, never one from the registry, and checks for no npm update.
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      // What the CDK CLI passes to the app: cdk.json's context (cdk init's feature flags) and cdk.context.json's.
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson().context, ...LOOKUP_CONTEXT }),
      CDK_OUTDIR: outdir,
      CDK_DEFAULT_ACCOUNT: ACCOUNT,
      CDK_DEFAULT_REGION: REGION,
    },
  });
}

/** What a synth into `outdir` left to look up, and every warning and error it reported, by stack. */
function reportedBy(outdir: string): { missing: unknown; reported: Array<{ stack: string; type: string; data: unknown }> } {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    missing?: unknown[];
    artifacts: Record<string, { metadata?: Record<string, Array<{ type: string; data: unknown }>> }>;
  };
  const reported = Object.entries(manifest.artifacts).flatMap(([stack, artifact]) => Object.values(artifact.metadata ?? {}).flat()
    .filter((entry) => /^aws:cdk:(warning|error)$/.test(entry.type))
    .map((entry) => ({ stack, ...entry })));
  return { missing: manifest.missing, reported };
}

afterAll(() => {
  if (app) fs.rmSync(path.dirname(app), { recursive: true, force: true });
});

test('the complete app compiles with TypeScript 7 and synthesizes with tsx, as cdk.json runs it: a lookup, its records, a gate', () => {
  const outdir = path.join(app, 'cdk.out');
  const run = runAsCli(cdkJson().app, outdir);
  expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: '' });
  const typescript = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string };
  expect(typescript.version).toMatch(/^7\./);

  // The synth reports nothing: no warning, no error, no context left to look up.
  expect(reportedBy(outdir)).toEqual({ missing: undefined, reported: [] });

  const resources = (JSON.parse(fs.readFileSync(path.join(outdir, 'MailStack.template.json'), 'utf8')) as { Resources: Record<string, Resource> }).Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const [[lookupId, lookup]] = ofType(LOOKUP_RESOURCE_TYPE);
  const [[gateId, gate]] = ofType(GATE_RESOURCE_TYPE);
  expect(ofType(LOOKUP_RESOURCE_TYPE)).toHaveLength(1);
  expect(ofType(GATE_RESOURCE_TYPE)).toHaveLength(1);
  expect(lookup.Properties).toMatchObject({ EmailIdentity: 'example.com' });
  expect(gate.Properties).toMatchObject({ EmailIdentity: 'example.com', TimeoutSeconds: '2700' });

  // The three DKIM CNAMEs, in the zone the lookup found, named by the lookup's tokens.
  const records = ofType('AWS::Route53::RecordSet').map(([, record]) => record.Properties!);
  expect(records).toHaveLength(3);
  for (const [index, record] of records.entries()) {
    expect(record).toMatchObject({
      HostedZoneId: HOSTED_ZONE_ID,
      Type: 'CNAME',
      Name: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [lookupId, `DkimToken${index + 1}`] }, '._domainkey.example.com.']] },
    });
  }
  // The user pool waits for the gate.
  const [[, userPool]] = ofType('AWS::Cognito::UserPool');
  expect(userPool.DependsOn).toEqual(expect.arrayContaining([gateId]));
}, 120_000);

test('the README shows the complete app as it is in examples/user-app', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.match(/^## A complete app\n([\s\S]*?)(?=^## )/m)?.[1];
  expect(section).toBeDefined();
  // Each file as the README shows it: its path in backquotes, a colon, then its code block.
  const shown = new Map([...section!.matchAll(/^`([^`]+)`:\n\n```\S*\n([\s\S]*?)^```$/gm)].map(([, file, code]) => [file, code]));
  expect([...shown.keys()].sort()).toEqual([...USER_FILES].sort());
  for (const file of USER_FILES) {
    expect({ file, code: shown.get(file) }).toEqual({ file, code: fs.readFileSync(path.join(EXAMPLE, file), 'utf8') });
  }
});

/** The README's import block for its snippets: the first code block of its "Use" section. */
function readmeImports(readme: string): string {
  const use = readme.split('\n## Use\n')[1];
  return /^```TypeScript\n([\s\S]*?)^```$/m.exec(use ?? '')?.[1] ?? '';
}

test("every snippet of the README compiles pasted into cdk init's files, beside the README's imports", () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const imports = readmeImports(readme);
  expect(imports).toMatch(/^import \{[\s\S]*\} from 'cdk-ses-identity-lookup';$/m);
  // The import line is shown once: no snippet repeats it.
  expect(readme.match(/from 'cdk-ses-identity-lookup'/g)).toHaveLength(3); // the import block, the complete app's stack file, the Pulumi program

  // cdk init's own templates, from the CDK CLI this repository pins.
  const templates = path.join(REPO, 'node_modules', 'aws-cdk', 'lib', 'init-templates', 'app', 'typescript');
  const stackTemplate = fs.readFileSync(path.join(templates, 'lib', '%name%-stack.template.ts'), 'utf8');
  const binTemplate = fs.readFileSync(path.join(templates, 'bin', '%name%.template.ts'), 'utf8');
  const constructImport = "import { Construct } from 'constructs';\n";
  const body = '    // The code that defines your stack goes here\n';
  const appLine = 'const app = new cdk.App();\n';
  expect(stackTemplate).toContain(constructImport);
  expect(stackTemplate).toContain(body);
  expect(binTemplate).toContain(appLine);

  const snippets = [...readme.matchAll(/^```ts( fixture=app)?\n([\s\S]*?)^```$/gm)];
  expect(snippets.length).toBeGreaterThanOrEqual(10);
  const dir = path.join(app, 'snippets');
  fs.mkdirSync(dir);
  for (const [index, [, fixture, code]] of snippets.entries()) {
    const file = fixture
      // The bin/ file up to its app, the README's imports after cdk's, then the snippet.
      ? binTemplate.slice(0, binTemplate.indexOf(appLine) + appLine.length)
        .replace(/^import \{ %name\.PascalCased%Stack \} from .*\n/m, '')
        .replace("from 'aws-cdk-lib/core';\n", `from 'aws-cdk-lib/core';\n${imports}`) + code
      // The stack file, the README's imports after Construct's, the snippet in the constructor.
      : stackTemplate.replace(/%name\.PascalCased%/g, `Snippet${index}`)
        .replace(constructImport, constructImport + imports)
        .replace(body, code.replace(/^(?=.)/gm, '    '));
    fs.writeFileSync(path.join(dir, `snippet-${index}.ts`), file);
  }
  const tsc = spawnSync(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
  expect({ status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` }).toEqual({ status: 0, output: '' });

  // And each synthesizes, with nothing reported: the stacks in one app, as bin/ would make them (with an env,
  // which HostedZone.fromLookup needs), and each bin/ snippet as its own app.
  const stacks = snippets.flatMap(([, fixture], index) => (fixture ? [] : [index]));
  fs.writeFileSync(path.join(dir, 'stacks.ts'), [
    "import * as cdk from 'aws-cdk-lib/core';",
    ...stacks.map((index) => `import { Snippet${index}Stack } from './snippet-${index}';`),
    'const app = new cdk.App();',
    'const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };',
    ...stacks.map((index) => `new Snippet${index}Stack(app, 'Snippet${index}', { env });`),
  ].join('\n'));
  const apps = ['stacks', ...snippets.flatMap(([, fixture], index) => (fixture ? [`snippet-${index}`] : []))];
  for (const name of apps) {
    const outdir = path.join(app, `cdk.out.${name}`);
    const synth = runAsCli(`npx tsx snippets/${name}.ts`, outdir);
    expect({ name, status: synth.status, output: `${synth.stdout}${synth.stderr}` }).toEqual({ name, status: 0, output: '' });
    expect({ name, ...reportedBy(outdir) }).toEqual({ name, missing: undefined, reported: [] });
  }
  expect(apps.length).toBeGreaterThanOrEqual(3);

  // Each stack snippet again, in the stack as cdk init's bin/ makes it: no env. It synthesizes with nothing
  // reported, or the README says, in the paragraph right above it, that it needs an env. One app per snippet,
  // in one process (a tsx start each would cost seconds), each failure caught and kept whole.
  fs.writeFileSync(path.join(dir, 'env-agnostic.ts'), [
    "import * as cdk from 'aws-cdk-lib/core';",
    ...stacks.map((index) => `import { Snippet${index}Stack } from './snippet-${index}';`),
    'const failures: Record<string, string> = {};',
    `for (const [index, SnippetStack] of [${stacks.map((index) => `[${index}, Snippet${index}Stack]`).join(', ')}] as const) {`,
    '  try {',
    // Not synthesized at exit: a stack whose constructor threw is left as it is.
    '    const app = new cdk.App({ outdir: `${process.env.CDK_OUTDIR}/snippet-${index}`, autoSynth: false });',
    '    new SnippetStack(app, `Snippet${index}`, {});',
    '    app.synth();',
    '  } catch (error) {',
    '    failures[index] = String(error);',
    '  }',
    '}',
    'console.log(JSON.stringify(failures));',
  ].join('\n'));
  const outdir = path.join(app, 'cdk.out.env-agnostic');
  const synth = runAsCli('npx tsx snippets/env-agnostic.ts', outdir);
  expect({ status: synth.status, stderr: synth.stderr }).toEqual({ status: 0, stderr: '' });
  const failures = JSON.parse(synth.stdout) as Record<string, string>;
  const outcomes = stacks.map((index) => {
    const offset = snippets[index].index!;
    const failure = failures[index];
    const report = failure === undefined ? reportedBy(path.join(outdir, `snippet-${index}`)) : undefined;
    const clean = report?.missing === undefined && report?.reported.length === 0;
    return { snippet: sectionOf(readme, offset), readmeSaysItNeedsAnEnv: needsEnv(readme, offset), envAgnostic: clean ? 'synthesizes' : failure ?? report };
  });
  expect(outcomes).toEqual(outcomes.map(({ snippet, readmeSaysItNeedsAnEnv }) => ({
    snippet, readmeSaysItNeedsAnEnv, envAgnostic: readmeSaysItNeedsAnEnv ? expect.not.stringMatching(/^synthesizes$/) : 'synthesizes',
  })));
}, 180_000);

/** What marks a README snippet as needing a stack with an env: a paragraph right above it that starts so. */
const NEEDS_ENV = 'Needs a stack with an `env`:';

/** Whether the paragraph right above the code block at `offset` of the README starts with NEEDS_ENV. */
function needsEnv(readme: string, offset: number): boolean {
  const paragraphs = readme.slice(0, offset).trimEnd().split(/\n\s*\n/);
  return paragraphs[paragraphs.length - 1].startsWith(NEEDS_ENV);
}

/** The README section a snippet at `offset` is in: its heading. */
function sectionOf(readme: string, offset: number): string {
  return [...readme.slice(0, offset).matchAll(/^#+ (.*)$/gm)].pop()?.[1] ?? '';
}
