import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct, type IDependable } from 'constructs';
import { GateFunction } from './gate-function';
import { LookupFunction } from './lookup-function';

/**
 * Options for the Lambda function that serves a stack's lookups.
 */
export interface EmailIdentityLookupProviderProps {
  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Let the function read every SES identity in the account, in any region,
   * instead of only the identities the stack looks up.
   *
   * Least privilege holds without it at any scale a stack can reach (the
   * identity ARNs are spread over as many managed policies as needed); this is
   * for those who prefer a short, stable policy.
   *
   * @default false
   */
  readonly readAllIdentities?: boolean;
}

/**
 * The one Lambda function per stack that serves every `EmailIdentityLookup`
 * in it, with a role that may read only the identities those lookups name.
 *
 * Created on a stack's first lookup. To change its options, configure it
 * before that:
 *
 * @example
 * EmailIdentityLookupProvider.configure(this, { logRetention: logs.RetentionDays.ONE_YEAR });
 * new EmailIdentityLookup(this, 'Identity', { emailIdentity: 'example.com' });
 */
export class EmailIdentityLookupProvider extends Construct {
  /** The lookup function's timeout; the handler answers CloudFormation before it. */
  public static readonly FUNCTION_TIMEOUT = Duration.minutes(5);

  /** Lambda's longest; a gate that waits longer hands over to a fresh invocation. */
  public static readonly GATE_FUNCTION_TIMEOUT = Duration.minutes(15);

  /**
   * Creates the stack's provider with these options.
   *
   * Call it before the stack's first lookup, and once per stack.
   */
  public static configure(scope: Construct, props: EmailIdentityLookupProviderProps = {}): EmailIdentityLookupProvider {
    const stack = Stack.of(scope);
    if (stack.node.tryFindChild(PROVIDER_ID)) {
      throw new Error(`The SES email identity lookup provider of stack ${stack.node.path} already exists: configure it once, before the stack's first EmailIdentityLookup.`);
    }
    return new EmailIdentityLookupProvider(stack, PROVIDER_ID, props);
  }

  /** The stack's provider, created with default options on first use. */
  public static of(scope: IConstruct): EmailIdentityLookupProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing instanceof EmailIdentityLookupProvider) {
      return existing;
    }
    if (existing) {
      throw new Error(`The construct id "${PROVIDER_ID}" in stack ${stack.node.path} is reserved for the SES email identity lookup provider.`);
    }
    return new EmailIdentityLookupProvider(stack, PROVIDER_ID, {});
  }

  /** The ARN of the function that custom resources send their requests to. */
  public readonly serviceToken: string;

  /**
   * The function's role. A role that a lookup assumes in another account must
   * trust it.
   */
  public readonly role: iam.IRole;

  private readonly readAll?: iam.Policy;
  private readonly identityPolicies: IdentityPolicy[] = [];
  private readonly logGroup: logs.ILogGroup;
  private gate?: { readonly serviceToken: string; readonly invokePolicy: iam.Policy };

  private constructor(scope: Stack, id: string, props: EmailIdentityLookupProviderProps) {
    super(scope, id);

    // An explicit role and log group rather than the managed
    // AWSLambdaBasicExecutionRole: the function may write its own logs and nothing else.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads SES email identities for EmailIdentityLookup custom resources',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    this.role = role;
    this.logGroup = logGroup;

    const fn = new LookupFunction(this, 'Function', {
      role,
      logGroup,
      timeout: EmailIdentityLookupProvider.FUNCTION_TIMEOUT,
      // The SDK's start-up is CPU-bound, and Lambda's CPU grows with memory.
      memorySize: 256,
      description: 'Reads SES email identities for EmailIdentityLookup custom resources',
    });
    this.serviceToken = fn.functionArn;

    if (props.readAllIdentities) {
      this.readAll = new iam.Policy(this, 'ReadAllIdentities', {
        roles: [this.role],
        statements: [new iam.PolicyStatement({
          actions: ['ses:GetEmailIdentity'],
          resources: [scope.formatArn({ service: 'ses', region: '*', resource: 'identity', resourceName: '*' })],
        })],
      });
    }
  }

  /**
   * The gate function, created with the stack's first gate: it may wait up
   * to Lambda's 15 minutes, and invoke itself to wait longer. Stacks without
   * gates never deploy it.
   *
   * @internal
   */
  public _gateFunction(): { readonly serviceToken: string; readonly invokePolicy: iam.Policy } {
    if (!this.gate) {
      const fn = new GateFunction(this, 'GateFunction', {
        role: this.role,
        logGroup: this.logGroup,
        timeout: EmailIdentityLookupProvider.GATE_FUNCTION_TIMEOUT,
        memorySize: 256,
        description: 'Waits for SES email identities to verify, for EmailIdentityVerificationGate custom resources',
      });
      // A policy of its own, not the role's default one that the functions
      // depend on: the statement names the function, which would be a cycle.
      const invokePolicy = new iam.Policy(this, 'GateInvokesItself', {
        roles: [this.role],
        statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
      });
      this.gate = { serviceToken: fn.functionArn, invokePolicy };
    }
    return this.gate;
  }

  /**
   * Lets the function assume a role in the identity's account; that role,
   * not this one, needs ses:GetEmailIdentity.
   *
   * @returns the construct that holds the permission: the lookup must depend on it
   * @internal
   */
  public _grantAssumeRole(roleArn: string): IDependable {
    // Lookups that share a role add the same statement; IAM policy rendering merges them.
    const statement = new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [roleArn] });
    return this.role.addToPrincipalPolicy(statement).policyDependable ?? this.role;
  }

  /**
   * Lets the function read one identity.
   *
   * @returns the construct that holds the permission: the lookup must depend on it
   * @internal
   */
  public _grantLookup(identityArn: string, identityName: string): Construct {
    if (this.readAll) {
      return this.readAll;
    }
    // ARNs go into managed policies, each under IAM's 6,144-character limit.
    // The role's inline policies share a 10,240-character limit, which a few
    // hundred ARNs would pass.
    const size = estimatedArnSize(identityName);
    let current = this.identityPolicies[this.identityPolicies.length - 1];
    if (!current || current.size + size > MANAGED_POLICY_BUDGET) {
      if (this.identityPolicies.length === MAX_MANAGED_POLICIES) {
        throw new Error(`${this.node.path}: the looked-up identities' ARNs need more than ${MAX_MANAGED_POLICIES} IAM managed policies. Split the lookups over more stacks, or configure the provider with readAllIdentities.`);
      }
      const statement = new iam.PolicyStatement({ actions: ['ses:GetEmailIdentity'] });
      const policy = new iam.ManagedPolicy(this, `Identities${this.identityPolicies.length + 1}`, {
        description: 'SES identities that EmailIdentityLookup custom resources may read',
        roles: [this.role],
        statements: [statement],
      });
      current = { policy, statement, size: POLICY_OVERHEAD };
      this.identityPolicies.push(current);
    }
    current.statement.addResources(identityArn);
    current.size += size;
    return current.policy;
  }
}

/** Stable forever: CloudFormation refuses to change a custom resource's ServiceToken. */
const PROVIDER_ID = 'SesEmailIdentityLookupProvider';

/** Managed policies a role can have by default (IAM quota). */
const MAX_MANAGED_POLICIES = 10;
/** IAM counts a managed policy's characters without whitespace, up to 6,144; keep a margin. */
const MANAGED_POLICY_BUDGET = 6_000;
const POLICY_OVERHEAD = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:GetEmailIdentity","Resource":[]}]}'.length;
/** Longest partition and region names, so that the estimate is an upper bound. */
const LONGEST_ARN_PREFIX = 'arn:aws-iso-b:ses:ap-southeast-5:123456789012:identity/'.length;
const LONGEST_IDENTITY = 320;

interface IdentityPolicy {
  readonly policy: iam.ManagedPolicy;
  readonly statement: iam.PolicyStatement;
  size: number;
}

/** Characters an ARN takes in the policy once resolved, quotes and comma included. */
function estimatedArnSize(identityName: string): number {
  // A token's length is unknown until deployment: assume the longest identity.
  const nameLength = Token.isUnresolved(identityName) ? LONGEST_IDENTITY : identityName.length;
  return LONGEST_ARN_PREFIX + nameLength + 3;
}
