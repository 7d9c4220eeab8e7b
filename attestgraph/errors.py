"""The exception tree.

Every error attestgraph raises on purpose derives from :class:`AttestgraphError`.
Each class says what went wrong in its name, carries the HTTP status the API
answers with and the exit code the CLI ends with, and renders as one line that
names the file, line, field or id at fault.
"""

from __future__ import annotations

from pathlib import Path


class AttestgraphError(Exception):
    """Root of every error attestgraph raises on purpose."""

    http_status = 500
    exit_code = 1
    title = "attestgraph error"


# -- data files ----------------------------------------------------------------


class DataError(AttestgraphError):
    """A shipped or user-supplied data file is wrong; nothing was stored."""

    title = "invalid data"


class DataFileSyntaxError(DataError):
    """A data file does not parse. Names the file, the line and what was expected."""

    title = "data file does not parse"

    def __init__(self, path: str | Path, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.detail = str(path), line, column, message
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class UnknownReferenceError(DataError):
    """A data file points at an id that does not exist in the graph."""

    title = "unknown reference"

    def __init__(self, path: str | Path, line: int | None, field: str, value: str, expected: str):
        self.path, self.line, self.field, self.value = str(path), line, field, value
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: field '{field}': unknown id {value!r} ({expected})")


class ValidationFailed(DataError):
    """SHACL, referential or OWL checks found violations; each is one line."""

    title = "validation failed"

    def __init__(self, violations: list[str]):
        self.violations = list(violations)
        count = len(self.violations)
        head = "; ".join(self.violations[:3])
        more = f" (+{count - 3} more)" if count > 3 else ""
        super().__init__(f"{count} violation{'s' if count != 1 else ''}: {head}{more}")


class EngagementError(DataError):
    """An engagement file or body is invalid. Names the field and what was expected."""

    http_status = 422
    exit_code = 2
    title = "invalid engagement"

    def __init__(self, source: str, field: str, message: str):
        self.source, self.field, self.detail = source, field, message
        super().__init__(f"{source}: {field}: {message}")


# -- queries -------------------------------------------------------------------


class QueryError(AttestgraphError):
    """A query could not be answered."""

    http_status = 400
    exit_code = 2
    title = "bad query"


class QuerySyntaxError(QueryError):
    """A SPARQL query does not parse; the message says where."""

    title = "SPARQL syntax error"


class ForbiddenOperation(QueryError):
    """The query asks for something this endpoint never does (update, SERVICE, LOAD...)."""

    http_status = 403
    title = "forbidden operation"


class QueryTooComplex(QueryError):
    """The query is longer or nests deeper than the endpoint checks and evaluates safely."""

    title = "query too complex"


class QueryOutOfMemory(QueryError):
    """Evaluating the query needed more memory than a query worker may use; it was stopped."""

    http_status = 503
    title = "query stopped at the memory limit"


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped."""

    http_status = 503
    title = "query timed out"


class UnknownIdentifier(QueryError):
    """A framework slug, requirement id, control id or graph name does not exist."""

    http_status = 404
    title = "unknown id"

    def __init__(self, kind: str, value: str, choices: list[str] | None = None):
        self.kind, self.value, self.choices = kind, value, list(choices or [])
        message = f"unknown {kind} {value!r}"
        if self.choices:
            shown = ", ".join(self.choices[:20])
            more = f", ... ({len(self.choices)} in all)" if len(self.choices) > 20 else ""
            message += f"; expected one of: {shown}{more}"
        super().__init__(message)


class PayloadTooLarge(AttestgraphError):
    """A request body is larger than the server accepts."""

    http_status = 413
    exit_code = 2
    title = "payload too large"


# -- stores --------------------------------------------------------------------


class StoreError(AttestgraphError):
    """The store could not be opened, built or reached."""

    http_status = 503
    title = "store unavailable"


class PlanningError(AttestgraphError):
    """The solver found no plan within its safety limit (a starved machine, not bad input)."""

    http_status = 503
    title = "planning did not finish"


class ConfigurationError(AttestgraphError):
    """A setting (command-line option or environment variable) has a value that cannot work."""

    exit_code = 2
    title = "invalid setting"


class Unauthorised(AttestgraphError):
    """A route that needs a key was called without the right one."""

    http_status = 401
    exit_code = 2
    title = "unauthorised"
