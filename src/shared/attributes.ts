/**
 * The attribute contract: every attribute a lookup returns, where it comes
 * from in SES's `GetEmailIdentity` answer, the construct property that reads
 * it, and how it is written as a string. The handler's shape check, its
 * encoder and its response fitting all derive from this one table; a test
 * (test/constructs/attribute-contract.test.ts) holds the table of
 * docs/attributes.md and the construct's properties against it.
 *
 * Adding a field: one row here, the typed property on `EmailIdentityLookup`
 * (jsii needs it spelled out) and the row of docs/attributes.md.
 */

/** What the API gives at a path, as the shape check verifies it. */
export type ApiType = 'string' | 'boolean' | 'number' | 'date' | 'strings' | 'tags' | 'policies';

/**
 * How the value becomes the attribute's string:
 * - `text`: as is; booleans `true`/`false`, dates ISO-8601, numbers decimal
 * - `joined`: a list, comma-joined
 * - `first`, `second`, `third`: one item of a list
 * - `dkimZone`: the zone SES names, or the identity region's documented DKIM domain
 * - `count`: how many entries
 * - `names`: a map's keys, sorted, comma-joined (best effort)
 * - `tagObject`: `{Key, Value}` pairs as one JSON object sorted by key (best effort)
 */
type Encoding = 'text' | 'joined' | 'first' | 'second' | 'third' | 'dkimZone' | 'count' | 'names' | 'tagObject';

export interface AttributeRow {
  /** The name in the custom resource's `Data`, read with `Fn::GetAtt`. */
  readonly attribute: string;
  /** The `EmailIdentityLookup` property that reads it. */
  readonly property: string;
  /** Dotted path into the `GetEmailIdentity` answer. */
  readonly path: string;
  readonly apiType: ApiType;
  readonly encoding: Encoding;
}

export const ATTRIBUTES = [
  { attribute: 'IdentityType', property: 'identityType', path: 'IdentityType', apiType: 'string', encoding: 'text' },
  { attribute: 'VerificationStatus', property: 'verificationStatus', path: 'VerificationStatus', apiType: 'string', encoding: 'text' },
  { attribute: 'VerifiedForSendingStatus', property: 'verifiedForSendingStatus', path: 'VerifiedForSendingStatus', apiType: 'boolean', encoding: 'text' },
  { attribute: 'FeedbackForwardingEnabled', property: 'feedbackForwardingEnabled', path: 'FeedbackForwardingStatus', apiType: 'boolean', encoding: 'text' },
  { attribute: 'ConfigurationSetName', property: 'configurationSetName', path: 'ConfigurationSetName', apiType: 'string', encoding: 'text' },
  { attribute: 'DkimSigningEnabled', property: 'dkimSigningEnabled', path: 'DkimAttributes.SigningEnabled', apiType: 'boolean', encoding: 'text' },
  { attribute: 'DkimStatus', property: 'dkimStatus', path: 'DkimAttributes.Status', apiType: 'string', encoding: 'text' },
  { attribute: 'DkimTokens', property: 'dkimTokens', path: 'DkimAttributes.Tokens', apiType: 'strings', encoding: 'joined' },
  { attribute: 'DkimToken1', property: 'dkimToken1', path: 'DkimAttributes.Tokens', apiType: 'strings', encoding: 'first' },
  { attribute: 'DkimToken2', property: 'dkimToken2', path: 'DkimAttributes.Tokens', apiType: 'strings', encoding: 'second' },
  { attribute: 'DkimToken3', property: 'dkimToken3', path: 'DkimAttributes.Tokens', apiType: 'strings', encoding: 'third' },
  { attribute: 'DkimSigningAttributesOrigin', property: 'dkimSigningAttributesOrigin', path: 'DkimAttributes.SigningAttributesOrigin', apiType: 'string', encoding: 'text' },
  { attribute: 'DkimSigningHostedZone', property: 'dkimSigningHostedZone', path: 'DkimAttributes.SigningHostedZone', apiType: 'string', encoding: 'text' },
  { attribute: 'DkimCnameDomain', property: 'dkimCnameDomain', path: 'DkimAttributes.SigningHostedZone', apiType: 'string', encoding: 'dkimZone' },
  { attribute: 'DkimCurrentSigningKeyLength', property: 'dkimCurrentSigningKeyLength', path: 'DkimAttributes.CurrentSigningKeyLength', apiType: 'string', encoding: 'text' },
  { attribute: 'DkimNextSigningKeyLength', property: 'dkimNextSigningKeyLength', path: 'DkimAttributes.NextSigningKeyLength', apiType: 'string', encoding: 'text' },
  { attribute: 'DkimLastKeyGenerationTimestamp', property: 'dkimLastKeyGenerationTimestamp', path: 'DkimAttributes.LastKeyGenerationTimestamp', apiType: 'date', encoding: 'text' },
  { attribute: 'MailFromDomain', property: 'mailFromDomain', path: 'MailFromAttributes.MailFromDomain', apiType: 'string', encoding: 'text' },
  { attribute: 'MailFromDomainStatus', property: 'mailFromDomainStatus', path: 'MailFromAttributes.MailFromDomainStatus', apiType: 'string', encoding: 'text' },
  { attribute: 'MailFromBehaviorOnMxFailure', property: 'mailFromBehaviorOnMxFailure', path: 'MailFromAttributes.BehaviorOnMxFailure', apiType: 'string', encoding: 'text' },
  { attribute: 'VerificationLastCheckedTimestamp', property: 'verificationLastCheckedTimestamp', path: 'VerificationInfo.LastCheckedTimestamp', apiType: 'date', encoding: 'text' },
  { attribute: 'VerificationLastSuccessTimestamp', property: 'verificationLastSuccessTimestamp', path: 'VerificationInfo.LastSuccessTimestamp', apiType: 'date', encoding: 'text' },
  { attribute: 'VerificationErrorType', property: 'verificationErrorType', path: 'VerificationInfo.ErrorType', apiType: 'string', encoding: 'text' },
  { attribute: 'SoaPrimaryNameServer', property: 'soaPrimaryNameServer', path: 'VerificationInfo.SOARecord.PrimaryNameServer', apiType: 'string', encoding: 'text' },
  { attribute: 'SoaAdminEmail', property: 'soaAdminEmail', path: 'VerificationInfo.SOARecord.AdminEmail', apiType: 'string', encoding: 'text' },
  { attribute: 'SoaSerialNumber', property: 'soaSerialNumber', path: 'VerificationInfo.SOARecord.SerialNumber', apiType: 'number', encoding: 'text' },
  { attribute: 'PolicyCount', property: 'policyCount', path: 'Policies', apiType: 'policies', encoding: 'count' },
  { attribute: 'PolicyNames', property: 'policyNames', path: 'Policies', apiType: 'policies', encoding: 'names' },
  { attribute: 'TagCount', property: 'tagCount', path: 'Tags', apiType: 'tags', encoding: 'count' },
  { attribute: 'Tags', property: 'tags', path: 'Tags', apiType: 'tags', encoding: 'tagObject' },
] as const satisfies readonly AttributeRow[];

export type AttributeName = typeof ATTRIBUTES[number]['attribute'];

/** Every attribute the handler returns in `Data`, in response order. */
export const ATTRIBUTE_NAMES: readonly AttributeName[] = ATTRIBUTES.map((row) => row.attribute);

/** The `Data` object of a successful lookup: every attribute, always a string. */
export type LookupData = Record<AttributeName, string>;

/**
 * Encodings of unbounded total size. Their attributes are filled last, with
 * as many whole entries as fit the 4096-byte response; their `count`
 * attributes always give the full count.
 */
const BEST_EFFORT_ENCODINGS = ['names', 'tagObject'] as const satisfies readonly Encoding[];

/** The attributes filled last: `PolicyNames` and `Tags`. */
export type BestEffortName = Extract<typeof ATTRIBUTES[number], { encoding: typeof BEST_EFFORT_ENCODINGS[number] }>['attribute'];

export function isBestEffort(row: AttributeRow): boolean {
  return (BEST_EFFORT_ENCODINGS as readonly Encoding[]).includes(row.encoding);
}
