/**
 * DNS facts about SES that both the construct (record values) and the handler
 * (the DKIM CNAME target when SES does not name one) need.
 */

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

/** The zone Easy DKIM CNAMEs point into, for an identity in `region`. */
export function defaultDkimDomain(region: string): string {
  return REGIONAL_DKIM_DOMAIN_REGIONS.has(region) ? `dkim.${region}.amazonses.com` : 'dkim.amazonses.com';
}

/** The one MX record a custom MAIL FROM domain needs: the identity's region's feedback endpoint. */
export function mailFromMxValue(region: string): string {
  return `10 feedback-smtp.${region}.amazonses.com`;
}

/** The SPF record a custom MAIL FROM domain needs, as DNS answers it. */
export const MAIL_FROM_SPF = 'v=spf1 include:amazonses.com ~all';

/** The same, quoted as Route53 wants TXT values. */
export const MAIL_FROM_SPF_VALUE = `"${MAIL_FROM_SPF}"`;
