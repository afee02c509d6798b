/**
 * The one sentence each failure becomes (src/handler/failure-reason.ts), and
 * the retry class of each error: exactly, because the sentence is what a
 * person reads in the stack's events, and the class decides how long a
 * deployment waits. The handlers' own tests reach these through the retry
 * loop; here each branch is pinned by itself.
 */
import { SESv2ServiceException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { STSServiceException } from '@aws-sdk/client-sts';
import { AssumeRoleFailed, DeadlineExceeded, RetriesExhausted, UnexpectedShape } from '../../src/handler/errors';
import { failureReason } from '../../src/handler/failure-reason';
import { retryClass } from '../../src/handler/retry';

const ROLE = 'arn:aws:iam::210987654321:role/SesLookup';
const WHERE = { location: { EmailIdentity: 'example.com' }, region: 'eu-west-1', account: '123456789012' };
const WITH_ROLE = { ...WHERE, location: { EmailIdentity: 'example.com', AssumeRoleArn: ROLE } };
const IN = 'in account 123456789012, region eu-west-1';

function sesError(name: string, message: string, fault: 'client' | 'server' = 'client', status = 400) {
  return new SESv2ServiceException({ name, $fault: fault, message, $metadata: { httpStatusCode: status } });
}

function stsError(name: string, message: string, fault: 'client' | 'server' = 'client', status = 400) {
  return new STSServiceException({ name, $fault: fault, message, $metadata: { httpStatusCode: status } });
}

/** What Node raises for a host that does not resolve. */
function unresolved(host: string | undefined, code = 'ENOTFOUND') {
  return Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, syscall: 'getaddrinfo', ...(host === undefined ? {} : { hostname: host }) });
}

describe('the reason, one per kind of failure', () => {
  test.each<[string, unknown, typeof WHERE, string]>([
    ['an identity that does not exist', sesError('NotFoundException', 'Email identity example.com does not exist.', 'client', 404), WHERE,
      `SES email identity "example.com" does not exist ${IN}. Create it in SES (identities are per region), or correct emailIdentity. (NotFoundException)`],
    ['throttling that outlasted the retries', new RetriesExhausted(new TooManyRequestsException({ message: 'Too many requests.', $metadata: {} }), 7, 98_400), WHERE,
      `SES kept throttling GetEmailIdentity for "example.com" ${IN} after 7 attempts in 98 s (TooManyRequestsException). Deploy again, or spread lookups over fewer stacks deployed at once.`],
    ['ThrottlingException, the other name', new RetriesExhausted(sesError('ThrottlingException', 'Rate exceeded'), 3, 4_000), WHERE,
      `SES kept throttling GetEmailIdentity for "example.com" ${IN} after 3 attempts in 4 s (ThrottlingException). Deploy again, or spread lookups over fewer stacks deployed at once.`],
    ['AccessDenied on the function\'s own role', sesError('AccessDeniedException', 'not authorized', 'client', 403), WHERE,
      `The function may not call ses:GetEmailIdentity on "example.com" ${IN} (AccessDeniedException: not authorized). Check permission boundaries and SCPs.`],
    ['AccessDenied on an assumed role', sesError('AccessDeniedException', 'not authorized', 'client', 403), WITH_ROLE,
      `Role ${ROLE} may not call ses:GetEmailIdentity on "example.com" ${IN} (AccessDeniedException: not authorized). Grant it that action on the identity.`],
    ['a name SES rejects', sesError('BadRequestException', 'Invalid identity.'), WHERE,
      `SES rejected "example.com" ${IN} as an email identity name (BadRequestException: Invalid identity.). Pass a domain or email address.`],
    ['a role whose trust policy refuses', new AssumeRoleFailed(stsError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole', 'client', 403)), WITH_ROLE,
      `Could not assume role ${ROLE} to read "example.com" ${IN} (AccessDenied: User is not authorized to perform: sts:AssumeRole). `
      + 'The role\'s trust policy must allow the functions\' role (EmailIdentityFunctions.getOrCreate(stack).role), with the same external id if one is set.'],
    ['a request STS refuses as invalid: no trust policy advice', new AssumeRoleFailed(stsError('ValidationError', '1 validation error detected: Value \'x\' at \'externalId\' failed to satisfy constraint', 'client', 400)), WITH_ROLE,
      `Could not assume role ${ROLE} to read "example.com" ${IN} (ValidationError: 1 validation error detected: Value 'x' at 'externalId' failed to satisfy constraint). `
      + 'STS refused the request: check that assumeRoleArn is a role ARN and externalId is 2 to 1,224 of the characters STS allows (letters, digits, +=,.@:/-).'],
    ['STS refusing for another reason than trust or validity', new AssumeRoleFailed(stsError('RegionDisabledException', 'STS is not activated in this region for account:111111111111.', 'client', 403)), WITH_ROLE,
      `Could not assume role ${ROLE} to read "example.com" ${IN} (RegionDisabledException: STS is not activated in this region for account:111111111111.). `
      + 'STS refused the request: fix what it names, then deploy again.'],
    ['STS throttling, after retries', new RetriesExhausted(new AssumeRoleFailed(stsError('Throttling', 'Rate exceeded')), 4, 12_000), WITH_ROLE,
      `Could not assume role ${ROLE} to read "example.com" ${IN} after 4 attempts in 12 s (Throttling: Rate exceeded). STS kept failing: deploy again later.`],
    ['an answer of unexpected shape', new UnexpectedShape('DkimAttributes.Tokens is not a list'), WHERE,
      `SES answered GetEmailIdentity for "example.com" ${IN} with a response of unexpected shape: DkimAttributes.Tokens is not a list. Check what sits between the function and SES.`],
    ['no answer before the deadline', new RetriesExhausted(new DeadlineExceeded(), 5, 60_000), WHERE,
      `SES did not answer GetEmailIdentity for "example.com" ${IN} in time after 5 attempts in 60 s. Deploy again; if it persists, check the SES endpoint and the function's network access.`],
    ['an answer the SDK could not parse', Object.assign(new SyntaxError('Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.'), { $metadata: {} }), WHERE,
      `SES answered GetEmailIdentity for "example.com" ${IN} with a response that could not be read `
      + '(SyntaxError: Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.). '
      + 'Deploy again; if it persists, check what sits between the function and SES.'],
    ['server errors that did not pass', new RetriesExhausted(sesError('InternalFailure', 'Internal failure.', 'server', 500), 9, 100_499), WHERE,
      `SES kept failing GetEmailIdentity for "example.com" ${IN} after 9 attempts in 100 s (InternalFailure: Internal failure.): `
      + 'server errors, dropped connections or timeouts that did not pass. Deploy again later; if it persists, check the AWS Health Dashboard for SES and the function\'s network access.'],
    ['any other error: named, not retried', sesError('MessageRejected', 'Email address is not verified.'), WHERE,
      `GetEmailIdentity for "example.com" ${IN} failed (MessageRejected: Email address is not verified.).`],
    ['something thrown that is no Error', 'a plain string', WHERE,
      `GetEmailIdentity for "example.com" ${IN} failed (Error: a plain string).`],
  ])('%s', (_, failure, where, reason) => {
    expect(failureReason(failure, where)).toBe(reason);
  });

  test('an account or region not known is said to be unknown, not left blank', () => {
    expect(failureReason(sesError('NotFoundException', 'missing', 'client', 404), { ...WHERE, account: '', region: '' }))
      .toBe('SES email identity "example.com" does not exist in account unknown, region unknown. Create it in SES (identities are per region), or correct emailIdentity. (NotFoundException)');
  });
});

describe('attempts and time, when retries ran out', () => {
  const throttled = () => sesError('ThrottlingException', 'Rate exceeded');

  test.each([
    // One attempt is no retry: nothing to say.
    [1, 5_000, ' (ThrottlingException)'],
    // Under a second is not worth saying.
    [2, 999, ' after 2 attempts (ThrottlingException)'],
    [2, 1_000, ' after 2 attempts in 1 s (ThrottlingException)'],
    [2, 1_499, ' after 2 attempts in 1 s (ThrottlingException)'],
    [2, 1_500, ' after 2 attempts in 2 s (ThrottlingException)'],
  ])('%i attempts in %i ms', (attempts, elapsedMs, expected) => {
    expect(failureReason(new RetriesExhausted(throttled(), attempts, elapsedMs), WHERE)).toContain(`"example.com" ${IN}${expected}.`);
  });

  test('the time defaults to none', () => {
    const failure = new RetriesExhausted(throttled(), 3);

    expect(failure.elapsedMs).toBe(0);
    expect(failureReason(failure, WHERE)).toContain(`${IN} after 3 attempts (ThrottlingException).`);
  });
});

describe('a host that does not resolve', () => {
  test('for SES: names the host, the code and the region to check', () => {
    expect(failureReason(new RetriesExhausted(unresolved('email.eu-wset-1.amazonaws.com', 'EAI_AGAIN'), 6, 25_000), { ...WHERE, region: 'eu-wset-1' })).toBe(
      'Could not read "example.com" (SES) in account 123456789012, region eu-wset-1: host email.eu-wset-1.amazonaws.com does not resolve (EAI_AGAIN) after 6 attempts in 25 s. '
      + 'Check the region (eu-wset-1: is it a region, with SES?) and the function\'s DNS and network access.',
    );
  });

  test('for STS, assuming the role: says so; the region unknown', () => {
    expect(failureReason(new AssumeRoleFailed(unresolved('sts.eu-wset-1.amazonaws.com')), { ...WITH_ROLE, region: '' })).toBe(
      `Could not assume role ${ROLE} (STS) in account 123456789012, region unknown: host sts.eu-wset-1.amazonaws.com does not resolve (ENOTFOUND). `
      + 'Check the region (unknown: is it a region, with SES?) and the function\'s DNS and network access.',
    );
  });

  test('found among the causes, ten deep at most; a host not named is "unknown host"', () => {
    const wrapped = (depth: number) => {
      let error: Error = unresolved(undefined);
      for (let level = 1; level < depth; level++) {
        error = new Error(`level ${level}`, { cause: error });
      }
      return error;
    };

    expect(retryClass(wrapped(10))).toBe('unresolvedHost');
    expect(failureReason(wrapped(10), WHERE)).toMatch(/: host unknown host does not resolve \(ENOTFOUND\)\. /);
    expect(retryClass(wrapped(11))).toBe('final');
  });

  test('a cause chain that loops ends', () => {
    const looping = new Error('loops');
    Object.assign(looping, { cause: looping, $metadata: {} });

    expect(retryClass(looping)).toBe('final');
    expect(failureReason(looping, WHERE)).toBe(`GetEmailIdentity for "example.com" ${IN} failed (Error: loops).`);
  });
});

describe('the error\'s message, as quoted', () => {
  test('its first line only, trimmed: SDK messages go on with advice for programmers', () => {
    const error = sesError('BadRequestException', '  Invalid identity.  \nSee the documentation for details.');

    expect(failureReason(error, WHERE)).toContain('(BadRequestException: Invalid identity.)');
  });

  test.each([
    [300, 'x'.repeat(300)],
    [301, `${'x'.repeat(300)}…`],
  ])('%i characters: at most 300 kept, then an ellipsis', (length, quoted) => {
    expect(failureReason(sesError('BadRequestException', 'x'.repeat(length)), WHERE)).toContain(`(BadRequestException: ${quoted}).`);
  });
});

describe('retry classes', () => {
  test.each<[string, string, unknown]>([
    ['SES AccessDeniedException', 'accessDenied', sesError('AccessDeniedException', 'no', 'client', 403)],
    ['STS AccessDenied, assuming a role', 'accessDenied', new AssumeRoleFailed(stsError('AccessDenied', 'no', 'client', 403))],
    ['throttling, after retries', 'throttling', new RetriesExhausted(sesError('TooManyRequestsException', 'slow down', 'client', 429), 2)],
    ['a 5xx', 'fault', sesError('InternalFailure', 'boom', 'server', 500)],
    ['a dropped connection (a code, no $metadata)', 'fault', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout (only its name says so)', 'fault', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['an error code that is no network fault', 'final', Object.assign(new Error('odd'), { code: 'EWHATEVER' })],
    ['a bug, though named like throttling (no $metadata, no code)', 'final', Object.assign(new Error('not from the SDK'), { name: 'ThrottlingException' })],
    ['a client error', 'final', sesError('BadRequestException', 'bad')],
    ['the deadline', 'final', new DeadlineExceeded()],
    ['an answer of unexpected shape', 'final', new UnexpectedShape('bad field')],
    ['something that is no Error', 'final', { name: 'AccessDeniedException' }],
  ])('%s: %s', (_, kind, error) => {
    expect(retryClass(error)).toBe(kind);
  });
});

describe('the errors themselves', () => {
  test('AssumeRoleFailed carries STS\'s error, named, as its message', () => {
    const cause = stsError('AccessDenied', 'not authorized');
    const failure = new AssumeRoleFailed(cause);

    expect(failure.name).toBe('AssumeRoleFailed');
    expect(failure.cause).toBe(cause);
    expect(failure.message).toBe('AccessDenied: not authorized');
    expect(new AssumeRoleFailed('no credentials').message).toBe('no credentials');
  });

  test('RetriesExhausted carries the last error, its message, the attempts and the time', () => {
    const cause = sesError('InternalFailure', 'boom', 'server', 500);
    const failure = new RetriesExhausted(cause, 4, 1_234);

    expect(failure).toMatchObject({ name: 'RetriesExhausted', message: 'boom', cause, attempts: 4, elapsedMs: 1_234 });
    expect(new RetriesExhausted(42, 1).message).toBe('42');
  });

  test('UnexpectedShape and DeadlineExceeded are named for the reason to tell them apart', () => {
    expect(new UnexpectedShape('x').name).toBe('UnexpectedShape');
    expect(new DeadlineExceeded()).toMatchObject({ name: 'DeadlineExceeded', message: 'no answer in time' });
  });
});
