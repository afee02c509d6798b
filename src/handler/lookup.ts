import { answerCloudFormation, successBody, type Handler } from './cloudformation';
import { lookupData } from './encode';
import { failureReason } from './failure-reason';
import { lookupPhysicalId } from './physical-id';
import { parseLookupProperties } from './properties';
import { unmetRequirement } from './requirements';
import { describeStackStatus, isRollback } from './rollback';
import { createReader, type SesReaderOptions } from './ses-clients';
import { LOOKUP_MAX_WAIT_MS } from '../shared/time-budgets';
import { LOOKUP_RESOURCE_TYPE } from '../shared/wire';

/**
 * The lookup: reads the identity from SES and returns every attribute, or
 * fails with a reason a person can act on.
 */
export function createLookupHandler(options: SesReaderOptions = {}): Handler {
  const readerFor = createReader(options);
  const stackStatus = options.stackStatus ?? describeStackStatus();
  return answerCloudFormation(LOOKUP_RESOURCE_TYPE, async (request) => {
    const properties = parseLookupProperties(request.event.ResourceProperties);
    if (typeof properties === 'string') {
      return request.fail(properties);
    }
    const { scope, read } = await readerFor(properties, request);
    try {
      const identity = await read(Math.min(LOOKUP_MAX_WAIT_MS, request.remainingMs()));
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
