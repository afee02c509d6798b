/**
 * Example: create an SES domain identity with aws-cdk-lib, publish its DNS
 * records in Route53, wait until SES has verified it, and only then deploy a
 * Cognito user pool that sends from it (what Terraform's
 * aws_ses_domain_identity_verification does).
 *
 * The order in the template: the identity, then the lookup that reads its
 * DKIM tokens (and the records built from them) and the gate, then the user pool.
 */
import { type App, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { EXAMPLE_ENV, EXAMPLE_HOSTED_ZONE_ID, exampleApp, type ExampleAppOptions } from './example-app';
import { EmailIdentityDnsRecords, EmailIdentityVerificationGate } from '../src';

export interface CreatedIdentityProps extends StackProps {
  /** The domain to create the identity for. */
  readonly domain: string;
  /** The Route53 zone that holds the domain's records. */
  readonly hostedZoneId: string;
}

export class CreatedIdentityStack extends Stack {
  public readonly identity: ses.EmailIdentity;
  public readonly records: EmailIdentityDnsRecords;
  public readonly verified: EmailIdentityVerificationGate;
  public readonly users: cognito.UserPool;

  constructor(scope: Construct, id: string, props: CreatedIdentityProps) {
    super(scope, id, props);

    // Identity.domain(), not Identity.publicHostedZone(zone): with a zone,
    // aws-cdk-lib would create the DKIM records itself.
    this.identity = new ses.EmailIdentity(this, 'Identity', { identity: ses.Identity.domain(props.domain) });

    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    this.records = new EmailIdentityDnsRecords(this, 'Records', { identity: this.identity, hostedZone: zone });

    // Waits, at most 45 minutes, for SES to see the records and verify the domain.
    this.verified = new EmailIdentityVerificationGate(this, 'Verified', { identity: this.identity, timeout: Duration.minutes(45) });

    this.users = new cognito.UserPool(this, 'Users', {
      email: cognito.UserPoolEmail.withSES({
        fromEmail: `noreply@${props.domain}`,
        sesVerifiedDomain: props.domain,
        sesRegion: this.region,
      }),
    });
    this.users.node.addDependency(this.verified);

    new CfnOutput(this, 'DnsRecords', { value: this.records.toZoneFile() });
  }
}

export function buildCreatedIdentityApp(options: ExampleAppOptions = {}): App {
  return exampleApp(options, (app, domain) => new CreatedIdentityStack(app, 'CreatedIdentity', { domain, hostedZoneId: EXAMPLE_HOSTED_ZONE_ID, env: EXAMPLE_ENV }));
}

if (require.main === module) {
  buildCreatedIdentityApp().synth();
}
