/**
 * The queries `EmailIdentityLookup.fromLookup` leaves for the CDK CLI, and
 * the context the CLI's cc-api-provider makes of them from one Cloud Control
 * read: what cdk.context.json holds (or, for an absent property, what the
 * CLI's second pass sees without saving it).
 */
import { ContextProvider, type Stack } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';

/** Each query's properties, in the order the lookup asks. */
export const QUERIES: readonly string[][] = [
  ['EmailIdentity'],
  ['DkimAttributes'],
  ['MailFromAttributes'],
  ['FeedbackAttributes'],
  [1, 2, 3].map((n) => `DkimDNSTokenName${n}`).concat([1, 2, 3].map((n) => `DkimDNSTokenValue${n}`)),
];

/** The context key of one query of `emailIdentity` in the stack's environment, or in `region` of its account. */
export function contextKey(stack: Stack, emailIdentity: string, propertiesToReturn: string[], region?: string): string {
  return ContextProvider.getKey(stack, {
    provider: cxschema.ContextProvider.CC_API_PROVIDER,
    props: { typeName: 'AWS::SES::EmailIdentity', exactIdentifier: emailIdentity, propertiesToReturn, ...(region ? { region } : {}) },
  }).key;
}

/** A provider error, as the CLI puts it in the context (and never saves). */
export function providerError(message: string): Record<string, unknown> {
  return { $providerError: message, $dontSaveContext: true };
}

/**
 * The context for every query, answered from `model` (the resource's
 * properties as Cloud Control reads them) the way the CLI's provider does:
 * the properties with the identifier, or its error when one is absent; or
 * `error` for every query (an identity that does not exist). `region`: the
 * lookup's, where it is not the stack's.
 */
export function cloudControlContext(
  stack: Stack,
  emailIdentity: string,
  model: Record<string, unknown> | { error: string },
  region?: string,
): Record<string, unknown> {
  return Object.fromEntries(QUERIES.map((properties) => {
    const key = contextKey(stack, emailIdentity, properties, region);
    if ('error' in model) {
      return [key, providerError(String(model.error))];
    }
    const absent = properties.find((name) => model[name] === undefined);
    return [key, absent
      ? providerError(`Cannot read field ${absent}. ${absent} is not found.`)
      : [{ ...Object.fromEntries(properties.map((name) => [name, model[name]])), Identifier: emailIdentity }]];
  }));
}

/** An Easy DKIM domain with a MAIL FROM domain, as Cloud Control reads it. */
export const EASY_DKIM_MODEL = {
  EmailIdentity: 'example.com',
  DkimAttributes: { SigningEnabled: true },
  MailFromAttributes: { MailFromDomain: 'mail.example.com', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
  FeedbackAttributes: { EmailForwardingEnabled: false },
  DkimDNSTokenName1: 'aaaa._domainkey.example.com',
  DkimDNSTokenName2: 'bbbb._domainkey.example.com',
  DkimDNSTokenName3: 'cccc._domainkey.example.com',
  DkimDNSTokenValue1: 'aaaa.dkim.amazonses.com',
  DkimDNSTokenValue2: 'bbbb.dkim.amazonses.com',
  DkimDNSTokenValue3: 'cccc.dkim.amazonses.com',
};
