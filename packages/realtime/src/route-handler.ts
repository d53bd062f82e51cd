import type { NextFunction, Request, Response } from 'express'

/**
 * An Express handler generic over the request's types, so the route parameters Express infers from the
 * path (`/rooms/:room/events`) reach the handlers around it. A plain `RequestHandler` would fix them to
 * `ParamsDictionary` for the whole route.
 */
export type RouteHandler = <P, ResBody, ReqBody, ReqQuery, Locals extends Record<string, unknown>>(
  req: Request<P, ResBody, ReqBody, ReqQuery, Locals>,
  res: Response<ResBody, Locals>,
  next: NextFunction,
) => void
