/**
 * Example: an SES domain made outside the stack, its DNS records published
 * from a lookup, and a Cognito user pool that is not deployed before SES
 * has verified the domain.
 */
import { type App, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { EXAMPLE_ENV, EXAMPLE_HOSTED_ZONE_ID, exampleApp, type ExampleAppOptions } from './example-app';
import { DmarcPolicy, EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityVerificationGate } from '../src';

export interface VerifiedSenderProps extends StackProps {
  readonly domain: string;
  readonly hostedZoneId: string;
}

export class VerifiedSenderStack extends Stack {
  constructor(scope: Construct, id: string, props: VerifiedSenderProps) {
    super(scope, id, props);

    const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: props.domain });

    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    const records = new EmailIdentityDnsRecords(this, 'Records', {
      identity,
      hostedZone: zone,
      mailFrom: true,
      dmarcPolicy: DmarcPolicy.NONE,
    });

    // Waits, at most 45 minutes, for SES to see the records and verify the domain.
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

export function buildVerifiedSenderApp(options: ExampleAppOptions = {}): App {
  return exampleApp(options, (app, domain) => new VerifiedSenderStack(app, 'VerifiedSender', { domain, hostedZoneId: EXAMPLE_HOSTED_ZONE_ID, env: EXAMPLE_ENV }));
}

if (require.main === module) {
  buildVerifiedSenderApp().synth();
}
