import { Duration, Fn, Lazy, Resource, Stack, Token, type CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { LookedUpEmailIdentity, type EmailIdentityLookupOptions } from './looked-up-email-identity';
import { customResource } from './provider/custom-resource';
import { EmailIdentityLookupProvider } from './provider/lookup-provider';
import type { AttributeName } from './shared/attributes';
import { LOOKUP_SERVICE_TIMEOUT_MARGIN_SECONDS } from './shared/time-budgets';
import { targetProblem } from './shared/validation';
import { LOOKUP_RESOURCE_TYPE, type LookupProperties, type Requirement, type TargetProperties } from './shared/wire';

/**
 * Properties of an `EmailIdentityLookup`.
 */
export interface EmailIdentityLookupProps {
  /**
   * The SES email identity to read: a domain (`example.com`) or an email
   * address (`sender@example.com`) that exists in SES in this stack's account
   * and region. It may have been created anywhere: another stack, the
   * console, Terraform.
   *
   * A literal is checked at synth time; a token (a parameter, another
   * construct's attribute) is checked by the handler at deploy time.
   */
  readonly emailIdentity: string;

  /**
   * The region the identity lives in. SES identities are per region; the
   * identity's ARN, the function's permission and the MAIL FROM MX record
   * follow this region.
   *
   * @default - the stack's region
   */
  readonly region?: string;

  /**
   * A role in another account to read the identity with, for an identity that
   * lives in another account (a sending account, seen from a central DNS
   * account). The lookup function may assume this role and nothing else; the
   * role must trust the function's role
   * (`EmailIdentityLookupProvider.of(stack).role`) and may call
   * `ses:GetEmailIdentity` on the identity.
   *
   * @default - the identity is in the stack's account
   */
  readonly assumeRoleArn?: string;

  /**
   * The external id the role's trust policy requires.
   *
   * @default - none
   */
  readonly externalId?: string;

  /**
   * Any value; whenever it changes, CloudFormation reads the identity again.
   *
   * CloudFormation only calls the lookup when its properties change, so by
   * default the attributes are those read when the lookup was created or last
   * changed. To re-read on every deployment, pass a value that changes on
   * every deployment (a build number, or `Date.now().toString()`); the
   * template then differs on every synth, which is why it is not the default.
   *
   * @default - the identity is read when the lookup is created and when its properties change
   */
  readonly refreshToken?: string;
}

/**
 * Reads an existing Amazon SES email identity at deploy time and exposes its
 * state (DKIM tokens and status, verification, MAIL FROM, and the rest of
 * `GetEmailIdentity`) as attributes other constructs can use.
 *
 * Every attribute is a string: `""` where SES returns nothing for the field,
 * booleans as `"true"`/`"false"`, timestamps as ISO-8601, numbers in decimal.
 *
 * All lookups in a stack share one Lambda function, whose role may call
 * `ses:GetEmailIdentity` on the looked-up identities only.
 *
 * @example
 * const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: 'example.com' });
 * new CfnOutput(this, 'DkimStatus', { value: identity.dkimStatus });
 */
export class EmailIdentityLookup extends Resource implements ses.IEmailIdentity {
  /**
   * Reads an identity at synth time, through the CDK CLI and Cloud Control,
   * caching its DKIM records, MAIL FROM domain and settings in
   * `cdk.context.json` as plain values. The stack needs an explicit account
   * and region. No custom resource and no Lambda function are deployed for
   * it. Refresh the cache with `cdk context --reset <key>` (or `--clear`).
   *
   * Verification statuses are not read: use a deploy-time lookup or a gate.
   *
   * @param scope the construct's scope
   * @param id the construct's id
   * @param options the identity, and where it is
   */
  public static fromLookup(scope: Construct, id: string, options: EmailIdentityLookupOptions): LookedUpEmailIdentity {
    return LookedUpEmailIdentity._lookup(scope, id, options);
  }
  /**
   * The identity's name, as given in `emailIdentity`.
   * @attribute
   */
  public readonly emailIdentityName: string;
  /**
   * The identity's ARN, in its account and region.
   * @attribute
   */
  public readonly emailIdentityArn: string;
  /** The region the identity lives in. */
  public readonly identityRegion: string;
  /** The account the identity lives in. */
  public readonly identityAccount: string;

  /** `DOMAIN`, `EMAIL_ADDRESS` or `MANAGED_DOMAIN`. */
  public readonly identityType: string;
  /** `PENDING`, `SUCCESS`, `FAILED`, `TEMPORARY_FAILURE` or `NOT_STARTED`. */
  public readonly verificationStatus: string;
  /** `"true"` when SES lets the identity send email; may be true while `verificationStatus` is not SUCCESS. */
  public readonly verifiedForSendingStatus: string;
  /** `"true"` when bounce and complaint notifications are forwarded by email. */
  public readonly feedbackForwardingStatus: string;
  /** The default configuration set, or `""`. */
  public readonly configurationSetName: string;

  /** `"true"` when DKIM signing is enabled. */
  public readonly dkimSigningEnabled: string;
  /** DKIM status: `PENDING`, `SUCCESS`, `FAILED`, `TEMPORARY_FAILURE` or `NOT_STARTED`. */
  public readonly dkimStatus: string;
  /**
   * The DKIM tokens: three for Easy DKIM, the selector for BYODKIM.
   * A list token; `[""]` when the identity has none.
   */
  public readonly dkimTokens: string[];
  /** First DKIM token (the selector for BYODKIM), or `""`. */
  public readonly dkimToken1: string;
  /** Second DKIM token, or `""`. */
  public readonly dkimToken2: string;
  /** Third DKIM token, or `""`. */
  public readonly dkimToken3: string;
  /** `AWS_SES`, `EXTERNAL` (BYODKIM) or `AWS_SES_<REGION>` (a replica whose DNS belongs to that region's identity). */
  public readonly dkimSigningAttributesOrigin: string;
  /** The zone Easy DKIM CNAMEs point into, as SES reports it, such as `dkim.amazonses.com`, or `""`. */
  public readonly dkimSigningHostedZone: string;
  /**
   * The zone Easy DKIM CNAMEs point into: `dkimSigningHostedZone`, or where SES
   * reports none, the identity region's documented DKIM domain. Never empty.
   */
  public readonly dkimCnameDomain: string;
  /** `RSA_1024_BIT` or `RSA_2048_BIT`, or `""`. */
  public readonly dkimCurrentSigningKeyLength: string;
  /** `RSA_1024_BIT` or `RSA_2048_BIT`, or `""`. */
  public readonly dkimNextSigningKeyLength: string;
  /** When the DKIM key was last generated (ISO-8601), or `""`. */
  public readonly dkimLastKeyGenerationTimestamp: string;

  /** The custom MAIL FROM domain, or `""` when none is set. */
  public readonly mailFromDomain: string;
  /** `PENDING`, `SUCCESS`, `FAILED` or `TEMPORARY_FAILURE`, or `""`. */
  public readonly mailFromDomainStatus: string;
  /** `USE_DEFAULT_VALUE` or `REJECT_MESSAGE`, or `""`. */
  public readonly mailFromBehaviorOnMxFailure: string;

  /** When SES last checked verification (ISO-8601), or `""`. */
  public readonly verificationLastCheckedTimestamp: string;
  /** When verification last succeeded (ISO-8601), or `""`. */
  public readonly verificationLastSuccessTimestamp: string;
  /** Why verification failed (`HOST_NOT_FOUND`, `TYPE_NOT_FOUND`, …), or `""`. */
  public readonly verificationErrorType: string;
  /** Primary name server of the SOA record SES saw, or `""`. */
  public readonly soaPrimaryNameServer: string;
  /** Admin email of the SOA record SES saw, or `""`. */
  public readonly soaAdminEmail: string;
  /** Serial number of the SOA record SES saw, in decimal, or `""`. */
  public readonly soaSerialNumber: string;

  /** How many sending-authorization policies the identity has. */
  public readonly policyCount: string;
  /**
   * Names of the identity's sending-authorization policies (never their
   * bodies). A list token; `[""]` when there are none. Names that would not fit
   * the 4096-byte custom resource response are left out: compare `policyCount`.
   */
  public readonly policyNames: string[];
  /** How many tags the identity has. */
  public readonly tagCount: string;
  /**
   * The identity's tags as a JSON object string (`{"team":"mail"}`), sorted by
   * key. Tags that would not fit the 4096-byte response are left out: compare `tagCount`.
   */
  public readonly tags: string;

  /**
   * Where the identity is, as the handler reads it; gates reuse it.
   * @internal
   */
  public readonly _target: TargetProperties;
  private readonly props: EmailIdentityLookupProps;
  private readonly iamArn: string;
  private readonly resource: CfnResource;
  private readonly requirements = new Set<Requirement>();
  private readonly copies = new Map<Stack, EmailIdentityLookup>();

  constructor(scope: Construct, id: string, props: EmailIdentityLookupProps) {
    super(scope, id);
    this.props = props;
    this.validate(props);

    this.emailIdentityName = props.emailIdentity;
    this.identityRegion = props.region ?? this.stack.region;
    this.identityAccount = props.assumeRoleArn ? accountOfRole(props.assumeRoleArn) : this.stack.account;
    const arnOf = (resourceName: string) => this.stack.formatArn({
      service: 'ses',
      region: this.identityRegion,
      account: this.identityAccount,
      resource: 'identity',
      resourceName,
    });
    this.emailIdentityArn = arnOf(props.emailIdentity);

    // IAM reads $, * and ? in a resource as variables and wildcards: an
    // address such as "*@example.com" must not grant every address.
    this.iamArn = Token.isUnresolved(props.emailIdentity)
      ? this.emailIdentityArn
      : arnOf(props.emailIdentity.replace(/[$*?]/g, (char) => `\${${char}}`));

    const provider = EmailIdentityLookupProvider.of(this);
    if (props.assumeRoleArn) {
      provider._grantAssumeRole(props.assumeRoleArn);
    } else {
      provider._grantLookup({
        name: props.emailIdentity,
        region: this.identityRegion,
        account: this.identityAccount,
        arn: this.iamArn,
      });
    }
    this._target = {
      EmailIdentity: props.emailIdentity,
      Region: props.region,
      AssumeRoleArn: props.assumeRoleArn,
      ExternalId: props.externalId,
    };
    const properties: LookupProperties = {
      ...this._target,
      RefreshToken: props.refreshToken,
      Requirements: Lazy.list({ produce: () => [...this.requirements] }, { omitEmpty: true }) as Requirement[],
    };
    // The handler answers well before the function's timeout; the margin is the backstop.
    const serviceTimeout = EmailIdentityLookupProvider.FUNCTION_TIMEOUT.plus(Duration.seconds(LOOKUP_SERVICE_TIMEOUT_MARGIN_SECONDS));
    this.resource = customResource(this, LOOKUP_RESOURCE_TYPE, provider.serviceToken, serviceTimeout, properties);

    this.identityType = this.attribute('IdentityType');
    this.verificationStatus = this.attribute('VerificationStatus');
    this.verifiedForSendingStatus = this.attribute('VerifiedForSendingStatus');
    this.feedbackForwardingStatus = this.attribute('FeedbackForwardingStatus');
    this.configurationSetName = this.attribute('ConfigurationSetName');
    this.dkimSigningEnabled = this.attribute('DkimSigningEnabled');
    this.dkimStatus = this.attribute('DkimStatus');
    this.dkimTokens = Fn.split(',', this.attribute('DkimTokens'));
    this.dkimToken1 = this.attribute('DkimToken1');
    this.dkimToken2 = this.attribute('DkimToken2');
    this.dkimToken3 = this.attribute('DkimToken3');
    this.dkimSigningAttributesOrigin = this.attribute('DkimSigningAttributesOrigin');
    this.dkimSigningHostedZone = this.attribute('DkimSigningHostedZone');
    this.dkimCnameDomain = this.attribute('DkimCnameDomain');
    this.dkimCurrentSigningKeyLength = this.attribute('DkimCurrentSigningKeyLength');
    this.dkimNextSigningKeyLength = this.attribute('DkimNextSigningKeyLength');
    this.dkimLastKeyGenerationTimestamp = this.attribute('DkimLastKeyGenerationTimestamp');
    this.mailFromDomain = this.attribute('MailFromDomain');
    this.mailFromDomainStatus = this.attribute('MailFromDomainStatus');
    this.mailFromBehaviorOnMxFailure = this.attribute('MailFromBehaviorOnMxFailure');
    this.verificationLastCheckedTimestamp = this.attribute('VerificationLastCheckedTimestamp');
    this.verificationLastSuccessTimestamp = this.attribute('VerificationLastSuccessTimestamp');
    this.verificationErrorType = this.attribute('VerificationErrorType');
    this.soaPrimaryNameServer = this.attribute('SoaPrimaryNameServer');
    this.soaAdminEmail = this.attribute('SoaAdminEmail');
    this.soaSerialNumber = this.attribute('SoaSerialNumber');
    this.policyCount = this.attribute('PolicyCount');
    this.policyNames = Fn.split(',', this.attribute('PolicyNames'));
    this.tagCount = this.attribute('TagCount');
    this.tags = this.attribute('Tags');
  }


  /**
   * The same lookup in another stack, created there on first use.
   *
   * Use it to read this identity's attributes from another stack: statuses
   * change over time, and a strong cross-stack reference (an export) to a
   * changing value blocks the exporting stack's updates. A lookup in the
   * consuming stack exports nothing. Returns this lookup for its own stack.
   *
   * The copy reads the same identity: in this lookup's region (when the
   * region is known at synth time) and account (another account needs
   * `assumeRoleArn`). Between environment-agnostic stacks, each reads in the
   * region it is deployed to.
   *
   * @param scope any construct in the stack that needs the attributes
   */
  public inStack(scope: Construct): EmailIdentityLookup {
    const stack = Stack.of(scope);
    if (stack === this.stack) {
      return this;
    }
    let copy = this.copies.get(stack);
    if (!copy) {
      const account = this.identityAccount;
      if (!this.props.assumeRoleArn && !Token.isUnresolved(account) && !Token.isUnresolved(stack.account) && stack.account !== account) {
        throw new Error(`${this.node.path}: the identity lives in account ${account}, and stack ${stack.node.path} is in account ${stack.account}: `
          + `give the lookup an assumeRoleArn in account ${account} to read it from there.`);
      }
      // The same identity, wherever the other stack is: pin the region if it is known.
      const region = this.props.region ?? (Token.isUnresolved(this.identityRegion) ? undefined : this.identityRegion);
      copy = new EmailIdentityLookup(stack, `EmailIdentityLookup${this.node.addr}`, { ...this.props, region });
      this.copies.set(stack, copy);
    }
    return copy;
  }

  /**
   * Makes the lookup fail, with a reason naming the problem, when the
   * identity cannot provide what is built from it.
   *
   * @internal
   */
  public _require(requirement: Requirement): void {
    this.requirements.add(requirement);
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

  /** Literal values are checked now; tokens by the handler, with the same rules. */
  private validate(props: EmailIdentityLookupProps): void {
    const problem = targetProblem(props, Token.isUnresolved);
    if (problem) {
      throw new Error(`${this.node.path}: ${problem}`);
    }
  }

  /** An attribute of the custom resource, by its name on the wire. */
  private attribute(name: AttributeName): string {
    return Token.asString(this.resource.getAtt(name));
  }
}

/** The account of a role ARN, literal or token. */
function accountOfRole(roleArn: string): string {
  return Token.isUnresolved(roleArn) ? Fn.select(4, Fn.split(':', roleArn)) : roleArn.split(':')[4];
}
