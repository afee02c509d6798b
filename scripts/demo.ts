/**
 * The library's main job, end to end, without deploying anything: synthesize
 * the example app (examples/verified-sender-app.ts), and for each of its
 * lookups and gates run the handler bundle from the cloud assembly (the file
 * Lambda would run) on the Create event CloudFormation would send, and print
 * what the stack would receive and the DNS records it would create. By
 * default it shows what a user acts on; `all` shows every attribute and the
 * handlers' logs. Started by scripts/demo.js, which checks the arguments and
 * the build first.
 */
import * as dns from 'node:dns';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { demoMonitor, type PublishedRecord } from './demo-monitor';
import { buildVerifiedSenderApp } from '../examples/verified-sender-app';
import { createEvent, ResponseReceiver, TEST_ACCOUNT, TEST_REGION } from '../local/cloudformation';
import { FakeSesServer, pendingIdentity, verifiedIdentity, type EmailIdentityBody } from '../local/fake-ses-server';
import { invokeBundle } from '../local/lambda-runner';
import { handlerAssetDir, TemplateResolver } from '../local/template-resolver';
import { ATTRIBUTES, type AttributeName } from '../src/shared/attributes';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../src/shared/wire';

/** The attributes a user acts on: whether the identity can send, and what DNS must hold for it to. */
const ACTED_ON: readonly AttributeName[] = [
  'VerificationStatus', 'VerifiedForSendingStatus', 'DkimStatus', 'DkimTokens', 'MailFromDomain', 'MailFromDomainStatus', 'VerificationErrorType',
];

/** A pending domain's gate runs with the shortest poll interval a gate takes, and a timeout as short: it polls once and fails. */
const SHORT_GATE_SECONDS = '5';

interface DemoOptions {
  /** Every attribute and the handlers' logs, instead of what a user acts on. */
  readonly all?: boolean;
}

/** Runs the demo; `aws` says where the caller's credentials lead, when the demo reads real SES. */
export async function demo(aws?: { identity: string; account: string; region: string }, options: DemoOptions = {}): Promise<number> {
  const stories: Array<{ domain: string; story: string; identity?: (domain: string) => EmailIdentityBody }> = aws
    ? [{ domain: aws.identity, story: `read from SES in ${aws.region}` }]
    : [
      { domain: 'example.com', identity: verifiedIdentity, story: 'verified: its DNS records are published and SES has checked them' },
      { domain: 'example.net', identity: pendingIdentity, story: 'pending: its DNS records are not published yet' },
    ];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ses-lookup-demo-'));
  // Removed however the demo ends: finished, failed, interrupted, or its output closed.
  const removeWorkDir = () => fs.rmSync(workDir, { recursive: true, force: true });
  process.once('exit', removeWorkDir);
  ['SIGINT', 'SIGTERM', 'SIGHUP'].forEach((signal) => process.once(signal, () => process.exit(130)));
  const ses = aws ? undefined : await FakeSesServer.start();
  const receiver = await ResponseReceiver.start();
  console.log(`The example app (examples/verified-sender-app.ts), synthesized for ${stories.length === 1 ? 'one domain' : 'two domains'}, its handlers run `
    + `as Lambda would run them ${ses ? `against a local SES v2 endpoint (${ses.endpoint})` : `against SES in ${aws!.region}`}.`
    + (options.all ? '' : ' Every attribute and the handlers\' logs: npm run demo -- --all.'));
  let failures = 0;
  /** The first domain's answer, which the next domains' are compared with. */
  let first: { domain: string; data: Record<string, unknown> } | undefined;
  // The records the verified domain's stack publishes: the monitor finds them in DNS.
  const published: PublishedRecord[] = [];
  try {
    for (const { domain, identity, story } of stories) {
      console.log(`\n=== ${domain}: ${story}`);
      if (identity) ses?.setIdentity(domain, identity(domain));
      const stack = buildVerifiedSenderApp({ outdir: path.join(workDir, domain), domain }).synth().stacks[0];
      const resources = stack.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
      const ids = (type: string) => Object.keys(resources).filter((id) => resources[id].Type === type);
      console.log(`Synthesized stack ${stack.stackName}: ${Object.keys(resources).length} resources, among them ${LOOKUP_RESOURCE_TYPE} ${ids(LOOKUP_RESOURCE_TYPE)}`
        + ` and ${GATE_RESOURCE_TYPE} ${ids(GATE_RESOURCE_TYPE)}.`);
      const answers: Record<string, Record<string, unknown>> = {};
      for (const logicalId of [...ids(LOOKUP_RESOURCE_TYPE), ...ids(GATE_RESOURCE_TYPE)]) {
        const { ServiceToken: _, ...properties } = resources[logicalId].Properties;
        const type = resources[logicalId].Type;
        const lookup = answers[ids(LOOKUP_RESOURCE_TYPE)[0]];
        // A gate on a real identity may wait for the app's whole timeout: not run.
        if (type === GATE_RESOURCE_TYPE && aws) {
          console.log(`\nNot running ${type} ${logicalId}: on a real identity it may wait up to ${Number(properties.TimeoutSeconds) / 60} minutes.`);
          continue;
        }
        // A gate on an unverified identity would wait the app's 45 minutes: run with a short timeout, it fails now, for the reason it would then.
        const shortGate = type === GATE_RESOURCE_TYPE && lookup?.VerificationStatus !== 'SUCCESS';
        if (shortGate) {
          console.log(`\nSES reports ${domain} ${lookup?.VerificationStatus}: deployed, the gate would check every ${properties.PollIntervalSeconds} s`
            + ` for up to ${Number(properties.TimeoutSeconds) / 60} minutes, holding back the user pool that depends on it, and fail if SES has not verified`
            + ` the domain by then. Here it runs with TimeoutSeconds and PollIntervalSeconds ${SHORT_GATE_SECONDS} (a check at once and one at the timeout), to give`
            + ` now the reason it would give then; its DNS check asks this machine's resolver (${dns.getServers().join(', ')}), as a deployed gate asks Lambda's.`);
          properties.TimeoutSeconds = SHORT_GATE_SECONDS;
          properties.PollIntervalSeconds = SHORT_GATE_SECONDS;
        }
        const responseUrl = receiver.url();
        const event = createEvent(properties, {
          responseUrl,
          logicalResourceId: logicalId,
          resourceType: type,
          stackId: `arn:aws:cloudformation:${aws?.region ?? TEST_REGION}:${aws?.account ?? TEST_ACCOUNT}:stack/${stack.stackName}/00000000-0000-0000-0000-000000000000`,
        });
        const created = `${shortGate ? '' : '\n'}Create ${type} ${logicalId}`;
        if (options.all) console.log(`${created} (${JSON.stringify(properties)}); the handler logs:`);
        const logs: string[] = [];
        const run = await invokeBundle(handlerAssetDir(stack, logicalId), event, {
          localCredentials: !aws,
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...ses ? { AWS_ENDPOINT_URL_SESV2: ses.endpoint } : { AWS_REGION: aws!.region } },
          onLine: (line) => line.trim() && (options.all ? console.log(`  | ${line}`) : logs.push(`  | ${line}`)),
        });
        const response = await receiver.response(responseUrl, 2000).catch(() => undefined);
        if (!response) {
          failures++;
          console.log(`No response: the handler process exited with ${run.exitCode}. It logged:\n${logs.join('\n')}`);
          continue;
        }
        const { Status, Reason, PhysicalResourceId, Data } = response.body;
        console.log(`${options.all ? '' : `${created}: `}CloudFormation receives ${Status} (${response.bytes} of 4096 bytes, handler process ${run.elapsedMs.toFixed(0)} ms), PhysicalResourceId ${PhysicalResourceId}`);
        if (Status !== 'SUCCESS') {
          // The short gate's failure is the one the demo shows; any other is the demo's own.
          if (!shortGate) failures++;
          console.log(`Reason: ${Reason}`);
        } else if (shortGate) {
          failures++;
          console.log(`The gate passed, though SES reports ${domain} ${lookup?.VerificationStatus}.`);
        } else if (type === LOOKUP_RESOURCE_TYPE) {
          const data = answers[logicalId] = Data ?? {};
          printAttributes(data, options.all, first);
          first ??= { domain, data };
          // The stack's own record sets, with the attributes this answer gives them.
          const resolver = new TemplateResolver(stack.template, stack.stackName, undefined, answers);
          console.log('The DNS records the stack would create (its AWS::Route53::RecordSet resources, resolved with this answer), as a zone file:');
          for (const record of Object.values(resources).filter((resource) => resource.Type === 'AWS::Route53::RecordSet')) {
            type RecordSet = { Name: string; TTL: string; Type: string; ResourceRecords: string[] };
            const { Name, TTL, Type, ResourceRecords } = resolver.resolve(record.Properties) as RecordSet;
            // Route 53 takes CNAME and MX targets as absolute names; a zone file needs the final dot.
            ResourceRecords.forEach((value) => console.log(`  ${Name} ${TTL} IN ${Type} ${/^(CNAME|MX)$/.test(Type) && !value.endsWith('.') ? `${value}.` : value}`));
            if (identity === verifiedIdentity) {
              published.push(...ResourceRecords.map((value) => ({ name: Name, type: Type, value })));
            }
          }
        } else {
          console.log(`The gate passed at once: ${domain} is verified, so the user pool that depends on it would be created now.`);
        }
      }
    }
    if (ses) {
      await demoMonitor(workDir, ses, stories.map((story) => story.domain), published, options.all);
    }
  } finally {
    await receiver.stop();
    await ses?.stop();
    removeWorkDir();
  }
  return failures === 0 ? 0 : 1;
}

/**
 * A lookup's attributes: all of them, or those a user acts on and, after the
 * first domain, the others that differ from its. An attribute of an API
 * field already shown (DkimToken1..3 of DkimTokens) is not shown again.
 */
function printAttributes(data: Record<string, unknown>, all: boolean | undefined, first?: { domain: string; data: Record<string, unknown> }): void {
  const print = (names: readonly string[]) => {
    const width = Math.max(...names.map((name) => name.length));
    names.forEach((name) => console.log(`  ${name.padEnd(width)}  ${JSON.stringify(data[name])}`));
  };
  if (all) {
    print(Object.keys(data));
    return;
  }
  print(ACTED_ON);
  if (!first) return;
  const shownPaths = new Set(ATTRIBUTES.filter((row) => ACTED_ON.includes(row.attribute)).map((row) => row.path));
  const differing = ATTRIBUTES.filter((row) => !shownPaths.has(row.path) && data[row.attribute] !== first.data[row.attribute])
    .map((row) => row.attribute);
  console.log(differing.length === 0 ? `Its other attributes are as ${first.domain}'s.` : `Its other attributes that differ from ${first.domain}'s:`);
  print(differing);
}
