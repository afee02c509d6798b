import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { answerCloudFormation, successBody, type AnswerOptions, type Handler } from './cloudformation';
import { lookupData } from './encode';
import { failureReason, scopeOf } from './failure-reason';
import { lookupPhysicalId } from './physical-id';
import { parseLookupProperties } from './properties';
import { readIdentity } from './read-identity';
import { unmetRequirement } from './requirements';
import { describeStackStatus, isRollback, type StackStatusReader } from './rollback';
import { SesClients } from './ses-clients';
import { DEFAULT_RETRY, LOOKUP_MAX_WAIT_MS, type RetryOptions } from '../shared/time-budgets';
import { LOOKUP_RESOURCE_TYPE } from '../shared/wire';

export interface SesReaderOptions extends AnswerOptions {
  /** One SES client for every request, for tests; by default one per region and role, see SesClients. */
  readonly client?: SESv2Client;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Tells a rollback from a forward Update. @default DescribeStacks on the event's StackId */
  readonly stackStatus?: StackStatusReader;
}

/**
 * The lookup: reads the identity from SES and returns every attribute, or
 * fails with a reason a person can act on.
 */
export function createLookupHandler(options: SesReaderOptions = {}): Handler {
  const clients = new SesClients();
  const retry = options.retry ?? DEFAULT_RETRY;
  const stackStatus = options.stackStatus ?? describeStackStatus();
  return answerCloudFormation(LOOKUP_RESOURCE_TYPE, async (request) => {
    const properties = parseLookupProperties(request.event.ResourceProperties);
    if (typeof properties === 'string') {
      return request.fail(properties);
    }
    const client = options.client ?? clients.get(properties);
    const scope = await scopeOf(properties, client, request.event.StackId);
    try {
      const maxWaitMs = Math.min(LOOKUP_MAX_WAIT_MS, request.remainingMs());
      const identity = await readIdentity(client, properties.EmailIdentity, maxWaitMs, { retry, onRetry: request.log, clock: request.clock });
      const physicalId = lookupPhysicalId(properties);
      const unmet = unmetRequirement(identity, properties.Requirements ?? [], properties.EmailIdentity);
      // A rollback returns to properties that succeeded: failing it would wedge the stack.
      if (unmet && !(await isRollback(request, physicalId, stackStatus))) {
        return request.fail(unmet);
      }
      const body = successBody(request.envelope(physicalId), lookupData(identity, scope.region));
      if (body === undefined) {
        return request.fail(`SES described ${JSON.stringify(properties.EmailIdentity)} with values too long to return within CloudFormation's 4096-byte response limit.`);
      }
      return { body, outcome: { status: 'SUCCESS' } };
    } catch (error) {
      return request.fail(failureReason(error, scope));
    }
  }, options);
}
