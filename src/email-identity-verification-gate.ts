import { Duration, Token } from 'aws-cdk-lib';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { EmailIdentityFunctions } from './email-identity-functions';
import type { EmailIdentityReaderRole } from './email-identity-reader-role';
import { customResource } from './private/custom-resource';
import { fail, requireProps } from './private/errors';
import { locationToRead, waitForCreatedIdentity } from './private/identity-location';
import { GATE_SERVICE_TIMEOUT_MARGIN_SECONDS, gateTimingProblem } from './shared/time-budgets';
import { GATE_RESOURCE_TYPE, type GateCondition, type GateData, type GateProperties } from './shared/wire';

/**
 * A condition an identity must meet before a gate lets dependants deploy.
 */
export enum VerificationCondition {
  /** `VerificationStatus` is `SUCCESS`. */
  IDENTITY_VERIFIED = 'IdentityVerified',
  /** `VerifiedForSendingStatus` is true: SES lets the identity send. */
  SENDING_ENABLED = 'SendingEnabled',
  /** DKIM status is `SUCCESS`. */
  DKIM_VERIFIED = 'DkimVerified',
  /** The custom MAIL FROM domain's status is `SUCCESS`. */
  MAIL_FROM_VERIFIED = 'MailFromVerified',
}

/**
 * Properties of an `EmailIdentityVerificationGate`.
 */
export interface EmailIdentityVerificationGateProps {
  /**
   * The identity to wait for: an `EmailIdentityLookup`, or any other
   * `aws_ses.IEmailIdentity`, such as an `aws_ses.EmailIdentity` this app
   * creates. It may be in another stack: no status crosses stacks (only a
   * name that is itself a deploy-time value, such as a parameter, is exported).
   *
   * The gate reads the identity itself, without a lookup. It waits for an
   * identity this app creates: a dependency in the same stack, the order of
   * the stacks otherwise.
   */
  readonly identity: ses.IEmailIdentity;

  /**
   * An `EmailIdentityReaderRole` of this app, in the account that holds the
   * identity, for a gate in another account's stack: the gate reads through
   * it, and its stack deploys after the role's. Needed only where `identity`
   * does not bring one: a lookup with a `readerRole` gives the gate its own.
   *
   * @default - the `readerRole` of the lookup `identity`, if any; otherwise the identity is read in the gate stack's account
   */
  readonly readerRole?: EmailIdentityReaderRole;

  /**
   * What must hold, all of it, for the gate to pass.
   *
   * @default [VerificationCondition.IDENTITY_VERIFIED, VerificationCondition.SENDING_ENABLED]
   */
  readonly conditions?: VerificationCondition[];

  /**
   * How often to ask SES. SES allows about one control-plane call a second
   * per account and region, shared by every lookup and gate.
   *
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;

  /**
   * How long to wait before failing the deployment. At most 58 minutes:
   * the custom resource's service timeout is set two minutes above it, and
   * CloudFormation allows one hour.
   *
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;
}

/**
 * Holds back the resources that depend on it until an SES identity is really
 * usable, and fails the deployment with a clear reason when it is not.
 *
 * The first check is immediate, so an identity that is already verified
 * passes at once. A `FAILED` status fails at once; `PENDING`, `NOT_STARTED`
 * and `TEMPORARY_FAILURE` keep it waiting until the timeout. A failure reason
 * names the unmet condition, the statuses SES reports, its error type and
 * last check, and what public DNS holds of each record SES expects.
 *
 * A rollback never waits: a gate that passed before passes again at once
 * with its old properties, and Delete does nothing.
 *
 * @example
 * declare const userPool: cognito.UserPool;
 * const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: 'example.com' });
 * const gate = new EmailIdentityVerificationGate(this, 'Verified', { identity });
 * userPool.node.addDependency(gate);
 */
export class EmailIdentityVerificationGate extends Construct {
  /** The verification status the gate saw when it passed. */
  public readonly verificationStatus: string;
  /** How long the gate waited, in seconds, as a decimal string. */
  public readonly waitedSeconds: string;

  constructor(scope: Construct, id: string, props: EmailIdentityVerificationGateProps) {
    super(scope, id);
    requireProps(this, 'EmailIdentityVerificationGate', props, { identity: 'the identity to wait for: an EmailIdentityLookup, or any aws_ses.IEmailIdentity' });

    const pollInterval = props.pollInterval ?? DEFAULT_POLL_INTERVAL;
    const timeout = props.timeout ?? DEFAULT_TIMEOUT;
    const conditions = props.conditions ?? DEFAULT_CONDITIONS;
    validate(this, pollInterval, timeout, conditions);

    // The identity as read from this stack: no export crosses stacks, and no
    // lookup is needed; a lookup in this stack has already checked and granted it.
    const identity = props.identity;
    const provider = EmailIdentityFunctions.getOrCreate(this);
    const location = locationToRead(identity, this, props.readerRole, (read) => provider._grantRead(read));
    const gateFunction = provider._gateFunction();
    const properties: GateProperties = {
      ...location,
      // Each member's value is its name on the wire: a member the wire lacks fails compilation here.
      Conditions: [...new Set(conditions.map((condition): GateCondition => condition))],
      PollIntervalSeconds: String(pollInterval.toSeconds()),
      TimeoutSeconds: String(timeout.toSeconds()),
    };
    const serviceTimeout = timeout.plus(Duration.seconds(GATE_SERVICE_TIMEOUT_MARGIN_SECONDS));
    const resource = customResource(this, GATE_RESOURCE_TYPE, gateFunction.serviceToken, serviceTimeout, properties);
    resource.node.addDependency(gateFunction.invokePolicy);
    waitForCreatedIdentity(resource, identity);

    const attribute = (name: keyof GateData) => Token.asString(resource.getAtt(name));
    this.verificationStatus = attribute('VerificationStatus');
    this.waitedSeconds = attribute('WaitedSeconds');
  }
}

/** The defaults the props document. */
const DEFAULT_POLL_INTERVAL = Duration.seconds(30);
const DEFAULT_TIMEOUT = Duration.minutes(30);
const DEFAULT_CONDITIONS = [VerificationCondition.IDENTITY_VERIFIED, VerificationCondition.SENDING_ENABLED];

function validate(scope: Construct, pollInterval: Duration, timeout: Duration, conditions: VerificationCondition[]): void {
  if (Token.isUnresolved(pollInterval.toSeconds()) || Token.isUnresolved(timeout.toSeconds())) {
    fail(scope, 'pollInterval and timeout must be known at synth time.');
  }
  if (conditions.length === 0) {
    fail(scope, 'conditions is empty: a gate needs at least one condition to wait for.');
  }
  const timingProblem = gateTimingProblem(pollInterval.toSeconds(), timeout.toSeconds());
  if (timingProblem) {
    fail(scope, timingProblem);
  }
}
