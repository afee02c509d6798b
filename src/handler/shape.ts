import type { EmailIdentityDescription } from './encode';

type Kind = 'string' | 'boolean' | 'number' | 'date' | 'strings' | 'tags' | 'policies';

/** The GetEmailIdentity fields the handler reads, and what each must be. */
const FIELDS: ReadonlyArray<[path: string, kind: Kind]> = [
  ['IdentityType', 'string'],
  ['VerificationStatus', 'string'],
  ['VerifiedForSendingStatus', 'boolean'],
  ['FeedbackForwardingStatus', 'boolean'],
  ['ConfigurationSetName', 'string'],
  ['DkimAttributes.SigningEnabled', 'boolean'],
  ['DkimAttributes.Status', 'string'],
  ['DkimAttributes.Tokens', 'strings'],
  ['DkimAttributes.SigningAttributesOrigin', 'string'],
  ['DkimAttributes.SigningHostedZone', 'string'],
  ['DkimAttributes.CurrentSigningKeyLength', 'string'],
  ['DkimAttributes.NextSigningKeyLength', 'string'],
  ['DkimAttributes.LastKeyGenerationTimestamp', 'date'],
  ['MailFromAttributes.MailFromDomain', 'string'],
  ['MailFromAttributes.MailFromDomainStatus', 'string'],
  ['MailFromAttributes.BehaviorOnMxFailure', 'string'],
  ['VerificationInfo.LastCheckedTimestamp', 'date'],
  ['VerificationInfo.LastSuccessTimestamp', 'date'],
  ['VerificationInfo.ErrorType', 'string'],
  ['VerificationInfo.SOARecord.PrimaryNameServer', 'string'],
  ['VerificationInfo.SOARecord.AdminEmail', 'string'],
  ['VerificationInfo.SOARecord.SerialNumber', 'number'],
  ['Policies', 'policies'],
  ['Tags', 'tags'],
];

/**
 * Where a response strays from the API's shape, or undefined. The SDK passes
 * through whatever an endpoint sends; a field of the wrong type must fail the
 * lookup with a reason, not turn into a wrong attribute.
 */
export function shapeProblem(identity: EmailIdentityDescription): string | undefined {
  for (const [path, kind] of FIELDS) {
    const parts = path.split('.');
    let value: unknown = identity;
    for (const [index, part] of parts.entries()) {
      if (value === undefined || value === null) {
        break;
      }
      if (typeof value !== 'object' || Array.isArray(value)) {
        return `${parts.slice(0, index).join('.')} is ${describe(value)}, not an object`;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (value !== undefined && value !== null && !isKind(value, kind)) {
      return `${path} is ${describe(value)}, not ${article(kind)}`;
    }
  }
  return undefined;
}

function isKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
    case 'boolean':
    case 'number':
      return typeof value === kind;
    case 'date':
      return value instanceof Date;
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'tags':
      return Array.isArray(value) && value.every((tag) =>
        typeof tag === 'object' && tag !== null && typeof tag.Key === 'string' && typeof tag.Value === 'string');
    case 'policies':
      return typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((body) => typeof body === 'string');
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  return value instanceof Date ? 'a date' : `a ${typeof value}`;
}

function article(kind: Kind): string {
  return {
    string: 'a string',
    boolean: 'a boolean',
    number: 'a number',
    date: 'a timestamp',
    strings: 'a list of strings',
    tags: 'a list of {Key, Value} strings',
    policies: 'a map of policy documents',
  }[kind];
}
