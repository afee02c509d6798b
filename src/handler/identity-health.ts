/**
 * What an identity's health is made of, for the gate and the monitor alike:
 * the conditions checked against one GetEmailIdentity answer, the statuses
 * a reason shows, the DNS records SES expects and what public DNS holds of
 * them. One wording, so that the monitor's log speaks the gate's words.
 */
import { Resolver } from 'node:dns/promises';
import type { EmailIdentityDescription } from './ses';
import { dkimCnameRecord, dkimCnameZone, mailFromRecords, type SesDnsRecord } from '../shared/ses-dns';
import { DNS_CHECK_TIMEOUT_MS } from '../shared/time-budgets';
import type { GateCondition } from '../shared/wire';

/** What one poll says of the conditions. */
export type Verdict =
  | { readonly state: 'passed' }
  | { readonly state: 'failed'; readonly because: string }
  | { readonly state: 'waiting'; readonly because: string };

/**
 * Checks every condition against one GetEmailIdentity response. A FAILED
 * status fails at once; PENDING, NOT_STARTED and TEMPORARY_FAILURE wait.
 */
export function evaluate(identity: EmailIdentityDescription, conditions: readonly GateCondition[]): Verdict {
  const unmet: string[] = [];
  for (const condition of conditions) {
    const verdict = check(identity, condition);
    if (verdict.state === 'failed') {
      return verdict;
    }
    if (verdict.state === 'waiting') {
      unmet.push(verdict.because);
    }
  }
  return unmet.length === 0 ? { state: 'passed' } : { state: 'waiting', because: unmet.join('; ') };
}

/** One condition against one GetEmailIdentity response. */
export function check(identity: EmailIdentityDescription, condition: GateCondition): Verdict {
  switch (condition) {
    case 'IdentityVerified':
      return status('verification status', identity.VerificationStatus);
    case 'SendingEnabled':
      if (identity.VerifiedForSendingStatus === true) {
        return { state: 'passed' };
      }
      return identity.VerificationStatus === 'FAILED'
        ? { state: 'failed', because: 'the identity is not verified for sending and its verification FAILED' }
        : { state: 'waiting', because: 'the identity is not verified for sending yet' };
    case 'DkimVerified':
      return status('DKIM status', identity.DkimAttributes?.Status);
    case 'MailFromVerified':
      if (!identity.MailFromAttributes?.MailFromDomain) {
        return { state: 'failed', because: 'the identity has no custom MAIL FROM domain to verify' };
      }
      return status('MAIL FROM status', identity.MailFromAttributes.MailFromDomainStatus);
  }
}

function status(what: string, value: string | undefined): Verdict {
  if (value === 'SUCCESS') {
    return { state: 'passed' };
  }
  if (value === 'FAILED') {
    return { state: 'failed', because: `${what} is FAILED` };
  }
  return { state: 'waiting', because: `${what} is ${value ?? 'not reported'}` };
}

/** The statuses a reason shows, whatever the conditions. */
export function describeStatuses(identity: EmailIdentityDescription): string {
  const verification = identity.VerificationInfo;
  const parts = [
    `verification ${identity.VerificationStatus ?? 'unknown'}`,
    `verified for sending ${identity.VerifiedForSendingStatus ?? 'unknown'}`,
    `DKIM ${identity.DkimAttributes?.Status ?? 'unknown'}`,
    `MAIL FROM ${identity.MailFromAttributes?.MailFromDomainStatus ?? 'none'}`,
  ];
  if (verification?.ErrorType) {
    parts.push(`SES error type ${verification.ErrorType}`);
  }
  if (verification?.LastCheckedTimestamp) {
    parts.push(`last checked ${verification.LastCheckedTimestamp.toISOString()}`);
  }
  return parts.join(', ');
}

/** The DNS queries the check makes; the system's resolver by default, a stub in tests. */
export interface DnsResolver {
  resolveCname(name: string): Promise<string[]>;
  resolveMx(name: string): Promise<Array<{ priority: number; exchange: string }>>;
  resolveTxt(name: string): Promise<string[][]>;
}

/** The system's resolvers, with a short timeout: the check runs inside the answer's reserve. */
export const SYSTEM_RESOLVER: DnsResolver = new Resolver({ timeout: DNS_CHECK_TIMEOUT_MS, tries: 1 });

/** The records SES needs for the identity's DKIM and MAIL FROM to verify. */
export function expectedRecords(identity: EmailIdentityDescription, name: string, region: string): SesDnsRecord[] {
  const records: SesDnsRecord[] = [];
  const dkim = identity.DkimAttributes;
  if (identity.IdentityType !== 'EMAIL_ADDRESS' && dkim?.SigningAttributesOrigin === 'AWS_SES') {
    const zone = dkimCnameZone(dkim.SigningHostedZone, region);
    records.push(...(dkim.Tokens ?? []).map((token) => dkimCnameRecord(token, name, zone)));
  }
  const mailFrom = identity.MailFromAttributes?.MailFromDomain;
  if (mailFrom) {
    records.push(...mailFromRecords(mailFrom, region));
  }
  return records;
}

/**
 * What DNS holds of one expected record: it, something else, nothing (the
 * name or the type does not exist), or no answer at all (the resolver's own
 * error: a timeout, SERVFAIL, a refused query), which says nothing of the record.
 */
export type RecordFinding = { readonly record: SesDnsRecord } & (
  | { readonly state: 'ok' }
  | { readonly state: 'wrong'; readonly found: readonly string[] }
  | { readonly state: 'missing' }
  | { readonly state: 'unchecked'; readonly code: string }
);

/** Looks each expected record up. Never throws: a DNS problem is part of the answer. */
export async function inspectRecords(records: readonly SesDnsRecord[], resolver: DnsResolver): Promise<RecordFinding[]> {
  return Promise.all(records.map(async (record): Promise<RecordFinding> => {
    try {
      const found = await lookup(resolver, record);
      return found.some((value) => matches(record, value)) ? { record, state: 'ok' } : { record, state: 'wrong', found };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOTFOUND' || code === 'ENODATA';
      return missing ? { record, state: 'missing' } : { record, state: 'unchecked', code: code ?? 'DNS error' };
    }
  }));
}

/** One finding in words: "ok", "missing", or what DNS holds instead. */
export function describeFinding(finding: RecordFinding): string {
  const { record } = finding;
  const label = `${record.type} ${record.name}`;
  switch (finding.state) {
    case 'ok':
      return `${label}: ok`;
    case 'wrong':
      return `${label}: wrong (has ${finding.found.join(' | ') || 'nothing'}, SES expects ${record.value})`;
    case 'missing':
      return `${label}: missing (SES expects ${record.value})`;
    case 'unchecked':
      return `${label}: not checked (${finding.code})`;
  }
}

/**
 * What DNS says of each expected record: "ok", "missing", or what it holds
 * instead. Never throws: a DNS problem is part of the answer.
 */
export async function checkRecords(records: readonly SesDnsRecord[], resolver: DnsResolver): Promise<string[]> {
  return (await inspectRecords(records, resolver)).map(describeFinding);
}

async function lookup(resolver: DnsResolver, record: SesDnsRecord): Promise<string[]> {
  switch (record.type) {
    case 'CNAME':
      return resolver.resolveCname(record.name);
    case 'MX':
      return (await resolver.resolveMx(record.name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
  }
}

function matches(record: SesDnsRecord, found: string): boolean {
  const normalize = (value: string) => value.toLowerCase().replace(/\.$/, '');
  return record.type === 'TXT' ? found.startsWith('v=spf1') && found.includes('include:amazonses.com') : normalize(found) === normalize(record.value);
}
