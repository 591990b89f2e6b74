import { DynamicModule, Module } from '@nestjs/common';
import { ServiceNames, Subjects } from '@app/contracts';
import { BusModule, pingController } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { BootstrapEventsPublisher } from './events/bootstrap-events.publisher';
import { InstanceService } from './instance/instance.service';
import { orchestratorDatabase } from './orchestrator.database';
import { SagaEngine } from './saga-engine/saga-engine';
import { TypeormSagaStore } from './saga-engine/typeorm-saga.store';
import { BootstrapMessageController } from './sagas/bootstrap/bootstrap.message.controller';
import { BootstrapService } from './sagas/bootstrap/bootstrap.service';

@Module({})
export class SagaOrchestratorModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SagaOrchestratorModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forService(orchestratorDatabase),
        BusModule.forRoot(`${ServiceNames.orchestrator}-client`),
      ],
      controllers: [BootstrapMessageController, pingController(Subjects.bootstrap.ping, ServiceNames.orchestrator)],
      providers: [
        TypeormSagaStore,
        { provide: SagaEngine, inject: [TypeormSagaStore], useFactory: (store: TypeormSagaStore) => new SagaEngine(store) },
        InstanceService,
        BootstrapEventsPublisher,
        BootstrapService,
      ],
    };
  }
}
