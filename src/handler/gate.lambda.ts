import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { httpHandler } from './aws-http';
import type { HandlerEvent } from './cloudformation';
import { createGateHandler } from './gate';
import { INVOKE_CALL_TIMEOUTS } from '../shared/time-budgets';

const lambda = new LambdaClient({ requestHandler: httpHandler(INVOKE_CALL_TIMEOUTS) });

/** Lambda's asynchronous Invoke: the function goes on with the event in a fresh invocation. */
async function invokeAsync(functionArn: string, event: HandlerEvent): Promise<void> {
  await lambda.send(new InvokeCommand({
    FunctionName: functionArn,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(event)),
  }));
}

/** Lambda entry point of the gate function, which hands long waits over to a fresh invocation of itself. */
export const handler = createGateHandler({ continueLater: invokeAsync });
