import { Annotations, ContextProvider, Stack, Token, type GetContextValueOptions } from 'aws-cdk-lib';
import type * as ses from 'aws-cdk-lib/aws-ses';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import type { Construct } from 'constructs';
import { EmailIdentityBase } from './private/email-identity-base';
import { fail, requireProps } from './private/errors';
import { identityArn } from './private/identity-arn';
import { checkLocation, IDENTITY_REQUIRED } from './private/identity-location';

/**
 * Options of `EmailIdentityLookup.fromLookup`, the synth-time lookup; the
 * deploy-time lookup's constructor takes `EmailIdentityLookupProps`.
 */
export interface EmailIdentityFromLookupOptions {
  /**
   * The SES email identity to read: a domain or an email address. Must be a
   * literal: the CDK CLI looks it up before deployment.
   */
  readonly emailIdentity: string;

  /**
   * The region the identity lives in.
   *
   * There is no account: the CDK CLI reads with the stack's bootstrap lookup
   * role (or your credentials, when they are for the stack's account), so a
   * synth-time lookup reads the stack's account. For an identity in another
   * account, use a deploy-time `EmailIdentityLookup` with `readerRole` or
   * `assumeRoleArn`.
   *
   * @default - the stack's region
   */
  readonly region?: string;
}

/**
 * How an identity signs with DKIM.
 */
export enum DkimSigningKind {
  /** Easy DKIM: three CNAMEs into SES's DKIM zone. */
  EASY_DKIM = 'EASY_DKIM',
  /** Bring Your Own DKIM: a TXT record with your public key under a selector. */
  BYODKIM = 'BYODKIM',
  /** No DKIM tokens (an email-address identity, or DKIM not set up). */
  NONE = 'NONE',
}

/**
 * An SES identity read at synth time by `EmailIdentityLookup.fromLookup`:
 * plain values, cached in `cdk.context.json`, that can shape the stack (which
 * records to create, whether DKIM is BYODKIM). Verification statuses are not
 * part of it: they change, and stay deploy-time, on `EmailIdentityLookup` and
 * `EmailIdentityVerificationGate`. Nor are the configuration set and the
 * BYODKIM selector: Cloud Control's read lacks them for many identities.
 */
export class LookedUpEmailIdentity extends EmailIdentityBase {
  /**
   * @internal
   */
  public static _lookup(scope: Construct, id: string, options: EmailIdentityFromLookupOptions): LookedUpEmailIdentity {
    return new LookedUpEmailIdentity(scope, id, options);
  }

  /** The identity's name. @attribute */
  public readonly emailIdentityName: string;
  /** The identity's ARN, in its account and region. @attribute */
  public readonly emailIdentityArn: string;
  /** The region the identity lives in. */
  public readonly identityRegion: string;
  /** The account the identity lives in. */
  public readonly identityAccount: string;

  /** Easy DKIM, BYODKIM, or none. */
  public readonly dkimSigningKind: DkimSigningKind;
  /** Whether SES signs the identity's mail with DKIM. */
  public readonly dkimSigningEnabled: boolean;
  /** Name of the first Easy DKIM CNAME (`<token>._domainkey.<domain>`), or `""`. */
  public readonly dkimDnsTokenName1: string;
  /** Name of the second Easy DKIM CNAME, or `""`. */
  public readonly dkimDnsTokenName2: string;
  /** Name of the third Easy DKIM CNAME, or `""`. */
  public readonly dkimDnsTokenName3: string;
  /** Target of the first Easy DKIM CNAME (`<token>.dkim.amazonses.com`), or `""`. */
  public readonly dkimDnsTokenValue1: string;
  /** Target of the second Easy DKIM CNAME, or `""`. */
  public readonly dkimDnsTokenValue2: string;
  /** Target of the third Easy DKIM CNAME, or `""`. */
  public readonly dkimDnsTokenValue3: string;
  /** The Easy DKIM CNAMEs, as aws-cdk-lib's `EmailIdentity` gives them; empty for BYODKIM or none. */
  public readonly dkimRecords: ses.DkimRecord[];

  /** The custom MAIL FROM domain, or `undefined` when none is set. */
  public readonly mailFromDomain?: string;
  /** `USE_DEFAULT_VALUE` or `REJECT_MESSAGE`, or `undefined`. */
  public readonly mailFromBehaviorOnMxFailure?: string;
  /**
   * Whether bounces and complaints are forwarded by email, or `undefined`
   * when SES does not say. A boolean here, where the deploy-time lookup's
   * attribute of the same name is the string `"true"` or `"false"`.
   */
  public readonly feedbackForwardingEnabled?: boolean;

  /**
   * Whether the values are still the dummies of the CLI's first pass: no
   * check may fail on them.
   *
   * @internal
   */
  public readonly _pending: boolean;

  protected readonly iamArns: string[];

  private constructor(scope: Construct, id: string, options: EmailIdentityFromLookupOptions) {
    super(scope, id, { region: requireProps(scope, 'EmailIdentityLookup.fromLookup', options, IDENTITY_REQUIRED).region });
    if ([options.emailIdentity, options.region].some((value) => value !== undefined && Token.isUnresolved(value))) {
      fail(this, 'emailIdentity and region must be literals for a lookup at synth time (the CDK CLI reads the identity before deployment).');
    }
    // No role: the CLI reads in the stack's account.
    const location = { EmailIdentity: options.emailIdentity, Region: options.region };
    checkLocation(this, location);
    const { properties, pending } = readThroughCli(this, options);
    this._pending = pending;
    const arn = identityArn(Stack.of(this), location);
    this.emailIdentityName = options.emailIdentity;
    this.identityRegion = arn.region;
    this.identityAccount = arn.account;
    this.emailIdentityArn = arn.arn;
    this.iamArns = arn.iamArns;

    const names = [properties.DkimDNSTokenName1, properties.DkimDNSTokenName2, properties.DkimDNSTokenName3].map((name) => name ?? '');
    const values = [properties.DkimDNSTokenValue1, properties.DkimDNSTokenValue2, properties.DkimDNSTokenValue3].map((value) => value ?? '');
    [this.dkimDnsTokenName1, this.dkimDnsTokenName2, this.dkimDnsTokenName3] = names;
    [this.dkimDnsTokenValue1, this.dkimDnsTokenValue2, this.dkimDnsTokenValue3] = values;
    this.dkimSigningEnabled = properties.DkimAttributes?.SigningEnabled ?? false;
    this.dkimSigningKind = dkimSigningKind(options.emailIdentity, names.every(Boolean), this.dkimSigningEnabled);
    this.dkimRecords = this.dkimSigningKind === DkimSigningKind.EASY_DKIM ? names.map((name, index) => ({ name, value: values[index] })) : [];
    this.mailFromDomain = properties.MailFromAttributes?.MailFromDomain || undefined;
    this.mailFromBehaviorOnMxFailure = properties.MailFromAttributes?.BehaviorOnMxFailure || undefined;
    this.feedbackForwardingEnabled = properties.FeedbackAttributes?.EmailForwardingEnabled;
  }
}

/**
 * The identity as the CDK CLI read it through Cloud Control and cached in
 * `cdk.context.json`; before it has (the first pass), a dummy Easy DKIM
 * identity, with the queries reported as missing context.
 *
 * The CLI fails a query when any property it asks for is absent from the
 * resource. So the one query that must succeed asks for the primary
 * identifier only: its errors (such as an identity that does not exist)
 * become errors on `scope`. Every other group of properties is a query of its
 * own, whose "not found" answer means the identity has none of it (the CLI
 * never caches that answer: it is asked again on the next synth).
 */
function readThroughCli(scope: Construct, options: EmailIdentityFromLookupOptions): { properties: CloudControlEmailIdentity; pending: boolean } {
  const dummy: CloudControlEmailIdentity = {
    EmailIdentity: options.emailIdentity,
    DkimAttributes: { SigningEnabled: true },
    MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    FeedbackAttributes: { EmailForwardingEnabled: true },
    ...Object.fromEntries([1, 2, 3].flatMap((n) => [
      [`DkimDNSTokenName${n}`, `dummy${n}._domainkey.${options.emailIdentity}`],
      [`DkimDNSTokenValue${n}`, `dummy${n}.dkim.amazonses.com`],
    ])),
  };
  const read = (propertiesToReturn: Array<keyof CloudControlEmailIdentity>, optional: OptionalQuery | undefined) => {
    const query: GetContextValueOptions = {
      provider: cxschema.ContextProvider.CC_API_PROVIDER,
      props: {
        typeName: 'AWS::SES::EmailIdentity',
        exactIdentifier: options.emailIdentity,
        propertiesToReturn,
        ...(options.region ? { region: options.region } : {}),
      },
      dummyValue: [Object.fromEntries(propertiesToReturn.map((name) => [name, dummy[name]]))],
    };
    const cachedAnswer = () => scope.node.tryGetContext(ContextProvider.getKey(scope, query).key);
    // Peeked first where "not found" is an answer: getValue would make it an error on scope.
    // (Only after the first query: for a stack without account or region, getValue says why.)
    const error = optional ? cachedAnswer()?.[PROVIDER_ERROR] : undefined;
    if (NOT_FOUND.test(String(error))) {
      return { value: {}, pending: false, failed: false };
    }
    // Any other error (access denied, throttling) is no answer: the identity may
    // well have these properties, and its records would vanish without a word.
    // Said first, naming the query; getValue then adds the CLI's message as is.
    if (error !== undefined) {
      Annotations.of(scope).addError(`The synth-time lookup of ${JSON.stringify(options.emailIdentity)} could not read its ${optional} `
        + `(Cloud Control properties ${propertiesToReturn.join(', ')}): ${String(error)} `
        + '(only "not found" means the identity has none; the CLI does not cache this answer, so cdk synth asks again once the cause is fixed)');
    }
    // For the first query, getValue also says when the stack has no account or region.
    const [value] = ContextProvider.getValue(scope, query).value as CloudControlEmailIdentity[];
    const cached = cachedAnswer();
    const failed = cached?.[PROVIDER_ERROR] !== undefined;
    return { value, pending: cached === undefined || failed, failed };
  };
  const identity = read(['EmailIdentity'], undefined);
  if (identity.failed) {
    // The CLI's error (such as an identity that does not exist) is on scope: the rest would only repeat it.
    return { properties: dummy, pending: true };
  }
  const answers = [
    identity,
    read(['DkimAttributes'], 'DKIM attributes'),
    read(['MailFromAttributes'], 'MAIL FROM attributes'),
    read(['FeedbackAttributes'], 'feedback attributes'),
    read(EASY_DKIM, 'Easy DKIM CNAMEs'),
  ];
  return {
    properties: Object.assign({}, ...answers.map((answer) => answer.value)),
    pending: answers.some((answer) => answer.pending),
  };
}

/** What an optional query reads, in words, for its errors. */
type OptionalQuery = 'DKIM attributes' | 'MAIL FROM attributes' | 'feedback attributes' | 'Easy DKIM CNAMEs';

/**
 * The CLI's provider error for a property the resource does not have (its
 * findJsonValue's TypeError, unwrapped). Nothing else is "not found": its
 * "No resource of type ... with identifier ..." says the identity itself is
 * gone, which for an optional query is an error like any other.
 */
const NOT_FOUND = /^Cannot read field [\w.]+\. \w+ is not found\.$/;

/**
 * A domain that signs without Easy DKIM tokens signs with its own key: Cloud
 * Control never returns the BYODKIM selector (it is write-only). An email
 * address has no DKIM of its own.
 */
function dkimSigningKind(name: string, hasEasyDkimTokens: boolean, signingEnabled: boolean): DkimSigningKind {
  if (hasEasyDkimTokens) {
    return DkimSigningKind.EASY_DKIM;
  }
  return signingEnabled && !name.includes('@') ? DkimSigningKind.BYODKIM : DkimSigningKind.NONE;
}

/** Where the CLI puts a provider's error in the context (aws-cdk-lib's cx-api PROVIDER_ERROR_KEY). */
const PROVIDER_ERROR = '$providerError';

/** What Cloud Control's read of AWS::SES::EmailIdentity holds that the lookup asks for. */
interface CloudControlEmailIdentity {
  readonly EmailIdentity?: string;
  readonly DkimDNSTokenName1?: string;
  readonly DkimDNSTokenName2?: string;
  readonly DkimDNSTokenName3?: string;
  readonly DkimDNSTokenValue1?: string;
  readonly DkimDNSTokenValue2?: string;
  readonly DkimDNSTokenValue3?: string;
  readonly DkimAttributes?: { readonly SigningEnabled?: boolean };
  readonly MailFromAttributes?: { readonly MailFromDomain?: string; readonly BehaviorOnMxFailure?: string };
  readonly FeedbackAttributes?: { readonly EmailForwardingEnabled?: boolean };
}

/** The Easy DKIM CNAMEs: read-only attributes that only Easy DKIM identities have. */
const EASY_DKIM: Array<keyof CloudControlEmailIdentity> = [
  'DkimDNSTokenName1', 'DkimDNSTokenName2', 'DkimDNSTokenName3',
  'DkimDNSTokenValue1', 'DkimDNSTokenValue2', 'DkimDNSTokenValue3',
];
