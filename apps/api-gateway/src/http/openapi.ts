import { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { OpenAPIRegistry, OpenApiGeneratorV3, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { AUTH_MODE, AuthMode } from '../auth/auth.decorators';
import { API_ROUTE, ErrorDoc, RouteDoc } from './api-route.decorator';

const ErrorEnvelope = z.object({ reqId: z.string(), statusCode: z.number().int(), message: z.string(), error: z.string() });
const ValidationEnvelope = ErrorEnvelope.extend({
  statusCode: z.literal(422),
  message: z.array(z.object({ message: z.string(), path: z.array(z.union([z.string(), z.number()])) })),
  error: z.literal('ValidationFailure'),
});

const METHODS: Partial<Record<RequestMethod, RouteConfig['method']>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
};

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const paths = (value: string | string[] | undefined) => (Array.isArray(value) ? value : [value ?? '']);
/** Nest's `api/v1/identities/:identityId` as OpenAPI's `/api/v1/identities/{identityId}`. */
const openApiPath = (...parts: string[]) =>
  `/${parts.filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1').replace(/:(\w+)/g, '{$1}');

function errorResponse(doc: ErrorDoc, status: number): ResponseConfig {
  if (typeof doc !== 'string') return { description: doc.description, content: json(doc.schema) };
  return { description: doc, content: json(status === 422 ? ValidationEnvelope : ErrorEnvelope) };
}

/** The errors a route gives because of what it is: validated, authenticated, behind the bus. */
function responsesOf(doc: RouteDoc, mode: AuthMode): Record<number, ResponseConfig> {
  const errors: Record<number, ErrorDoc> = {};
  if (mode === 'required' || mode === 'any-scope') {
    errors[401] = 'Token missing, revoked, or its identity or user deleted (UnauthorizedError)';
    errors[403] = 'Token malformed, badly signed, not HS256 or expired (TokenError); or the caller may not do this';
  }
  if (doc.body !== undefined || doc.params !== undefined || doc.query !== undefined || doc.headers !== undefined) {
    errors[422] = 'Invalid input (ValidationFailure): `message` is the array of issues';
  }
  errors[503] = 'A service this route needs is unavailable or too slow; nothing was done';
  Object.assign(errors, doc.errors);
  const responses: Record<number, ResponseConfig> = { 200: { description: doc.summary, content: json(doc.response) } };
  for (const [status, error] of Object.entries(errors)) responses[Number(status)] = errorResponse(error, Number(status));
  return responses;
}

type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

/**
 * Every route of the controllers, from their @ApiRoute descriptions (the zod schemas that
 * validate the requests) and their auth mode. A route without a description stops the build, so
 * the document cannot fall behind the API.
 */
function registryOf(controllers: Array<Type<unknown>>): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const controller of controllers) {
    const prefixes = paths(Reflect.getMetadata(PATH_METADATA, controller));
    const classMode: AuthMode | undefined = Reflect.getMetadata(AUTH_MODE, controller);
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      const requestMethod: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
      if (name === 'constructor' || requestMethod === undefined) continue;
      const doc: RouteDoc | undefined = Reflect.getMetadata(API_ROUTE, handler);
      const method = METHODS[requestMethod];
      if (doc === undefined || method === undefined) throw new Error(`${controller.name}.${name} has no @ApiRoute description`);
      const mode: AuthMode = Reflect.getMetadata(AUTH_MODE, handler) ?? classMode ?? 'required';
      for (const prefix of prefixes) {
        for (const path of paths(Reflect.getMetadata(PATH_METADATA, handler))) {
          registry.registerPath({
            method,
            path: openApiPath(prefix, path),
            summary: doc.summary,
            description: doc.description,
            tags: [doc.tag],
            security: mode === 'public' ? [] : mode === 'optional' ? [{}, { bearer: [] }] : [{ bearer: [] }],
            request: {
              params: doc.params,
              query: doc.query,
              headers: doc.headers,
              ...(doc.body === undefined ? {} : { body: { content: json(doc.body) } }),
            },
            responses: responsesOf(doc, mode),
          });
        }
      }
    }
  }
  return registry;
}

function generate(registry: OpenAPIRegistry): OpenApiDocument {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Bootstrap platform API',
      version: '1.0',
      description: "Infisical-compatible automated bootstrapping: one call sets up the instance and returns a root Token Auth JWT that drives the rest.",
    },
  });
}

/** The OpenAPI 3 document of every route of the controllers. */
export function buildOpenApiDocument(controllers: Array<Type<unknown>>): OpenApiDocument {
  return generate(registryOf(controllers));
}

/**
 * Swagger UI at /api/docs and the OpenAPI 3 document at /api/docs/json. Every route is checked
 * for its description at start; the document (zod schemas to JSON schemas, the costliest part)
 * is made on the first request for it, not on every gateway's start.
 */
export function setupOpenApi(app: INestApplication, controllers: Array<Type<unknown>>): void {
  const registry = registryOf(controllers);
  let document: OpenApiDocument | undefined;
  SwaggerModule.setup('api/docs', app, () => (document ??= generate(registry)) as OpenAPIObject, {
    jsonDocumentUrl: 'api/docs/json',
    yamlDocumentUrl: 'api/docs/yaml',
  });
}
