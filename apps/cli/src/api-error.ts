import { CliError } from './cli-error.js';

/** An error the API answered with: `{ "id": "...", "message": "..." }` and a 4xx/5xx status. */
export class ApiError extends CliError {
  readonly status: number;
  readonly id: string;

  constructor(status: number, id: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.id = id;
  }
}
