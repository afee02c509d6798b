/**
 * The limits a synthesized stack is checked against, and the size of its
 * function role's policies as IAM counts them.
 */
import type { CfnTemplate, TemplateResolver } from '../../local/template-resolver';

export { DEPLOY_ENV, TemplateResolver, type CfnResource, type CfnTemplate } from '../../local/template-resolver';

/** Published service limits the stacks are checked against. */
export const LIMITS = {
  /** CloudFormation: resources per stack. */
  resources: 500,
  /** CloudFormation: template body passed in the API call (TemplateBody). */
  templateBodyBytes: 51_200,
  /** CloudFormation: template uploaded to S3 (TemplateURL), which the CDK CLI does with the modern bootstrap. */
  templateS3Bytes: 1_048_576,
  /** IAM: all inline policies of one role together, whitespace not counted. */
  inlinePolicyCharsPerRole: 10_240,
  /** IAM: one customer managed policy, whitespace not counted. */
  managedPolicyChars: 6_144,
  /** IAM: managed policies attached to one role (default quota; can be raised to 20). */
  managedPoliciesPerRole: 10,
} as const;

/** Policies attached to the role of a Lambda function, sized as IAM counts them. */
export interface RolePolicies {
  readonly roleId: string;
  /** Characters of each inline policy document (AWS::IAM::Policy, AWS::IAM::RolePolicy, Role.Policies). */
  readonly inlineChars: number[];
  /** Characters of each customer managed policy in the stack attached to the role. */
  readonly managedChars: number[];
  /** AWS managed policies attached by ARN: they count toward the attachment quota, not toward any size. */
  readonly awsManaged: string[];
}

export function functionRolePolicies(template: CfnTemplate, functionId: string, resolver: TemplateResolver): RolePolicies {
  const roleRef = template.Resources[functionId]?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const roleId = roleRef?.['Fn::GetAtt']?.[0];
  if (!roleId) {
    throw new Error(`Function ${functionId} has no role in this template`);
  }
  const isRole = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref === roleId;
  // IAM counts policy characters without whitespace: the minified JSON.
  const size = (document: unknown) => JSON.stringify(resolver.resolve(document)).length;

  const role = template.Resources[roleId];
  const inlineChars = ((role.Properties?.Policies ?? []) as Array<{ PolicyDocument: unknown }>).map((policy) => size(policy.PolicyDocument));
  const managedIds = new Set<string>();
  const awsManaged: string[] = [];
  for (const arn of (role.Properties?.ManagedPolicyArns ?? []) as unknown[]) {
    const ref = (arn as { Ref?: string }).Ref;
    if (ref && template.Resources[ref]?.Type === 'AWS::IAM::ManagedPolicy') {
      managedIds.add(ref);
    } else {
      awsManaged.push(String(resolver.resolve(arn)));
    }
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' && (properties.Roles as unknown[] | undefined)?.some(isRole)) {
      inlineChars.push(size(properties.PolicyDocument));
    } else if (resource.Type === 'AWS::IAM::RolePolicy' && isRole(properties.RoleName)) {
      inlineChars.push(size(properties.PolicyDocument));
    } else if (resource.Type === 'AWS::IAM::ManagedPolicy' && (properties.Roles as unknown[] | undefined)?.some(isRole)) {
      managedIds.add(id);
    }
  }
  const managedChars = [...managedIds].map((id) => size(template.Resources[id].Properties?.PolicyDocument));
  return { roleId, inlineChars, managedChars, awsManaged };
}

/** Which IAM limits a role's policies break, as sentences; empty when none. */
export function iamProblems(policies: RolePolicies): string[] {
  const problems: string[] = [];
  const inline = sum(policies.inlineChars);
  if (inline > LIMITS.inlinePolicyCharsPerRole) {
    problems.push(`inline policies ${inline} > ${LIMITS.inlinePolicyCharsPerRole} chars per role`);
  }
  const largest = Math.max(0, ...policies.managedChars);
  if (largest > LIMITS.managedPolicyChars) {
    problems.push(`a managed policy of ${largest} > ${LIMITS.managedPolicyChars} chars`);
  }
  const attached = policies.managedChars.length + policies.awsManaged.length;
  if (attached > LIMITS.managedPoliciesPerRole) {
    problems.push(`${attached} > ${LIMITS.managedPoliciesPerRole} managed policies on the role`);
  }
  return problems;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Resource properties as CloudFormation hands them to a custom resource:
 * intrinsics resolved, every scalar turned into a string.
 */
export function asDelivered(value: unknown, resolver: TemplateResolver): unknown {
  const resolved = resolver.resolve(value);
  if (Array.isArray(resolved)) {
    return resolved.map((item) => asDelivered(item, resolver));
  }
  if (typeof resolved === 'object' && resolved !== null) {
    return Object.fromEntries(Object.entries(resolved).map(([name, item]) => [name, asDelivered(item, resolver)]));
  }
  return String(resolved);
}
