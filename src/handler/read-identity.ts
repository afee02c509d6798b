import { GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailIdentityDescription } from './encode';
import { DeadlineExceeded, UnexpectedShape } from './failure-reason';
import { shapeProblem } from './shape';

/**
 * Calls SES, giving up after waitMs so that there is time left to answer
 * CloudFormation, and checks that the answer has the API's shape.
 */
export async function readIdentity(client: SESv2Client, emailIdentity: string, maxWaitMs: number): Promise<EmailIdentityDescription> {
  const abort = new AbortController();
  const waitMs = Math.max(0, maxWaitMs);
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
    const problem = shapeProblem(identity);
    if (problem) {
      throw new UnexpectedShape(problem);
    }
    return identity;
  } finally {
    clearTimeout(timer);
  }
}
