import { CfnResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { fail } from './private/errors';
import { GateFunction } from './private/gate-function';
import { identityArn, type IdentityArn } from './private/identity-arn';
import { IdentityPolicies } from './private/identity-policies';
import { LookupFunction } from './private/lookup-function';
import { MonitorFunction } from './private/monitor-function';
import { lookupRoleName } from './private/role-names';
import { identitySpellings } from './shared/identity-name';
import { FUNCTION_TIMEOUT_SECONDS } from './shared/time-budgets';
import { MONITOR_METRIC, type IdentityLocation } from './shared/wire';

/**
 * Options for the Lambda functions that serve a stack's lookups and gates.
 */
export interface EmailIdentityFunctionsProps {
  /**
   * How long the functions' logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the functions' log group when it leaves the stack
   * (`cdk destroy`, or the provider's last lookup and gate removed).
   *
   * Removed by default, like every other resource this library adds: the
   * log group is the library's, not data you asked to keep, and a lookup's
   * or gate's failure reason is in the stack's events, so no logs are needed
   * to learn why a deployment failed, even one rolled back. Choose
   * `RemovalPolicy.RETAIN` to keep the logs after the stack is gone (an
   * audit): the log group then stays, with its retention, until you delete
   * it. aws-cdk-lib's own `LogGroup` retains by default, for the log groups
   * you create.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Let the functions read every SES identity in the account, in any region,
   * instead of only the identities the stack's lookups and gates name.
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
 * The Lambda functions of a stack, one for its `EmailIdentityLookup`s and
 * one for its `EmailIdentityVerificationGate`s, each created with the first
 * that needs it, sharing a role that may read only the identities those
 * lookups and gates name.
 *
 * The functions share the role and the log group. One role, because both
 * functions read the same identities: a second role would need every
 * identity policy again (up to 10 managed policies each), and every role in
 * another account that a lookup or gate assumes would have to trust both.
 * The price: the lookup function may invoke the gate function, which runs
 * the same bundled handler code; neither may do anything else.
 *
 * Created on a stack's first lookup or gate. To change its options,
 * configure it before that:
 *
 * @example
 * EmailIdentityFunctions.configure(this, { logRetention: logs.RetentionDays.ONE_YEAR });
 * new EmailIdentityLookup(this, 'Identity', { emailIdentity: 'example.com' });
 */
export class EmailIdentityFunctions extends Construct {
  /**
   * The timeout of both functions, Lambda's longest; the handlers answer
   * CloudFormation before it. A stack that creates hundreds of lookups at
   * once against SES's ~1 call a second needs minutes of retries, and a gate
   * that waits longer hands over to a fresh invocation.
   */
  public static readonly FUNCTION_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS);

  /**
   * Creates the stack's provider with these options.
   *
   * Call it before the stack's first lookup, and once per stack.
   */
  public static configure(scope: Construct, props: EmailIdentityFunctionsProps = {}): EmailIdentityFunctions {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing) {
      fail(existing, 'the stack\'s EmailIdentityFunctions already exist: configure them once, before the stack\'s first '
        + 'EmailIdentityLookup, EmailIdentityVerificationGate or EmailIdentityDnsRecords (each creates them with default options).');
    }
    return new EmailIdentityFunctions(stack, PROVIDER_ID, props);
  }

  /**
   * The stack's provider: the one `configure` created, or a new one with
   * default options.
   */
  public static getOrCreate(scope: IConstruct): EmailIdentityFunctions {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing instanceof EmailIdentityFunctions) {
      return existing;
    }
    if (existing) {
      fail(existing, `the construct id "${PROVIDER_ID}" in stack ${stack.node.path} is reserved for the stack's EmailIdentityFunctions: give this construct another id.`);
    }
    return new EmailIdentityFunctions(stack, PROVIDER_ID, {});
  }

  /**
   * The functions' role. A role that a lookup or gate assumes in another
   * account must trust it. Its name is known before deployment, so that such
   * a trust policy can be written first:
   * `SesIdentityLookup-<region>-<stack name>`, the stack's name cut to its
   * first 20 characters, `-` and the first 8 hex digits of its SHA-256 when
   * it is longer than 29 (in a nested stack, CloudFormation names it).
   */
  public readonly role: iam.IRole;

  private readonly readAll?: iam.Policy;
  private readonly identityPolicies: IdentityPolicies;
  private readonly logGroup: logs.ILogGroup;
  private gate?: GateFunctionAccess;
  private lookupFunction?: lambda.Function;
  private monitor?: MonitorFunctionAccess;

  private constructor(scope: Stack, id: string, props: EmailIdentityFunctionsProps) {
    super(scope, id);

    // An explicit role and log group rather than the managed
    // AWSLambdaBasicExecutionRole: the function may write its own logs and nothing else.
    const role = new iam.Role(this, 'Role', {
      // Predictable, so that a role in another account can trust it before either exists.
      roleName: lookupRoleName(scope),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: FUNCTIONS_ROLE_DESCRIPTION,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    // A rollback is told by the stack's own status (handler/rollback.ts): this stack only.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stackArnPattern(scope)] }));
    this.role = role;
    this.logGroup = logGroup;

    this.identityPolicies = new IdentityPolicies(this, 'Identities', role);
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
   * The ARN of the function that lookups send their requests to, created on
   * first use: a stack with only gates has none.
   *
   * @internal
   */
  public _lookupServiceToken(): string {
    this.lookupFunction ??= this.newFunction(LookupFunction, 'Fn', 'Reads SES email identities for EmailIdentityLookup custom resources');
    return this.lookupFunction.functionArn;
  }

  /**
   * The gate function, created with the stack's first gate: it may wait up
   * to Lambda's 15 minutes, and invoke itself to wait longer. Stacks without
   * gates never deploy it.
   *
   * @internal
   */
  public _gateFunction(): GateFunctionAccess {
    if (!this.gate) {
      const fn = this.newFunction(GateFunction, 'GateFn', 'Waits for SES email identities to verify, for EmailIdentityVerificationGate custom resources');
      // A policy of its own, not the role's default one that the functions
      // depend on: the statement names the function, which would be a cycle.
      // Gates are few: each waits for it with a DependsOn.
      const invokePolicy = new iam.Policy(this, 'GateInvokesItself', {
        roles: [this.role],
        statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
      });
      this.gate = { serviceToken: fn.functionArn, invokePolicy };
    }
    return this.gate;
  }

  /**
   * The monitor function, created with the stack's first
   * `EmailIdentityMonitor`: every monitor's schedule runs it. It shares the
   * role, as the gate function does, for the same reasons: one set of
   * identity policies, and one role for a reader role in another account to
   * trust (`EmailIdentityReaderRole` trusts this role's name). Its own
   * permission is PutMetricData in the monitor's namespace, in a policy of
   * its own that only stacks with a monitor have.
   *
   * @internal
   */
  public _monitorFunction(): MonitorFunctionAccess {
    if (!this.monitor) {
      const publish = new iam.Policy(this, 'MonitorPublishesMetrics', {
        roles: [this.role],
        statements: [new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          // PutMetricData has no resource-level permissions: the namespace condition is what narrows it.
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': MONITOR_METRIC.namespace } },
        })],
      });
      acknowledgeNamespaceCondition(publish);
      const fn = this.newFunction(MonitorFunction, 'MonitorFn', 'Reads SES email identities and publishes their health to CloudWatch, for EmailIdentityMonitor schedules');
      fn.node.addDependency(publish);
      // A failed run is not worth repeating: the next scheduled run reads again.
      fn.configureAsyncInvoke({ retryAttempts: 0 });
      this.monitor = { function: fn, logGroup: this.logGroup };
    }
    return this.monitor;
  }

  /**
   * One of the stack's functions: the shared role and log group, Lambda's
   * longest timeout, and it waits for the permissions, so that the many
   * custom resources that reach it through ServiceToken need no DependsOn of
   * their own.
   */
  private newFunction(type: typeof LookupFunction | typeof GateFunction | typeof MonitorFunction, id: string, description: string): lambda.Function {
    const fn = new type(this, id, {
      role: this.role,
      logGroup: this.logGroup,
      timeout: EmailIdentityFunctions.FUNCTION_TIMEOUT,
      memorySize: FUNCTION_MEMORY_MB,
      description,
    });
    acknowledgeRuntimePolicy(fn);
    this.identityPolicies.addDependent(fn);
    if (this.readAll) {
      fn.node.addDependency(this.readAll);
    }
    return fn;
  }

  /**
   * Lets the functions read the identity at `location`: in another account,
   * by assuming the location's role (that role, not this one, needs
   * ses:GetEmailIdentity; the functions already wait for the role's default
   * policy); else through the identity policies. Gives the identity's ARN,
   * for the construct that asked.
   *
   * @internal
   */
  public _grantRead(location: IdentityLocation): IdentityArn {
    const arn = identityArn(Stack.of(this), location);
    if (location.AssumeRoleArn) {
      // Lookups that share a role add the same statement; IAM policy rendering merges them.
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [location.AssumeRoleArn] }));
    } else if (!this.readAll) {
      // Each spelling IAM may compare (a mixed-case domain also in lower case).
      const name = location.EmailIdentity;
      const names = Token.isUnresolved(name) ? [name] : identitySpellings(name);
      names.forEach((spelling, index) => this.identityPolicies.add(spelling, arn, arn.iamArns[index]));
    }
    return arn;
  }
}

const FUNCTIONS_ROLE_DESCRIPTION = 'Reads SES email identities for EmailIdentityLookup and EmailIdentityVerificationGate custom resources';

/** The SDK's start-up is CPU-bound, and Lambda's CPU grows with memory. */
const FUNCTION_MEMORY_MB = 256;

/**
 * cdk-nag's AwsSolutions-L1 wants the newest runtime aws-cdk-lib lists, which
 * may be a preview (nodejs26.x in aws-cdk-lib 2.278). The functions run the
 * newest generally available Node.js runtime and never a preview, so each
 * function's resource acknowledges the rule, with that reason, and a cdk-nag
 * user has nothing to do: through aws-cdk-lib's `Validations.acknowledge`,
 * which cdk-nag 3 reads, and as the `cdk_nag` resource metadata that cdk-nag 2
 * reads (and cdk-nag 3 writes for audits). No dependency on cdk-nag. The
 * runtime is projen's (LAMBDA_RUNTIME in .projenrc.ts); the reason names the
 * one the function was given.
 */
function acknowledgeRuntimePolicy(fn: lambda.Function): void {
  const resource = fn.node.defaultChild as CfnResource;
  const rule = {
    id: 'AwsSolutions-L1',
    reason: `${fn.runtime.name} is the newest Node.js runtime that Lambda offers generally available in every region. `
      + 'cdk-ses-identity-lookup never uses a preview runtime, and moves to a newer one once Lambda makes it generally available.',
  };
  Validations.of(resource).acknowledge(rule);
  resource.addMetadata('cdk_nag', { rules_to_suppress: [rule] });
}

/**
 * cdk-nag's AwsSolutions-IAM5 reports the `*` resource of PutMetricData,
 * which supports no other (Service Authorization Reference, CloudWatch); the
 * `cloudwatch:namespace` condition narrows it to the monitor's namespace.
 * Acknowledged on that policy alone, with the reason, as the runtime rule is
 * on the functions: a cdk-nag user has nothing to do.
 */
function acknowledgeNamespaceCondition(policy: iam.Policy): void {
  const resource = policy.node.defaultChild as CfnResource;
  const reason = `cloudwatch:PutMetricData has no resource-level permissions; the cloudwatch:namespace condition allows ${MONITOR_METRIC.namespace} only.`;
  Validations.of(resource).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
  resource.addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason, appliesTo: ['Resource::*'] }] });
}

/** What a monitor needs of the monitor function: to be its schedule's target, and where it logs why. */
interface MonitorFunctionAccess {
  readonly function: lambda.IFunction;
  readonly logGroup: logs.ILogGroup;
}

/**
 * Any id of the stack of this name, rather than its own id (`AWS::StackId`):
 * an ARN whatever runs the template. @pulumi/cdk turns `AWS::StackId` into
 * the stack's construct id (`MailStack`), which IAM refuses as a policy's
 * resource; the stack's name, partition, region and account stay what they
 * are. A stack id ends in a UUID that CloudFormation picks at creation: one
 * `?` per character of it matches the ids of stacks of this name only, in
 * this account and region.
 */
function stackArnPattern(stack: Stack): string {
  return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/${STACK_UUID_PATTERN}` });
}

/** The UUID at the end of a stack id, 8-4-4-4-12 hex digits. */
const STACK_UUID_PATTERN = [8, 4, 4, 4, 12].map((length) => '?'.repeat(length)).join('-');

/** What a gate needs of the gate function. */
interface GateFunctionAccess {
  readonly serviceToken: string;
  /** Gates depend on it, so that a long wait can hand over from the start. */
  readonly invokePolicy: iam.Policy;
}

/** Stable forever: CloudFormation refuses to change a custom resource's ServiceToken. */
const PROVIDER_ID = 'SesIdentityLookup';
