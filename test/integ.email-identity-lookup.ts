/**
 * Integration test against real AWS: a stack creates an SES domain identity
 * (unverified: nothing needs to resolve), looks it up by its token name,
 * publishes its DNS records as data, and asserts that the lookup's
 * attributes equal SES's own GetEmailIdentity answer.
 *
 * Offline, `npm test` compares its synthesized templates with the committed
 * snapshot (test/end-to-end/integ-snapshot.test.ts). With AWS credentials and a
 * bootstrapped eu-west-1: `npx projen integ:deploy` deploys it, runs the
 * assertions, destroys it and rewrites the snapshot.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { EmailIdentityDnsRecords, EmailIdentityLookup } from '../src';

// Creation stack traces hold absolute paths: kept out of the committed snapshot.
const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
// Environment-agnostic, so that the snapshot does not depend on who synthesizes it.
const stack = new Stack(app, 'EmailIdentityLookupInteg');

const DOMAIN = 'cdk-ses-identity-lookup-integ.example.com';
const identity = new ses.EmailIdentity(stack, 'Identity', { identity: ses.Identity.domain(DOMAIN) });
// A token name: the lookup runs after the identity exists.
const lookup = new EmailIdentityLookup(stack, 'Lookup', { emailIdentity: identity.emailIdentityName });
const records = new EmailIdentityDnsRecords(stack, 'Records', { identity: lookup });
new CfnOutput(stack, 'ZoneFile', { value: records.toZoneFile() });

const integ = new IntegTest(app, 'EmailIdentityLookupIntegTest', {
  testCases: [stack],
  diffAssets: false,
  // Deploys the test case fresh, without first deploying the committed snapshot.
  stackUpdateWorkflow: false,
});

// SES's own answer, now, against what a lookup returned at deploy time. The
// assertions live in a stack of their own, and lookup attributes never cross
// stacks: the assertions read the identity through the lookup of their stack
// (EmailIdentityLookup.of, by the name it is created with: nothing exported).
// Unverified identities keep their statuses (PENDING) for days.
const answer = integ.assertions.awsApiCall('SESV2', 'getEmailIdentity', { EmailIdentity: DOMAIN });
const seen = EmailIdentityLookup.of(identity, answer);
answer.expect(ExpectedResult.objectLike({
  IdentityType: seen.identityType,
  VerificationStatus: seen.verificationStatus,
  DkimAttributes: {
    Status: seen.dkimStatus,
    SigningAttributesOrigin: seen.dkimSigningAttributesOrigin,
    Tokens: [seen.dkimToken1, seen.dkimToken2, seen.dkimToken3],
  },
}));
