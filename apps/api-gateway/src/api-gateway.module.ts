import { DynamicModule, Module } from '@nestjs/common';
import { BusModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { AdminConfigController } from './admin/admin-config.controller';
import { BootstrapController } from './admin/bootstrap.controller';
import { HealthController } from './health/health.controller';

@Module({})
export class ApiGatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiGatewayModule,
      imports: [ConfigModule.forRoot(config), BusModule.forRoot('api-gateway')],
      controllers: [BootstrapController, AdminConfigController, HealthController],
    };
  }
}
