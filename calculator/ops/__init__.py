"""Operations: request ids, structured logs, request limits, error pages and /healthz."""
