import { Provider } from '@nestjs/common';
import { PrincipalSigner } from '@app/common';
import { AppConfig, APP_CONFIG, requirePrincipalSigningKey } from '@app/config';

/** PrincipalSigner for the services that authenticate tokens (they need PRINCIPAL_SIGNING_KEY). */
export const principalSignerProvider: Provider = {
  provide: PrincipalSigner,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new PrincipalSigner(requirePrincipalSigningKey(config)),
};
