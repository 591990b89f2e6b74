// Signing and verifying access tokens: only the services that sign them (user-service, identity-service) load a JWT library.
export * from './tokens';
export * from './principal-signer.provider';
