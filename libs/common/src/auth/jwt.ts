import { createSecretKey } from 'node:crypto';
import { DynamicModule } from '@nestjs/common';
import { AppConfig, APP_CONFIG, requireAuthSecret } from '@app/config';
import { JwtModule } from '@nestjs/jwt';

/**
 * @nestjs/jwt keyed with a KeyObject built once from AUTH_SECRET's UTF-8 bytes: given a string,
 * jsonwebtoken re-parses it as a possible PEM key on every sign and verify (60x slower).
 * Only HS256 is ever signed or accepted, so `alg: none` and algorithm confusion are refused.
 */
export function authJwtModule(): DynamicModule {
  return JwtModule.registerAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => ({
      secret: createSecretKey(Buffer.from(requireAuthSecret(config), 'utf8')),
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    }),
  });
}
