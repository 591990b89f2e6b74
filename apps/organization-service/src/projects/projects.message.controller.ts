import { Controller } from '@nestjs/common';
import { CreateProjectSchema, ListProjectsSchema, ReplyOf, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { ProjectsService } from './projects.service';

@Controller()
export class ProjectsMessageController {
  constructor(private readonly projects: ProjectsService) {}

  @MessagePattern(Subjects.organization.createProject)
  async create(
    @Payload(new PayloadPipe(CreateProjectSchema)) cmd: z.infer<typeof CreateProjectSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.createProject>> {
    return { project: await this.projects.create(cmd) };
  }

  @MessagePattern(Subjects.organization.listProjects)
  async list(
    @Payload(new PayloadPipe(ListProjectsSchema)) cmd: z.infer<typeof ListProjectsSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.listProjects>> {
    return { projects: await this.projects.list(cmd) };
  }
}
