/**
 * Example: read an SES identity made outside the stack, publish its Easy DKIM
 * records in Route53, and let a function send from it.
 *
 * `npx projen demo` synthesizes this app and runs the bundled handler against
 * a local SES endpoint; the test suite synthesizes it too.
 */
import { type App, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { EXAMPLE_ENV, EXAMPLE_HOSTED_ZONE_ID, exampleApp, type ExampleAppOptions } from './example-app';
import { EmailIdentityLookup } from '../src';

export interface LookupExampleProps extends StackProps {
  /** The SES identity to read. */
  readonly domain: string;
  /** The Route53 zone that holds the domain's records. */
  readonly hostedZoneId: string;
}

export class LookupExampleStack extends Stack {
  public readonly identity: EmailIdentityLookup;

  constructor(scope: Construct, id: string, props: LookupExampleProps) {
    super(scope, id, props);

    this.identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: props.domain });

    // One CNAME per Easy DKIM token, pointing into the zone SES reports.
    // CfnRecordSet takes deploy-time names as they are (see aws-ses EmailIdentity).
    const tokens = [this.identity.dkimToken1, this.identity.dkimToken2, this.identity.dkimToken3];
    tokens.forEach((token, index) => {
      new route53.CfnRecordSet(this, `DkimRecord${index + 1}`, {
        hostedZoneId: props.hostedZoneId,
        name: `${token}._domainkey.${props.domain}.`,
        type: 'CNAME',
        ttl: '1800',
        resourceRecords: [`${token}.${this.identity.dkimSigningHostedZone}`],
      });
    });

    const sender = new iam.Role(this, 'Sender', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.identity.grantSendEmail(sender);

    new CfnOutput(this, 'VerificationStatus', { value: this.identity.verificationStatus });
    new CfnOutput(this, 'DkimStatus', { value: this.identity.dkimStatus });
    new CfnOutput(this, 'MailFromDomainStatus', { value: this.identity.mailFromDomainStatus });
  }
}

export type { ExampleAppOptions };

export function buildExampleApp(options: ExampleAppOptions = {}): App {
  return exampleApp(options, (app, domain) => new LookupExampleStack(app, 'SesLookupExample', { domain, hostedZoneId: EXAMPLE_HOSTED_ZONE_ID, env: EXAMPLE_ENV }));
}

if (require.main === module) {
  buildExampleApp().synth();
}
