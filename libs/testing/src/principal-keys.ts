import { generateKeyPairSync, KeyPairKeyObjectResult } from 'node:crypto';
import { PrincipalSigner } from '@app/common';

/** A fresh Ed25519 pair, as the environment gives it: PRINCIPAL_SIGNING_KEY and PRINCIPAL_PUBLIC_KEY (base64 DER). */
export function principalKeyEnv(keys: KeyPairKeyObjectResult = generateKeyPairSync('ed25519')): { PRINCIPAL_SIGNING_KEY: string; PRINCIPAL_PUBLIC_KEY: string } {
  return {
    PRINCIPAL_SIGNING_KEY: keys.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    PRINCIPAL_PUBLIC_KEY: keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** For a service's own tests, which build its providers by hand. */
export const testPrincipalSigner = new PrincipalSigner(generateKeyPairSync('ed25519').privateKey);
