import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { httpHandler } from './aws-http';
import { cloudWatchPublisher, createMonitorHandler } from './monitor';

/** Lambda entry point of the monitor function: EventBridge runs it on each monitor's schedule. */
export const handler = createMonitorHandler({ publish: cloudWatchPublisher(new CloudWatchClient({ requestHandler: httpHandler() })) });
