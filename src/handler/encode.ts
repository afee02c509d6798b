import type { GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import { defaultDkimDomain } from '../shared/ses-dns';
import type { LookupData } from '../shared/wire';

/** The parts of the SES response we read: every field optional, as in the API. */
export type EmailIdentityDescription = Omit<GetEmailIdentityCommandOutput, '$metadata'>;

/**
 * Turns a GetEmailIdentity response into CloudFormation attributes, every one
 * a string (see the encoding in `shared/wire.ts`). Policy bodies never leave
 * this function: only their names do.
 *
 * @param region the identity's region, for the DKIM CNAME target when SES names none
 */
export function encodeIdentity(identity: EmailIdentityDescription, region: string): LookupData {
  const dkim = identity.DkimAttributes ?? {};
  const mailFrom: Partial<NonNullable<EmailIdentityDescription['MailFromAttributes']>> = identity.MailFromAttributes ?? {};
  const verification = identity.VerificationInfo ?? {};
  const soa = verification.SOARecord ?? {};
  const tokens = dkim.Tokens ?? [];
  const policyNames = policyNamesOf(identity);
  const tags = tagsOf(identity);

  return {
    IdentityType: text(identity.IdentityType),
    VerificationStatus: text(identity.VerificationStatus),
    VerifiedForSendingStatus: text(identity.VerifiedForSendingStatus),
    FeedbackForwardingStatus: text(identity.FeedbackForwardingStatus),
    ConfigurationSetName: text(identity.ConfigurationSetName),
    DkimSigningEnabled: text(dkim.SigningEnabled),
    DkimStatus: text(dkim.Status),
    DkimTokens: tokens.join(','),
    DkimToken1: text(tokens[0]),
    DkimToken2: text(tokens[1]),
    DkimToken3: text(tokens[2]),
    DkimSigningAttributesOrigin: text(dkim.SigningAttributesOrigin),
    DkimSigningHostedZone: text(dkim.SigningHostedZone),
    DkimCnameDomain: dkim.SigningHostedZone || defaultDkimDomain(region),
    DkimCurrentSigningKeyLength: text(dkim.CurrentSigningKeyLength),
    DkimNextSigningKeyLength: text(dkim.NextSigningKeyLength),
    DkimLastKeyGenerationTimestamp: text(dkim.LastKeyGenerationTimestamp),
    MailFromDomain: text(mailFrom.MailFromDomain),
    MailFromDomainStatus: text(mailFrom.MailFromDomainStatus),
    MailFromBehaviorOnMxFailure: text(mailFrom.BehaviorOnMxFailure),
    VerificationLastCheckedTimestamp: text(verification.LastCheckedTimestamp),
    VerificationLastSuccessTimestamp: text(verification.LastSuccessTimestamp),
    VerificationErrorType: text(verification.ErrorType),
    SoaPrimaryNameServer: text(soa.PrimaryNameServer),
    SoaAdminEmail: text(soa.AdminEmail),
    SoaSerialNumber: text(soa.SerialNumber),
    PolicyCount: String(policyNames.length),
    PolicyNames: policyNames.join(','),
    TagCount: String(tags.length),
    Tags: encodeTags(tags),
  };
}

/** Policy names, sorted so that the attribute is stable. */
export function policyNamesOf(identity: EmailIdentityDescription): string[] {
  return Object.keys(identity.Policies ?? {}).sort();
}

/** Tags, sorted by key so that the attribute is stable. */
export function tagsOf(identity: EmailIdentityDescription): Tag[] {
  return [...(identity.Tags ?? [])].sort((a, b) => compare(text(a.Key), text(b.Key)));
}

/** Tags as a JSON object: unambiguous whatever the keys and values hold. */
export function encodeTags(tags: readonly Tag[]): string {
  return JSON.stringify(Object.fromEntries(tags.map((tag) => [text(tag.Key), text(tag.Value)])));
}

type Tag = NonNullable<EmailIdentityDescription['Tags']>[number];

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function text(value: string | number | boolean | Date | undefined | null): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  }
  return String(value);
}
