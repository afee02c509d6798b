/**
 * The built artifact, run as Lambda runs it: a fresh Node process loads the
 * bundle and calls its handler, with the SES client it was bundled with,
 * against a fake SES on 127.0.0.1. Catches what source-level tests cannot: a
 * broken bundle, a missing dependency, an SDK too old to know a field.
 */
import * as fs from 'node:fs';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createEvent, deleteEvent, ResponseReceiver, TEST_ACCOUNT, TEST_REGION, type ReceivedResponse } from '../../local/cloudformation';
import { FakeSesServer, fullIdentity } from '../../local/fake-ses-server';
import { invokeBundle, LOOKUP_BUNDLE_DIR } from '../../local/lambda-runner';
import { MAX_RESPONSE_BYTES } from '../../src/handler/cloudformation';
import { lookupPhysicalId } from '../../src/handler/properties';
import { ATTRIBUTE_NAMES } from '../../src/shared/attributes';
import { copyOfBundle } from '../support/bundle-copy';

let bundleDir: string;
let receiver: ResponseReceiver;
let fake: FakeSesServer;

beforeAll(async () => {
  bundleDir = copyOfBundle(LOOKUP_BUNDLE_DIR, 'lookup');
  receiver = await ResponseReceiver.start();
  fake = await FakeSesServer.start();
});

afterAll(async () => {
  await receiver?.stop();
  await fake?.stop();
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

/** Invokes the bundle once; returns what CloudFormation received and what the function logged. */
async function invoke(event: CloudFormationCustomResourceEvent): Promise<ReceivedResponse & { stdout: string }> {
  const result = await invokeBundle(bundleDir, event, { env: { AWS_ENDPOINT_URL_SESV2: fake.endpoint } });
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toMatchObject({ exitCode: 0 });
  const response = await receiver.response(event.ResponseURL);
  expect(response.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  // The response URL is a credential: the function must not log it.
  expect(result.stdout).not.toContain(new URL(event.ResponseURL).pathname);
  return { ...response, stdout: result.stdout };
}

test('Create of a full identity: SUCCESS with every attribute', async () => {
  const identity = fullIdentity('bundle.example.com');
  fake.setIdentity('bundle.example.com', identity);
  const before = fake.requests.length;

  const { body, stdout } = await invoke(createEvent({ EmailIdentity: 'bundle.example.com' }, { responseUrl: receiver.url() }));

  expect(body.Status).toBe('SUCCESS');
  expect(body.PhysicalResourceId).toBe(lookupPhysicalId({ EmailIdentity: 'bundle.example.com' }));
  expect(Object.keys(body.Data!)).toEqual([...ATTRIBUTE_NAMES]);
  expect(body.Data).toMatchObject({
    IdentityType: 'DOMAIN',
    VerifiedForSendingStatus: 'true',
    DkimTokens: identity.DkimAttributes!.Tokens!.join(','),
    // Only recent SDKs know this field; the copy in the Lambda runtime drops it.
    DkimSigningHostedZone: 'dkim.amazonses.com',
    DkimLastKeyGenerationTimestamp: '2024-03-01T09:30:00.250Z',
    MailFromDomain: 'mail.bundle.example.com',
    SoaSerialNumber: '2024060201',
    PolicyNames: 'AllowPartnerAccount,SendFromWebApp',
    Tags: '{"cost-center":"cc-042","team":"messaging"}',
  });
  expect(fake.requests.slice(before)).toEqual(['bundle.example.com']);
  expect(stdout).toContain('"status":"SUCCESS"');
});

test('Create of an unknown identity: FAILED with a reason', async () => {
  const event = createEvent({ EmailIdentity: 'nobody@missing.example.com' }, { responseUrl: receiver.url() });

  const { body, stdout } = await invoke(event);

  expect(body.Status).toBe('FAILED');
  expect(body.PhysicalResourceId).toBe(event.RequestId);
  expect(body.Reason).toContain(`"nobody@missing.example.com" does not exist in account ${TEST_ACCOUNT}, region ${TEST_REGION}`);
  expect(stdout).toContain('"status":"FAILED"');
});

test('Delete: SUCCESS without calling SES', async () => {
  const before = fake.requests.length;

  const { body } = await invoke(deleteEvent({ EmailIdentity: 'bundle.example.com' }, 'bundle.example.com', { responseUrl: receiver.url() }));

  expect(body.Status).toBe('SUCCESS');
  expect(body.PhysicalResourceId).toBe('bundle.example.com');
  expect(fake.requests.length).toBe(before);
});
