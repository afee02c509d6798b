import { Duration, Fn, Lazy, Stack, Token, type CfnResource, type IResolvable } from 'aws-cdk-lib';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct, IConstruct } from 'constructs';
import { EmailIdentityFunctions } from './email-identity-functions';
import type { EmailIdentityReaderRole } from './email-identity-reader-role';
import { LookedUpEmailIdentity, type EmailIdentityFromLookupOptions } from './looked-up-email-identity';
import { propsSeenFrom, StackLocalAttribute, whyUnreadableFrom, type ReadFrom } from './private/cross-stack';
import { customResource } from './private/custom-resource';
import { EmailIdentityBase } from './private/email-identity-base';
import { fail, requireProps } from './private/errors';
import { checkLocation, createdIdentityLocation, IDENTITY_REQUIRED, locationOf, throughReaderRole, waitForCreatedIdentity } from './private/identity-location';
import type { AttributeName } from './shared/attributes';
import { asciiDomain } from './shared/identity-name';
import { dkimCnameRecord, type SesDnsRecord } from './shared/ses-dns';
import { LOOKUP_SERVICE_TIMEOUT_MARGIN_SECONDS } from './shared/time-budgets';
import { LOOKUP_RESOURCE_TYPE, type IdentityLocation, type LookupProperties, type Requirement } from './shared/wire';

/**
 * Properties of an `EmailIdentityLookup`, the deploy-time lookup;
 * `EmailIdentityLookup.fromLookup` takes `EmailIdentityFromLookupOptions`.
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
   * An `EmailIdentityReaderRole` of this app, in the account that holds the
   * identity: the lookup reads through it, with its external id, and this
   * stack deploys after the role's. The role must trust this stack's account
   * and cover the identity and its region; a synth error says what is missing.
   *
   * @default - the identity is in the stack's account, or `assumeRoleArn`'s
   */
  readonly readerRole?: EmailIdentityReaderRole;

  /**
   * A role made elsewhere (another app, Terraform, the console) to read the
   * identity with, for an identity that lives in another account. For a role
   * of this app, use `readerRole`. The stack's functions may assume the roles
   * its lookups and gates name, and no other; this role must trust their
   * role (`EmailIdentityFunctions.getOrCreate(stack).role`, whose name is known
   * before deployment) and may call `ses:GetEmailIdentity` on the identity.
   *
   * @default - the identity is in the stack's account, or `readerRole`'s
   */
  readonly assumeRoleArn?: string;

  /**
   * The external id the trust policy of `assumeRoleArn` requires. A
   * `readerRole` brings its own.
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
 * All lookups in a stack share one Lambda function, whose role (shared with
 * the stack's gate function) may call `ses:GetEmailIdentity` only on the
 * identities the stack's lookups and gates name.
 *
 * The attributes may be used in any stack of the app, and nothing is
 * exported: statuses change, and an export of a changing value would block
 * the lookup's stack's updates. Another stack that uses them gets its own
 * read of the identity, the lookup `EmailIdentityLookup.of(lookup, scope)` gives, which waits for an
 * identity this app creates. Where that stack cannot read the identity itself
 * (another account without `assumeRoleArn`, another partition, a region only
 * known when the lookup's stack deploys, a lookup through a `readerRole`), `cdk synth` reports an error on
 * the construct that uses the attribute, saying why and what to do. Name,
 * ARN, region and account are usable anywhere, without a read.
 *
 * @example
 * const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: 'example.com' });
 * new cdk.CfnOutput(this, 'DkimStatus', { value: identity.dkimStatus });
 */
export class EmailIdentityLookup extends EmailIdentityBase {
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
  public static fromLookup(scope: Construct, id: string, options: EmailIdentityFromLookupOptions): LookedUpEmailIdentity {
    return LookedUpEmailIdentity._lookup(scope, id, options);
  }

  /**
   * The lookup of `identity` in the stack of `scope`, created there on first
   * use, one per identity and stack. For an `EmailIdentityLookup` in that
   * stack, the lookup itself; in another stack, a lookup of the same identity
   * (the same account and region, through the same role). For another
   * identity, such as an `aws_ses.EmailIdentity` this app creates, a lookup
   * of its name that runs after the identity is created.
   *
   * An attribute used in another stack gets this lookup there by itself;
   * call `of` to pass a lookup to constructs that take one, or to read
   * properties known only at deploy time. Statuses change over time, and an
   * export of a changing value would block the exporting stack's updates: a
   * lookup in the consuming stack exports nothing.
   *
   * An `aws_ses.EmailIdentity` is read by the name it is created with, so
   * nothing is exported even from another stack; that stack then deploys
   * first. Only a name that is itself unknown until deployment (a parameter)
   * is exported from the identity's stack: a name, which never changes for
   * that identity.
   *
   * @param identity the identity to read
   * @param scope any construct in the stack that needs the attributes
   */
  public static of(identity: ses.IEmailIdentity, scope: Construct): EmailIdentityLookup {
    const stack = Stack.of(scope);
    if (identity instanceof EmailIdentityLookup) {
      return identity.copyFor(stack);
    }
    const existing = EmailIdentityLookup.existingCopy(stack, identity);
    if (existing) {
      return existing;
    }
    const lookup = new EmailIdentityLookup(stack, lookupIdOf(identity), propsOf(createdIdentityLocation(identity, scope)));
    lookup.copyOf = identity;
    waitForCreatedIdentity(lookup, identity);
    return lookup;
  }

  /**
   * The lookup of `identity` that `of` created in `stack`, or
   * undefined. Ids are readable (the identity's path, "/" as "."), so a
   * construct of another identity could hold the same one: an error, never a
   * lookup of the wrong identity.
   */
  private static existingCopy(stack: Stack, identity: IConstruct): EmailIdentityLookup | undefined {
    const id = lookupIdOf(identity);
    const existing = stack.node.tryFindChild(id);
    if (existing === undefined) {
      return undefined;
    }
    if (existing instanceof EmailIdentityLookup && existing.copyOf === identity) {
      return existing;
    }
    fail(existing, `the construct id "${id}" in stack ${stack.node.path} is where this library keeps its lookup of ${identity.node.path}; give that construct another id.`);
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
  /** `"true"` when bounces and complaints are forwarded by email. */
  public readonly feedbackForwardingEnabled: string;
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
  /**
   * The name of the first Easy DKIM CNAME, `<token>._domainkey.<domain>`
   * without a trailing dot, as `aws_ses.EmailIdentity` spells it. Like the
   * other DKIM names and values, meaningful for an Easy DKIM domain only:
   * `EmailIdentityDnsRecords` makes the lookup fail, with a reason, for any
   * other identity.
   */
  public readonly dkimDnsTokenName1: string;
  /** The name of the second Easy DKIM CNAME. */
  public readonly dkimDnsTokenName2: string;
  /** The name of the third Easy DKIM CNAME. */
  public readonly dkimDnsTokenName3: string;
  /** The value of the first Easy DKIM CNAME, `<token>.<dkimCnameDomain>`. */
  public readonly dkimDnsTokenValue1: string;
  /** The value of the second Easy DKIM CNAME. */
  public readonly dkimDnsTokenValue2: string;
  /** The value of the third Easy DKIM CNAME. */
  public readonly dkimDnsTokenValue3: string;
  /**
   * The three Easy DKIM CNAMEs as names and values, as `aws_ses.EmailIdentity`
   * gives them. For an email-address identity the names are under its domain.
   */
  public readonly dkimRecords: ses.DkimRecord[];

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
   * The Easy DKIM CNAMEs, built once: the records construct publishes these.
   * @internal
   */
  public readonly _dkimCnames: SesDnsRecord[];
  private readonly props: EmailIdentityLookupProps;
  protected readonly iamArns: string[];
  private readonly resource: CfnResource;
  private readonly requirements = new Set<Requirement>();
  /** The identity this lookup reads for its stack, when `of` created it. */
  private copyOf?: ses.IEmailIdentity;

  constructor(scope: Construct, id: string, props: EmailIdentityLookupProps) {
    super(scope, id);
    this.props = requireProps(this, 'EmailIdentityLookup', props, IDENTITY_REQUIRED);
    const location = throughReaderRole(this, propsLocation(props), props.readerRole);
    checkLocation(this, location);
    const provider = EmailIdentityFunctions.getOrCreate(this);
    const arn = provider._grantRead(location);
    this.emailIdentityName = props.emailIdentity;
    this.identityRegion = arn.region;
    this.identityAccount = arn.account;
    this.emailIdentityArn = arn.arn;
    this.iamArns = arn.iamArns;
    const properties: LookupProperties = {
      ...location,
      RefreshToken: props.refreshToken,
      Requirements: Lazy.list({ produce: () => [...this.requirements] }, { omitEmpty: true }) as Requirement[],
    };
    // The handler answers well before the function's timeout; the margin is the backstop.
    const serviceTimeout = EmailIdentityFunctions.FUNCTION_TIMEOUT.plus(Duration.seconds(LOOKUP_SERVICE_TIMEOUT_MARGIN_SECONDS));
    this.resource = customResource(this, LOOKUP_RESOURCE_TYPE, provider._lookupServiceToken(), serviceTimeout, properties);

    this.identityType = this.attribute('IdentityType');
    this.verificationStatus = this.attribute('VerificationStatus');
    this.verifiedForSendingStatus = this.attribute('VerifiedForSendingStatus');
    this.feedbackForwardingEnabled = this.attribute('FeedbackForwardingEnabled');
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

    // aws-cdk-lib's names for the DKIM CNAMEs, from the one place that builds them.
    const domain = dkimDomain(props.emailIdentity);
    this._dkimCnames = [this.dkimToken1, this.dkimToken2, this.dkimToken3]
      .map((token) => dkimCnameRecord(token, domain, this.dkimCnameDomain));
    [this.dkimDnsTokenName1, this.dkimDnsTokenName2, this.dkimDnsTokenName3] = this._dkimCnames.map((record) => record.name);
    [this.dkimDnsTokenValue1, this.dkimDnsTokenValue2, this.dkimDnsTokenValue3] = this._dkimCnames.map((record) => record.value);
    this.dkimRecords = this._dkimCnames.map(({ name, value }) => ({ name, value }));
  }


  /**
   * This lookup in `stack`: itself in its own stack; elsewhere a copy that
   * reads the same identity, in this lookup's region (when known at synth
   * time) and account (another account needs `readerRole` or
   * `assumeRoleArn`). Between environment-agnostic stacks, each reads in the
   * region it is deployed to.
   */
  private copyFor(stack: Stack): EmailIdentityLookup {
    if (stack === this.stack) {
      return this;
    }
    if (this.copyOf) {
      // A copy's copy is the identity's lookup there: one per identity and stack, and it waits for an identity this app creates.
      return EmailIdentityLookup.of(this.copyOf, stack);
    }
    const existing = EmailIdentityLookup.existingCopy(stack, this);
    if (existing) {
      return existing;
    }
    const copy = new EmailIdentityLookup(stack, lookupIdOf(this), propsSeenFrom(this, this.props, stack));
    copy.copyOf = this;
    return copy;
  }

  /**
   * The lookup that reads this identity in `stack`, for an attribute used
   * there: the one `of` gives, built through `create` when it is new;
   * or, where `stack` cannot read the identity itself, why not.
   *
   * @internal
   */
  public _readerFor(stack: Stack, create: (build: () => IConstruct) => IConstruct): ReadFrom {
    const origin = this.copyOf ?? this;
    const existing = origin instanceof EmailIdentityLookup && origin.stack === stack ? origin : EmailIdentityLookup.existingCopy(stack, origin);
    if (existing) {
      return { reader: existing };
    }
    const problem = whyUnreadableFrom(this, this.props, stack);
    return problem ? { problem } : { reader: create(() => this.copyFor(stack)) as EmailIdentityLookup };
  }

  /**
   * Where constructs in `scope`'s stack find this identity (see
   * `locationOf`): a lookup that `of` made finds the identity it copies, from
   * every stack alike; any other, its own location as seen from there.
   *
   * @internal
   */
  public _locationFrom(scope: IConstruct, readerRole?: EmailIdentityReaderRole): IdentityLocation {
    if (this.copyOf) {
      return locationOf(this.copyOf, scope, readerRole);
    }
    const props = propsSeenFrom(this, this.props, Stack.of(scope), readerRole);
    return throughReaderRole(scope, propsLocation(props), props.readerRole);
  }

  /**
   * An attribute of the custom resource in this lookup's own stack.
   *
   * @internal
   */
  public _getAtt(name: string): IResolvable {
    return this.resource.getAtt(name);
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

  /**
   * An attribute of the custom resource, by its name on the wire: a
   * `Fn::GetAtt` in this stack; in another, the attribute of that stack's
   * own lookup of the identity (see `StackLocalAttribute`).
   */
  private attribute(name: AttributeName): string {
    return Token.asString(new StackLocalAttribute(this, name, this.resource.getAtt(name)));
  }
}

/** The location the lookup props name. */
function propsLocation(props: EmailIdentityLookupProps): IdentityLocation {
  return { EmailIdentity: props.emailIdentity, Region: props.region, AssumeRoleArn: props.assumeRoleArn, ExternalId: props.externalId };
}

/** Lookup props that read the identity at a location. */
function propsOf(location: IdentityLocation): EmailIdentityLookupProps {
  return { emailIdentity: location.EmailIdentity, region: location.Region, assumeRoleArn: location.AssumeRoleArn, externalId: location.ExternalId };
}

/**
 * The construct id of a stack's lookup of an identity: readable where it
 * shows (construct paths, logical ids), stable across synths, and unique per
 * stack because the identity's path is unique in the app.
 */
function lookupIdOf(identity: IConstruct): string {
  return `EmailIdentityLookup.${identity.node.path.replace(/\//g, '.')}`;
}

/** The domain whose DKIM records an identity uses: its own, or an email address's. */
function dkimDomain(identity: string): string {
  return Token.isUnresolved(identity) ? identity : asciiDomain(identity.slice(identity.lastIndexOf('@') + 1));
}
