export * from './email-identity-lookup';
export * from './provider/lookup-provider';
