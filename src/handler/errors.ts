/**
 * The handlers' own errors, and what an error says of itself: which host did
 * not resolve. What each becomes for retrying is `retry.ts`; the sentence a
 * person reads is `failure-reason.ts`.
 */

/** Thrown when SES answers with fields of the wrong type. */
export class UnexpectedShape extends Error {
  public override readonly name = 'UnexpectedShape';
}

/** Thrown when the lookup must give up to leave time to answer CloudFormation. */
export class DeadlineExceeded extends Error {
  public override readonly name = 'DeadlineExceeded';
  constructor() {
    super('no answer in time');
  }
}

/** Raised when the role cannot be assumed, so that the reason can say so. */
export class AssumeRoleFailed extends Error {
  public override readonly name = 'AssumeRoleFailed';
  constructor(public override readonly cause: unknown) {
    super(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
  }
}

/** Retries ran out: the last error of a call, how many attempts it took and how long. */
export class RetriesExhausted extends Error {
  public override readonly name = 'RetriesExhausted';
  constructor(public override readonly cause: unknown, public readonly attempts: number, public readonly elapsedMs = 0) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}


/** The host that getaddrinfo could not resolve, anywhere in the error's causes. */
export function unresolvedHost(error: unknown): { readonly hostname: string; readonly code: string } | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 10; cause = cause.cause, depth++) {
    const { code, hostname } = cause as NodeJS.ErrnoException & { hostname?: string };
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return { hostname: hostname ?? 'unknown host', code };
    }
  }
  return undefined;
}
