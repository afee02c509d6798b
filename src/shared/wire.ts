/**
 * The wire format between the construct and the Lambda handler.
 *
 * Both sides import this file; it imports nothing, so the handler bundle never
 * pulls in aws-cdk-lib and the construct never pulls in the AWS SDK. It is not
 * exported from the package index, so jsii never sees it.
 */

/** CloudFormation resource type of every lookup. */
export const LOOKUP_RESOURCE_TYPE = 'Custom::SesEmailIdentityLookup';

/** CloudFormation resource type of every verification gate. */
export const GATE_RESOURCE_TYPE = 'Custom::SesEmailIdentityGate';

/** Resource properties the construct sends (PascalCase, like CloudFormation's own). */
export interface LookupProperties {
  /** Domain or email address, exactly as SES knows it. */
  readonly EmailIdentity: string;
  /** The identity's region; absent means the function's own. */
  readonly Region?: string;
  /** A role in the identity's account for the function to assume. */
  readonly AssumeRoleArn?: string;
  readonly ExternalId?: string;
  /** Opaque value whose only job is to change when the user wants a re-read. */
  readonly RefreshToken?: string;
  /**
   * What the stack builds from this lookup. The handler fails the lookup with
   * a clear reason when the identity cannot provide it, rather than letting a
   * DNS record fail later with an obscure one. Each is one of REQUIREMENTS.
   */
  readonly Requirements?: readonly string[];
}

export const REQUIREMENTS = ['EasyDkimRecords', 'MailFromRecords'] as const;
export type Requirement = typeof REQUIREMENTS[number];

/** Resource properties of a gate: where the identity is, and what to wait for. */
export interface GateProperties extends Pick<LookupProperties, 'EmailIdentity' | 'Region' | 'AssumeRoleArn' | 'ExternalId'> {
  /** Each one of GATE_CONDITIONS; all must hold. */
  readonly Conditions: readonly string[];
  /** Decimal strings: CloudFormation passes numbers as strings anyway. */
  readonly PollIntervalSeconds: string;
  readonly TimeoutSeconds: string;
}

/** Bounds of a gate's timing, checked at synth by the construct and at deploy by the handler. */
export const GATE_LIMITS = {
  minPollIntervalSeconds: 5,
  maxPollIntervalSeconds: 600,
  /** Two minutes under CloudFormation's one-hour ceiling, for the service timeout's margin. */
  maxTimeoutSeconds: 58 * 60,
} as const;

export const GATE_CONDITIONS = ['IdentityVerified', 'SendingEnabled', 'DkimVerified', 'MailFromVerified'] as const;
export type GateCondition = typeof GATE_CONDITIONS[number];

/** Attributes of a gate that passed: the statuses it saw, and how long it waited. */
export const GATE_ATTRIBUTE_NAMES = ['VerificationStatus', 'VerifiedForSendingStatus', 'DkimStatus', 'MailFromDomainStatus', 'WaitedSeconds'] as const;
export type GateData = Record<typeof GATE_ATTRIBUTE_NAMES[number], string>;

/**
 * Added by the handler to the event it sends itself when a gate must wait
 * longer than one invocation: when the wait began, in epoch milliseconds.
 */
export const GATE_STARTED_AT = 'SesGateStartedAt';

/**
 * Every attribute the handler returns in `Data`, in response order.
 *
 * Each is always present and always a string: `""` when SES leaves the field
 * out, booleans as `"true"`/`"false"`, timestamps as ISO-8601, numbers as
 * decimal strings, lists joined with commas.
 */
export const ATTRIBUTE_NAMES = [
  'IdentityType',
  'VerificationStatus',
  'VerifiedForSendingStatus',
  'FeedbackForwardingStatus',
  'ConfigurationSetName',
  'DkimSigningEnabled',
  'DkimStatus',
  'DkimTokens',
  'DkimToken1',
  'DkimToken2',
  'DkimToken3',
  'DkimSigningAttributesOrigin',
  'DkimSigningHostedZone',
  'DkimCnameDomain',
  'DkimCurrentSigningKeyLength',
  'DkimNextSigningKeyLength',
  'DkimLastKeyGenerationTimestamp',
  'MailFromDomain',
  'MailFromDomainStatus',
  'MailFromBehaviorOnMxFailure',
  'VerificationLastCheckedTimestamp',
  'VerificationLastSuccessTimestamp',
  'VerificationErrorType',
  'SoaPrimaryNameServer',
  'SoaAdminEmail',
  'SoaSerialNumber',
  'PolicyCount',
  'PolicyNames',
  'TagCount',
  'Tags',
] as const;

export type AttributeName = typeof ATTRIBUTE_NAMES[number];

/** The `Data` object of a successful response. */
export type LookupData = Record<AttributeName, string>;

/**
 * Attributes that hold lists of unbounded total size. They are filled last,
 * with as many whole entries as fit the 4096-byte response; `PolicyCount` and
 * `TagCount` always give the full count.
 */
export const BEST_EFFORT_ATTRIBUTES: readonly AttributeName[] = ['PolicyNames', 'Tags'];
