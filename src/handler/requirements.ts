import type { EmailIdentityDescription } from './encode';
import type { Requirement } from '../shared/wire';

/**
 * Why the identity cannot provide what the stack builds from it, or
 * undefined. Failing the lookup with this reason beats a DNS record that
 * fails later with an obscure one, or is created broken.
 */
export function unmetRequirement(identity: EmailIdentityDescription, requirements: readonly Requirement[], name: string): string | undefined {
  const quoted = JSON.stringify(name);
  for (const requirement of requirements) {
    switch (requirement) {
      case 'EasyDkimRecords': {
        const dkim = identity.DkimAttributes ?? {};
        const origin = dkim.SigningAttributesOrigin ?? '';
        const tokens = dkim.Tokens ?? [];
        if (identity.IdentityType === 'EMAIL_ADDRESS') {
          return `${quoted} is an email address identity: it has no DKIM records of its own. Create the records from a lookup of its domain.`;
        }
        if (origin === 'EXTERNAL') {
          return `${quoted} uses BYODKIM (selector ${JSON.stringify(tokens[0] ?? '')}): SES does not return its public key, so no CNAMEs can be made. Publish the TXT record ${tokens[0] ?? '<selector>'}._domainkey.${name} = "p=<your public key>" yourself and create no DKIM records here.`;
        }
        if (origin.startsWith('AWS_SES_')) {
          const parentRegion = origin.slice('AWS_SES_'.length).toLowerCase().replace(/_/g, '-');
          return `${quoted} is a Deterministic Easy DKIM replica: its DKIM records belong to the parent identity in ${parentRegion}. Create them from a lookup of the identity in that region.`;
        }
        if (tokens.length !== 3) {
          return `${quoted} has ${tokens.length} DKIM tokens, not the 3 that Easy DKIM CNAMEs need (DKIM status ${dkim.Status ?? 'unknown'}). Enable Easy DKIM on the identity.`;
        }
        break;
      }
      case 'MailFromRecords':
        if (!identity.MailFromAttributes?.MailFromDomain) {
          return `${quoted} has no custom MAIL FROM domain. Set one in SES, or create no MAIL FROM records for it.`;
        }
        break;
    }
  }
  return undefined;
}
