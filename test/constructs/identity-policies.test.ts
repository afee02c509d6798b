/**
 * The lookup functions' identity policies (src/private/identity-policies.ts):
 * which ARNs they grant once deployed, how the template writes them (compact
 * `${P}name` entries for the stack's own region), and how many
 * ARNs a managed policy takes before the next one starts.
 */
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DEPLOY_ENV, TemplateResolver, type CfnTemplate } from '../../local/template-resolver';
import { EmailIdentityLookup } from '../../src';

const ACCOUNT = '123456789012';
const ROLE_ARN = 'arn:aws:iam::210987654321:role/SesLookup';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

interface Policy {
  readonly Properties: { readonly PolicyDocument: { readonly Version: string; readonly Statement: Array<{ readonly Resource: unknown }> } };
}

function managedPolicies(stack: Stack): Policy[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')) as Policy[];
}

/**
 * Each managed policy's ARNs as IAM sees them once deployed; `parameters`
 * gives the template's parameters their values.
 */
function grantedArns(stack: Stack, parameters: Record<string, string> = {}, env = DEPLOY_ENV): string[][] {
  let text = JSON.stringify(Template.fromStack(stack).toJSON());
  for (const [name, value] of Object.entries(parameters)) {
    text = text.split(JSON.stringify({ Ref: name })).join(JSON.stringify(value));
  }
  const template = JSON.parse(text) as CfnTemplate;
  const resolver = new TemplateResolver(template, 'Stack', env);
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy')
    .map((policy) => (resolver.resolve(policy.Properties?.PolicyDocument) as { Statement: Array<{ Resource: string[] }> }).Statement[0].Resource);
}

test('the policy document is a 2012-10-17 one: the version in which IAM policy variables exist', () => {
  const stack = newStack();
  new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

  expect(managedPolicies(stack).map((policy) => policy.Properties.PolicyDocument.Version)).toEqual(['2012-10-17']);
});

describe('identities in another region, or read through a role', () => {
  test('each ARN names the identity\'s region; an identity read through assumeRoleArn is granted to that role, not here', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Own', { emailIdentity: 'own.example.com' });
    new EmailIdentityLookup(stack, 'OtherRegion', { emailIdentity: 'other-region.example.com', region: 'us-east-2' });
    new EmailIdentityLookup(stack, 'OtherAccount', { emailIdentity: 'other-account.example.com', assumeRoleArn: ROLE_ARN });

    expect(grantedArns(stack)).toEqual([[
      `arn:aws:ses:eu-west-1:${ACCOUNT}:identity/own.example.com`,
      `arn:aws:ses:us-east-2:${ACCOUNT}:identity/other-region.example.com`,
    ]]);
  });

  test('the stack\'s own region is written once, as P; another region is named (a smaller template)', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Own', { emailIdentity: 'own.example.com' });
    new EmailIdentityLookup(stack, 'OtherRegion', { emailIdentity: 'other-region.example.com', region: 'us-east-2' });

    const [policy] = managedPolicies(stack);
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toEqual({
      'Fn::Split': [' ', {
        'Fn::Sub': [
          '${P}own.example.com arn:${AWS::Partition}:ses:us-east-2:${AWS::AccountId}:identity/other-region.example.com',
          { P: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ses:eu-west-1:${ACCOUNT}:identity/`]] } },
        ],
      }],
    });
  });

  test('a region known only at deploy time: the ARN is written out, with the region the parameter gives', () => {
    const stack = newStack();
    const region = new CfnParameter(stack, 'IdentityRegion').valueAsString;
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', region });

    expect(grantedArns(stack, { IdentityRegion: 'ap-southeast-5' })).toEqual([[`arn:aws:ses:ap-southeast-5:${ACCOUNT}:identity/example.com`]]);
  });
});

describe('how many ARNs a managed policy takes', () => {
  /** The longest partition name aws-cdk-lib knows (aws-us-gov): ARNs are estimated at their longest. */
  const LONGEST_PARTITION = Math.max(...RegionInfo.regions.map((region) => (region.partition ?? '').length));

  /** A valid domain name of exactly `length` characters (at least 16), unique by `i`. */
  function domainOfLength(i: number, length: number): string {
    const suffix = `.${String(i).padStart(3, '0')}.example.com`;
    let middle = '';
    while (middle.length < length - suffix.length) {
      const label = 'a'.repeat(Math.min(60, length - suffix.length - middle.length - (middle ? 1 : 0)));
      middle = middle ? `${middle}.${label}` : label;
    }
    const name = `${middle}${suffix}`;
    if (name.length !== length) throw new Error(`${name} is not ${length} characters`);
    return name;
  }

  /** The characters IAM counts in the policy besides its ARNs, from the synthesized policy itself. */
  function overhead(): number {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    const template = Template.fromStack(stack).toJSON() as CfnTemplate;
    const [policy] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy');
    const document = new TemplateResolver(template, 'Stack').resolve(policy.Properties?.PolicyDocument) as { Statement: Array<{ Resource: string[] }> };
    document.Statement[0].Resource = [];
    return JSON.stringify(document).length;
  }

  /**
   * 25 names in eu-west-1 whose ARNs, estimated at the longest partition
   * (each with its quotes and comma), and the policy's own characters make
   * exactly the 6,000 characters a policy is given.
   */
  function namesFillingOnePolicy(): string[] {
    const arnBesidesName = 'arn::ses:eu-west-1:123456789012:identity/'.length + LONGEST_PARTITION + '"",'.length;
    const count = 25;
    const forNames = 6_000 - overhead() - count * arnBesidesName;
    const length = Math.floor(forNames / count);
    return Array.from({ length: count }, (_, i) => domainOfLength(i, i === 0 ? forNames - (count - 1) * length : length));
  }

  test('ARNs that fill the budget exactly stay in one policy', () => {
    const stack = newStack();
    namesFillingOnePolicy().forEach((name, i) => new EmailIdentityLookup(stack, `Identity${i}`, { emailIdentity: name }));

    expect(grantedArns(stack).map((arns) => arns.length)).toEqual([25]);
  });

  test('one more, however short, starts a second policy', () => {
    const stack = newStack();
    namesFillingOnePolicy().forEach((name, i) => new EmailIdentityLookup(stack, `Identity${i}`, { emailIdentity: name }));
    new EmailIdentityLookup(stack, 'Short', { emailIdentity: 'x.example.com' });

    expect(grantedArns(stack).map((arns) => arns.length)).toEqual([25, 1]);
  });

  test('a region known only at deploy time is assumed the longest: each policy stays within IAM\'s 6,144 characters there', () => {
    const stack = newStack();
    const region = new CfnParameter(stack, 'IdentityRegion').valueAsString;
    for (let i = 0; i < 60; i++) {
      new EmailIdentityLookup(stack, `Identity${i}`, { emailIdentity: domainOfLength(i, 200), region });
    }
    const longestRegion = RegionInfo.regions.map((info) => info.name).reduce((longest, name) => (name.length > longest.length ? name : longest));

    const policies = grantedArns(stack, { IdentityRegion: longestRegion }, { ...DEPLOY_ENV, partition: 'aws-us-gov' });
    expect(policies.flat()).toHaveLength(60);
    for (const arns of policies) {
      const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ses:GetEmailIdentity', Resource: arns }] };
      expect(JSON.stringify(document).length).toBeLessThanOrEqual(6_144);
    }
  });
});
