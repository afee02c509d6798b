import { awscdk, javascript, JsonFile } from 'projen';
import { addTemplateLint } from './projenrc/cfn-lint';
import { addLanguageChecks } from './projenrc/languages';
import { addPulumiTest } from './projenrc/pulumi';
import { addRehearsal } from './projenrc/rehearsal';

/**
 * The functions' runtime: the newest Node.js runtime Lambda offers generally
 * available, in every region; never a preview (aws-cdk-lib 2.278 lists
 * nodejs26.x, a public preview). Moving to a newer runtime is this constant;
 * the functions' cdk-nag AwsSolutions-L1 suppression states the runtime they
 * are given (src/email-identity-functions.ts).
 */
const LAMBDA_RUNTIME = awscdk.LambdaRuntime.NODEJS_24_X;

/** The devDependency alias that holds the newest aws-cdk-lib. */
const CDK_LATEST = 'aws-cdk-lib-latest';

/**
 * test/ mirrors the house: constructs/ (src/'s constructs and private/),
 * handler/ (src/handler/; load/ the load tests), shared/, apps/ (the example
 * apps synthesized and scanned), end-to-end/ (bundles, the CDK CLI, the
 * package, the demo, the user's app) and support/ (what the tests share).
 * The tests that synthesize stacks run on the peer floor (cdkVersion) and
 * again on the newest aws-cdk-lib; handler tests never load aws-cdk-lib.
 */
const CONSTRUCT_TESTS = ['test/constructs/**/*.test.ts', 'test/apps/**/*.test.ts'];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-ses-identity-lookup',
  description: 'Look up an existing Amazon SES email identity (DKIM tokens, verification and MAIL FROM state) from an AWS CDK stack.',
  author: 'SES Lookup Maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/example/cdk-ses-identity-lookup.git',
  keywords: ['aws-cdk', 'cdk', 'ses', 'sesv2', 'dkim', 'email', 'custom-resource'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The peer range users get is ^cdkVersion; the tests run against exactly this
  // version, the oldest one we promise: the first that cdk-nag 3 supports
  // (its Validations plugin API), which the security test needs.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  tsconfigDevFile: 'tsconfig.dev.json',
  // One tsconfig covers every folder, so typed linting uses it for all of them.
  eslintOptions: {
    dirs: ['src'],
    // src/handler is bundled at build time: its SDK imports are devDependencies on purpose.
    devdirs: ['src/handler', 'test', 'local', 'scripts', 'examples', 'projenrc'],
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
  },

  // Lambda code is declared explicitly below, so the generated function
  // construct lands next to the provider rather than next to the handler.
  lambdaAutoDiscover: false,

  jestOptions: {
    jestConfig: {
      // Istanbul instruments src/ only; V8 coverage also records the whole of
      // aws-cdk-lib that each construct test loads, twice over with the newest
      // one, which nearly doubled the run.
      coverageProvider: 'babel',
    },
    // `npm test` (CI) fails on a snapshot that does not match instead of
    // rewriting it; `npx projen test:update` rewrites them on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
  },

  devDeps: [
    // Bundled into the handler at build time; never a runtime dependency.
    '@aws-sdk/client-sesv2',
    // AssumeRole, for identities in other accounts.
    '@aws-sdk/client-sts',
    // Asynchronous self-invocation, for gates that wait longer than one invocation.
    '@aws-sdk/client-lambda',
    // DescribeStacks on the stack's own id: a rollback is told by the stack's status, not the event.
    '@aws-sdk/client-cloudformation',
    // PutMetricData, for EmailIdentityMonitor's metrics. Pinned exactly: the
    // local CloudWatch (local/fake-cloudwatch.ts) serves the protocol this
    // version sends, and a newer client may speak another.
    '@aws-sdk/client-cloudwatch@3.1178.0',
    // The SDK's own classification of retryable errors, for the handler's retries.
    '@smithy/core',
    '@smithy/node-http-handler',
    '@types/aws-lambda',
    // Handler tests: SDK mocks and property-based tests of the response size.
    'aws-sdk-client-mock',
    'aws-sdk-client-mock-jest',
    'fast-check',
    // The security test: zero AwsSolutions findings, no suppressions.
    'cdk-nag@^3',
    // The CDK CLI, whose Cloud Control context provider the synth-time lookup test drives end to end.
    'aws-cdk@2.1148.1',
    // The integration test against real AWS (test/integ.*.ts). Pinned: no
    // integ-tests-alpha 2.257.0-alpha.0 was published; 2.245's peer range takes 2.257.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    // The newest aws-cdk-lib, beside the peer floor: the construct tests run on both.
    `${CDK_LATEST}@npm:aws-cdk-lib@^2.278.0`,
    // The check that no export goes unimported (task "unused-exports", run by
    // "test"). Chosen over ts-unused-exports: knip is released every few weeks
    // and reads entry files (src/index.ts, the *.lambda.ts handlers, tests,
    // scripts) so that jsii's public API counts as used without a list of
    // exceptions; ts-unused-exports has had no release since 2024.
    'knip@^6',
    // The mutation check on demand (npx projen mutation, docs/mutation-testing.md):
    // it tells which tests only pass by. 9.x: 10.x needs Node >= 22, and the
    // repository still works on Node 20. No TypeScript checker: it would
    // type-check every mutant on 2 cores; ts-jest runs the mutants instead.
    '@stryker-mutator/core@~9.6.1',
    '@stryker-mutator/jest-runner@~9.6.1',
    // test/end-to-end/user-app.test.ts compiles examples/user-app as a user's app: with the
    // TypeScript that today's `cdk init app --language typescript` pins (7, the
    // native compiler; the build's own TypeScript stays 5, which jsii needs),
    // under an alias so that it takes no one's place, and runs it with tsx, as
    // cdk init's cdk.json does.
    'typescript-7@npm:typescript@~7.0.2',
    'tsx@^4.23.0',
  ],

  // jsii targets. Packaging them needs PyPI, Maven Central, NuGet and a Go
  // toolchain: the release workflow does that, `npx projen build` packages js.
  publishToPypi: {
    distName: 'cdk-ses-identity-lookup',
    module: 'cdk_ses_identity_lookup',
  },
  publishToMaven: {
    javaPackage: 'io.github.example.cdk.ses.identity.lookup',
    mavenGroupId: 'io.github.example',
    mavenArtifactId: 'cdk-ses-identity-lookup',
  },
  publishToNuget: {
    dotNetNamespace: 'Example.Cdk.SesIdentityLookup',
    packageId: 'Example.Cdk.SesIdentityLookup',
  },
  publishToGo: {
    moduleName: 'github.com/example/cdk-ses-identity-lookup-go',
  },

  gitignore: [
    'cdk.out', '*.cdk.out', '/bench-results/', '.jsii.tabl.json',
    // integ-runner's scratch assembly, and the asset copies in its snapshots: the check never reads them.
    'test/cdk-integ.out.*', 'test/*.snapshot/asset.*',
    // Stryker's sandboxes, reports and incremental cache (docs/mutation-testing.md).
    '/.stryker-tmp/', '/reports/',
  ],
  npmignoreEnabled: true,
  // The maintainers' guide (CONTRIBUTING.md) stays in the repository; users get the README and API.md.
  npmIgnoreOptions: { ignorePatterns: ['/CONTRIBUTING.md', '/examples/', '/scripts/', '/local/', '/rosetta/', '/bench-results/', '/knip.jsonc', '/docs/', '/.stryker-tmp/', '/reports/', '/stryker.config.json', '/stryker.handler.config.json', '/jest.mutation.config.json', '/jest.mutation-handler.config.json'] },
});

// The handler: bundled with a current SES v2 client (the copy inside the Lambda
// runtime is older and lacks fields such as SigningHostedZone), ESM entry points
// first so tree-shaking keeps the bundle and its cold start small.
// LambdaFunction passes these through to Bundler.addBundle, which takes them all.
const handlerBundling: Omit<javascript.AddBundleOptions, 'target' | 'platform'> = {
  externals: [],
  minify: true,
  mainFields: ['module', 'main'],
};
new awscdk.LambdaFunction(project, {
  entrypoint: 'src/handler/lookup.lambda.ts',
  constructFile: 'src/private/lookup-function.ts',
  constructName: 'LookupFunction',
  runtime: LAMBDA_RUNTIME,
  // SDK v3 reuses connections by itself; the variable only mattered to SDK v2.
  awsSdkConnectionReuse: false,
  cdkDeps: project.cdkDeps,
  bundlingOptions: handlerBundling,
});

// The gate function: the same handler, plus Lambda's Invoke to hand long waits
// over to a fresh invocation. Only stacks with gates deploy it.
new awscdk.LambdaFunction(project, {
  entrypoint: 'src/handler/gate.lambda.ts',
  constructFile: 'src/private/gate-function.ts',
  constructName: 'GateFunction',
  runtime: LAMBDA_RUNTIME,
  awsSdkConnectionReuse: false,
  cdkDeps: project.cdkDeps,
  bundlingOptions: handlerBundling,
});

// The monitor function: EmailIdentityMonitor's schedule runs it, to read
// identities and publish their health to CloudWatch. Only stacks with a monitor deploy it.
new awscdk.LambdaFunction(project, {
  entrypoint: 'src/handler/monitor.lambda.ts',
  constructFile: 'src/private/monitor-function.ts',
  constructName: 'MonitorFunction',
  runtime: LAMBDA_RUNTIME,
  awsSdkConnectionReuse: false,
  cdkDeps: project.cdkDeps,
  bundlingOptions: handlerBundling,
});

// Tests synthesize stacks that reference the bundle, so a fresh clone's
// `npm test` bundles first.
const bundleTask = project.tasks.tryFind('bundle');
if (bundleTask) {
  project.testTask.prependSpawn(bundleTask);
  project.tasks.tryFind('test:update')?.prependSpawn(bundleTask);
}

// Two jest projects in one run, so one JUnit report counts both: every test on
// the peer floor, and the construct tests again on the newest aws-cdk-lib.
const jestConfig = project.jest!.config;
// Stryker's sandboxes hold a copy of the project: jest must not find its tests or packages.
const STRYKER_DIRS = ['<rootDir>/.stryker-tmp/', '<rootDir>/reports/'];
jestConfig.modulePathIgnorePatterns = STRYKER_DIRS;
jestConfig.watchPathIgnorePatterns = ['/node_modules/', ...STRYKER_DIRS];
const projectConfig = {
  clearMocks: true,
  // The SDK's notice that it will need Node 22, as scripts/demo.js silences it.
  setupFiles: ['<rootDir>/test/support/quiet-sdk.ts'],
  coveragePathIgnorePatterns: ['/node_modules/'],
  testPathIgnorePatterns: ['/node_modules/', ...STRYKER_DIRS],
  modulePathIgnorePatterns: STRYKER_DIRS,
  transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
};
// One JUnit report for both projects; each suite says which aws-cdk-lib it ran on.
jestConfig.reporters = ['default', new javascript.JestReporter('jest-junit', { outputDirectory: 'test-reports', suiteNameTemplate: '{displayName}: {filepath}' })];
// Temporary files (aws-cdk-lib's cdk.out folders) in a folder removed after the run.
jestConfig.globalSetup = '<rootDir>/test/support/tmpdir-setup.ts';
jestConfig.globalTeardown = '<rootDir>/test/support/tmpdir-teardown.ts';
jestConfig.projects = [
  {
    ...projectConfig,
    displayName: `aws-cdk-lib ${project.cdkDeps.cdkMinimumVersion}`,
    testMatch: ['<rootDir>/test/**/*.test.ts'],
  },
  {
    ...projectConfig,
    displayName: 'aws-cdk-lib latest',
    testMatch: CONSTRUCT_TESTS.map((glob) => `<rootDir>/${glob}`),
    moduleNameMapper: {
      '^aws-cdk-lib$': CDK_LATEST,
      '^aws-cdk-lib/(.*)$': `${CDK_LATEST}/$1`,
    },
  },
];

// Only the js package can be built offline; see the release workflow for the rest.
const packageAll = project.tasks.tryFind('package-all');
packageAll?.reset();
packageAll?.spawn(project.tasks.tryFind('package:js')!);

// The npm package holds what users run: the constructs (lib/, without the
// handler sources: only their bundles in assets/ run), .jsii and the docs.
// Added after projen's own rules, which re-include lib/**/*.js.
project.addPackageIgnore('/lib/handler/');
project.addPackageIgnore('/.ci/');

// README examples must compile: jsii-rosetta compiles every `ts` snippet. The
// complete app's two files (tagged `TypeScript`, which rosetta passes over) are
// whole files, not fragments: test/end-to-end/user-app.test.ts compiles them as an app.
project.postCompileTask.exec('jsii-rosetta extract --strict --compile');

// The main job: synthesize the example app, run its bundled handlers against a
// local SES v2 endpoint (or, with --aws, the real one). scripts/demo.js checks
// the arguments first and rebuilds the bundles only when src/ changed; the
// constructs run from src/ through ts-node, so the jsii compile is not needed.
const demo = project.addTask('demo', {
  description: 'Synthesize the example app and run its bundled handlers against a local SES v2 endpoint (--help for options, --aws --identity NAME for real SES)',
});
demo.exec('node scripts/demo.js', { receiveArgs: true });
// npm runs it directly: the projen CLI alone takes a second or two to start.
project.package.setScript('demo', 'node scripts/demo.js');

// The benchmark against AwsCustomResource: figures, not a test (machines are noisy).
const bench = project.addTask('bench', {
  description: 'Measure cold start, bundle size and template size against AwsCustomResource (writes bench-results/bench.json)',
});
bench.spawn(bundleTask!);
bench.exec('ts-node --project tsconfig.dev.json scripts/bench.ts', { receiveArgs: true });

// The integration test: its snapshot is committed and checked offline by
// test/end-to-end/integ-snapshot.test.ts (npm test); with AWS credentials, a maintainer deploys it.
const integRunner = 'integ-runner --language typescript --directory test --parallel-regions eu-west-1'
  + " --app 'node -r ts-node/register/transpile-only {filePath}'";
project.addTask('integ', {
  description: 'Compare the integ tests\' synthesized templates with their committed snapshots (offline; asset hashes ignored)',
  // The SDK would otherwise probe EC2 instance metadata for a region.
  env: { AWS_REGION: 'eu-west-1' },
}).exec(integRunner, { receiveArgs: true });
project.addTask('integ:snapshot', {
  description: 'Write the integ snapshots by synthesizing only, without an AWS account (deploy to verify them: integ:deploy)',
  env: { AWS_REGION: 'eu-west-1' },
}).exec(`${integRunner} --update-on-failed --dry-run`, { receiveArgs: true });
project.addTask('integ:deploy', {
  description: 'With AWS credentials: deploy each integ test, run its assertions against real SES, destroy it, and rewrite its snapshot',
}).exec(`${integRunner} --force`, { receiveArgs: true });

// No export goes unimported: knip reads the entry files (the package's
// src/index.ts, found through package.json, so jsii's public API counts as
// used; the Lambda entry points; tests, scripts and examples) and fails on an
// export or exported type that no other file imports. Only those issue kinds:
// its dependency checks cannot see the CLIs that projen's tasks run.
new JsonFile(project, 'knip.jsonc', {
  allowComments: true,
  obj: {
    entry: ['src/handler/*.lambda.ts', 'test/**/*.test.ts', 'test/integ.*.ts', 'test/support/tmpdir-*.ts', 'scripts/*.ts', 'examples/*.ts'],
    project: ['src/**/*.ts', 'local/**/*.ts', 'scripts/**/*.ts', 'examples/**/*.ts', 'test/**/*.ts'],
    include: ['exports', 'types', 'nsExports', 'nsTypes', 'enumMembers', 'duplicates'],
  },
});
const unusedExports = project.addTask('unused-exports', {
  description: 'Fail on an export that no other file imports (knip)',
  exec: 'knip --no-progress',
});
project.testTask.spawn(unusedExports);
// The mutation check on demand: StrykerJS over the modules where a silent bug
// costs most. Too slow for CI on a 2-core machine (figures in
// docs/mutation-testing.md), so it is its own task: `npx projen mutation`.
//
// MUTATED_MODULES: what Stryker mutates. When a module moves or is renamed,
// change its line here (and the tests below if a test file moves).
const MUTATED_MODULES = [
  // Answering CloudFormation and fitting the response into 4096 bytes.
  'src/handler/cloudformation.ts',
  // The physical id and its digest (beside the properties they digest).
  'src/handler/properties.ts',
  // The retry policy (classes, windows, backoff), the reasons failures become, and time budgets.
  'src/handler/retry.ts',
  'src/handler/failure-reason.ts',
  'src/shared/time-budgets.ts',
  // Rollback.
  'src/handler/rollback.ts',
  // Reading Cloud Control answers (the synth-time lookup).
  'src/looked-up-email-identity.ts',
  // IAM policy building: the lookup functions' identity policies, and the
  // cross-account reader role's policy and trust.
  'src/private/identity-policies.ts',
  'src/email-identity-reader-role.ts',
];
// The tests that exercise those modules, run in-process on the peer-floor
// aws-cdk-lib only: the construct, handler and shared tests. Left out: apps/
// (the cdk-nag scan is slow, and reads no module above that the construct
// tests do not) and end-to-end/ (they run the bundles or a child process: a
// mutant lives only in the jest process, so they can never kill one).
const MUTATION_TESTS = ['test/constructs/**/*.test.ts', 'test/handler/**/*.test.ts', 'test/shared/**/*.test.ts'];
// The handler modules' own tests, without the load tests (handler/load/, 400
// lookups each) or the construct tests, which never load it. For a module whose
// mutants are mostly "static" (run every test), such as properties.ts, a run
// on these alone takes minutes instead of hours. A subset can only kill fewer
// mutants: its score is a floor of the whole set's.
// `npx stryker run stryker.handler.config.json --mutate <module>`.
// (Stryker's --testFiles cannot do this: it gives static mutants a test
// filter of file names, which matches no jest test name, so they "survive".)
const MUTATION_HANDLER_TESTS = ['test/handler/*.test.ts'];
const mutationJestConfig = (tests: string[]) => ({
  ...projectConfig,
  testEnvironment: 'node',
  testMatch: tests.map((glob) => `<rootDir>/${glob}`),
  globalSetup: '<rootDir>/test/support/tmpdir-setup.ts',
  globalTeardown: '<rootDir>/test/support/tmpdir-teardown.ts',
  // Transpile only: each mutant is run, not type-checked, and ts-jest's type
  // check of every test file in every sandbox would dominate the run.
  transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', isolatedModules: true }] },
});
new JsonFile(project, 'jest.mutation.config.json', { obj: mutationJestConfig(MUTATION_TESTS) });
new JsonFile(project, 'jest.mutation-handler.config.json', { obj: mutationJestConfig(MUTATION_HANDLER_TESTS) });
const strykerConfig = {
  projen_comment: 'Generated by projen from .projenrc.ts: edit it there, then run npx projen.',
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.json', enableFindRelatedTests: false },
  // Each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  mutate: MUTATED_MODULES,
  // The machine is shared; more runners only queue for the same cores.
  concurrency: 2,
  // Slack over each mutant's own tests' time (x1.5): the tests run on fake clocks, so a
  // mutant that takes seconds more is stuck (an endless loop or retry), and 20 s a time cost most of the run.
  timeoutMS: 3000,
  tempDirName: '.stryker-tmp',
  // Sandboxes need the handler bundles (construct tests synthesize them), not the build's outputs.
  ignorePatterns: ['/lib', '/dist', '/coverage', '/test-reports', '/bench-results', '/cdk.out', '/.jsii', '/tsconfig.tsbuildinfo'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Reruns test only mutants whose code or tests changed. The file is a local
  // cache, git-ignored under reports/: it is rewritten by every run and tied to
  // the working tree, so committed it would churn and conflict across branches.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
};
new JsonFile(project, 'stryker.config.json', {
  // Stryker warns of any key it does not know, projen's "//" marker included; "_comment" keys it skips.
  marker: false,
  obj: strykerConfig,
});
new JsonFile(project, 'stryker.handler.config.json', {
  marker: false,
  obj: {
    ...strykerConfig,
    jest: { ...strykerConfig.jest, configFile: 'jest.mutation-handler.config.json' },
    mutate: ['src/handler/properties.ts'],
    htmlReporter: { fileName: 'reports/mutation-handler/mutation.html' },
    jsonReporter: { fileName: 'reports/mutation-handler/mutation.json' },
    incrementalFile: 'reports/stryker-incremental-handler.json',
  },
});
const mutation = project.addTask('mutation', {
  description: 'Mutation testing (StrykerJS) of the modules in stryker.config.json; incremental, not part of CI (see docs/mutation-testing.md)',
});
mutation.spawn(bundleTask!);
mutation.exec('stryker run', { receiveArgs: true });
project.eslint?.addIgnorePattern('.stryker-tmp/');
project.eslint?.addIgnorePattern('reports/');

// examples/user-app is a user's app, not this project's code: cdk init's own
// tsconfig.json compiles it, against the package by its name, in
// test/end-to-end/user-app.test.ts. The project's tsconfig and eslint (whose --fix would
// reorder its imports in this project's style) leave it alone.
project.tsconfigDev.addExclude('examples/user-app');
project.eslint?.addIgnorePattern('examples/user-app/');
project.tsconfigDev.addInclude('.projenrc.ts');
project.tsconfigDev.addInclude('examples/**/*.ts');
project.tsconfigDev.addInclude('scripts/**/*.ts');
project.tsconfigDev.addInclude('local/**/*.ts');

addLanguageChecks(project);
addTemplateLint(project);
// Pulumi users through @pulumi/cdk (npx projen test:pulumi).
addPulumiTest(project);
addRehearsal(project);

project.synth();
