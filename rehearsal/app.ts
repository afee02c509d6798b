/**
 * The rehearsal's CDK app: the examples' own stacks, and a few small stacks
 * of the rehearsal's for what no example does (a gate that cannot pass,
 * updates). Every stack imports the library from src/, as the examples do.
 * rehearse.ts deploys them one by one with the CDK CLI (`cdk deploy STACK`)
 * and gives what only deploy time knows (the hosted zones' ids, the update
 * under test) as context.
 */
import { App, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { MonitorStack } from './monitor-stack';
import { ACCOUNTS, CONTEXT, DOMAINS, REGION, STACKS } from './world';
import { CreatedIdentityStack } from '../examples/created-identity-app';
import { DnsAccountStack, SendingAccountStack } from '../examples/cross-account-app';
import { LookupExampleStack } from '../examples/lookup-app';
import { VerifiedSenderStack } from '../examples/verified-sender-app';
import { EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityVerificationGate } from '../src';

const app = new App();
const context = (key: string): string => {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value !== 'string' || value === '') {
    throw new Error(`The rehearsal app needs the context value ${key} (-c ${key}=...): rehearse.ts gives it.`);
  }
  return value;
};
const main = { account: ACCOUNTS.main, region: REGION };

/** A gate that cannot pass: the identity stays PENDING, and the gate times out after 10 s. */
class GateTimesOutStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { readonly hostedZoneId: string }) {
    super(scope, id, props);
    const identity = ses.EmailIdentity.fromEmailIdentityName(this, 'Identity', DOMAINS.pending);
    const verified = new EmailIdentityVerificationGate(this, 'Verified', {
      identity,
      pollInterval: Duration.seconds(5),
      timeout: Duration.seconds(10),
    });
    // What the gate holds back: never created, since the gate fails.
    const sender = new ssm.StringParameter(this, 'HeldBack', { stringValue: 'sends from the identity' });
    sender.node.addDependency(verified);
  }
}

interface UpdatesProps extends StackProps {
  readonly hostedZoneId: string;
  readonly refreshToken: string;
  readonly mailFrom: boolean;
}

/**
 * A lookup that is updated: its refreshToken, and its records' requirement
 * of a MAIL FROM domain, come from the context of each deployment.
 */
class UpdatesStack extends Stack {
  constructor(scope: Construct, id: string, props: UpdatesProps) {
    super(scope, id, props);
    const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: DOMAINS.updates, refreshToken: props.refreshToken });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: DOMAINS.zone });
    new EmailIdentityDnsRecords(this, 'Records', { identity, hostedZone, mailFrom: props.mailFrom });
    new CfnOutput(this, 'DkimStatus', { value: identity.dkimStatus });
    new CfnOutput(this, 'DkimToken1', { value: identity.dkimToken1 });
  }
}

const zoneId = context(CONTEXT.zoneId);

new LookupExampleStack(app, STACKS.lookup, { domain: DOMAINS.lookup, hostedZoneId: zoneId, env: main });
new VerifiedSenderStack(app, STACKS.verifiedSender, { domain: DOMAINS.verified, hostedZoneId: zoneId, env: main });
new GateTimesOutStack(app, STACKS.gateTimesOut, { hostedZoneId: zoneId, env: main });
new UpdatesStack(app, STACKS.updates, {
  hostedZoneId: zoneId,
  env: main,
  refreshToken: context(CONTEXT.refreshToken),
  mailFrom: context(CONTEXT.mailFrom) === 'true',
});

// An attribute used in another stack: that stack reads the identity itself, nothing is exported.
const sesStack = new Stack(app, STACKS.crossStackSes, { env: main });
const consumer = new Stack(app, STACKS.crossStackApp, { env: main });
const shared = new EmailIdentityLookup(sesStack, 'Identity', { emailIdentity: DOMAINS.lookup });
new CfnOutput(sesStack, 'DkimStatus', { value: shared.dkimStatus });
new CfnOutput(consumer, 'DkimStatus', { value: shared.dkimStatus });
new CfnOutput(consumer, 'MailFromDomain', { value: shared.mailFromDomain });

new CreatedIdentityStack(app, STACKS.createdIdentity, { domain: DOMAINS.created, hostedZoneId: zoneId, env: main });

// Two accounts: the reader role beside the identity, the lookup, records and gate in the DNS account.
const sending = new SendingAccountStack(app, STACKS.sendingAccount, {
  domain: DOMAINS.crossAccount,
  env: { account: ACCOUNTS.sending, region: REGION },
});
new DnsAccountStack(app, STACKS.dnsAccount, {
  domain: DOMAINS.crossAccount,
  hostedZoneId: context(CONTEXT.dnsZoneId),
  reader: sending.reader,
  env: { account: ACCOUNTS.dns, region: REGION },
});

new MonitorStack(app, STACKS.monitor, { env: main });

app.synth();
