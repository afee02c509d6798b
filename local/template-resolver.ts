/**
 * Reads a synthesized template the way CloudFormation and IAM see it once
 * deployed: intrinsic functions resolved to realistic values, so that ARNs in
 * policies have the length IAM counts, and custom resources' attributes to
 * what their handler answered. Used by the tests, the demo and the benchmark.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetManifestArtifact, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string[];
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

/** Where a template is pretended to be deployed. */
export interface DeployEnvironment {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly urlSuffix: string;
}

/** The account and region the stacks are pretended to be deployed to. */
export const DEPLOY_ENV: DeployEnvironment = { partition: 'aws', region: 'eu-west-1', account: '123456789012', urlSuffix: 'amazonaws.com' };

/** Attribute names CloudFormation uses for a resource's physical name, by type. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

/**
 * Resolves intrinsic functions as a deployment in DEPLOY_ENV would. Names
 * CloudFormation generates look like its own (stack-LogicalId-SUFFIX, at most
 * 64 characters); anything it cannot resolve throws, so that a policy is never
 * measured shorter than it is.
 */
export class TemplateResolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly stackName: string,
    private readonly env: DeployEnvironment = DEPLOY_ENV,
    /** Logical id → the Data its custom resource answered, for Fn::GetAtt. */
    private readonly attributes: Record<string, Record<string, unknown>> = {},
  ) {}

  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item));
    }
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.intrinsic(key, argument);
    }
    return Object.fromEntries(entries.map(([name, item]) => [name, this.resolve(item)]));
  }

  /** The name CloudFormation would give (or the template sets for) a resource. */
  public physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const explicit = resource.Properties?.[NAME_PROPERTY[resource.Type] ?? ''];
    if (explicit !== undefined) {
      return String(this.resolve(explicit));
    }
    return `${this.stackName}-${logicalId}`.slice(0, 51) + '-1ABCDEF2GHIJ';
  }

  private intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = argument as [string, string];
        return this.getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => String(this.resolve(part))).join(separator);
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return String(this.resolve(source)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables = {}] = (typeof argument === 'string' ? [argument] : argument) as [string, Record<string, unknown>?];
        return text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, variable: string) => {
          if (literal) return `\${${variable}}`;
          if (variable in variables) return String(this.resolve(variables[variable]));
          const [logicalId, attribute] = variable.split('.');
          return String(attribute ? this.getAtt(logicalId, attribute) : this.ref(logicalId));
        });
      }
      default:
        throw new Error(`Cannot resolve ${name} for measuring`);
    }
  }

  private ref(target: string): string {
    switch (target) {
      case 'AWS::Partition': return this.env.partition;
      case 'AWS::Region': return this.env.region;
      case 'AWS::AccountId': return this.env.account;
      case 'AWS::URLSuffix': return this.env.urlSuffix;
      case 'AWS::StackName': return this.stackName;
      case 'AWS::StackId': return `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.account}:stack/${this.stackName}/00000000-0000-0000-0000-000000000000`;
    }
    const resource = this.resource(target);
    // Ref gives the ARN for managed policies, the name for the other types measured here.
    return resource.Type === 'AWS::IAM::ManagedPolicy' ? this.arn(target) : this.physicalName(target);
  }

  private getAtt(logicalId: string, attribute: string): string {
    const answered = this.attributes[logicalId]?.[attribute];
    if (answered !== undefined) {
      return String(answered);
    }
    if (attribute === 'Arn' || (attribute === 'PolicyArn' && this.resource(logicalId).Type === 'AWS::IAM::ManagedPolicy')) {
      return this.arn(logicalId);
    }
    throw new Error(`Cannot resolve Fn::GetAtt ${logicalId}.${attribute} for measuring`);
  }

  private arn(logicalId: string): string {
    const { partition, region, account } = this.env;
    const name = this.physicalName(logicalId);
    switch (this.resource(logicalId).Type) {
      case 'AWS::IAM::Role': return `arn:${partition}:iam::${account}:role/${name}`;
      case 'AWS::IAM::ManagedPolicy': return `arn:${partition}:iam::${account}:policy/${name}`;
      case 'AWS::Lambda::Function': return `arn:${partition}:lambda:${region}:${account}:function:${name}`;
      case 'AWS::Logs::LogGroup': return `arn:${partition}:logs:${region}:${account}:log-group:${name}:*`;
      default: throw new Error(`Cannot make the ARN of ${logicalId} (${this.resource(logicalId).Type}) for measuring`);
    }
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) {
      throw new Error(`No resource ${logicalId} in the template`);
    }
    return resource;
  }
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

/** The directory the CLI would zip and upload as the code of the function behind a custom resource. */
export function handlerAssetDir(stack: CloudFormationStackArtifact, customResourceId: string): string {
  const resources = (stack.template as CfnTemplate).Resources;
  // ServiceToken is { "Fn::GetAtt": [<function logical id>, "Arn"] }.
  const [functionId] = (resources[customResourceId]?.Properties?.ServiceToken as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt'] ?? [];
  return functionAssetDir(stack, functionId, customResourceId);
}

/** Where the cloud assembly holds the code of the Lambda function `functionId`. */
export function functionAssetDir(stack: CloudFormationStackArtifact, functionId: string, usedBy = functionId): string {
  const resources = (stack.template as CfnTemplate).Resources;
  const s3Key = (resources[functionId]?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key;
  const manifest = stack.dependencies.find((artifact) => artifact instanceof AssetManifestArtifact);
  // The asset manifest names each file asset by hash; the function's S3 key is `<hash>.zip`.
  const files = manifest && (JSON.parse(fs.readFileSync(manifest.file, 'utf8')) as { files: Record<string, { source: { path: string } }> }).files;
  const asset = s3Key && files?.[s3Key.replace(/\.zip$/, '')];
  if (!asset) {
    throw new Error(`${usedBy}: no Lambda function with a file asset behind it in ${stack.stackName}`);
  }
  return path.join(stack.assembly.directory, asset.source.path);
}
