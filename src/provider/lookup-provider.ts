import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { LookupFunction } from './lookup-function';

/**
 * The one Lambda function per stack that serves every `EmailIdentityLookup`
 * in it, with a role that may read only the identities those lookups name.
 * This is the only place that touches the generated function.
 */
export class LookupProvider extends Construct {
  /** Stable forever: CloudFormation refuses to change a custom resource's ServiceToken. */
  private static readonly ID = 'SesEmailIdentityLookupProvider';

  /** The stack's provider, created on first use. */
  public static of(scope: IConstruct): LookupProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(LookupProvider.ID);
    if (existing instanceof LookupProvider) {
      return existing;
    }
    if (existing) {
      throw new Error(`The construct id "${LookupProvider.ID}" in stack ${stack.node.path} is reserved for the SES email identity lookup provider.`);
    }
    return new LookupProvider(stack, LookupProvider.ID);
  }

  /** The function's timeout; the handler answers CloudFormation before it. */
  public static readonly FUNCTION_TIMEOUT = Duration.minutes(5);

  public readonly serviceToken: string;
  /** Lookups depend on it, so that a lookup never runs before its permissions exist. */
  public readonly policy: iam.Policy;
  private readonly sesStatement: iam.PolicyStatement;

  private constructor(scope: Stack, id: string) {
    super(scope, id);

    // An explicit role and log group, rather than the managed
    // AWSLambdaBasicExecutionRole: the function may write its own logs and nothing else.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads SES email identities for EmailIdentityLookup custom resources',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });

    const fn = new LookupFunction(this, 'Function', {
      role,
      logGroup,
      timeout: LookupProvider.FUNCTION_TIMEOUT,
      // The SDK's start-up is CPU-bound; 256 MB halves the cold start of 128 MB for little cost.
      memorySize: 256,
      description: 'Reads SES email identities for EmailIdentityLookup custom resources',
    });
    this.serviceToken = fn.functionArn;

    // One policy for everything the function does; lookups add their identities to it.
    this.sesStatement = new iam.PolicyStatement({ actions: ['ses:GetEmailIdentity'] });
    this.policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
        this.sesStatement,
      ],
    });
  }

  /** Lets the function read one identity. */
  public grantLookup(identityArn: string): void {
    this.sesStatement.addResources(identityArn);
  }
}
