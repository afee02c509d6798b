/**
 * Where a lookup reads and what it must provide, with the real handler and
 * the real SDK clients over HTTP: a fake SES (which also plays STS) on
 * 127.0.0.1 and a fake CloudFormation response URL.
 *
 * - Region: SES is called, and the request signed, for the identity's region;
 *   the DKIM CNAME zone and failure reasons follow it.
 * - AssumeRoleArn / ExternalId: the role is assumed once per handler instance
 *   and its credentials sign the SES request; a role that cannot be assumed
 *   fails the lookup with a reason that says how to fix the trust policy.
 * - Requirements: an identity that cannot provide what the stack builds fails
 *   the lookup with a specific reason.
 * - Properties that are wrong at deploy time fail before any AWS call.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FUNCTION_ACCESS_KEY_ID } from '../../local/aws-environment';
import { createEvent, TEST_ACCOUNT, TEST_REGION, type ReceivedResponse } from '../../local/cloudformation';
import { fullIdentity, type EmailIdentityBody } from '../../local/fake-ses-server';
import type { Handler as LookupHandler } from '../../src/handler/cloudformation';
import { MAX_RESPONSE_BYTES } from '../../src/handler/cloudformation';
import { createLookupHandler } from '../../src/handler/lookup';
import { FAST_RETRY } from '../support/fast-retry';
import { localAwsForEachTest } from '../support/local-aws';


const DOMAIN = 'example.com';
/** A region whose Easy DKIM zone is regional (see shared/ses-dns.ts). */
const OTHER_REGION = 'ap-southeast-5';
const OTHER_ACCOUNT = '210987654321';
const ROLE_ARN = `arn:aws:iam::${OTHER_ACCOUNT}:role/SesLookup`;
const EXTERNAL_ID = 'ext-123';
/** The access key id of the credentials the fake STS hands out for ROLE_ARN. */
const ROLE_KEY = 'ASIAASSUMEDLOOKUP';


// A Lambda in eu-west-1 whose SES and STS endpoints are the local.fake.
const local = localAwsForEachTest();

/** A handler as in a fresh Lambda container: its SesClients build real clients. */
function newHandler(logLines: string[] = []): LookupHandler {
  return createLookupHandler({ retry: FAST_RETRY, log: (line) => logLines.push(line) });
}

/**
 * Runs a Create with `properties` (EmailIdentity defaults to DOMAIN) on
 * `handler`, a fresh one by default; returns what CloudFormation received,
 * after checking what must hold for every response.
 */
async function lookup(properties: Record<string, unknown>, handler?: LookupHandler): Promise<ReceivedResponse> {
  const logLines: string[] = [];
  const event: CloudFormationCustomResourceEvent = createEvent({ EmailIdentity: DOMAIN, ...properties }, { responseUrl: local.receiver.url() });
  await (handler ?? newHandler(logLines))(event, { getRemainingTimeInMillis: () => 300_000 });

  const response = await local.receiver.response(event.ResponseURL);
  expect(response.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  expect(response.body).toMatchObject({ StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  if (response.body.Status === 'FAILED') {
    // A failed Create has no resource yet.
    expect(response.body.PhysicalResourceId).toBe(event.RequestId);
  }
  // The response URL is a credential.
  expect(logLines.join('\n')).not.toContain(new URL(event.ResponseURL).pathname);
  return response;
}

/** fullIdentity(DOMAIN) with DKIM attributes replaced, or removed where given as undefined. */
function withDkim(dkim: Partial<NonNullable<EmailIdentityBody['DkimAttributes']>>): EmailIdentityBody {
  const identity = fullIdentity(DOMAIN);
  const attributes: Record<string, unknown> = { ...identity.DkimAttributes, ...dkim };
  Object.keys(attributes).filter((key) => attributes[key] === undefined).forEach((key) => delete attributes[key]);
  return { ...identity, DkimAttributes: attributes };
}

describe('Region', () => {
  test.each([
    ['with Region, for that region', { Region: OTHER_REGION }, OTHER_REGION],
    ["without Region, for the function's region", {}, TEST_REGION],
  ])('the SES request is signed %s', async (_, properties, region) => {
    // A zone that is no region's default: SES naming one always wins.
    local.fake.setIdentity(DOMAIN, withDkim({ SigningHostedZone: 'dkim.zone-from-ses.amazonses.com' }));

    const { body } = await lookup(properties);

    expect(body.Status).toBe('SUCCESS');
    expect(local.fake.signedRequests).toEqual([{ name: DOMAIN, accessKeyId: FUNCTION_ACCESS_KEY_ID, region }]);
    expect(body.Data).toMatchObject({
      DkimSigningHostedZone: 'dkim.zone-from-ses.amazonses.com',
      DkimCnameDomain: 'dkim.zone-from-ses.amazonses.com',
    });
  });

  test.each([
    ['a region with a regional DKIM zone', { Region: OTHER_REGION }, `dkim.${OTHER_REGION}.amazonses.com`],
    ["the function's region", {}, 'dkim.amazonses.com'],
  ])('when SES names no DKIM zone, DkimCnameDomain is the documented one for %s', async (_, properties, zone) => {
    local.fake.setIdentity(DOMAIN, withDkim({ SigningHostedZone: undefined }));

    const { body } = await lookup(properties);

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toMatchObject({ DkimSigningHostedZone: '', DkimCnameDomain: zone });
  });

  test('an identity missing in that region fails, naming the region', async () => {
    const { body } = await lookup({ Region: OTHER_REGION });

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain(`"${DOMAIN}" does not exist in account ${TEST_ACCOUNT}, region ${OTHER_REGION}.`);
    expect(local.fake.signedRequests).toEqual([{ name: DOMAIN, accessKeyId: FUNCTION_ACCESS_KEY_ID, region: OTHER_REGION }]);
  });
});

describe('another account, through AssumeRoleArn', () => {
  const viaRole = { AssumeRoleArn: ROLE_ARN, ExternalId: EXTERNAL_ID };

  beforeEach(() => {
    local.fake.allowAssumeRole(ROLE_ARN, { accessKeyId: ROLE_KEY, externalId: EXTERNAL_ID });
  });

  test("the role is assumed with the external id and its credentials, not the function's, sign the SES request", async () => {
    local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN));

    const { body } = await lookup(viaRole);

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data?.DkimToken1).toBe(fullIdentity(DOMAIN).DkimAttributes!.Tokens![0]);
    expect(local.fake.assumeRoleCalls).toEqual([{ roleArn: ROLE_ARN, externalId: EXTERNAL_ID }]);
    expect(local.fake.signedRequests).toEqual([{ name: DOMAIN, accessKeyId: ROLE_KEY, region: TEST_REGION }]);
  });

  test('with Region too: signed with the role for that region', async () => {
    local.fake.setIdentity(DOMAIN, withDkim({ SigningHostedZone: undefined }));

    const { body } = await lookup({ ...viaRole, Region: OTHER_REGION });

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data?.DkimCnameDomain).toBe(`dkim.${OTHER_REGION}.amazonses.com`);
    expect(local.fake.signedRequests).toEqual([{ name: DOMAIN, accessKeyId: ROLE_KEY, region: OTHER_REGION }]);
  });

  test("an identity missing there fails, naming the role's account, not the stack's", async () => {
    const { body } = await lookup(viaRole);

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain(`"${DOMAIN}" does not exist in account ${OTHER_ACCOUNT}, region ${TEST_REGION}.`);
    expect(body.Reason).not.toContain(TEST_ACCOUNT);
  });

  test.each([
    ['a wrong external id', viaRole.AssumeRoleArn, 'ext-999'],
    ['no external id', viaRole.AssumeRoleArn, undefined],
    ['an unknown role', `arn:aws:iam::${OTHER_ACCOUNT}:role/Unknown`, EXTERNAL_ID],
  ])('%s fails, saying the role could not be assumed and how to fix its trust policy', async (_, roleArn, externalId) => {
    local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN));

    const { body } = await lookup({ AssumeRoleArn: roleArn, ExternalId: externalId });

    expect(body.Status).toBe('FAILED');
    // The SDK passes our AssumeRoleFailed through unwrapped: its name picks
    // the reason and its message carries STS's error.
    expect(body.Reason).toBe(
      `Could not assume role ${roleArn} to read "${DOMAIN}" in account ${OTHER_ACCOUNT}, region ${TEST_REGION}`
      + ` (AccessDenied: User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}).`
      + " The role's trust policy must allow the functions' role (EmailIdentityFunctions.getOrCreate(stack).role),"
      + ' with the same external id if one is set.',
    );
    // A permanent denial: asked once, never retried, and SES never called.
    expect(local.fake.assumeRoleCalls).toEqual([{ roleArn, externalId }]);
    expect(local.fake.requests).toEqual([]);
  });

  test('a trust policy IAM has not seen yet: STS AccessDenied is retried for the IAM window, then the role is assumed', async () => {
    local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN));
    const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/JustTrusted`;
    const logLines: string[] = [];
    // The trust policy takes effect while the handler waits to retry.
    const handler = createLookupHandler({
      retry: { ...FAST_RETRY, accessDeniedGraceMs: 10_000 },
      log: (line) => {
        logLines.push(line);
        local.fake.allowAssumeRole(role, { accessKeyId: ROLE_KEY });
      },
    });

    const { body } = await lookup({ AssumeRoleArn: role }, handler);

    expect(body.Status).toBe('SUCCESS');
    expect(local.fake.assumeRoleCalls).toEqual([{ roleArn: role }, { roleArn: role }]);
    expect(JSON.parse(logLines[0])).toMatchObject({ retry: 1, class: 'accessDenied', cause: expect.stringContaining('AccessDenied') });
  });

  test('the session asked for is one STS grants: at least 900 s, and within the shortest maximum a role can have (3600 s)', async () => {
    // The local STS refuses what STS refuses (below): a session under 900 s or
    // over the role's maximum fails the lookup with STS's ValidationError.
    local.fake.allowAssumeRole(ROLE_ARN, { accessKeyId: ROLE_KEY, externalId: EXTERNAL_ID, maxSessionDurationSeconds: 3600 });
    local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN));

    const { body } = await lookup(viaRole);

    expect(body.Reason).toBeUndefined();
    expect(body.Status).toBe('SUCCESS');
    expect(local.fake.signedRequests).toEqual([{ name: DOMAIN, accessKeyId: ROLE_KEY, region: TEST_REGION }]);
  });

  test('two lookups through the same role in one handler instance assume it once', async () => {
    local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN));
    local.fake.setIdentity('other.example.com', fullIdentity('other.example.com'));
    const handler = newHandler();

    const first = await lookup(viaRole, handler);
    const second = await lookup({ ...viaRole, EmailIdentity: 'other.example.com' }, handler);

    expect([first.body.Status, second.body.Status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(local.fake.assumeRoleCalls).toHaveLength(1);
    expect(local.fake.signedRequests.map((request) => [request.name, request.accessKeyId])).toEqual([
      [DOMAIN, ROLE_KEY],
      ['other.example.com', ROLE_KEY],
    ]);
  });
});

describe('the local STS refuses the sessions STS refuses, so the tests above catch a session length STS would not grant', () => {
  const assume = (durationSeconds: number | undefined) => new STSClient({}).send(new AssumeRoleCommand({
    RoleArn: ROLE_ARN, RoleSessionName: 'test', DurationSeconds: durationSeconds,
  }));

  test.each([
    [0.25, "1 validation error detected: Value '0.25' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    [899, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    [43_201, "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"],
    [3601, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'],
  ])('%p s, with the role at its default maximum (3600 s): ValidationError, 400', async (seconds, message) => {
    local.fake.allowAssumeRole(ROLE_ARN, { accessKeyId: ROLE_KEY });

    const error = await assume(seconds).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ValidationError', message, $metadata: { httpStatusCode: 400 } });
  });

  test.each([
    [900, undefined, 900],
    [3600, undefined, 3600],
    [undefined, undefined, 3600],
    [43_200, 43_200, 43_200],
  ])('%p s, with the role at a maximum of %p s: granted, for that long', async (seconds, maxSessionDurationSeconds, granted) => {
    local.fake.allowAssumeRole(ROLE_ARN, { accessKeyId: ROLE_KEY, maxSessionDurationSeconds });
    const before = Date.now();

    const { Credentials: credentials } = await assume(seconds);

    expect(credentials?.AccessKeyId).toBe(ROLE_KEY);
    const lasts = credentials!.Expiration!.getTime() - before;
    expect(lasts).toBeGreaterThan((granted - 60) * 1000);
    expect(lasts).toBeLessThanOrEqual((granted + 1) * 1000);
  });
});

describe('Requirements', () => {
  test.each<[string, string, EmailIdentityBody, string]>([
    [
      'EasyDkimRecords on an email address identity', 'ops@example.com',
      { ...fullIdentity(DOMAIN), IdentityType: 'EMAIL_ADDRESS' },
      '"ops@example.com" is an email address identity: it has no DKIM, MAIL FROM or DMARC records of its own. Create the records from a lookup of its domain.',
    ],
    [
      'EasyDkimRecords on BYODKIM', DOMAIN,
      withDkim({ SigningAttributesOrigin: 'EXTERNAL', Tokens: ['selector1'], SigningHostedZone: undefined }),
      `"${DOMAIN}" uses BYODKIM (selector "selector1"): SES does not return its public key, so no CNAMEs can be made.`
      + ` Publish the TXT record selector1._domainkey.${DOMAIN} = "p=<your public key>" yourself, and set dkim: false.`,
    ],
    [
      'EasyDkimRecords on a Deterministic Easy DKIM replica', DOMAIN,
      withDkim({ SigningAttributesOrigin: 'AWS_SES_US_EAST_1' }),
      `"${DOMAIN}" is a Deterministic Easy DKIM replica: its DKIM records belong to the parent identity in us-east-1.`
      + ' Create them from a lookup of the identity in that region.',
    ],
    [
      'EasyDkimRecords with 2 tokens', DOMAIN,
      withDkim({ Tokens: ['token1', 'token2'], Status: 'PENDING' }),
      `"${DOMAIN}" has 2 DKIM tokens, not the 3 that Easy DKIM CNAMEs need (DKIM status PENDING). Enable Easy DKIM on the identity, or set dkim: false.`,
    ],
    [
      'MailFromRecords without MailFromAttributes', DOMAIN,
      { ...fullIdentity(DOMAIN), MailFromAttributes: undefined },
      `"${DOMAIN}" has no custom MAIL FROM domain: set one in SES (a lookup at synth time then needs cdk context --reset), or leave mailFrom unset.`,
    ],
  ])('%s fails with its reason', async (title, name, identity, reason) => {
    local.fake.setIdentity(name, identity);
    const requirement = title.split(' ')[0];

    const { body } = await lookup({ EmailIdentity: name, Requirements: [requirement] });

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe(reason);
    expect(body.Data).toBeUndefined();
    expect(local.fake.requests).toEqual([name]);
  });

  test('both met by a full identity: the lookup succeeds', async () => {
    local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN));

    const { body } = await lookup({ Requirements: ['EasyDkimRecords', 'MailFromRecords'] });

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toMatchObject({ DkimSigningAttributesOrigin: 'AWS_SES', MailFromDomain: `mail.${DOMAIN}` });
  });
});

describe('properties that are wrong at deploy time fail before any AWS call', () => {
  test.each([
    ['Region not a region name', { Region: 'Europe' }, /region "Europe" is not an AWS region name/i],
    ['Region not a string', { Region: 42 }, /^Property Region must be a string, got number\.$/],
    ['AssumeRoleArn not an ARN', { AssumeRoleArn: 'not-an-arn' }, /assumeRoleArn "not-an-arn" is not an IAM role ARN/i],
    ['ExternalId too short', { AssumeRoleArn: ROLE_ARN, ExternalId: 'x' }, /externalId "x" is not an external id STS accepts: it must be 2 to 1224 characters/i],
    ['Requirements a string, not a list', { Requirements: 'EasyDkimRecords' }, /^Property Requirements must be a list of EasyDkimRecords, MailFromRecords, got "EasyDkimRecords"\.$/],
    ['Requirements with an unknown entry', { Requirements: ['Nope'] }, /^Property Requirements must be a list of EasyDkimRecords, MailFromRecords, got \["Nope"\]\.$/],
  ])('%s', async (_, properties, reason) => {
    local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN));
    local.fake.allowAssumeRole(ROLE_ARN, { accessKeyId: ROLE_KEY });

    const { body } = await lookup(properties);

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(reason);
    expect(local.fake.requests).toEqual([]);
    expect(local.fake.assumeRoleCalls).toEqual([]);
  });
});
