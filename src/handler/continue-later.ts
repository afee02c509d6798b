import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { HandlerEvent } from './cloudformation';
import { httpHandler } from './ses-clients';

// Timeouts, so that a hung Invoke fails in time for the gate to answer instead.
const lambda = new LambdaClient({ requestHandler: httpHandler({ connectionTimeout: 3_000, requestTimeout: 5_000 }) });

/** Lambda's asynchronous Invoke: the function goes on with the event in a fresh invocation. */
export async function invokeAsync(functionArn: string, event: HandlerEvent): Promise<void> {
  await lambda.send(new InvokeCommand({
    FunctionName: functionArn,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(event)),
  }));
}
