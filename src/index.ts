export * from './email-identity-lookup';
export * from './looked-up-email-identity';
export * from './email-identity-dns-records';
export * from './email-identity-verification-gate';
export * from './email-identity-reader-role';
export * from './email-identity-functions';
export * from './email-identity-monitor';
