/** An error fastify answers with its status code and message (JSON: statusCode, error, message). */
export function httpError(statusCode: number, message: string, extra?: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { statusCode, ...extra });
}
