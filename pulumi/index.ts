import * as pulumi from '@pulumi/pulumi';
import * as pulumicdk from '@pulumi/cdk';
import * as cdk from 'aws-cdk-lib/core';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  EmailIdentityDnsRecords, EmailIdentityFunctions, EmailIdentityLookup, EmailIdentityVerificationGate,
} from 'cdk-ses-identity-lookup';

// An SES domain identity in the stack's account and region, and its public hosted zone.
const config = new pulumi.Config();
const domain = config.require('domain');
const hostedZoneId = config.require('hostedZoneId');

class MailStack extends pulumicdk.Stack {
  public readonly dkimStatus: pulumi.Output<string>;

  constructor(app: pulumicdk.App, id: string) {
    // The account and region of the program's aws-native provider.
    super(app, id, { props: { env: app.env } });

    // @pulumi/cdk ignores the variables of Fn::Sub, which the per-identity policies use:
    // let the stack's functions read every SES identity in the account instead.
    EmailIdentityFunctions.configure(this, { readAllIdentities: true });

    // By its attributes: CDK's HostedZone.fromLookup needs PULUMI_CDK_EXPERIMENTAL_LOOKUPS=true.
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId, zoneName: domain });

    // Reads the identity from SES at deploy time, and publishes its DKIM records in the zone.
    const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: domain });
    new EmailIdentityDnsRecords(this, 'Records', { identity, hostedZone: zone });

    // Holds back what sends from the domain until SES has verified it.
    const verified = new EmailIdentityVerificationGate(this, 'Verified', { identity, timeout: cdk.Duration.minutes(45) });
    const users = new cognito.UserPool(this, 'Users', {
      email: cognito.UserPoolEmail.withSES({ fromEmail: `noreply@${domain}`, sesVerifiedDomain: domain }),
    });
    users.node.addDependency(verified);

    this.dkimStatus = this.asOutput(identity.dkimStatus);
  }
}

const app = new pulumicdk.App('mail', (scope: pulumicdk.App) => {
  const stack = new MailStack(scope, 'MailStack');
  return { dkimStatus: stack.dkimStatus };
});

export const dkimStatus = app.outputs['dkimStatus'];
