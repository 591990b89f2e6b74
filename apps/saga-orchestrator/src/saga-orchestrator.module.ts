import { DynamicModule, Module } from '@nestjs/common';
import { ServiceNames } from '@app/contracts';
import { BusClient, BusModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { BootstrapEventsPublisher } from './events/bootstrap-events.publisher';
import { InstanceService } from './instance/instance.service';
import { orchestratorDatabase } from './orchestrator.database';
import { SagaEngine } from './saga-engine/saga-engine';
import { SagaRegistry } from './saga-engine/saga-handler';
import { SagaRunner } from './saga-engine/saga-runner';
import { SagaSweeper } from './saga-engine/saga-sweeper';
import { TypeormSagaStore } from './saga-engine/typeorm-saga.store';
import { BootstrapSagaHandler } from './sagas/bootstrap/bootstrap.handler';
import { BootstrapMessageController } from './sagas/bootstrap/bootstrap.message.controller';
import { BootstrapService } from './sagas/bootstrap/bootstrap.service';
import { ReclaimService } from './sagas/bootstrap/reclaim.service';
import { CreateIdentitySagaHandler } from './sagas/create-identity/create-identity.handler';
import { CreateIdentityMessageController } from './sagas/create-identity/create-identity.message.controller';
import { CreateIdentityService } from './sagas/create-identity/create-identity.service';
import { InstanceAdminsMessageController } from './instance-admins/instance-admins.message.controller';
import { InstanceAdminsService } from './instance-admins/instance-admins.service';

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
      controllers: [BootstrapMessageController, CreateIdentityMessageController, InstanceAdminsMessageController],
      providers: [
        TypeormSagaStore,
        {
          provide: SagaEngine,
          inject: [TypeormSagaStore, BusClient],
          useFactory: (store: TypeormSagaStore, bus: BusClient) => new SagaEngine(store, { bus }),
        },
        SagaRunner,
        SagaRegistry,
        SagaSweeper,
        InstanceService,
        BootstrapEventsPublisher,
        BootstrapSagaHandler,
        ReclaimService,
        BootstrapService,
        CreateIdentitySagaHandler,
        CreateIdentityService,
        InstanceAdminsService,
      ],
    };
  }
}
