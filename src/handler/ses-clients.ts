import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AnswerOptions, Request } from './cloudformation';
import type { EmailIdentityDescription } from './encode';
import type { LookupScope } from './failure-reason';
import { readIdentity } from './read-identity';
import type { StackStatusReader } from './rollback';
import { AWS_CALL_TIMEOUTS, DEFAULT_RETRY, type RetryOptions } from '../shared/time-budgets';
import type { TargetProperties } from '../shared/wire';

/** Where a lookup reads: a region and, for another account, a role to assume there. */
type LookupTarget = Omit<TargetProperties, 'EmailIdentity'>;

/**
 * SES clients by region and role, kept for the life of the Lambda container
 * so that connections and assumed-role credentials are reused across lookups.
 */
export class SesClients {
  private readonly clients = new Map<string, SESv2Client>();

  /** @param timeouts of each SES and STS call; shorter in tests */
  constructor(private readonly timeouts: CallTimeouts = AWS_CALL_TIMEOUTS) {}

  public get(target: LookupTarget): SESv2Client {
    const key = JSON.stringify([target.Region, target.AssumeRoleArn, target.ExternalId]);
    let client = this.clients.get(key);
    if (!client) {
      client = new SESv2Client({
        // Absent: the function's own region.
        region: target.Region,
        credentials: target.AssumeRoleArn ? assumedRole(target.AssumeRoleArn, target.ExternalId, this.timeouts) : undefined,
        // readIdentity retries, each class of error for its own window.
        maxAttempts: 1,
        requestHandler: httpHandler(this.timeouts),
      });
      this.clients.set(key, client);
    }
    return client;
  }
}

/** How long one SES or STS call may take to connect, and to answer. */
export interface CallTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}

/** Raised when the role cannot be assumed, so that the reason can say so. */
export class AssumeRoleFailed extends Error {
  public override readonly name = 'AssumeRoleFailed';
  constructor(public readonly roleArn: string, public readonly cause: unknown) {
    super(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
  }
}

/** Credentials of a role in the identity's account; the SDK refreshes them before they expire. */
function assumedRole(roleArn: string, externalId: string | undefined, timeouts: CallTimeouts) {
  // STS in the function's own region: the regional endpoint, not the global one.
  const sts = new STSClient({ requestHandler: httpHandler(timeouts) });
  return async () => {
    try {
      const { Credentials: credentials } = await sts.send(new AssumeRoleCommand({
        RoleArn: roleArn,
        ExternalId: externalId,
        RoleSessionName: 'ses-email-identity-lookup',
        DurationSeconds: 900,
      }));
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
        throw new Error('STS returned no credentials');
      }
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
    } catch (error) {
      throw new AssumeRoleFailed(roleArn, error);
    }
  };
}

export interface SesReaderOptions extends AnswerOptions {
  /** One SES client for every request, for tests; by default one per region and role, see SesClients. */
  readonly client?: SESv2Client;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Tells a rollback from a forward Update. @default DescribeStacks on the event's StackId */
  readonly stackStatus?: StackStatusReader;
}

/** One request's way to SES: where it reads, for reasons, and a read that retries within a wait. */
export interface TargetReader {
  readonly scope: LookupScope;
  read(maxWaitMs: number): Promise<EmailIdentityDescription>;
}

/** What lookups and gates share: clients kept across requests, and the retry policy. */
export function createReader(options: SesReaderOptions): (target: TargetProperties, request: Request) => Promise<TargetReader> {
  const clients = new SesClients();
  const retry = options.retry ?? DEFAULT_RETRY;
  return async (target, request) => {
    const client = options.client ?? clients.get(target);
    return {
      scope: await scopeOf(target, client, request.event.StackId),
      read: (maxWaitMs) => readIdentity(client, target.EmailIdentity, maxWaitMs, { retry, onRetry: request.log, clock: request.clock }),
    };
  };
}

/** The HTTP handler of every AWS client here: a hung call fails as a TimeoutError, a fault that readIdentity retries for its window. */
export function httpHandler(timeouts: CallTimeouts = AWS_CALL_TIMEOUTS): NodeHttpHandler {
  return new NodeHttpHandler({ ...timeouts, throwOnRequestTimeout: true });
}

/** Where a request reads: the client's region, and the role's account or else the stack's. */
async function scopeOf(target: TargetProperties, client: SESv2Client, stackId: string): Promise<LookupScope> {
  return {
    emailIdentity: target.EmailIdentity,
    region: await client.config.region().catch(() => ''),
    account: accountOf(target.AssumeRoleArn) ?? accountOf(stackId) ?? '',
    assumeRoleArn: target.AssumeRoleArn,
  };
}

/** The account in an ARN (a stack id or a role ARN). */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}
