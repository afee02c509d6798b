import { invokeAsync } from './continue-later';
import { createGateHandler } from './gate';

/** Lambda entry point of the gate function, which hands long waits over to a fresh invocation of itself. */
export const handler = createGateHandler({ continueLater: invokeAsync });
