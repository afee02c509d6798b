/**
 * The AWS the rehearsal deploys into, written once for the app and the
 * driver: accounts, region, domains, stack names, the context the driver
 * gives the app, and the SES identities seeded into MiniStack's state.
 */
import { DNS_ENV, SENDING_ENV } from '../examples/cross-account-app';
import { EXAMPLE_ENV } from '../examples/example-app';

export const REGION = EXAMPLE_ENV.region!;

/** MiniStack keeps one account per 12-digit access key id: each is its own. */
export const ACCOUNTS = {
  /** The examples' account, where most stacks go. */
  main: EXAMPLE_ENV.account!,
  /** The cross-account example's: the identity and its reader role. */
  sending: SENDING_ENV.account,
  /** The cross-account example's: Route53, the lookup through the role, the gate. */
  dns: DNS_ENV.account,
} as const;

/** The one hosted zone of each account that has records. */
export const ZONE = 'example.com';

export const DOMAINS = {
  zone: ZONE,
  /** Verified, DKIM and MAIL FROM set up: the records and a gate that passes. */
  verified: ZONE,
  /** Verified: a lookup with outputs and records built from its attributes. */
  lookup: `lookup.${ZONE}`,
  /** Never verified: a gate that times out. */
  pending: `pending.${ZONE}`,
  /** Verified, no MAIL FROM domain: updates, one of which asks for MAIL FROM records. */
  updates: `updates.${ZONE}`,
  /** Created by its stack (AWS::SES::EmailIdentity); see seededIdentities. */
  created: `created.${ZONE}`,
  /** In the sending account, read from the DNS account through the reader role. */
  crossAccount: ZONE,
  /** Created, never verified, by the integ test (test/integ.email-identity-lookup.ts, its DOMAIN). */
  integ: `cdk-ses-identity-lookup-integ.${ZONE}`,
} as const;

export const STACKS = {
  lookup: 'RehearsalLookup',
  verifiedSender: 'RehearsalVerifiedSender',
  gateTimesOut: 'RehearsalGateTimesOut',
  updates: 'RehearsalUpdates',
  crossStackSes: 'RehearsalCrossStackSes',
  crossStackApp: 'RehearsalCrossStackApp',
  createdIdentity: 'RehearsalCreatedIdentity',
  sendingAccount: 'RehearsalSendingAccount',
  dnsAccount: 'RehearsalDnsAccount',
  monitor: 'RehearsalMonitor',
} as const;

/** What the driver tells the app with `-c KEY=VALUE`. */
export const CONTEXT = {
  zoneId: 'rehearsal:zoneId',
  dnsZoneId: 'rehearsal:dnsZoneId',
  refreshToken: 'rehearsal:refreshToken',
  mailFrom: 'rehearsal:mailFrom',
} as const;

/** A GetEmailIdentity answer, as SES v2 gives it for a domain. */
export interface SeededIdentity {
  readonly account: string;
  readonly name: string;
  readonly answer: Record<string, unknown>;
}

/** 2025-12-01T00:00:00Z, as SES's restJson1 sends timestamps: epoch seconds. */
const CHECKED_AT = 1764547200;

function domainIdentity(name: string, status: 'SUCCESS' | 'PENDING', mailFromDomain?: string): Record<string, unknown> {
  // Tokens as SES makes them (32 lowercase letters and digits), different for each identity, and each of the three
  // different from the others, however long the name (their order is what a planted swap of tokens changes).
  const tokens = [1, 2, 3].map((n) => `${name.replace(/[^a-z0-9]/g, '').slice(0, 31)}${n}`.padEnd(32, 'x'));
  return {
    IdentityType: 'DOMAIN',
    FeedbackForwardingStatus: true,
    VerifiedForSendingStatus: status === 'SUCCESS',
    VerificationStatus: status,
    DkimAttributes: {
      SigningEnabled: true,
      Status: status,
      Tokens: tokens,
      SigningHostedZone: 'dkim.amazonses.com',
      SigningAttributesOrigin: 'AWS_SES',
      CurrentSigningKeyLength: 'RSA_2048_BIT',
      NextSigningKeyLength: 'RSA_2048_BIT',
      LastKeyGenerationTimestamp: CHECKED_AT,
    },
    MailFromAttributes: mailFromDomain
      ? { MailFromDomain: mailFromDomain, MailFromDomainStatus: status, BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' }
      : { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    Policies: {},
    Tags: [],
    VerificationInfo: status === 'SUCCESS'
      ? { LastCheckedTimestamp: CHECKED_AT, LastSuccessTimestamp: CHECKED_AT }
      : { LastCheckedTimestamp: CHECKED_AT, ErrorType: 'HOST_NOT_FOUND' },
  };
}

/**
 * The identities as SES would hold them. MiniStack's own CreateEmailIdentity
 * gives none a VerificationStatus (docs/ministack.md), so they are written
 * into its state folder before it starts. The created identity is seeded too,
 * with what SES assigns when it creates one (Easy DKIM tokens) and the
 * verification that follows once its records are published: MiniStack's
 * AWS::SES::EmailIdentity keeps such a record and gives a new one no tokens.
 */
export function seededIdentities(): SeededIdentity[] {
  return [
    { account: ACCOUNTS.main, name: DOMAINS.verified, answer: domainIdentity(DOMAINS.verified, 'SUCCESS', `mail.${DOMAINS.verified}`) },
    { account: ACCOUNTS.main, name: DOMAINS.lookup, answer: domainIdentity(DOMAINS.lookup, 'SUCCESS', `mail.${DOMAINS.lookup}`) },
    { account: ACCOUNTS.main, name: DOMAINS.pending, answer: domainIdentity(DOMAINS.pending, 'PENDING') },
    { account: ACCOUNTS.main, name: DOMAINS.updates, answer: domainIdentity(DOMAINS.updates, 'SUCCESS') },
    { account: ACCOUNTS.main, name: DOMAINS.created, answer: domainIdentity(DOMAINS.created, 'SUCCESS') },
    { account: ACCOUNTS.sending, name: DOMAINS.crossAccount, answer: domainIdentity(DOMAINS.crossAccount, 'SUCCESS') },
    // As SES holds a domain it just created: Easy DKIM tokens, nothing verified yet.
    { account: ACCOUNTS.main, name: DOMAINS.integ, answer: domainIdentity(DOMAINS.integ, 'PENDING') },
  ];
}
