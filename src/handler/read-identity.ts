import { GetEmailIdentityCommand, type GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import { SYSTEM_CLOCK, type Clock } from './cloudformation';
import type { EmailIdentityDescription } from './encode';
import { Attempted, DeadlineExceeded, retryClass, UnexpectedShape } from './failure-reason';
import { shapeProblem } from './shape';
import { DEFAULT_RETRY, retryWindowMs, type RetryClass, type RetryOptions } from '../shared/time-budgets';

/** What readIdentity needs of an SES client: an SESv2Client, or a stand-in in a simulation. */
export interface IdentityReader {
  send(command: GetEmailIdentityCommand, options: { abortSignal: AbortSignal }): Promise<GetEmailIdentityCommandOutput>;
}

export interface ReadOptions {
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Receives one JSON line per retry. */
  readonly onRetry?: (line: string) => void;
  /** @default the system clock */
  readonly clock?: Clock;
  /** A number in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * Calls SES until it answers, retrying each class of error (see RetryClass)
 * with full-jitter backoff for as long as its window allows, and gives up
 * after maxWaitMs so that there is time left to answer CloudFormation.
 * Checks that the answer has the API's shape.
 *
 * The retries are ours, not the SDK's: its retry quota is per client, and a
 * Lambda container that serves many throttled lookups in a row would run it dry.
 */
export async function readIdentity(
  client: IdentityReader,
  emailIdentity: string,
  maxWaitMs: number,
  options: ReadOptions = {},
): Promise<EmailIdentityDescription> {
  const { retry = DEFAULT_RETRY, onRetry = () => undefined, clock = SYSTEM_CLOCK, random = Math.random } = options;
  const started = clock.now();
  const deadline = started + Math.max(0, maxWaitMs);
  const firstSeen = new Map<RetryClass, number>();
  for (let attempt = 1; ; attempt++) {
    const attemptStarted = clock.now();
    try {
      return await readOnce(client, emailIdentity, deadline - attemptStarted);
    } catch (error) {
      const now = clock.now();
      const kind = retryClass(error);
      // A class's window opens when the first call that met it started: a hang counts from its start.
      const since = firstSeen.get(kind) ?? attemptStarted;
      firstSeen.set(kind, since);
      // "Full jitter": parallel lookups spread out instead of retrying in step.
      const delay = random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
      const retryAt = now + delay;
      if (attempt >= retry.maxAttempts || retryAt >= deadline || retryAt - since >= retryWindowMs(kind, retry)) {
        throw new Attempted(error, attempt, now - started);
      }
      onRetry(JSON.stringify({ retry: attempt, emailIdentity, class: kind, cause: causeOf(error), waitMs: Math.round(delay) }));
      await clock.sleep(delay);
    }
  }
}

async function readOnce(client: IdentityReader, emailIdentity: string, waitMs: number): Promise<EmailIdentityDescription> {
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

/** What went wrong, in one line for the log. */
function causeOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
}
