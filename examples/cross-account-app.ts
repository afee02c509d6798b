/**
 * Example: the SES identity in a sending account, Route53 in a central DNS
 * account, one app. A reader role in the sending account; in the DNS
 * account, a lookup through it, the identity's records, and a gate that
 * waits until SES has verified the domain.
 *
 * `cdk deploy --all` deploys the sending account's stack first; nothing is
 * exported between the two.
 */
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { EXAMPLE_HOSTED_ZONE_ID, type ExampleAppOptions } from './example-app';
import { EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityReaderRole, EmailIdentityVerificationGate } from '../src';

/** The account that holds the SES identity. */
export const SENDING_ENV = { account: '111111111111', region: 'eu-west-1' };
/** The central DNS account. */
export const DNS_ENV = { account: '222222222222', region: 'eu-west-1' };
/** What the two accounts agree on, written once: the lookup takes it from the role. */
export const EXTERNAL_ID = 'dns-account';

export interface SendingAccountProps extends StackProps {
  readonly domain: string;
}

export class SendingAccountStack extends Stack {
  public readonly reader: EmailIdentityReaderRole;

  constructor(scope: Construct, id: string, props: SendingAccountProps) {
    super(scope, id, props);
    this.reader = new EmailIdentityReaderRole(this, 'Reader', {
      emailIdentities: [props.domain],
      trustedAccounts: [DNS_ENV.account],
      externalId: EXTERNAL_ID,
    });
  }
}

export interface DnsAccountProps extends StackProps {
  readonly domain: string;
  readonly hostedZoneId: string;
  readonly reader: EmailIdentityReaderRole;
}

export class DnsAccountStack extends Stack {
  constructor(scope: Construct, id: string, props: DnsAccountProps) {
    super(scope, id, props);
    const identity = new EmailIdentityLookup(this, 'Identity', {
      emailIdentity: props.domain,
      region: SENDING_ENV.region,
      readerRole: props.reader,
    });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    new EmailIdentityDnsRecords(this, 'Records', { identity, hostedZone });
    // The gate reads through the lookup's reader role.
    new EmailIdentityVerificationGate(this, 'Verified', { identity });
  }
}

export function buildCrossAccountApp(options: ExampleAppOptions = {}): App {
  const app = new App({ outdir: options.outdir, context: options.context });
  const domain = options.domain ?? 'example.com';
  const sending = new SendingAccountStack(app, 'SendingAccount', { domain, env: SENDING_ENV });
  new DnsAccountStack(app, 'DnsAccount', { domain, hostedZoneId: EXAMPLE_HOSTED_ZONE_ID, reader: sending.reader, env: DNS_ENV });
  return app;
}

if (require.main === module) {
  buildCrossAccountApp().synth();
}
