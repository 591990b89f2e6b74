import 'reflect-metadata';
import { ServiceNames } from '@app/contracts';
import { runMicroservice } from '@app/database';
import { SagaOrchestratorModule } from './saga-orchestrator.module';

void runMicroservice({
  service: ServiceNames.orchestrator,
  module: (config) => SagaOrchestratorModule.forRoot(config),
});
