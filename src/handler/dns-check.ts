import { Resolver } from 'node:dns/promises';
import type { EmailIdentityDescription } from './encode';
import { dkimCnameRecord, dkimCnameZone, mailFromRecords, type SesDnsRecord } from '../shared/ses-dns';

/** The DNS queries the check makes; the system's resolver by default, a stub in tests. */
export interface DnsResolver {
  resolveCname(name: string): Promise<string[]>;
  resolveMx(name: string): Promise<Array<{ priority: number; exchange: string }>>;
  resolveTxt(name: string): Promise<string[][]>;
}

/** The system's resolvers, with a short timeout: the check runs inside the answer's reserve. */
export const SYSTEM_RESOLVER: DnsResolver = new Resolver({ timeout: 2000, tries: 1 });

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
 * What DNS says of each expected record: "ok", "missing", or what it holds
 * instead. Never throws: a DNS problem is part of the answer.
 */
export async function checkRecords(records: readonly SesDnsRecord[], resolver: DnsResolver): Promise<string[]> {
  return Promise.all(records.map(async (record) => {
    const label = `${record.type} ${record.name}`;
    try {
      const found = await lookup(resolver, record);
      if (found.some((value) => matches(record, value))) {
        return `${label}: ok`;
      }
      return `${label}: wrong (has ${found.join(' | ') || 'nothing'}, SES expects ${record.value})`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOTFOUND' || code === 'ENODATA';
      return missing ? `${label}: missing (SES expects ${record.value})` : `${label}: not checked (${code ?? 'DNS error'})`;
    }
  }));
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
