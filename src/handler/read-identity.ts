import { GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { isRetryableByTrait, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { EmailIdentityDescription } from './encode';
import { Attempted, DeadlineExceeded, UnexpectedShape } from './failure-reason';
import { shapeProblem } from './shape';
import { DEFAULT_RETRY, type RetryOptions } from '../shared/time-budgets';

/**
 * Calls SES until it answers, retrying throttling and passing faults with
 * full-jitter backoff, and gives up after maxWaitMs so that there is time left
 * to answer CloudFormation. Checks that the answer has the API's shape.
 *
 * The retries are ours, not the SDK's: its retry quota is per client, and a
 * Lambda container that serves many throttled lookups in a row would run it dry.
 */
export async function readIdentity(
  client: SESv2Client,
  emailIdentity: string,
  maxWaitMs: number,
  retry: RetryOptions = DEFAULT_RETRY,
  onRetry: (line: string) => void = () => undefined,
): Promise<EmailIdentityDescription> {
  const started = Date.now();
  const deadline = started + Math.max(0, maxWaitMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(client, emailIdentity, deadline - Date.now());
    } catch (error) {
      // "Full jitter": parallel lookups spread out instead of retrying in step.
      const delay = Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
      const worthRetrying = isPassing(error) || (isAccessDenied(error) && Date.now() - started < retry.accessDeniedGraceMs);
      if (error instanceof DeadlineExceeded || !worthRetrying || attempt >= retry.maxAttempts || Date.now() + delay >= deadline) {
        throw new Attempted(error, attempt);
      }
      onRetry(JSON.stringify({ retry: attempt, emailIdentity, cause: causeOf(error), waitMs: Math.round(delay) }));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function readOnce(client: SESv2Client, emailIdentity: string, waitMs: number): Promise<EmailIdentityDescription> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DeadlineExceeded());
    }, Math.max(0, waitMs));
  });
  try {
    const { $metadata, ...identity } = await Promise.race([
      client.send(new GetEmailIdentityCommand({ EmailIdentity: emailIdentity }), { abortSignal: abort.signal }),
      timeout,
    ]);
    const problem = shapeProblem(identity);
    if (problem) {
      throw new UnexpectedShape(problem);
    }
    return identity;
  } finally {
    clearTimeout(timer);
  }
}

/** Throttling, 5xx, timeouts and dropped connections: the SDK's own classification. */
function isPassing(error: unknown): boolean {
  if (!(error instanceof Error) || !('$metadata' in error || 'code' in error || error.name === 'TimeoutError')) {
    return false;
  }
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  return isRetryableByTrait(sdkError) || isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && error.name === 'AccessDeniedException';
}

/** What went wrong, in one line for the log. */
function causeOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
}
