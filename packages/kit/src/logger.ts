import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs, one line each, with the service name. Secrets are redacted wherever they appear in a
 * logged object, so a careless `log.info({ headers })` cannot leak a token or password.
 */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'variables.password',
        '*.variables.password',
        'variables.input.password',
        '*.variables.input.password',
        'headers.authorization',
        '*.headers.authorization',
        'token',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
