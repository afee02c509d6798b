import { GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { DeadlineExceeded, failureReason } from './failure-reason';
import { acknowledgeBody, failureBody, sendResponse, successBody, type ResponseEnvelope } from './response';
import { emailIdentityProblem } from '../shared/identity-name';
import type { LookupProperties } from '../shared/wire';

/** How hard to retry SES. Throttling is expected: SES allows ~1 control-plane call a second. */
export interface RetryOptions {
  /** Attempts in all, first one included. */
  readonly maxAttempts: number;
  /** Backoff before retry n is a random delay up to min(maxDelayMs, baseDelayMs * 2^n). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface LookupHandlerOptions {
  /** The SES client; by default one in the function's region with the retry policy below. */
  readonly client?: SESv2Client;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Time kept back from the Lambda timeout to answer CloudFormation. @default 10 s */
  readonly reserveMs?: number;
  /** Where progress lines go; never receives the response URL. @default console.log */
  readonly log?: (line: string) => void;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 12, baseDelayMs: 500, maxDelayMs: 20_000 };

export type LookupHandler = (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<void>;

/**
 * The custom resource handler. Whatever happens, it answers CloudFormation:
 * Delete always succeeds without calling SES, and every failure becomes a
 * FAILED response with a reason, sent before the Lambda times out.
 */
export function createLookupHandler(options: LookupHandlerOptions = {}): LookupHandler {
  const client = options.client ?? createSesClient(options.retry ?? DEFAULT_RETRY);
  const reserveMs = options.reserveMs ?? 10_000;
  const log = options.log ?? ((line: string) => console.log(line));

  return async (event, context) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - reserveMs;
    const { body, outcome } = await respond(event, client, deadline);
    log(JSON.stringify({
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      emailIdentity: event.ResourceProperties?.EmailIdentity,
      ...outcome,
    }));
    await sendResponse(event.ResponseURL, body);
  };
}

export function createSesClient(retry: RetryOptions): SESv2Client {
  return new SESv2Client({
    retryStrategy: new ConfiguredRetryStrategy(retry.maxAttempts, (attempt) =>
      // "Full jitter": parallel lookups spread out instead of retrying in step.
      Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt)),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 15_000 }),
  });
}

interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
}

async function respond(event: CloudFormationCustomResourceEvent, client: SESv2Client, deadline: number): Promise<{ body: string; outcome: Outcome }> {
  const envelope = (physicalResourceId: string): ResponseEnvelope => ({
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: physicalResourceId,
  });
  const fail = (physicalResourceId: string, reason: string) => ({
    body: failureBody(envelope(physicalResourceId), reason),
    outcome: { status: 'FAILED' as const, reason },
  });

  switch (event.RequestType) {
    case 'Delete':
      // A lookup owns nothing: nothing to clean up, nothing that may fail.
      return { body: acknowledgeBody(envelope(event.PhysicalResourceId)), outcome: { status: 'SUCCESS' } };
    case 'Create':
    case 'Update': {
      // A failed Update keeps the resource it had; a failed Create has none yet.
      const previousId = event.RequestType === 'Update' ? event.PhysicalResourceId : event.RequestId;
      const parsed = parseProperties(event.ResourceProperties);
      if (typeof parsed === 'string') {
        return fail(previousId, parsed);
      }
      const properties = parsed;
      const scope = {
        emailIdentity: properties.EmailIdentity,
        region: await client.config.region().catch(() => ''),
        account: event.StackId.split(':')[4] ?? '',
      };
      try {
        const identity = await getEmailIdentity(client, properties.EmailIdentity, deadline);
        // The identity names the resource: looking up another identity is a
        // replacement, and the old lookup's Delete is a no-op.
        const body = successBody(envelope(properties.EmailIdentity), identity);
        if (body === undefined) {
          return fail(previousId, `SES described ${JSON.stringify(properties.EmailIdentity)} with values too long to return within CloudFormation's 4096-byte response limit.`);
        }
        return { body, outcome: { status: 'SUCCESS' } };
      } catch (error) {
        return fail(previousId, failureReason(error, scope));
      }
    }
  }
}

/** Validates properties as CloudFormation delivered them (always strings, possibly anything). */
function parseProperties(raw: unknown): LookupProperties | string {
  if (typeof raw !== 'object' || raw === null) {
    return 'The lookup received no resource properties; it needs EmailIdentity.';
  }
  const { EmailIdentity, RefreshToken } = raw as Record<string, unknown>;
  if (typeof EmailIdentity !== 'string') {
    return `Property EmailIdentity must be a string, got ${EmailIdentity === undefined ? 'nothing' : typeof EmailIdentity}.`;
  }
  const problem = emailIdentityProblem(EmailIdentity);
  if (problem) {
    return `Property EmailIdentity: ${problem}`;
  }
  if (RefreshToken !== undefined && typeof RefreshToken !== 'string') {
    return `Property RefreshToken must be a string, got ${typeof RefreshToken}.`;
  }
  return { EmailIdentity, RefreshToken };
}

/** Calls SES, giving up at the deadline so that there is time left to answer. */
async function getEmailIdentity(client: SESv2Client, emailIdentity: string, deadline: number) {
  const abort = new AbortController();
  const waitMs = Math.max(0, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DeadlineExceeded(waitMs));
    }, waitMs);
  });
  try {
    const { $metadata, ...identity } = await Promise.race([
      client.send(new GetEmailIdentityCommand({ EmailIdentity: emailIdentity }), { abortSignal: abort.signal }),
      timeout,
    ]);
    return identity;
  } finally {
    clearTimeout(timer);
  }
}
