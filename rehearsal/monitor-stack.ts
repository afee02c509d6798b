/**
 * The rehearsal's EmailIdentityMonitor: one healthy identity and one that
 * never verified, both seeded (world.ts), watched by one monitor.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { DOMAINS } from './world';
import { EmailIdentityLookup, EmailIdentityMonitor, IdentityCheck } from '../src';

/**
 * Every check but DNS_RECORDS. MiniStack runs the function as a host process
 * with the system's resolver (/etc/resolv.conf), and the rehearsal has no DNS
 * server that answers from MiniStack's Route53 zones. The local runner's
 * LOCAL_DNS_SERVER is read by its own bootstrap (local/lambda-bootstrap.js),
 * which MiniStack does not load; the only way in would be a preload through
 * MiniStack's own environment (its workers get `{**os.environ, **env_vars}`,
 * core/lambda_runtime.py), which would change every function it runs, the
 * lookups' and gates' too. Without it, the DNS check would ask the machine's
 * resolver about example.com, which says nothing of the rehearsal's zones.
 */
const MONITOR_CHECKS = [
  IdentityCheck.IDENTITY_VERIFIED, IdentityCheck.SENDING_ENABLED, IdentityCheck.DKIM_VERIFIED, IdentityCheck.MAIL_FROM_VERIFIED,
];

export class MonitorStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    // Both kinds of identity a monitor takes: a lookup, and an identity named by its name.
    const healthy = new EmailIdentityLookup(this, 'Healthy', { emailIdentity: DOMAINS.lookup });
    const pending = ses.EmailIdentity.fromEmailIdentityName(this, 'Pending', DOMAINS.pending);
    new EmailIdentityMonitor(this, 'Monitor', { identities: [healthy, pending], checks: MONITOR_CHECKS });
  }
}
