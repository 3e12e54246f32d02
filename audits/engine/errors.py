class AuditInputError(ValueError):
    """The input cannot be audited as given; ``message`` says why and what to do."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
