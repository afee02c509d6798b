import { Resolver } from 'node:dns/promises';
import type { EmailIdentityDescription } from './encode';
import { defaultDkimDomain, MAIL_FROM_SPF, mailFromMxValue } from '../shared/ses-dns';

/** A record SES expects in public DNS. */
export interface ExpectedRecord {
  readonly name: string;
  readonly type: 'CNAME' | 'MX' | 'TXT';
  readonly value: string;
}

/** The records SES needs for the identity's DKIM and MAIL FROM to verify. */
export function expectedRecords(identity: EmailIdentityDescription, name: string, region: string): ExpectedRecord[] {
  const records: ExpectedRecord[] = [];
  const dkim = identity.DkimAttributes;
  if (identity.IdentityType !== 'EMAIL_ADDRESS' && dkim?.SigningAttributesOrigin === 'AWS_SES') {
    const zone = dkim.SigningHostedZone || defaultDkimDomain(region);
    for (const token of dkim.Tokens ?? []) {
      records.push({ name: `${token}._domainkey.${name}`, type: 'CNAME', value: `${token}.${zone}` });
    }
  }
  const mailFrom = identity.MailFromAttributes?.MailFromDomain;
  if (mailFrom) {
    records.push({ name: mailFrom, type: 'MX', value: mailFromMxValue(region) });
    records.push({ name: mailFrom, type: 'TXT', value: MAIL_FROM_SPF });
  }
  return records;
}

/**
 * What public DNS says of each expected record: "ok", "missing", or what it
 * holds instead. Never throws: a DNS problem is part of the answer.
 *
 * @param servers resolvers to ask ("ip" or "ip:port"); the system's by default
 */
export async function checkRecords(records: readonly ExpectedRecord[], servers?: readonly string[]): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  if (servers?.length) {
    resolver.setServers(servers);
  }
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

async function lookup(resolver: Resolver, record: ExpectedRecord): Promise<string[]> {
  switch (record.type) {
    case 'CNAME':
      return resolver.resolveCname(record.name);
    case 'MX':
      return (await resolver.resolveMx(record.name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
  }
}

function matches(record: ExpectedRecord, found: string): boolean {
  const normalize = (value: string) => value.toLowerCase().replace(/\.$/, '');
  return record.type === 'TXT' ? found.startsWith('v=spf1') && found.includes('include:amazonses.com') : normalize(found) === normalize(record.value);
}
