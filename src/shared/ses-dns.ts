/**
 * SES's DNS facts, built in one place: the records construct (with
 * deploy-time tokens), the gate's DNS check and the handler's encoder (with
 * plain values) all call these. Names carry no trailing dot and TXT values
 * are the text DNS answers, unquoted; Route53's spelling is the caller's.
 */

/** A record SES expects in DNS. */
export interface SesDnsRecord {
  readonly name: string;
  readonly type: 'CNAME' | 'MX' | 'TXT';
  readonly value: string;
}

/**
 * Regions whose Easy DKIM CNAMEs point into `dkim.<region>.amazonses.com`
 * instead of `dkim.amazonses.com` (AWS General Reference, "Amazon SES
 * endpoints and quotas", DKIM domains, as of 2026-11). Only a fallback: SES
 * returns the zone itself as `SigningHostedZone`, and that always wins.
 */
const REGIONAL_DKIM_DOMAIN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-northeast-3',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-5',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'il-central-1',
  'me-central-1',
  'us-gov-east-1',
]);

/** The zone Easy DKIM CNAMEs point into: the one SES names, else the identity region's documented one. */
export function dkimCnameZone(signingHostedZone: string | undefined, region: string): string {
  if (signingHostedZone) {
    return signingHostedZone;
  }
  return REGIONAL_DKIM_DOMAIN_REGIONS.has(region) ? `dkim.${region}.amazonses.com` : 'dkim.amazonses.com';
}

/** One Easy DKIM CNAME: `<token>._domainkey.<domain>` to `<token>.<zone>`. */
export function dkimCnameRecord(token: string, domain: string, zone: string): SesDnsRecord {
  return { name: `${token}._domainkey.${domain}`, type: 'CNAME', value: `${token}.${zone}` };
}

/** The SPF text a custom MAIL FROM domain needs. */
export const MAIL_FROM_SPF = 'v=spf1 include:amazonses.com ~all';

/** A custom MAIL FROM domain's records: exactly one MX, to the identity region's feedback endpoint, and SPF. */
export function mailFromRecords(mailFromDomain: string, region: string): SesDnsRecord[] {
  return [
    { name: mailFromDomain, type: 'MX', value: `10 feedback-smtp.${region}.amazonses.com` },
    { name: mailFromDomain, type: 'TXT', value: MAIL_FROM_SPF },
  ];
}

/** A DMARC record at `_dmarc.<domain>`, with aggregate reports to `reportEmail` when given. */
export function dmarcRecord(domain: string, policy: string, reportEmail?: string): SesDnsRecord {
  const report = reportEmail ? `;rua=mailto:${reportEmail}` : '';
  return { name: `_dmarc.${domain}`, type: 'TXT', value: `v=DMARC1;p=${policy}${report}` };
}
