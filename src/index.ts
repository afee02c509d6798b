export * from './email-identity-lookup';
