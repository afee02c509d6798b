import { ContextProvider, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ses from 'aws-cdk-lib/aws-ses';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import type { Construct } from 'constructs';
import { identityArns } from './identity-arn';
import { targetProblem } from './shared/validation';

/**
 * Where to find an identity for a synth-time lookup.
 */
export interface EmailIdentityLookupOptions {
  /**
   * The SES email identity to read: a domain or an email address. Must be a
   * literal: the CDK CLI looks it up before deployment.
   */
  readonly emailIdentity: string;

  /**
   * The region the identity lives in.
   *
   * @default - the stack's region
   */
  readonly region?: string;

  /**
   * The account the identity lives in. The CDK CLI reads it with that
   * account's lookup role (`cdk bootstrap` creates one), or with your
   * credentials where there is none.
   *
   * @default - the stack's account
   */
  readonly account?: string;
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
 * `EmailIdentityVerificationGate`.
 */
export class LookedUpEmailIdentity extends Resource implements ses.IEmailIdentity {
  /**
   * @internal
   */
  public static _lookup(scope: Construct, id: string, options: EmailIdentityLookupOptions): LookedUpEmailIdentity {
    const problem = Token.isUnresolved(options.emailIdentity) || [options.region, options.account].some((value) => value !== undefined && Token.isUnresolved(value))
      ? 'emailIdentity, region and account must be literals for a lookup at synth time (the CDK CLI reads the identity before deployment).'
      : targetProblem({ emailIdentity: options.emailIdentity, region: options.region });
    if (problem) {
      throw new Error(`${scope.node.path}/${id}: ${problem}`);
    }
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
  /** The BYODKIM selector, or `undefined` for Easy DKIM. */
  public readonly dkimSelector?: string;
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
  /** The default configuration set, or `undefined`. */
  public readonly configurationSetName?: string;
  /** Whether bounces and complaints are forwarded by email, or `undefined` when SES does not say. */
  public readonly feedbackForwardingEnabled?: boolean;

  private readonly iamArn: string;

  private constructor(scope: Construct, id: string, options: EmailIdentityLookupOptions) {
    super(scope, id, { account: options.account, region: options.region });
    const stack = Stack.of(this);
    const properties = readThroughCli(this, options);
    this.emailIdentityName = options.emailIdentity;
    this.identityRegion = options.region ?? stack.region;
    this.identityAccount = options.account ?? stack.account;
    const { arn, iamArn } = identityArns(stack, options.emailIdentity, this.identityRegion, this.identityAccount);
    this.emailIdentityArn = arn;
    this.iamArn = iamArn;

    const names = [properties.DkimDNSTokenName1, properties.DkimDNSTokenName2, properties.DkimDNSTokenName3].map((name) => name ?? '');
    const values = [properties.DkimDNSTokenValue1, properties.DkimDNSTokenValue2, properties.DkimDNSTokenValue3].map((value) => value ?? '');
    [this.dkimDnsTokenName1, this.dkimDnsTokenName2, this.dkimDnsTokenName3] = names;
    [this.dkimDnsTokenValue1, this.dkimDnsTokenValue2, this.dkimDnsTokenValue3] = values;
    this.dkimSelector = properties.DkimSigningAttributes?.DomainSigningSelector || undefined;
    this.dkimSigningKind = this.dkimSelector ? DkimSigningKind.BYODKIM : names.every(Boolean) ? DkimSigningKind.EASY_DKIM : DkimSigningKind.NONE;
    this.dkimRecords = this.dkimSigningKind === DkimSigningKind.EASY_DKIM ? names.map((name, index) => ({ name, value: values[index] })) : [];
    this.dkimSigningEnabled = properties.DkimAttributes?.SigningEnabled ?? this.dkimSigningKind !== DkimSigningKind.NONE;
    this.mailFromDomain = properties.MailFromAttributes?.MailFromDomain || undefined;
    this.mailFromBehaviorOnMxFailure = properties.MailFromAttributes?.BehaviorOnMxFailure || undefined;
    this.configurationSetName = properties.ConfigurationSetAttributes?.ConfigurationSetName || undefined;
    this.feedbackForwardingEnabled = properties.FeedbackAttributes?.EmailForwardingEnabled;
  }

  /** A reference to the identity, for constructs that take an `IEmailIdentityRef`. */
  public get emailIdentityRef(): ses.EmailIdentityReference {
    return { emailIdentity: this.emailIdentityName };
  }

  /**
   * Adds an IAM policy statement for this identity to a principal's policy.
   *
   * @param grantee the principal
   * @param actions the SES actions to allow, such as `ses:SendEmail`
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.iamArn] });
  }

  /**
   * Lets a principal send email from this identity (`ses:SendEmail` and `ses:SendRawEmail`).
   *
   * @param grantee the principal
   */
  public grantSendEmail(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'ses:SendEmail', 'ses:SendRawEmail');
  }
}

/**
 * The identity as the CDK CLI read it through Cloud Control and cached in
 * `cdk.context.json`; before it has (the first pass), a dummy Easy DKIM
 * identity, with the query reported as missing context. A provider error
 * (such as an identity that does not exist) becomes an error on `scope`.
 */
function readThroughCli(scope: Construct, options: EmailIdentityLookupOptions): CloudControlEmailIdentity {
  const dummy: CloudControlEmailIdentity = {
    EmailIdentity: options.emailIdentity,
    DkimAttributes: { SigningEnabled: true },
    ...Object.fromEntries([1, 2, 3].flatMap((n) => [
      [`DkimDNSTokenName${n}`, `dummy${n}._domainkey.${options.emailIdentity}`],
      [`DkimDNSTokenValue${n}`, `dummy${n}.dkim.amazonses.com`],
    ])),
  };
  const [properties] = ContextProvider.getValue(scope, {
    provider: cxschema.ContextProvider.CC_API_PROVIDER,
    props: {
      typeName: 'AWS::SES::EmailIdentity',
      exactIdentifier: options.emailIdentity,
      propertiesToReturn: CLOUD_CONTROL_PROPERTIES,
      ...(options.region ? { region: options.region } : {}),
      ...(options.account ? { account: options.account } : {}),
    },
    dummyValue: [dummy],
  }).value as CloudControlEmailIdentity[];
  return properties;
}

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
  readonly DkimSigningAttributes?: { readonly DomainSigningSelector?: string; readonly NextSigningKeyLength?: string };
  readonly MailFromAttributes?: { readonly MailFromDomain?: string; readonly BehaviorOnMxFailure?: string };
  readonly ConfigurationSetAttributes?: { readonly ConfigurationSetName?: string };
  readonly FeedbackAttributes?: { readonly EmailForwardingEnabled?: boolean };
}

/** Every property the lookup reads, in the resource schema's spelling. */
const CLOUD_CONTROL_PROPERTIES: Array<keyof CloudControlEmailIdentity> = [
  'EmailIdentity',
  'DkimDNSTokenName1', 'DkimDNSTokenName2', 'DkimDNSTokenName3',
  'DkimDNSTokenValue1', 'DkimDNSTokenValue2', 'DkimDNSTokenValue3',
  'DkimAttributes', 'DkimSigningAttributes', 'MailFromAttributes', 'ConfigurationSetAttributes', 'FeedbackAttributes',
];
