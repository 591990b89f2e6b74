import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  CreateProjectBody,
  CreateProjectBodySchema,
  ListProjectsResponseSchema,
  PaginationSchema,
  Principal,
  ProjectResponseSchema,
  Subjects,
} from '@app/contracts';
import { BusClient } from '@app/common';
import { z } from 'zod';
import { Caller } from '../auth/auth.decorators';
import { ApiRoute } from '../http/api-route.decorator';
import { ZodBodyPipe, ZodInputPipe } from '../http/zod-body.pipe';

@Controller('api')
export class ProjectsController {
  constructor(private readonly bus: BusClient) {}

  /** WIRE: v2/projects is the seed's example; v2/workspace is the alias Infisical's Node SDK still calls. */
  @Post(['v1/projects', 'v2/projects', 'v2/workspace'])
  @HttpCode(200)
  @ApiRoute({
    tag: 'Projects',
    summary: 'Create a project',
    description:
      "In the caller's organization, with environments Development (dev), Staging (staging) and Production (prod); the caller " +
      'becomes its admin. `type` also accepts the upper-case spelling of the seed (SECRET_MANAGER).',
    body: CreateProjectBodySchema,
    response: ProjectResponseSchema,
    errors: { 400: 'The slug is taken in this organization' },
  })
  create(@Caller() caller: Principal, @Body(new ZodBodyPipe(CreateProjectBodySchema)) body: CreateProjectBody) {
    return this.bus.send(Subjects.organization.createProject, { caller, ...body });
  }

  @Get('v1/projects')
  @ApiRoute({ tag: 'Projects', summary: "List the caller organization's projects", query: PaginationSchema, response: ListProjectsResponseSchema })
  list(@Caller() caller: Principal, @Query(new ZodInputPipe(PaginationSchema)) query: z.infer<typeof PaginationSchema>) {
    return this.bus.send(Subjects.organization.listProjects, { caller, ...query });
  }
}
