/**
 * The wire format between the constructs and the Lambda handlers.
 *
 * Both sides import this folder; it imports nothing of aws-cdk-lib or the AWS
 * SDK, so the handler bundle never pulls in the one and the constructs never
 * pull in the other. It is not exported from the package index, so jsii never
 * sees it. The attributes a lookup returns are in `attributes.ts`.
 */

/** Where an ARN (a stack id, a role ARN) holds its region and account, split on ':'. */
export const ARN_FIELD = { region: 3, account: 4 } as const;

/** CloudFormation resource type of every lookup. */
export const LOOKUP_RESOURCE_TYPE = 'Custom::SesEmailIdentityLookup';

/** CloudFormation resource type of every verification gate. */
export const GATE_RESOURCE_TYPE = 'Custom::SesEmailIdentityGate';

/**
 * Where an identity is: the properties lookups and gates share, the one
 * type the constructs, the wire and the handlers use for it. The constructs
 * check it (`shared/validation.ts`) and grant access to it apart.
 */
export interface IdentityLocation {
  /** Domain or email address, exactly as SES knows it. */
  readonly EmailIdentity: string;
  /** The identity's region; absent means the function's own. */
  readonly Region?: string;
  /** A role in the identity's account for the function to assume. */
  readonly AssumeRoleArn?: string;
  readonly ExternalId?: string;
}

/** Resource properties of a lookup (PascalCase, like CloudFormation's own). */
export interface LookupProperties extends IdentityLocation {
  /** Opaque value whose only job is to change when the user wants a re-read. */
  readonly RefreshToken?: string;
  /**
   * What the stack builds from this lookup. The handler fails the lookup with
   * a clear reason when the identity cannot provide it, rather than letting a
   * DNS record fail later with an obscure one.
   */
  readonly Requirements?: readonly Requirement[];
}

/** Something the stack builds from a lookup, which the identity must allow. */
export type Requirement = 'EasyDkimRecords' | 'MailFromRecords';

/** Resource properties of a gate: where the identity is, and what to wait for. */
export interface GateProperties extends IdentityLocation {
  /** All must hold. */
  readonly Conditions: readonly GateCondition[];
  /** Decimal strings: CloudFormation passes numbers as strings anyway. */
  readonly PollIntervalSeconds: string;
  readonly TimeoutSeconds: string;
}

/** A gate condition; the construct's `VerificationCondition` maps onto it. */
export type GateCondition = 'IdentityVerified' | 'SendingEnabled' | 'DkimVerified' | 'MailFromVerified';

// Records keyed by the unions: leaving a member out fails compilation.
const REQUIREMENT_SET: Record<Requirement, true> = { EasyDkimRecords: true, MailFromRecords: true };
const CONDITION_SET: Record<GateCondition, true> = { IdentityVerified: true, SendingEnabled: true, DkimVerified: true, MailFromVerified: true };

export const REQUIREMENTS = Object.keys(REQUIREMENT_SET) as readonly Requirement[];
export const GATE_CONDITIONS = Object.keys(CONDITION_SET) as readonly GateCondition[];

/**
 * Attributes of a gate that passed, exactly those its construct exposes: the
 * verification status it saw, and how long it waited.
 */
export const GATE_ATTRIBUTE_NAMES = ['VerificationStatus', 'WaitedSeconds'] as const;
export type GateData = Record<typeof GATE_ATTRIBUTE_NAMES[number], string>;

/**
 * Added by the handler to the event it sends itself when a gate must wait
 * longer than one invocation: when the wait began, in epoch milliseconds.
 */
export const GATE_STARTED_AT = 'SesGateStartedAt';

/**
 * What EmailIdentityMonitor checks of an identity. The gate's conditions,
 * and the DNS records SES expects, looked up in public DNS.
 */
export type MonitorCheck = GateCondition | 'DnsRecords';

const MONITOR_CHECK_SET: Record<MonitorCheck, true> = { ...CONDITION_SET, DnsRecords: true };
export const MONITOR_CHECKS = Object.keys(MONITOR_CHECK_SET) as readonly MonitorCheck[];

/**
 * What a monitor's schedule gives the monitor function: the EventBridge
 * target's input, filled from the scheduled event by an input transformer.
 */
export interface MonitorInput {
  /** What to check of every identity; a check that does not apply to one (MAIL FROM without a MAIL FROM domain) is left out for it. */
  readonly Checks: readonly MonitorCheck[];
  readonly Identities: readonly IdentityLocation[];
  /** The scheduled event's `time`: each run's data points carry it, one per alarm period. */
  readonly ScheduledTime: string;
  /** The scheduled event's `account`, for the reasons. */
  readonly Account: string;
}

/** Where the monitor's metrics are: a namespace of the library's own, one metric per identity by its name. */
export const MONITOR_METRIC = {
  namespace: 'SES/EmailIdentity',
  /** The number of the identity's checks that are unmet: 0 is healthy. */
  metricName: 'UnmetChecks',
  dimension: 'EmailIdentity',
} as const;
