import { invokeAsync } from './continue-later';
import { createLookupHandler } from './lookup-handler';

/**
 * Lambda entry point of the gate function: the same handler, able to hand a
 * long wait over to a fresh invocation.
 */
export const handler = createLookupHandler({ continueLater: invokeAsync });
