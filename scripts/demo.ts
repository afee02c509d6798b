/**
 * The library's main job, end to end, without deploying anything: synthesize
 * the example app (examples/verified-sender-app.ts), and for each of its
 * lookups and gates run the handler bundle from the cloud assembly (the file
 * Lambda would run) on the Create event CloudFormation would send, and print
 * what the stack would receive and the DNS records it would create.
 * Started by scripts/demo.js, which checks the arguments and the build first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { demoMonitor, type PublishedRecord } from './demo-monitor';
import { buildVerifiedSenderApp } from '../examples/verified-sender-app';
import { createEvent, ResponseReceiver, TEST_ACCOUNT, TEST_REGION } from '../local/cloudformation';
import { FakeSesServer, pendingIdentity, verifiedIdentity, type EmailIdentityBody } from '../local/fake-ses-server';
import { invokeBundle } from '../local/lambda-runner';
import { handlerAssetDir, TemplateResolver } from '../local/template-resolver';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../src/shared/wire';

/** Runs the demo; `aws` says where the caller's credentials lead, when the demo reads real SES. */
export async function demo(aws?: { identity: string; account: string; region: string }): Promise<number> {
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
    + `as Lambda would run them ${ses ? `against a local SES v2 endpoint (${ses.endpoint})` : `against SES in ${aws!.region}`}.`);
  let failures = 0;
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
        if (type === GATE_RESOURCE_TYPE && (aws || lookup?.VerificationStatus !== 'SUCCESS')) {
          const minutes = `${Number(properties.TimeoutSeconds) / 60} minutes`;
          console.log(`\nNot running ${type} ${logicalId}: ${aws
            ? `on a real identity it may wait up to ${minutes}.`
            : `SES reports ${domain} ${lookup?.VerificationStatus}, DKIM ${lookup?.DkimStatus}, error type ${lookup?.VerificationErrorType}:`
              + ' SES has not found the records above in DNS yet. Deployed, the gate would check every'
              + ` ${properties.PollIntervalSeconds} s for up to ${minutes}, holding back the user pool that depends on it. If SES has not verified`
              + ' the domain by then, the gate fails the deployment with a reason naming the unmet conditions and what public DNS holds of each record.'}`);
          continue;
        }
        const responseUrl = receiver.url();
        const event = createEvent(properties, {
          responseUrl,
          logicalResourceId: logicalId,
          resourceType: type,
          stackId: `arn:aws:cloudformation:${aws?.region ?? TEST_REGION}:${aws?.account ?? TEST_ACCOUNT}:stack/${stack.stackName}/00000000-0000-0000-0000-000000000000`,
        });
        console.log(`\nCreate ${type} ${logicalId} (${JSON.stringify(properties)}); the handler logs:`);
        const run = await invokeBundle(handlerAssetDir(stack, logicalId), event, {
          localCredentials: !aws,
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...ses ? { AWS_ENDPOINT_URL_SESV2: ses.endpoint } : { AWS_REGION: aws!.region } },
          onLine: (line) => line.trim() && console.log(`  | ${line}`),
        });
        const response = await receiver.response(responseUrl, 2000).catch(() => undefined);
        if (!response) {
          failures++;
          console.log(`No response: the handler process exited with ${run.exitCode}.`);
          continue;
        }
        const { Status, Reason, PhysicalResourceId, Data } = response.body;
        console.log(`CloudFormation receives ${Status} (${response.bytes} of 4096 bytes, handler process ${run.elapsedMs.toFixed(0)} ms), PhysicalResourceId ${PhysicalResourceId}`);
        if (Status !== 'SUCCESS') {
          failures++;
          console.log(`Reason: ${Reason}`);
        } else if (type === LOOKUP_RESOURCE_TYPE) {
          answers[logicalId] = Data ?? {};
          const width = Math.max(...Object.keys(Data ?? {}).map((name) => name.length));
          Object.entries(Data ?? {}).forEach(([name, value]) => console.log(`  ${name.padEnd(width)}  ${JSON.stringify(value)}`));
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
      await demoMonitor(workDir, ses, stories.map((story) => story.domain), published);
    }
  } finally {
    await receiver.stop();
    await ses?.stop();
    removeWorkDir();
  }
  return failures === 0 ? 0 : 1;
}
