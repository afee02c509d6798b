/**
 * The demo's last part: what an EmailIdentityMonitor of the example's
 * domains would publish. A stack with the monitor is synthesized; the
 * monitor bundle from its cloud assembly runs on what the schedule would
 * deliver, against the demo's local SES, a local CloudWatch, and a local DNS
 * server holding the records the verified domain's stack publishes.
 */
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { EXAMPLE_ENV } from '../examples/example-app';
import { deliver, scheduledEvent, type RuleTarget } from '../local/eventbridge';
import { FakeDnsServer } from '../local/fake-dns-server';
import type { FakeSesServer } from '../local/fake-ses-server';
import { invokeBundle } from '../local/lambda-runner';
import { functionAssetDir } from '../local/template-resolver';
import { EmailIdentityMonitor } from '../src';

/** A record as the demo's zone file prints it: Route 53's spelling (a final dot, TXT values quoted). */
export interface PublishedRecord {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

/** @param all the function's log lines too, and how the run was made */
export async function demoMonitor(
  workDir: string, fake: FakeSesServer, domains: readonly string[], published: readonly PublishedRecord[], all = false,
): Promise<void> {
  const dns = await FakeDnsServer.start();
  try {
    for (const record of published.filter((each) => /^(CNAME|MX|TXT)$/.test(each.type))) {
      // Route 53 quotes TXT strings; DNS answers their text.
      const value = record.type === 'TXT' ? record.value.replace(/^"|"$/g, '').replace(/" "/g, '') : record.value;
      dns.setRecords(record.name, record.type as 'CNAME' | 'MX' | 'TXT', [value]);
    }
    const app = new App({ outdir: path.join(workDir, 'monitor') });
    const stack = new Stack(app, 'Monitoring', { env: EXAMPLE_ENV });
    new EmailIdentityMonitor(stack, 'Monitor', { identities: domains.map((domain) => ses.EmailIdentity.fromEmailIdentityName(stack, domain, domain)) });
    const artifact = app.synth().getStackByName(stack.stackName);
    const resources = artifact.template.Resources as Record<string, { Type: string; Properties: { Targets?: Array<RuleTarget & { Arn: { 'Fn::GetAtt': string[] } }> } }>;
    const rule = Object.values(resources).find((resource) => resource.Type === 'AWS::Events::Rule')!;
    const [target] = rule.Properties.Targets!;
    const time = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const input = deliver(target, scheduledEvent(`arn:aws:events:${EXAMPLE_ENV.region}:${EXAMPLE_ENV.account}:rule/Monitoring-MonitorSchedule`, time)) as object;

    console.log(`\n=== After deployment: an EmailIdentityMonitor of ${domains.join(' and ')}, its function run on its schedule's input; `
      + 'what CloudWatch receives (0 is healthy, each unit an unmet check):');
    if (all) {
      console.log(`Its schedule (${(rule.Properties as { ScheduleExpression?: string }).ScheduleExpression}) runs the monitor function on this input; it reads each identity`
        + ' from the local SES and checks the records SES expects in a local DNS that holds what the verified domain\'s stack publishes. The function logs:');
    }
    const lines: string[] = [];
    const run = await invokeBundle(functionAssetDir(artifact, target.Arn['Fn::GetAtt'][0]), input, {
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_ENDPOINT_URL_SESV2: fake.endpoint, AWS_ENDPOINT_URL_CLOUDWATCH: fake.endpoint },
      dnsServer: dns.address,
      onLine: (line) => line.trim() && (all ? console.log(`  | ${line}`) : lines.push(line)),
    });
    // The unmet checks by name, from the function's line for each identity.
    const unmet = new Map(lines.map((line) => JSON.parse(line) as { emailIdentity?: string; unmet?: string[] })
      .filter((line) => line.emailIdentity && line.unmet)
      .map((line) => [line.emailIdentity, line.unmet!.map((reason) => reason.split(':')[0]).join(', ')]));
    for (const datum of fake.cloudWatch.metricData) {
      const name = datum.dimensions.EmailIdentity;
      const why = unmet.get(name) ? `: ${unmet.get(name)}` : '';
      console.log(`  ${datum.namespace} ${datum.metricName} {EmailIdentity=${name}} = ${datum.value} at ${datum.timestamp?.toISOString()}${why}`);
    }
    if (all) {
      console.log(`(handler process ${run.elapsedMs.toFixed(0)} ms) Each identity's alarm goes off after 3 runs in a row above 0, or without data.`);
    }
  } finally {
    await dns.stop();
  }
}
