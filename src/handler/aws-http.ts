import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AWS_CALL_TIMEOUTS } from '../shared/time-budgets';

/** How long one AWS call may take to connect, and to answer. */
export interface CallTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}

/**
 * The HTTP handler of every AWS client here (SES, STS, CloudFormation,
 * Lambda): a hung call fails as a TimeoutError, a fault that the SES reader
 * retries for its window, instead of waiting for the function's deadline.
 */
export function httpHandler(timeouts: CallTimeouts = AWS_CALL_TIMEOUTS): NodeHttpHandler {
  return new NodeHttpHandler({ ...timeouts, throwOnRequestTimeout: true });
}
