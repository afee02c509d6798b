import { createLookupHandler } from './lookup';

/** Lambda entry point of the lookup function: one SES client per region and role, reused across lookups. */
export const handler = createLookupHandler();
