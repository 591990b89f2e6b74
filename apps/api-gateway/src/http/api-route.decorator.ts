import { SetMetadata } from '@nestjs/common';
import { ZodObject, ZodType } from 'zod';

/** An error answer of a route: what it means, and its body when that is more than the envelope. */
export type ErrorDoc = string | { description: string; schema: ZodType };

/**
 * The OpenAPI description of one route, from the same zod schemas that validate it. Every route
 * must have one: the document is built from these, and building fails on a route without.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  tag: string;
  body?: ZodType;
  params?: ZodObject;
  query?: ZodObject;
  headers?: ZodObject;
  response: ZodType;
  /** Statuses other than the 401/403/422/503 every route of its kind may give. */
  errors?: Record<number, ErrorDoc>;
}

export const API_ROUTE = 'api-route';
export const ApiRoute = (doc: RouteDoc) => SetMetadata(API_ROUTE, doc);
