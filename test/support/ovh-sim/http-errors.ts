/**
 * Error answers in the shapes OVH uses: the authentication layer sends
 * `{message, httpCode, errorCode}` (plus the newer `class`), the API
 * behind it `{class, message}`.
 */
export class SimHttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  460: 'Expired Service',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const CLASSES: Record<number, string> = {
  400: 'Client::BadRequest',
  401: 'Client::Unauthorized',
  403: 'Client::Forbidden',
  404: 'Client::NotFound',
  405: 'Client::MethodNotAllowed',
  409: 'Client::Conflict',
  460: 'Client::Gone',
  500: 'Server::InternalServerError',
  502: 'Server::BadGateway',
  503: 'Server::ServiceUnavailable',
  504: 'Server::GatewayTimeout',
};

export function httpCode(status: number): string {
  return `${status} ${REASONS[status] ?? 'Error'}`;
}

export function errorBody(status: number, message: string, errorCode?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { class: CLASSES[status] ?? (status >= 500 ? 'Server::Error' : 'Client::Error'), message };
  if (errorCode !== undefined) {
    body.httpCode = httpCode(status);
    body.errorCode = errorCode;
  }
  return body;
}

export function authError(status: 400 | 401 | 403, errorCode: string, message: string): SimHttpError {
  return new SimHttpError(status, errorBody(status, message, errorCode));
}

export function notFound(what: string): SimHttpError {
  return new SimHttpError(404, errorBody(404, `The requested object (${what}) does not exist`));
}

export function badRequest(message: string): SimHttpError {
  return new SimHttpError(400, errorBody(400, message));
}

export function conflict(message: string): SimHttpError {
  return new SimHttpError(409, errorBody(409, message));
}
