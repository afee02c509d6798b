import { createLookupHandler } from './lookup-handler';

/** Lambda entry point: one client per container, reused across lookups. */
export const handler = createLookupHandler();
