import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { HandlerEvent } from './lookup-handler';

const lambda = new LambdaClient({});

/** Lambda's asynchronous Invoke: the function goes on with the event in a fresh invocation. */
export async function invokeAsync(functionArn: string, event: HandlerEvent): Promise<void> {
  await lambda.send(new InvokeCommand({
    FunctionName: functionArn,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(event)),
  }));
}
