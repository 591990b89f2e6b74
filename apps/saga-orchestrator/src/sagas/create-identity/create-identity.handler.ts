import { Injectable } from '@nestjs/common';
import { SagaHandler } from '../../saga-engine/saga-handler';
import { CreateIdentityData, createIdentitySaga } from './create-identity.saga';

/**
 * The identity-creation saga as the sweeper sees it. It has no commit point of its own: a run
 * that died before answering its caller is rolled back, since the caller was told it failed.
 * It publishes no public event.
 */
@Injectable()
export class CreateIdentitySagaHandler implements SagaHandler<CreateIdentityData, Record<string, never>> {
  readonly definition = createIdentitySaga;

  async isCommitted(): Promise<boolean> {
    return false;
  }

  async finish(): Promise<boolean> {
    return true;
  }
}
