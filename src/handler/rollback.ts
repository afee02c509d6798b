import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { httpHandler } from './aws-http';
import type { HandlerEvent, Request } from './cloudformation';
import { ARN_FIELD } from '../shared/wire';

/**
 * Stack statuses in which any Update CloudFormation sends is part of a
 * rollback: a failed or cancelled update (and ContinueUpdateRollback), a
 * failed import. ROLLBACK_IN_PROGRESS, a failed Create's rollback, sends
 * only Deletes; it is listed because it is a rollback all the same.
 */
const ROLLBACK_STATUSES: readonly string[] = ['UPDATE_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'];

/** One retry: the answer only matters when a lookup would fail or a gate wait, and without it the answer is no. */
const DESCRIBE_STACKS_ATTEMPTS = 2;

/** The stack's status, or why it could not be read. */
export type StackStatusReader = (stackId: string) => Promise<string>;

export interface RollbackOptions {
  /** Tells a rollback from a forward Update. @default DescribeStacks on the event's StackId */
  readonly stackStatus?: StackStatusReader;
}

/**
 * Whether this Update rolls a failed one back, so that what succeeded before
 * must succeed again rather than wedge the stack in UPDATE_ROLLBACK_FAILED.
 * Properties that match the resource's id succeeded before (see
 * properties.ts); otherwise the stack's own status says, and if it cannot be
 * read the answer is no, as before this check existed.
 */
export async function isRollback(request: Request, physicalId: string, readStatus: StackStatusReader): Promise<boolean> {
  const event = request.event;
  if (event.RequestType !== 'Update') {
    return false;
  }
  if (repeatsSucceededProperties(event, physicalId)) {
    return true;
  }
  // No CloudFormation stack, no rollback: an emulator (Pulumi's) names the stack by a plain id.
  if (!isStackArn(event.StackId)) {
    return false;
  }
  try {
    const status = await readStatus(event.StackId);
    request.log(JSON.stringify({ stackStatus: status }));
    return ROLLBACK_STATUSES.includes(status);
  } catch (error) {
    request.log(JSON.stringify({ stackStatusUnknown: error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error) }));
    return false;
  }
}

/** A CloudFormation stack id: arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>. */
function isStackArn(stackId: string): boolean {
  return /^arn:[^:]+:cloudformation:[^:]+:\d{12}:stack\/[^/]+\/.+$/.test(stackId);
}

/**
 * An Update whose properties are those of its own id, which only succeeded
 * properties carry (properties.ts): only a rollback sends it.
 */
export function repeatsSucceededProperties(event: HandlerEvent, physicalId: string): boolean {
  return event.RequestType === 'Update' && event.PhysicalResourceId === physicalId;
}

/**
 * DescribeStacks on the stack's id, with one client per container, created on
 * first use: Creates, and Updates that match their id, never call it. The
 * import is static on purpose: esbuild tree-shakes it to +25 KB, where a lazy
 * require() keeps the whole package (+125 KB) and loads slower (measured).
 */
export function describeStackStatus(): StackStatusReader {
  let client: CloudFormationClient | undefined;
  return async (stackId) => {
    // The stack's region, from its id: arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>.
    client ??= new CloudFormationClient({
      region: stackId.split(':')[ARN_FIELD.region] || undefined,
      maxAttempts: DESCRIBE_STACKS_ATTEMPTS,
      requestHandler: httpHandler(),
    });
    const { Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackId }));
    const status = stacks?.[0]?.StackStatus;
    if (!status) {
      throw new Error('DescribeStacks returned no status');
    }
    return status;
  };
}
