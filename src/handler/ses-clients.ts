import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AWS_CALL_TIMEOUTS } from '../shared/time-budgets';
import type { TargetProperties } from '../shared/wire';

/** Where a lookup reads: a region and, for another account, a role to assume there. */
export type LookupTarget = Omit<TargetProperties, 'EmailIdentity'>;

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

/** The HTTP handler of every AWS client here: a hung call fails as a TimeoutError, a fault that readIdentity retries for its window. */
export function httpHandler(timeouts: CallTimeouts = AWS_CALL_TIMEOUTS): NodeHttpHandler {
  return new NodeHttpHandler({ ...timeouts, throwOnRequestTimeout: true });
}
