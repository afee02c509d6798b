'use strict';
/**
 * `npm run demo`: checks the arguments and, with --aws, the identity and
 * region (by the library's own rules) and the credentials, before anything is
 * built; rebuilds the handler bundles only when src/ changed; then runs
 * scripts/demo.ts. Plain JavaScript, so that `--help` and a typo answer
 * without waiting for TypeScript to load.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const USAGE = `Usage: npm run demo [-- options]

  (no options)            against a local SES v2 endpoint on 127.0.0.1, with two canned
                          domains: example.com (verified) and example.net (pending); shows the
                          attributes you act on, what differs between the two, the DNS records,
                          and each gate's run (example.net's with a 5 s timeout, so that it fails)
  --all                   every attribute of each lookup, and the handlers' logs
  --aws --identity NAME   against SES with your AWS credentials (AWS_PROFILE, environment
                          variables or ~/.aws; read-only, nothing is deployed, gates skipped)
  --region REGION         with --aws: the identity's region (default: AWS_REGION or your profile's)
  -h, --help              this text`;

const REPO = path.join(__dirname, '..');
// The SDK's notice that it will drop Node 20 (Lambda runs Node 24), here and in every handler run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function parse() {
  try {
    const { values } = parseArgs({
      options: { aws: { type: 'boolean', default: false }, all: { type: 'boolean', default: false }, identity: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) return console.log(USAGE);
    if (values.aws && !values.identity) throw new Error('--aws needs --identity NAME: the domain or email address to read from SES');
    if (!values.aws && (values.identity || values.region)) throw new Error('--identity and --region go with --aws');
    return values;
  } catch (error) {
    console.error(`demo: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  }
}

/** TypeScript, for the library's own modules: loaded only when needed, so that --help and a typo answer at once. */
function loadTypeScript() {
  // Type checking is the build's and the tests' job; here it would only add seconds.
  require('ts-node').register({ project: path.join(REPO, 'tsconfig.dev.json'), transpileOnly: true });
}

/**
 * What is wrong with the identity or the region, by the library's own rules
 * (the constructs' and the handler's, and aws-cdk-lib's region facts), or
 * undefined: named before AWS is asked, not blamed on the credentials.
 */
function inputProblem(identity, region, regionSource) {
  loadTypeScript();
  const { emailIdentityProblem } = require('../src/shared/identity-name');
  const { regionProblem } = require('../src/shared/validation');
  const { unknownRegionProblem } = require('../src/private/region-facts');
  const identityIssue = emailIdentityProblem(identity);
  if (identityIssue) return `--identity: ${identityIssue}`;
  const regionIssue = regionProblem(region) ?? unknownRegionProblem(region);
  return regionIssue && `${regionSource}: ${regionIssue}`;
}

/** Why a request got no answer (a name that does not resolve, a refused connection, a timeout), or undefined when it did get one. */
function unreachable(error) {
  if (error.$metadata?.httpStatusCode) return undefined;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer within 2 s';
  const code = error.code ?? error.cause?.code;
  return {
    ENOTFOUND: `the host name does not resolve (${error.hostname ?? error.message})`,
    EAI_AGAIN: 'the host name could not be resolved: DNS did not answer',
    ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
  }[code];
}

/**
 * Who the credentials belong to: asked first, briefly, after the identity and
 * region are checked, so that each failure names its cause: bad input, no
 * credentials, AWS unreachable, or AWS refusing the credentials.
 */
async function callerIdentity(identity, regionOption) {
  const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
  const client = new STSClient({ region: regionOption, maxAttempts: 1 });
  const region = await client.config.region().catch(() => undefined);
  if (!region) {
    return console.error('demo: no AWS region: pass --region, set AWS_REGION, or set one in your profile.');
  }
  const problem = inputProblem(identity, region, regionOption ? '--region' : 'the region from AWS_REGION or your profile');
  if (problem) {
    return console.error(`demo: ${problem} Nothing was read.`);
  }
  const endpoint = process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL
    ?? client.config.endpointProvider({ Region: region, UseDualStack: false, UseFIPS: false, UseGlobalEndpoint: false }).url.origin;
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const caller = await client.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(2000) });
      console.log(`AWS account ${caller.Account} (${caller.Arn}), region ${region}.`);
      return { account: caller.Account, region };
    } catch (error) {
      lastError = error;
      const cause = unreachable(error) ?? `${error.name}: ${error.message}`;
      console.error(`STS GetCallerIdentity at ${endpoint}: attempt ${attempt} of 3 failed: ${cause}`);
      // Missing credentials, or an answer from AWS (denied, expired), will not change by asking again.
      if (error.name === 'CredentialsProviderError') {
        return console.error('demo: no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ~/.aws); nothing was read.');
      }
      const status = error.$metadata?.httpStatusCode;
      if (status && status < 500) {
        return console.error(`demo: AWS refused these credentials (${error.name}: ${error.message}); nothing was read.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
  }
  const why = unreachable(lastError);
  console.error(why
    ? `demo: AWS could not be reached at ${endpoint}: ${why}. Check the network (a proxy, a firewall) or AWS_ENDPOINT_URL_STS; nothing was read.`
    : `demo: STS at ${endpoint} kept failing (${lastError.name}: ${lastError.message}); nothing was read.`);
}

/** Rebuilds the handler bundles unless both are newer than every file under src/ and package-lock.json. */
function buildIfStale() {
  const mtime = (file) => fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
  const sources = fs.readdirSync(path.join(REPO, 'src'), { recursive: true }).map((name) => path.join(REPO, 'src', name));
  const built = Math.min(...['lookup', 'gate'].map((name) => mtime(path.join(REPO, 'assets', 'handler', `${name}.lambda`, 'index.js'))));
  if (built > Math.max(mtime(path.join(REPO, 'package-lock.json')), ...sources.map(mtime))) return true;
  const started = Date.now();
  process.stdout.write(built === 0 ? 'Building the handler bundles... ' : 'src/ changed since the last build: rebuilding the handler bundles... ');
  const build = spawnSync('npx', ['projen', 'bundle'], { cwd: REPO, encoding: 'utf8' });
  console.log(build.status === 0 ? `done in ${((Date.now() - started) / 1000).toFixed(1)} s.` : `failed:\n${build.stdout}${build.stderr}`);
  return build.status === 0;
}

async function main() {
  const options = parse();
  if (!options) return;
  const aws = options.aws ? await callerIdentity(options.identity, options.region) : undefined;
  if ((options.aws && !aws) || !buildIfStale()) {
    process.exitCode = 1;
    return;
  }
  loadTypeScript();
  process.exitCode = await require('./demo.ts').demo(aws && { identity: options.identity, ...aws }, { all: options.all });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
