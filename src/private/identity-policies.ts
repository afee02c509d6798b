import { Aws, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, type IConstruct } from 'constructs';
import { fail } from './errors';
import type { IdentityArn } from './identity-arn';
import { MAX_EMAIL_IDENTITY_LENGTH } from '../shared/identity-name';

/** The stack's ARN prefix for identities, in compact entries. */
const PREFIX_VARIABLE = '${P}';

/**
 * The ARNs of the identities a role may read (`ses:GetEmailIdentity`), in as
 * many managed policies as IAM's limits need, and written compactly: a stack
 * of 400 lookups would otherwise spend most of its template on ARNs.
 *
 * - The role's inline policies share 10,240 characters, which a few hundred
 *   ARNs pass; each managed policy holds 6,144, and a role takes 10.
 * - Names known at synth time go into one `Fn::Split` of one `Fn::Sub`,
 *   `${P}example.com ${P}example.org`, with P the stack's ARN prefix; names
 *   that are tokens get their ARN written out.
 */
export class IdentityPolicies extends Construct {
  private readonly chunks: Chunk[] = [];
  private readonly dependents: IConstruct[] = [];
  /** Identities already granted: lookups and gates of one identity share its entry. */
  private readonly granted = new Set<string>();

  constructor(scope: Construct, id: string, private readonly role: iam.IRole) {
    super(scope, id);
  }

  /** Makes `construct` (a function) wait for every identity policy, present and future. */
  public addDependent(construct: IConstruct): void {
    this.dependents.push(construct);
    this.chunks.forEach((chunk) => construct.node.addDependency(chunk.policy));
  }

  /**
   * Lets the role read the identity `name`, at `arn` (region and account
   * literal, or the stack's own tokens); `iamArn` is that name's ARN as IAM
   * reads it, written out where the name is a token.
   */
  public add(name: string, arn: IdentityArn, iamArn: string): void {
    // Tokens are compared as their string forms: the same token, the same string.
    const key = JSON.stringify([name, arn.region, arn.account]);
    if (this.granted.has(key)) {
      return;
    }
    this.granted.add(key);
    const stack = Stack.of(this);
    const entry = compactEntry(name, arn, stack);
    const kind = entry === undefined ? 'arns' : 'compact';
    const size = estimatedArnSize(name, arn);
    let chunk = this.chunks.filter((candidate) => candidate.kind === kind).pop();
    if (!chunk || chunk.size + size > MANAGED_POLICY_BUDGET) {
      chunk = this.newChunk(kind, stack);
    }
    chunk.entries.push(entry ?? iamArn);
    chunk.size += size;
  }

  private newChunk(kind: Chunk['kind'], stack: Stack): Chunk {
    if (this.chunks.length === MAX_MANAGED_POLICIES) {
      fail(this, `the looked-up identities' ARNs need more than ${MAX_MANAGED_POLICIES} IAM managed policies. `
        + 'Split the lookups over more stacks, or configure the provider with readAllIdentities.');
    }
    const entries: string[] = [];
    const prefix = Fn.join('', ['arn:', Aws.PARTITION, ':ses:', stack.region, ':', stack.account, ':identity/']);
    // P only where an entry uses it: an unused Fn::Sub variable is a template warning (W1019).
    const variables = () => (entries.some((entry) => entry.startsWith(PREFIX_VARIABLE)) ? { P: prefix } : undefined);
    const resources = () => (kind === 'compact' ? Fn.split(' ', Fn.sub(entries.join(' '), variables())) : entries);
    const policy = new iam.CfnManagedPolicy(this, `${this.chunks.length + 1}`, {
      description: 'SES identities that EmailIdentityLookup and EmailIdentityVerificationGate custom resources may read',
      roles: [this.role.roleName],
      policyDocument: {
        Version: '2012-10-17',
        // Uncached: a stack's own lookup of another stack's identity may be added
        // while aws-cdk-lib prepares the app, after a first resolution (cross-stack.ts).
        Statement: [{ Effect: 'Allow', Action: 'ses:GetEmailIdentity', Resource: Lazy.uncachedAny({ produce: resources }) }],
      },
    });
    this.dependents.forEach((dependent) => dependent.node.addDependency(policy));
    const chunk: Chunk = { kind, policy, entries, size: POLICY_OVERHEAD };
    this.chunks.push(chunk);
    return chunk;
  }
}

interface Chunk {
  readonly kind: 'compact' | 'arns';
  readonly policy: iam.CfnManagedPolicy;
  /** `${P}name` or full `Fn::Sub` ARNs for 'compact'; ARNs for 'arns'. */
  readonly entries: string[];
  size: number;
}

/** The identity's entry in an `Fn::Sub` body, or undefined when part of it is only known at deploy time. */
function compactEntry(name: string, identity: IdentityArn, stack: Stack): string | undefined {
  if (Token.isUnresolved(name)) {
    return undefined;
  }
  // Names never hold whitespace (validated). IAM reads $, * and ? as variables
  // and wildcards: it wants ${$}, ${*}, ${?}, which Fn::Sub writes from ${!$}...
  const escaped = name.replace(/[$*?]/g, (char) => `\${!${char}}`);
  if (identity.region === stack.region && identity.account === stack.account) {
    return `${PREFIX_VARIABLE}${escaped}`;
  }
  const region = identity.region === stack.region ? '${AWS::Region}' : literal(identity.region);
  const account = identity.account === stack.account ? '${AWS::AccountId}' : literal(identity.account);
  return region && account && `arn:\${AWS::Partition}:ses:${region}:${account}:identity/${escaped}`;
}

function literal(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}

/** Managed policies a role can have by default (IAM quota). */
const MAX_MANAGED_POLICIES = 10;
/** IAM counts a managed policy's characters without whitespace, up to 6,144; keep a margin. */
const MANAGED_POLICY_BUDGET = 6_000;
/** A policy's characters besides its resources: the one statement that grants ses:GetEmailIdentity. */
export const POLICY_OVERHEAD = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:GetEmailIdentity","Resource":[]}]}'.length;
/** The longest of some names. */
const longest = (names: Array<string | undefined>) => Math.max(...names.map((name) => name?.length ?? 0));
/** Longest partition and region names aws-cdk-lib knows (aws-us-gov, us-isof-south-1), so that the estimate is an upper bound. */
const LONGEST_PARTITION = longest(RegionInfo.regions.map((region) => region.partition));
const LONGEST_REGION = longest(RegionInfo.regions.map((region) => region.name));

const ACCOUNT_ID_LENGTH = 12;

/** Characters an ARN takes in the policy once resolved, quotes and comma included. */
function estimatedArnSize(name: string, identity: IdentityArn): number {
  // A token's length is unknown until deployment: assume the longest identity and region.
  const nameLength = Token.isUnresolved(name) ? MAX_EMAIL_IDENTITY_LENGTH : name.length;
  const regionLength = Token.isUnresolved(identity.region) ? LONGEST_REGION : identity.region.length;
  return 'arn::ses:::identity/'.length + LONGEST_PARTITION + regionLength + ACCOUNT_ID_LENGTH + nameLength + '"",'.length;
}
