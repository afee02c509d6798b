import { Annotations, Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, type IConstruct } from 'constructs';
import { fail, requireProps } from './private/errors';
import { iamResourceName, identityArn } from './private/identity-arn';
import { POLICY_OVERHEAD } from './private/identity-policies';
import { LOOKUP_ROLE_PREFIX, readerRoleName } from './private/role-names';
import { emailIdentityProblem, identitySpellings } from './shared/identity-name';
import { externalIdProblem, regionProblem } from './shared/validation';
import type { IdentityLocation } from './shared/wire';

/**
 * Properties of an `EmailIdentityReaderRole`.
 */
export interface EmailIdentityReaderRoleProps {
  /**
   * The SES identities (domains or email addresses) in this stack's account
   * that the trusted accounts' lookups may read, by name. The role may call
   * `ses:GetEmailIdentity` on these and on nothing else.
   *
   * Names only, known at synth time: a lookup of another name through this
   * role is a synth error. Empty only with `readAllIdentities`.
   */
  readonly emailIdentities: string[];

  /**
   * The accounts whose lookup functions may assume the role: 12-digit
   * account ids, known at synth time. Within each, only the role of the
   * lookup functions (`SesIdentityLookup-*`, see
   * `EmailIdentityFunctions.role`) is let in.
   */
  readonly trustedAccounts: string[];

  /**
   * An external id the lookups must give to assume the role. Lookups that
   * name this role with `readerRole` give it by themselves.
   *
   * @default - none
   */
  readonly externalId?: string;

  /**
   * The regions whose identities the role may read.
   *
   * @default - the stack's region
   */
  readonly regions?: string[];

  /**
   * Let the role read every identity of the account in `regions`
   * (`identity/*`), not only `emailIdentities`. AwsSolutions-IAM5 reports
   * the wildcard; leave it off for least privilege.
   *
   * @default false
   */
  readonly readAllIdentities?: boolean;

  /**
   * The role's name: a lookup in another app, or another tool, names the
   * role by its ARN, `arn:<partition>:iam::<account>:role/<roleName>`.
   *
   * @default - `SesIdentityReader-<region>-<stack name>`, the stack's name cut to its first 20 characters, `-` and the first 8 hex digits of its SHA-256 when it is longer than 29
   */
  readonly roleName?: string;
}

/**
 * A role in the account that holds SES identities, which lookups and gates in
 * other accounts assume to read them: `ses:GetEmailIdentity` on the named
 * identities only, in the stack's region (or `regions`), and trusted by the
 * lookup functions' role of each trusted account only (and only with the
 * external id, when one is set).
 *
 * Give it to a lookup or a gate in another account's stack of the same app as
 * `readerRole`: that stack then deploys after this one, and nothing is
 * exported between them. The trust names the lookup functions' roles by their
 * predictable names, so it is valid whichever stack deploys first.
 *
 * @example
 * const app = new cdk.App();
 * const sesStack = new cdk.Stack(app, 'Ses', { env: { account: '111111111111', region: 'eu-west-1' } });
 * const dnsStack = new cdk.Stack(app, 'Dns', { env: { account: '222222222222', region: 'eu-west-1' } });
 * const reader = new EmailIdentityReaderRole(sesStack, 'Reader', {
 *   emailIdentities: ['example.com'],
 *   trustedAccounts: ['222222222222'],
 *   externalId: 'dns-account',
 * });
 * new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader });
 */
export class EmailIdentityReaderRole extends Construct {
  /** The role. */
  public readonly role: iam.IRole;
  /** The role's name, known at synth time. */
  public readonly roleName: string;
  /**
   * The role's ARN, usable in any stack: built from its name, so that it is
   * no cross-stack reference; a literal where aws-cdk-lib knows the region's
   * partition.
   */
  public readonly roleArn: string;
  /** The account the role, and the identities it reads, are in. */
  public readonly account: string;
  /** The external id a lookup must give, if any. */
  public readonly externalId?: string;

  private readonly emailIdentities: readonly string[];
  private readonly trustedAccounts: readonly string[];
  private readonly regions: readonly string[];
  private readonly readAllIdentities: boolean;

  constructor(scope: Construct, id: string, props: EmailIdentityReaderRoleProps) {
    super(scope, id);
    requireProps(this, 'EmailIdentityReaderRole', props, { trustedAccounts: 'the accounts whose lookups may assume the role' });
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      fail(this, `an EmailIdentityReaderRole needs a stack with an explicit account and region (env: { account, region }), and stack ${stack.node.path} `
        + `has ${Token.isUnresolved(stack.account) ? 'no account' : 'no region'} known at synth time: lookups in other accounts write the role's ARN `
        + 'and the identities it reads into their own templates.');
    }
    this.account = stack.account;
    this.readAllIdentities = props.readAllIdentities ?? false;
    this.emailIdentities = [...new Set(props.emailIdentities)];
    this.trustedAccounts = [...new Set(props.trustedAccounts)];
    this.regions = [...new Set(props.regions ?? [stack.region])];
    this.externalId = props.externalId;
    validate(this.emailIdentities, this.trustedAccounts, this.regions, props).forEach((problem) => fail(this, problem));
    if (this.trustedAccounts.includes(this.account)) {
      Annotations.of(this).addWarningV2('cdk-ses-identity-lookup:readerRoleTrustsOwnAccount', `trustedAccounts includes ${this.account}, this stack's own account: `
        + 'a lookup or gate in that account reads its identities without a role, so it needs no readerRole. Leave the account out.');
    }

    this.roleName = props.roleName ?? readerRoleName(stack);
    // A literal, where the region facts know the partition: lookups then check it, and read its account, at synth time.
    this.roleArn = `arn:${RegionInfo.get(stack.region).partition ?? Aws.PARTITION}:iam::${this.account}:role/${this.roleName}`;

    // Each spelling IAM may compare (a mixed-case domain also in lower case), as the lookup functions' own policies name them.
    const names = this.readAllIdentities ? ['*'] : this.emailIdentities.flatMap((name) => (Token.isUnresolved(name) ? [name] : identitySpellings(name)));
    const resources = this.regions.flatMap((region) => (this.readAllIdentities
      ? [stack.formatArn({ service: 'ses', region, resource: 'identity', resourceName: '*' })]
      : this.emailIdentities.flatMap((name) => identityArn(stack, { EmailIdentity: name, Region: region }).iamArns)));
    const policySize = this.regions.reduce((size, region) => size + names.reduce((sum, name) => sum + arnLength(region, name), 0), POLICY_OVERHEAD);
    if (policySize > INLINE_POLICY_BUDGET) {
      fail(this, `${this.emailIdentities.length} identities in ${this.regions.length} region${this.regions.length === 1 ? '' : 's'} make a policy of about ${policySize} characters, `
        + `more than IAM's ${INLINE_POLICY_BUDGET} for a role: split them over more reader roles, or set readAllIdentities.`);
    }

    // Each account is a principal, so the trust is valid before the lookup
    // functions' role exists; the condition narrows it to that role.
    const lookupFunctionsOf = (account: string) => {
      const conditions: Record<string, Record<string, unknown>> = {
        ArnLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${account}:role/${LOOKUP_ROLE_PREFIX}-*` },
      };
      if (this.externalId !== undefined) {
        conditions.StringEquals = { 'sts:ExternalId': this.externalId };
      }
      return new iam.PrincipalWithConditions(new iam.AccountPrincipal(account), conditions);
    };
    this.role = new iam.Role(this, 'Role', {
      roleName: this.roleName,
      description: 'Lets EmailIdentityLookup functions of other accounts read SES email identities',
      assumedBy: new iam.CompositePrincipal(...this.trustedAccounts.map(lookupFunctionsOf)),
      inlinePolicies: {
        ReadEmailIdentities: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['ses:GetEmailIdentity'], resources })],
        }),
      },
    });
  }

  /**
   * Lets a lookup or gate (`scope`) read `emailIdentity` through this role:
   * checks that the role covers it and trusts the scope's account, makes the
   * scope's stack deploy after the role's, and says what the handler needs.
   *
   * @internal
   */
  public _grantReadTo(scope: IConstruct, emailIdentity: string, region: string | undefined): Pick<IdentityLocation, 'AssumeRoleArn' | 'ExternalId'> {
    const stack = Stack.of(scope);
    const trusted = this.trustedAccounts.join(', ');
    if (Token.isUnresolved(stack.account)) {
      fail(scope, `a lookup through the reader role ${this.node.path} needs a stack with an explicit account, one of the role's trustedAccounts `
        + `(${trusted}); stack ${stack.node.path} has no account known at synth time.`);
    }
    if (!this.trustedAccounts.includes(stack.account)) {
      fail(scope, `stack ${stack.node.path} is in account ${stack.account}, which the reader role ${this.node.path} does not trust: `
        + `add ${stack.account} to its trustedAccounts (${trusted}).`);
    }
    if (Token.isUnresolved(stack.stackName)) {
      fail(scope, `a lookup through the reader role ${this.node.path} needs a stack whose name is known at synth time (the role trusts the lookup `
        + `functions' role, named after its stack); stack ${stack.node.path} is a nested stack: put the lookup in a top-level stack.`);
    }
    const identityRegion = region ?? stack.region;
    if (Token.isUnresolved(identityRegion)) {
      fail(scope, `a lookup through the reader role ${this.node.path} needs the identity's region known at synth time: give it a region `
        + `(one of ${this.regions.join(', ')}).`);
    }
    const coversName = this.readAllIdentities || Token.isUnresolved(emailIdentity) || this.emailIdentities.includes(emailIdentity);
    if (!coversName || !this.regions.includes(identityRegion)) {
      const covered = this.readAllIdentities ? 'every identity' : this.emailIdentities.join(', ');
      fail(scope, `the reader role ${this.node.path} does not cover emailIdentity ${JSON.stringify(emailIdentity)} in region ${identityRegion}: `
        + `it may read ${covered} in ${this.regions.join(', ')}. Add ${coversName ? `${identityRegion} to its regions` : 'the identity to its emailIdentities'}.`);
    }
    // Across stacks, aws-cdk-lib makes it an order of the stacks: the role exists before the lookup runs.
    scope.node.addDependency(this);
    return { AssumeRoleArn: this.roleArn, ExternalId: this.externalId };
  }
}

function validate(
  identities: readonly string[],
  accounts: readonly string[],
  regions: readonly string[],
  props: EmailIdentityReaderRoleProps,
): string[] {
  const problems: string[] = [];
  const literal = (name: string, values: readonly string[]) => {
    if (values.some((value) => Token.isUnresolved(value))) {
      problems.push(`${name} must be known at synth time: lookups in other accounts check against them.`);
    }
  };
  literal('emailIdentities', identities);
  literal('trustedAccounts', accounts);
  literal('regions', regions);
  if (identities.length === 0 && !props.readAllIdentities) {
    problems.push('emailIdentities is empty: name the identities the role may read (or set readAllIdentities).');
  }
  if (accounts.length === 0) {
    problems.push('trustedAccounts is empty: name the accounts whose lookups may assume the role.');
  }
  if (regions.length === 0) {
    problems.push('regions is empty: leave it out for the stack\'s region.');
  }
  const resolved = (values: readonly string[]) => values.filter((value) => !Token.isUnresolved(value));
  resolved(identities).forEach((identity) => problems.push(emailIdentityProblem(identity) ?? ''));
  resolved(regions).forEach((region) => problems.push(regionProblem(region) ?? ''));
  resolved(accounts).filter((account) => !/^\d{12}$/.test(account))
    .forEach((account) => problems.push(`trustedAccounts: ${JSON.stringify(account)} is not an AWS account id (12 digits).`));
  if (props.externalId !== undefined && !Token.isUnresolved(props.externalId)) {
    problems.push(externalIdProblem(props.externalId) ?? '');
  }
  if (props.roleName !== undefined && !Token.isUnresolved(props.roleName) && !/^[\w+=,.@-]{1,64}$/.test(props.roleName)) {
    problems.push(`roleName ${JSON.stringify(props.roleName)} is not an IAM role name: 1 to 64 letters, digits and +=,.@_- .`);
  }
  return problems.filter((problem) => problem !== '');
}

/** IAM counts a role's inline policies' characters without whitespace, up to 10,240; keep a margin. */
const INLINE_POLICY_BUDGET = 10_000;

/**
 * An identity ARN's characters in the policy, quotes and comma included, with
 * the longest partition name (aws-iso-b) and the name as IAM reads it ($, *, ? escaped).
 */
function arnLength(region: string, name: string): number {
  const escaped = name === '*' ? 1 : iamResourceName(name).length;
  return 'arn:aws-iso-b:ses::123456789012:identity/'.length + region.length + escaped + 3;
}

