import { ServiceDatabaseSpec } from '@app/database';
import { InstanceStateEntity } from './instance/instance-state.entity';
import { CreateSagas1764190000000 } from './migrations/1764190000000-create-sagas';
import { SagaRecovery1764200000000 } from './migrations/1764200000000-saga-recovery';
import { SagaRunningSteps1764300000000 } from './migrations/1764300000000-saga-running-steps';
import { SagaEntity } from './saga-engine/saga.entity';

export const orchestratorDatabase: ServiceDatabaseSpec = {
  schema: 'saga_orchestrator',
  entities: [SagaEntity, InstanceStateEntity],
  migrations: [CreateSagas1764190000000, SagaRecovery1764200000000, SagaRunningSteps1764300000000],
};
