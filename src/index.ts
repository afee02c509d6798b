export * from './email-identity-lookup';
export * from './email-identity-dns-records';
export * from './provider/lookup-provider';
