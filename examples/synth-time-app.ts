/**
 * Example: the verified-sender app (verified-sender-app.ts) built on a lookup
 * at synth time. The CDK CLI reads the identity through Cloud Control and
 * caches it in cdk.context.json, so the DNS records are exactly the
 * identity's: its Easy DKIM CNAMEs, and MAIL FROM records only when it has a
 * MAIL FROM domain, with no custom resource to read them. The gate still reads
 * SES at deploy time: verification is a status, and statuses change.
 *
 *   npx cdk synth --app "npx ts-node --project tsconfig.dev.json examples/synth-time-app.ts"
 *
 * (with credentials for the example's account, or change EXAMPLE_ENV).
 */
import { type App, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { EXAMPLE_ENV, EXAMPLE_HOSTED_ZONE_ID, exampleApp, type ExampleAppOptions } from './example-app';
import { DmarcPolicy, EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityVerificationGate } from '../src';

export interface SynthTimeSenderProps extends StackProps {
  readonly domain: string;
  readonly hostedZoneId: string;
}

export class SynthTimeSenderStack extends Stack {
  constructor(scope: Construct, id: string, props: SynthTimeSenderProps) {
    super(scope, id, props);

    const identity = EmailIdentityLookup.fromLookup(this, 'Identity', { emailIdentity: props.domain });

    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    // No mailFrom: the identity says whether it has a MAIL FROM domain.
    const records = new EmailIdentityDnsRecords(this, 'Records', { identity, hostedZone: zone, dmarcPolicy: DmarcPolicy.NONE });

    const verified = new EmailIdentityVerificationGate(this, 'Verified', { identity, timeout: Duration.minutes(45) });
    const users = new cognito.UserPool(this, 'Users', {
      email: cognito.UserPoolEmail.withSES({
        fromEmail: `noreply@${props.domain}`,
        sesVerifiedDomain: props.domain,
        sesRegion: this.region,
      }),
    });
    users.node.addDependency(verified);

    new CfnOutput(this, 'DnsRecords', { value: records.toZoneFile() });
  }
}

export function buildSynthTimeApp(options: ExampleAppOptions = {}): App {
  return exampleApp(options, (app, domain) => new SynthTimeSenderStack(app, 'SynthTimeSender', { domain, hostedZoneId: EXAMPLE_HOSTED_ZONE_ID, env: EXAMPLE_ENV }));
}

if (require.main === module) {
  buildSynthTimeApp({ domain: process.env.EXAMPLE_DOMAIN }).synth();
}
