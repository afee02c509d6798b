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
const MAIL_FROM_SPF = 'v=spf1 include:amazonses.com ~all';

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

/**
 * Why an identity cannot have the records asked of it: one wording each, for
 * the records construct at synth time and the lookup's FAILED answer at
 * deploy time. The fixes name `EmailIdentityDnsRecords`' props, the only
 * construct that asks for records.
 */
export const RECORDS_PROBLEM = {
  emailAddress: (name: string) =>
    `${JSON.stringify(name)} is an email address identity: it has no DKIM, MAIL FROM or DMARC records of its own. Create the records from a lookup of its domain.`,
  byodkim: (name: string, domain: string, selector: string | undefined) =>
    `${JSON.stringify(name)} uses BYODKIM`
    + (selector === undefined
      ? ': SES does not return its public key, nor Cloud Control its selector, so no CNAMEs can be made. '
      : ` (selector ${JSON.stringify(selector)}): SES does not return its public key, so no CNAMEs can be made. `)
    + `Publish the TXT record ${selector || '<selector>'}._domainkey.${domain} = "p=<your public key>" yourself`
    + `${selector ? '' : ', with the selector you gave SES'}, and set dkim: false.`,
  notEasyDkim: (name: string, tokens: number, dkimStatus: string | undefined) =>
    `${JSON.stringify(name)} has ${tokens} DKIM tokens, not the 3 that Easy DKIM CNAMEs need${dkimStatus ? ` (DKIM status ${dkimStatus})` : ''}. `
    + 'Enable Easy DKIM on the identity, or set dkim: false.',
  replica: (name: string, parentRegion: string) =>
    `${JSON.stringify(name)} is a Deterministic Easy DKIM replica: its DKIM records belong to the parent identity in ${parentRegion}. `
    + 'Create them from a lookup of the identity in that region.',
  noMailFrom: (name: string) =>
    `${JSON.stringify(name)} has no custom MAIL FROM domain: set one in SES (a lookup at synth time then needs cdk context --reset), or leave mailFrom unset.`,
};
