import * as cdk from 'aws-cdk-lib/core';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityVerificationGate } from 'cdk-ses-identity-lookup';

export interface MailStackProps extends cdk.StackProps {
  /** The SES domain identity, in this stack's account and region. */
  readonly domain: string;
}

export class MailStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: MailStackProps) {
    super(scope, id, props);

    // The domain's public hosted zone. Without credentials at synth time, use
    // route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId, zoneName }).
    const zone = route53.HostedZone.fromLookup(this, 'Zone', { domainName: props.domain });

    // Reads the identity from SES at deploy time, and publishes its DKIM records in the zone.
    const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: props.domain });
    new EmailIdentityDnsRecords(this, 'Records', { identity, hostedZone: zone });

    // Holds back what sends from the domain until SES has verified it.
    const verified = new EmailIdentityVerificationGate(this, 'Verified', { identity, timeout: cdk.Duration.minutes(45) });

    const users = new cognito.UserPool(this, 'Users', {
      email: cognito.UserPoolEmail.withSES({ fromEmail: `noreply@${props.domain}`, sesVerifiedDomain: props.domain }),
    });
    users.node.addDependency(verified);

    new cdk.CfnOutput(this, 'DkimStatus', { value: identity.dkimStatus });
  }
}
